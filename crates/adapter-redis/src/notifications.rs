//! `RedisUnreadCounter` (`user:notifications:count:{userId}`) and `RedisPresence`
//! (`presence:{teamId}:{view}`).

use crate::store::RedisStore;
use async_trait::async_trait;
use deadpool_redis::redis::{self, Script};
use std::time::Duration;
use taskforge_domain::ids::{TeamId, UserId};
use taskforge_domain::notifications::{Presence, UnreadCounter};
use taskforge_domain::StoreError;

/// KEYS: the counter; ARGV: the delta. Moves a present counter, never below zero.
const ADD: &str = r"
local count = redis.call('GET', KEYS[1])
if not count then return 0 end
local next = tonumber(count) + tonumber(ARGV[1])
if next < 0 then next = 0 end
redis.call('SET', KEYS[1], next, 'KEEPTTL')
return 1
";

pub struct RedisUnreadCounter {
    store: RedisStore,
    ttl: Duration,
    add: Script,
}

impl RedisUnreadCounter {
    /// Counters live `ttl` from their fill.
    pub fn new(store: RedisStore, ttl: Duration) -> Self {
        Self {
            store,
            ttl,
            add: Script::new(ADD),
        }
    }
}

#[async_trait]
impl UnreadCounter for RedisUnreadCounter {
    async fn get(&self, user: UserId) -> Result<Option<u64>, StoreError> {
        let key = self.store.keys().unread_count(user);
        self.store.call(&redis::cmd("GET").arg(key).clone()).await
    }

    async fn fill(&self, user: UserId, count: u64) -> Result<(), StoreError> {
        let key = self.store.keys().unread_count(user);
        // NX: a counter another reader filled (and a delivery moved) since is newer.
        let set = redis::cmd("SET")
            .arg(key)
            .arg(count)
            .arg("NX")
            .arg("PX")
            .arg(millis(self.ttl))
            .clone();
        self.store.call::<()>(&set).await
    }

    async fn add(&self, user: UserId, delta: i64) -> Result<(), StoreError> {
        let mut call = self.add.prepare_invoke();
        call.key(self.store.keys().unread_count(user)).arg(delta);
        self.store.call::<i64>(&call).await.map(drop)
    }

    async fn forget(&self, users: &[UserId]) -> Result<(), StoreError> {
        if users.is_empty() {
            return Ok(());
        }
        let keys: Vec<String> = users
            .iter()
            .map(|u| self.store.keys().unread_count(*u))
            .collect();
        self.store
            .call::<()>(&redis::cmd("DEL").arg(keys).clone())
            .await
    }
}

/// KEYS: the view's set; ARGV: the user (empty: none), how long their presence lasts in ms
/// (0: they leave). Drops expired viewers, records this one, answers every viewer. Times are
/// the Redis server's, so every instance agrees.
const TOUCH: &str = r"
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
local ttl = tonumber(ARGV[2])
if ttl > 0 then
  redis.call('ZADD', KEYS[1], now + ttl, ARGV[1])
  redis.call('PEXPIRE', KEYS[1], ttl)
else
  redis.call('ZREM', KEYS[1], ARGV[1])
end
return redis.call('ZRANGE', KEYS[1], 0, -1)
";

pub struct RedisPresence {
    store: RedisStore,
    touch: Script,
}

impl RedisPresence {
    pub fn new(store: RedisStore) -> Self {
        Self {
            store,
            touch: Script::new(TOUCH),
        }
    }

    async fn run(
        &self,
        team: TeamId,
        view: &str,
        user: UserId,
        ttl: u64,
    ) -> Result<Vec<UserId>, StoreError> {
        let mut call = self.touch.prepare_invoke();
        call.key(self.store.keys().presence(team, view))
            .arg(user.to_string())
            .arg(ttl);
        let viewers: Vec<String> = self.store.call(&call).await?;
        Ok(viewers.iter().filter_map(|v| v.parse().ok()).collect())
    }
}

#[async_trait]
impl Presence for RedisPresence {
    async fn touch(
        &self,
        team: TeamId,
        view: &str,
        user: UserId,
        ttl: Duration,
    ) -> Result<Vec<UserId>, StoreError> {
        self.run(team, view, user, millis(ttl)).await
    }

    async fn leave(
        &self,
        team: TeamId,
        view: &str,
        user: UserId,
    ) -> Result<Vec<UserId>, StoreError> {
        self.run(team, view, user, 0).await
    }
}

fn millis(d: Duration) -> u64 {
    u64::try_from(d.as_millis()).unwrap_or(u64::MAX).max(1)
}
