//! `RedisTaskCache`: `task:{taskId}` holds the task as the write path records it, through
//! [`LeasedEntries`].

use crate::leased::{CacheTimes, LeasedEntries};
use crate::store::{decode, encode, RedisStore};
use async_trait::async_trait;
use taskforge_domain::cache::{FillToken, Lookup};
use taskforge_domain::ids::TaskId;
use taskforge_domain::tasks::{Task, TaskCache, TaskState};
use taskforge_domain::StoreError;

pub struct RedisTaskCache {
    entries: LeasedEntries,
}

impl RedisTaskCache {
    /// `times`: `None` turns caching off; every read goes to PostgreSQL.
    pub fn new(store: RedisStore, times: Option<CacheTimes>) -> Self {
        Self {
            entries: LeasedEntries::new(store, times),
        }
    }

    fn key(&self, id: TaskId) -> String {
        self.entries.keys().task(id)
    }
}

#[async_trait]
impl TaskCache for RedisTaskCache {
    async fn get(&self, id: TaskId) -> Result<Lookup<Task>, StoreError> {
        let (found, token) = self.entries.get(&[self.key(id)]).await?;
        match found.into_iter().next().flatten() {
            Some(body) => Ok(Lookup::Hit(Task::from(decode::<TaskState>(&body)?))),
            None => Ok(Lookup::Miss(token)),
        }
    }

    async fn fill(&self, id: TaskId, token: &FillToken, task: &Task) -> Result<(), StoreError> {
        let body = encode(&TaskState::from(task))?;
        self.entries.fill(token, &[(self.key(id), body)]).await
    }

    async fn forget(&self, ids: &[TaskId]) -> Result<(), StoreError> {
        let keys: Vec<String> = ids.iter().map(|id| self.key(*id)).collect();
        self.entries.drop(&keys).await
    }
}
