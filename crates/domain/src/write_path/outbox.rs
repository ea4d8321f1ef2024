//! The outbox port: rows are claimed with a lease that is committed at once, applied with no
//! transaction open, then settled. A relay that dies leaves leases that expire.

use super::effect::StoredEffect;
use super::VersionedDocument;
use crate::StoreError;
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use std::time::Duration;
use uuid::Uuid;

/// Which rows a claim takes.
#[derive(Debug, Clone, Copy)]
pub enum Pick<'a> {
    /// A relay pass: the oldest due rows, at most `limit`.
    Due { limit: i64 },
    /// A request's fast path: these rows and the older pending rows of their aggregates,
    /// whether due or not (a request retries what its entity still owes).
    Rows(&'a [i64]),
}

/// A claim's lease: rows it holds are skipped by every other claim until it ends.
#[derive(Debug, Clone, Copy)]
pub struct Lease {
    pub owner: Uuid,
    pub length: Duration,
}

/// A row held under a lease. Nothing older blocks it: no pending row of its aggregate, and no
/// pending barrier of its scope (or, for a barrier, no pending row of its scope at all), except
/// rows of the same claim, which come before it.
#[derive(Debug, Clone, PartialEq)]
pub struct ClaimedRow {
    pub id: i64,
    pub aggregate: String,
    pub scope: String,
    pub barrier: bool,
    pub effects: Vec<StoredEffect>,
    /// Failed attempts so far.
    pub attempts: i32,
}

/// What became of a claimed row.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    Applied,
    /// Not tried (an older row of its lane failed); free for the next claim.
    Released,
    /// Failed; due again after `after`.
    Retry {
        after: Duration,
        error: String,
    },
    /// Can never succeed: it no longer blocks anything and waits for an operator.
    Dead {
        error: String,
    },
}

/// A row that became a dead letter.
#[derive(Debug, Clone, PartialEq)]
pub struct DeadLetter {
    pub id: i64,
    pub aggregate: String,
    pub attempts: i32,
    pub last_error: Option<String>,
    pub created_at: DateTime<Utc>,
    pub dead_at: DateTime<Utc>,
}

#[async_trait]
pub trait Outbox: Send + Sync {
    /// Leases the rows `pick` names that nothing older blocks, in id order.
    async fn claim(&self, pick: Pick<'_>, lease: &Lease) -> Result<Vec<ClaimedRow>, StoreError>;
    /// Records outcomes of rows held under `lease`; a row whose lease was lost meanwhile (it
    /// expired and another claim took the row) is left to its new holder.
    async fn settle(&self, lease: &Lease, outcomes: &[(i64, Outcome)]) -> Result<(), StoreError>;
    /// The newest committed version of a document with the id of the outbox row that carries
    /// it, if a retained row still describes it.
    async fn latest_document(
        &self,
        collection: &str,
        id: Uuid,
    ) -> Result<Option<(i64, VersionedDocument)>, StoreError>;
    /// Rows neither applied nor dead.
    async fn pending_count(&self) -> Result<i64, StoreError>;
    /// Dead letters, oldest first.
    async fn dead_letters(&self, limit: i64) -> Result<Vec<DeadLetter>, StoreError>;
    async fn dead_count(&self) -> Result<i64, StoreError>;
    /// Queues a dead letter again; false when `id` is not one, or when a later change of its
    /// whole scope (a team's deletion) has been applied since, which it must not undo.
    async fn requeue(&self, id: i64) -> Result<bool, StoreError>;
}
