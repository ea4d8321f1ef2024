//! What task changes project: the task's document in MongoDB, its entry in the cache and the
//! drop of its team's list pages. Each store keeps the task in a representation of its own (see
//! [`TaskDocuments`], [`TaskCache`], [`TaskListCache`]).

use super::lists::{DropTaskLists, TaskListCache};
use super::model::Task;
use super::state::TaskState;
use crate::cache::{FillToken, Lookup};
use crate::ids::{TaskId, TeamId};
use crate::write_path::{Apply, EffectId, EffectKind, Projector, StoredEffect};
use crate::StoreError;
use async_trait::async_trait;
use serde::{Deserialize, Serialize};
use std::sync::Arc;

/// Tasks' documents (MongoDB), each at the newest version projected.
#[async_trait]
pub trait TaskDocuments: Send + Sync {
    /// Stores the task's document unless a newer version is stored.
    async fn put(&self, task: &Task) -> Result<(), StoreError>;
    async fn get(&self, id: TaskId) -> Result<Option<Task>, StoreError>;
    async fn delete(&self, id: TaskId) -> Result<(), StoreError>;
    /// Every stored document's task id (for reconcile).
    async fn ids(&self) -> Result<Vec<TaskId>, StoreError>;
    async fn team_ids(&self, team: TeamId) -> Result<Vec<TaskId>, StoreError>;
    async fn delete_team(&self, team: TeamId) -> Result<(), StoreError>;
}

/// The task cache (Redis): cache-aside with fill leases (see [`crate::cache`]).
#[async_trait]
pub trait TaskCache: Send + Sync {
    /// The cached task, or on a miss the lease to fill it.
    async fn get(&self, id: TaskId) -> Result<Lookup<Task>, StoreError>;
    /// Stores `task`, read from PostgreSQL after `token` was taken, if the lease still holds.
    async fn fill(&self, id: TaskId, token: &FillToken, task: &Task) -> Result<(), StoreError>;
    /// Drops the entries and ends their leases.
    async fn forget(&self, ids: &[TaskId]) -> Result<(), StoreError>;
}

/// The task's document at the state a change committed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PutTask {
    pub task: TaskState,
}

/// The task's document removed (the task was deleted).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DeleteTask {
    pub task_id: TaskId,
}

/// The task's cache entry dropped, in a lane of its own: the request applies it before
/// answering (within its budget), so the writer's next read finds what it wrote.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DropCachedTask {
    pub task_id: TaskId,
}

/// Every document and cache entry of a deleted team's tasks removed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EraseTeamTasks {
    pub team_id: TeamId,
}

fn document_target(id: TaskId) -> Option<String> {
    Some(format!("task document {id}"))
}

impl EffectKind for PutTask {
    const KIND: &'static str = "put_task";

    fn target(&self) -> Option<String> {
        document_target(self.task.task_id())
    }
}

impl EffectKind for DeleteTask {
    const KIND: &'static str = "delete_task";

    fn target(&self) -> Option<String> {
        document_target(self.task_id)
    }
}

impl EffectKind for DropCachedTask {
    const KIND: &'static str = "drop_cached_task";

    fn target(&self) -> Option<String> {
        Some(format!("task cache {}", self.task_id))
    }
}

impl EffectKind for EraseTeamTasks {
    const KIND: &'static str = "erase_team_tasks";
}

/// The effects of a change that leaves `task` at `next` (`None`: deleted): the document's and
/// the cache entry's.
pub(super) fn effects(task: &Task, next: Option<&Task>) -> (StoredEffect, StoredEffect) {
    let document = match next {
        Some(next) => StoredEffect::of(&PutTask {
            task: TaskState::from(next),
        }),
        None => StoredEffect::of(&DeleteTask {
            task_id: task.task_id,
        }),
    };
    let cache = StoredEffect::of(&DropCachedTask {
        task_id: task.task_id,
    });
    (document, cache)
}

/// Applies the task effects to MongoDB and the caches.
#[derive(Clone)]
pub struct TaskProjection {
    documents: Arc<dyn TaskDocuments>,
    cache: Arc<dyn TaskCache>,
    lists: Arc<dyn TaskListCache>,
}

impl TaskProjection {
    /// Registers the task effects with `projector`.
    pub fn register(
        projector: Projector,
        documents: Arc<dyn TaskDocuments>,
        cache: Arc<dyn TaskCache>,
        lists: Arc<dyn TaskListCache>,
    ) -> Projector {
        let this = Self {
            documents,
            cache,
            lists,
        };
        projector
            .on::<PutTask>(this.clone())
            .on::<DeleteTask>(this.clone())
            .on::<DropCachedTask>(this.clone())
            .on::<DropTaskLists>(this.clone())
            .on::<EraseTeamTasks>(this)
    }
}

#[async_trait]
impl Apply<PutTask> for TaskProjection {
    async fn apply(&self, e: PutTask, _: EffectId) -> Result<(), StoreError> {
        self.documents.put(&Task::from(e.task)).await
    }
}

#[async_trait]
impl Apply<DeleteTask> for TaskProjection {
    async fn apply(&self, e: DeleteTask, _: EffectId) -> Result<(), StoreError> {
        self.documents.delete(e.task_id).await
    }
}

#[async_trait]
impl Apply<DropCachedTask> for TaskProjection {
    async fn apply(&self, e: DropCachedTask, _: EffectId) -> Result<(), StoreError> {
        self.cache.forget(&[e.task_id]).await
    }
}

#[async_trait]
impl Apply<DropTaskLists> for TaskProjection {
    async fn apply(&self, e: DropTaskLists, _: EffectId) -> Result<(), StoreError> {
        self.lists.forget(e.team_id).await
    }
}

#[async_trait]
impl Apply<EraseTeamTasks> for TaskProjection {
    async fn apply(&self, e: EraseTeamTasks, _: EffectId) -> Result<(), StoreError> {
        // Cache entries go first: a retry after the delete finds no documents, so no entry may
        // outlive them. (An entry of a task never projected may: it answers 404 all the same,
        // its team being gone, until it expires.)
        let ids = self.documents.team_ids(e.team_id).await?;
        self.cache.forget(&ids).await?;
        self.lists.forget(e.team_id).await?;
        self.documents.delete_team(e.team_id).await
    }
}
