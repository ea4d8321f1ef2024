//! The bulk paths a seed writes through: many rows or documents per call, each call under the
//! store's timeout.

use crate::comments::Comment;
use crate::identity::{PasswordHash, Profile, VersionedProfile};
use crate::ids::UserId;
use crate::tasks::Task;
use crate::teams::{Role, Team};
use crate::StoreError;
use async_trait::async_trait;
use chrono::{DateTime, Utc};

/// A team with its members (the first one its creator and an admin), each with a role and the
/// time they joined.
#[derive(Debug, Clone)]
pub struct SeededTeam {
    pub team: Team,
    pub members: Vec<(UserId, Role, DateTime<Utc>)>,
}

/// The relational rows (PostgreSQL), each batch in one statement per table.
#[async_trait]
pub trait BulkRows: Send + Sync {
    /// Accounts and their profile columns, all with the same password hash.
    async fn users(&self, users: &[Profile], hash: &PasswordHash) -> Result<(), StoreError>;
    /// Teams, their memberships and their roles' default permissions.
    async fn teams(&self, teams: &[SeededTeam]) -> Result<(), StoreError>;
    /// Tasks with their search documents, as the repository writes them.
    async fn tasks(&self, tasks: &[Task]) -> Result<(), StoreError>;
    /// Comments with their search documents, as the repository writes them.
    async fn comments(&self, comments: &[Comment]) -> Result<(), StoreError>;
}

/// The documents (MongoDB) that the write path would have projected from those rows.
#[async_trait]
pub trait BulkDocuments: Send + Sync {
    async fn profiles(&self, profiles: &[VersionedProfile]) -> Result<(), StoreError>;
    async fn tasks(&self, tasks: &[Task]) -> Result<(), StoreError>;
    async fn comments(&self, comments: &[Comment]) -> Result<(), StoreError>;
}
