//! The ports tasks drive.

use super::model::Task;
use super::query::{Cursor, TaskQuery};
use crate::ids::{AuditId, TaskId, TeamId, UserId};
use crate::write_path::{AuditAction, Change, Receipt};
use crate::StoreError;
use async_trait::async_trait;
use chrono::{DateTime, Utc};

/// One row of a task's activity (its audit trail).
#[derive(Debug, Clone, PartialEq)]
pub struct AuditEntry {
    pub id: AuditId,
    pub entity_id: uuid::Uuid,
    pub action: AuditAction,
    pub actor_id: Option<UserId>,
    pub at: DateTime<Utc>,
    pub previous_state: Option<serde_json::Value>,
    pub new_state: Option<serde_json::Value>,
    pub ip: Option<String>,
    pub user_agent: Option<String>,
}

/// Tasks (PostgreSQL): every field a task response needs (so lists, changes and reads work
/// whatever MongoDB's state), the search index, and the audit trail.
#[async_trait]
pub trait TaskRepository: Send + Sync {
    /// `Conflict("assignee")` when the assignee is not a member of the task's team.
    async fn create(&self, task: &Task, change: Change) -> Result<Receipt, StoreError>;
    async fn get(&self, id: TaskId) -> Result<Option<Task>, StoreError>;
    /// Saves `task` (its version already bumped) if the stored version is `expected`:
    /// `StaleVersion` otherwise, `NotFound` when gone, `Conflict("assignee")` as for create.
    async fn update(
        &self,
        task: &Task,
        expected: i64,
        change: Change,
    ) -> Result<Receipt, StoreError>;
    /// `NotFound` when gone.
    async fn delete(&self, id: TaskId, change: Change) -> Result<Receipt, StoreError>;
    /// One page of the tasks `user` may read, in the query's order, with each task's sort key.
    async fn list(
        &self,
        user: UserId,
        query: &TaskQuery,
    ) -> Result<Vec<(Task, Cursor)>, StoreError>;
    /// The tasks of `team` assigned to `user`.
    async fn assigned(&self, team: TeamId, user: UserId) -> Result<Vec<Task>, StoreError>;
    /// The task's audit rows, newest first, after `before`.
    async fn history(
        &self,
        id: TaskId,
        before: Option<AuditId>,
        limit: i64,
    ) -> Result<Vec<AuditEntry>, StoreError>;
    /// Every task in id order, from after `after` (for reconcile).
    async fn scan(&self, after: Option<TaskId>, limit: i64) -> Result<Vec<Task>, StoreError>;
}
