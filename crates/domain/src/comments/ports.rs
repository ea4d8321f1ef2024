//! The ports comments drive.

use super::model::{Comment, CommentCursor};
use crate::ids::{CommentId, TaskId, TeamId};
use crate::write_path::{Change, Receipt};
use crate::StoreError;
use async_trait::async_trait;

/// Comments' rows (PostgreSQL): the commit point, the pages of a task's comments, and the rows
/// full-text search reads.
#[async_trait]
pub trait CommentRepository: Send + Sync {
    /// `NotFound` when the task is gone.
    async fn create(&self, comment: &Comment, change: Change) -> Result<Receipt, StoreError>;
    async fn get(&self, id: CommentId) -> Result<Option<Comment>, StoreError>;
    /// Stores `next` if the stored comment is still at `next.version - 1`: `StaleVersion`
    /// otherwise, `NotFound` when gone.
    async fn update(&self, next: &Comment, change: Change) -> Result<Receipt, StoreError>;
    /// `NotFound` when gone.
    async fn delete(&self, id: CommentId, change: Change) -> Result<Receipt, StoreError>;
    /// Every comment in id order, from after `after` (for reconcile).
    async fn scan(&self, after: Option<CommentId>, limit: i64) -> Result<Vec<Comment>, StoreError>;
    /// One page of the task's comments, oldest first, after `after`.
    async fn page(
        &self,
        task: TaskId,
        after: Option<CommentCursor>,
        limit: i64,
    ) -> Result<Vec<Comment>, StoreError>;
}

/// Comments' documents (MongoDB), each at the newest version projected.
#[async_trait]
pub trait CommentDocuments: Send + Sync {
    /// Stores the comment's document unless a newer version is stored.
    async fn put(&self, comment: &Comment) -> Result<(), StoreError>;
    async fn get(&self, id: CommentId) -> Result<Option<Comment>, StoreError>;
    async fn delete(&self, id: CommentId) -> Result<(), StoreError>;
    /// Every stored document's comment id (for reconcile).
    async fn ids(&self) -> Result<Vec<CommentId>, StoreError>;
    async fn delete_task(&self, task: TaskId) -> Result<(), StoreError>;
    async fn delete_team(&self, team: TeamId) -> Result<(), StoreError>;
}
