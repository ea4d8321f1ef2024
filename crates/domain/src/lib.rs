//! TaskForge's domain: entities, validated value types, typed errors, the port traits that the
//! adapters implement, and the use-case services that drive those ports.
//!
//! This crate performs no I/O and depends on no I/O crate (no tokio networking, diesel, mongodb,
//! redis or actix). Adapters and `app-http` depend on it; it depends on none of them.

pub mod attachments;
pub mod audit;
pub mod cache;
pub mod clock;
pub mod comments;
pub mod dashboards;
pub mod error;
pub mod identity;
pub mod ids;
pub mod mail;
pub mod notifications;
pub mod paging;
pub mod search;
pub mod seed;
pub mod tasks;
pub mod teams;
pub mod validation;
pub mod write_path;

pub use error::{Error, StoreError};
