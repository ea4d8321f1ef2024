//! `RedisTaskCache`: `task:{taskId}` holds `{version}|{state}`, the state being the task as
//! the write path records it (or `null` once deleted). A put is one small script that keeps
//! the stored entry when it is as new or newer, so entries only move forward.

use crate::store::{decode, encode, RedisStore};
use async_trait::async_trait;
use deadpool_redis::redis::{AsyncCommands, Script};
use std::time::Duration;
use taskforge_domain::ids::TaskId;
use taskforge_domain::tasks::{CachedTask, Task, TaskCache, TaskState};
use taskforge_domain::StoreError;

const PUT_IF_NEWER: &str = r"
local current = redis.call('GET', KEYS[1])
if current then
  local stored = tonumber(string.match(current, '^(%d+)|'))
  if stored and stored >= tonumber(ARGV[1]) then return 0 end
end
redis.call('SET', KEYS[1], ARGV[1] .. '|' .. ARGV[2], 'PX', ARGV[3])
return 1
";

pub struct RedisTaskCache {
    store: RedisStore,
    /// `None`: caching is off; every read goes to PostgreSQL.
    ttl: Option<Duration>,
    put_if_newer: Script,
}

impl RedisTaskCache {
    pub fn new(store: RedisStore, ttl: Option<Duration>) -> Self {
        Self {
            store,
            ttl,
            put_if_newer: Script::new(PUT_IF_NEWER),
        }
    }
}

fn entry_of(raw: &str) -> Result<Option<CachedTask>, StoreError> {
    let Some((version, state)) = raw.split_once('|') else {
        return Ok(None);
    };
    let Ok(version) = version.parse() else {
        return Ok(None);
    };
    Ok(Some(match decode::<Option<TaskState>>(state)? {
        Some(state) => CachedTask::Live(Box::new(Task::from(state))),
        None => CachedTask::Deleted { version },
    }))
}

#[async_trait]
impl TaskCache for RedisTaskCache {
    async fn get(&self, id: TaskId) -> Result<Option<CachedTask>, StoreError> {
        if self.ttl.is_none() {
            return Ok(None);
        }
        let key = self.store.keys().task(id);
        let raw: Option<String> = self.store.call(async |c| c.get(&key).await).await?;
        raw.as_deref()
            .map(entry_of)
            .transpose()
            .map(Option::flatten)
    }

    async fn put(&self, id: TaskId, entry: &CachedTask) -> Result<(), StoreError> {
        let Some(ttl) = self.ttl else { return Ok(()) };
        let key = self.store.keys().task(id);
        let state = match entry {
            CachedTask::Live(task) => encode(&Some(TaskState::from(task.as_ref())))?,
            CachedTask::Deleted { .. } => encode(&None::<TaskState>)?,
        };
        let mut call = self.put_if_newer.key(&key);
        call.arg(entry.version())
            .arg(state)
            .arg(ttl.as_millis() as u64);
        self.store
            .call(async |c| call.invoke_async::<i64>(c).await)
            .await
            .map(drop)
    }

    async fn forget(&self, ids: &[TaskId]) -> Result<(), StoreError> {
        if ids.is_empty() {
            return Ok(());
        }
        let keys: Vec<String> = ids.iter().map(|id| self.store.keys().task(*id)).collect();
        self.store.call(async |c| c.del::<_, ()>(&keys).await).await
    }
}
