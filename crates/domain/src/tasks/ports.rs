//! The ports tasks drive.

use super::edit::TaskEdit;
use super::model::Task;
use super::query::{Cursor, TaskQuery};
use crate::audit::AuditRecord;
use crate::ids::{AttachmentId, AuditId, TaskId, TeamId, UserId};
use crate::write_path::{Change, Receipt, StoredEffect};
use crate::StoreError;
use async_trait::async_trait;

/// What a feature attached to tasks removes with a deleted task: effects committed in the
/// deletion's change, after the task's own.
pub trait TaskDependents: Send + Sync {
    fn erasure(&self, task: TaskId) -> Vec<StoredEffect>;
}

/// Tasks (PostgreSQL): every field a task response needs (so lists, changes and reads work
/// whatever MongoDB's state), the search index, and the audit trail.
#[async_trait]
pub trait TaskRepository: Send + Sync {
    /// `Conflict("assignee")` when the assignee is not a member of the task's team.
    async fn create(&self, task: &Task, change: Change) -> Result<Receipt, StoreError>;
    async fn get(&self, id: TaskId) -> Result<Option<Task>, StoreError>;
    /// Applies `edit` to the stored task, holding it until the edited task and the edit's
    /// change commit, so concurrent edits of a task apply one after the other. `NotFound` when
    /// gone, the edit's refusal (`StaleVersion`) as it is, `Conflict("assignee")` as for
    /// create; a failed edit writes nothing.
    async fn modify(&self, id: TaskId, edit: &TaskEdit) -> Result<(Task, Receipt), StoreError>;
    /// Applies `edit` as [`modify`](Self::modify) does to every task of `team` assigned to
    /// `user`, all in one commit (or none): the receipt holds the rows of every task's change.
    async fn modify_assigned(
        &self,
        team: TeamId,
        user: UserId,
        edit: &TaskEdit,
    ) -> Result<Receipt, StoreError>;
    /// `NotFound` when gone.
    async fn delete(&self, id: TaskId, change: Change) -> Result<Receipt, StoreError>;
    /// One page of the tasks `user` may read, in the query's order, with each task's sort key.
    async fn list(
        &self,
        user: UserId,
        query: &TaskQuery,
    ) -> Result<Vec<(Task, Cursor)>, StoreError>;
    /// The task's audit rows, newest first, after `before`.
    async fn history(
        &self,
        id: TaskId,
        before: Option<AuditId>,
        limit: i64,
    ) -> Result<Vec<AuditRecord>, StoreError>;
    /// The task whose `attachments` hold `attachment`.
    async fn with_attachment(&self, attachment: AttachmentId) -> Result<Option<Task>, StoreError>;
    /// Every task in id order, from after `after` (for reconcile).
    async fn scan(&self, after: Option<TaskId>, limit: i64) -> Result<Vec<Task>, StoreError>;
}
