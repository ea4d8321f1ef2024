//! `RedisTaskLists`: pages of teams' task lists (ADR 19). `tasks:lists:{teamId}` names the
//! team's current generation, a random token; the generation's pages are the fields of the hash
//! `tasks:list:{teamId}:{generation}`, one per query. A drop deletes both, so the next reader
//! starts a new generation and a page filled from an older read lands where nobody looks.

use crate::store::{decode, encode, RedisStore};
use async_trait::async_trait;
use deadpool_redis::redis::{self, Script};
use sha2::{Digest, Sha256};
use std::time::Duration;
use taskforge_domain::cache::{FillToken, Lookup};
use taskforge_domain::ids::TeamId;
use taskforge_domain::tasks::{CachedPage, TaskListCache};
use taskforge_domain::StoreError;
use uuid::Uuid;

/// KEYS: the generation key; ARGV: a new generation, the TTL in ms, the pages' key without
/// the generation, the query's field. Starts a generation if there is none; returns the
/// generation's hash key and the page (false if missing). The hash key is derived from the
/// generation inside the script, so this needs a standalone Redis (not a cluster).
const GET: &str = r"
local generation = redis.call('GET', KEYS[1])
if not generation then
  generation = ARGV[1]
  redis.call('SET', KEYS[1], generation, 'PX', ARGV[2])
end
local pages = ARGV[3] .. generation
return {pages, redis.call('HGET', pages, ARGV[4])}
";

/// KEYS: the generation key; ARGV: the pages' key without the generation.
const DROP: &str = r"
local generation = redis.call('GET', KEYS[1])
redis.call('DEL', KEYS[1])
if generation then
  redis.call('DEL', ARGV[1] .. generation)
end
return 1
";

pub struct RedisTaskLists {
    store: RedisStore,
    /// How long a generation and its pages live; `None`: caching is off.
    ttl: Option<Duration>,
    get: Script,
    drop: Script,
}

impl RedisTaskLists {
    pub fn new(store: RedisStore, ttl: Option<Duration>) -> Self {
        Self {
            store,
            ttl,
            get: Script::new(GET),
            drop: Script::new(DROP),
        }
    }
}

/// A slot: the generation's hash and the query's field in it.
fn slot(pages: &str, field: &str) -> FillToken {
    FillToken::new(format!("{field} {pages}"))
}

fn millis(d: Duration) -> u64 {
    u64::try_from(d.as_millis()).unwrap_or(u64::MAX).max(1)
}

#[async_trait]
impl TaskListCache for RedisTaskLists {
    async fn get(&self, team: TeamId, query: &str) -> Result<Lookup<CachedPage>, StoreError> {
        let Some(ttl) = self.ttl else {
            return Ok(Lookup::Miss(None));
        };
        let keys = self.store.keys();
        let field = hex::encode(Sha256::digest(query.as_bytes()));
        let mut call = self.get.prepare_invoke();
        call.key(keys.task_lists(team))
            .arg(Uuid::new_v4().simple().to_string())
            .arg(millis(ttl))
            .arg(keys.task_list_pages(team, ""))
            .arg(&field);
        let (pages, page): (String, Option<String>) = self.store.call(&call).await?;
        match page {
            Some(body) => Ok(Lookup::Hit(decode(&body)?)),
            None => Ok(Lookup::Miss(Some(slot(&pages, &field)))),
        }
    }

    async fn fill(&self, slot: &FillToken, page: &CachedPage) -> Result<(), StoreError> {
        let (Some(ttl), Some((field, pages))) = (self.ttl, slot.as_str().split_once(' ')) else {
            return Ok(());
        };
        let body = encode(page)?;
        let fill = redis::pipe()
            .atomic()
            .hset(pages, field, body)
            .ignore()
            .pexpire(pages, millis(ttl) as i64)
            .ignore()
            .clone();
        self.store.call::<()>(&fill).await
    }

    async fn forget(&self, team: TeamId) -> Result<(), StoreError> {
        let keys = self.store.keys();
        let mut call = self.drop.prepare_invoke();
        call.key(keys.task_lists(team))
            .arg(keys.task_list_pages(team, ""));
        self.store.call::<i64>(&call).await.map(drop)
    }
}
