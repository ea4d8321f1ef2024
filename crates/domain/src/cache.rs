//! Cache-aside with fill leases, as every Redis cache reads (ADR 18).
//!
//! Writers drop the entries a change makes stale; they never write one. A reader that misses
//! takes a lease on the entry before it reads the owning store, and fills the entry only if
//! its lease still holds. A drop ends the lease, and so does a Redis that restarts or evicts
//! it, so a fill never stores what a committed change has made stale, whatever Redis lost
//! meanwhile. While one reader holds the lease, others read the owning store without filling.

/// What a reader that missed needs to fill: its lease on the entry, the right to fill it until
/// a drop ends it (or, for list pages, the slot of the generation it saw: ADR 19).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FillToken(String);

impl FillToken {
    pub fn new(token: String) -> Self {
        Self(token)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// What a cache read found.
#[derive(Debug, Clone, PartialEq)]
pub enum Lookup<T> {
    Hit(T),
    /// Not cached: with a token when this reader took the lease to fill it.
    Miss(Option<FillToken>),
}
