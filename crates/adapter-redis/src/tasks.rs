//! `RedisTaskCache`: `task:{taskId}` holds `{version}|{state}`, the state being the task as
//! the write path records it (or `null` once deleted), written through [`VersionedEntries`].

use crate::store::{decode, encode, RedisStore};
use crate::versioned::{Entry, VersionedEntries};
use async_trait::async_trait;
use deadpool_redis::redis::AsyncCommands;
use std::time::Duration;
use taskforge_domain::ids::TaskId;
use taskforge_domain::tasks::{CachedTask, Task, TaskCache, TaskState};
use taskforge_domain::StoreError;

pub struct RedisTaskCache {
    entries: VersionedEntries,
    /// `None`: caching is off; every read goes to PostgreSQL.
    ttl: Option<Duration>,
}

impl RedisTaskCache {
    pub fn new(store: RedisStore, ttl: Option<Duration>) -> Self {
        Self {
            entries: VersionedEntries::new(store),
            ttl,
        }
    }

    fn key(&self, id: TaskId) -> String {
        self.entries.store().keys().task(id)
    }
}

#[async_trait]
impl TaskCache for RedisTaskCache {
    async fn get(&self, id: TaskId) -> Result<Option<CachedTask>, StoreError> {
        if self.ttl.is_none() {
            return Ok(None);
        }
        let Some((version, state)) = self.entries.get(&self.key(id)).await? else {
            return Ok(None);
        };
        Ok(Some(match decode::<Option<TaskState>>(&state)? {
            Some(state) => CachedTask::Live(Box::new(Task::from(state))),
            None => CachedTask::Deleted { version },
        }))
    }

    async fn put(&self, id: TaskId, entry: &CachedTask) -> Result<(), StoreError> {
        let Some(ttl) = self.ttl else { return Ok(()) };
        let body = match entry {
            CachedTask::Live(task) => encode(&Some(TaskState::from(task.as_ref())))?,
            CachedTask::Deleted { .. } => encode(&None::<TaskState>)?,
        };
        let entry = Entry {
            key: self.key(id),
            version: entry.version(),
            body,
        };
        self.entries.put(&[entry], ttl).await
    }

    async fn forget(&self, ids: &[TaskId]) -> Result<(), StoreError> {
        if ids.is_empty() {
            return Ok(());
        }
        let keys: Vec<String> = ids.iter().map(|id| self.key(*id)).collect();
        self.entries
            .store()
            .call(async |c| c.del::<_, ()>(&keys).await)
            .await
    }
}
