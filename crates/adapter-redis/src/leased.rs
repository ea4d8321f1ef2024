//! Leased entries: the Redis side of cache-aside with fill leases (ADR 18). Each entry has a
//! lease key beside it, holding the token of the reader that may fill it.

use crate::keys::Keys;
use crate::store::RedisStore;
use deadpool_redis::redis::{self, Cmd, Script};
use std::time::Duration;
use taskforge_domain::cache::FillToken;
use taskforge_domain::StoreError;
use uuid::Uuid;

/// KEYS: entry, lease, entry, lease...; ARGV: a token and the lease's length in ms. Returns
/// each entry (false where missing) and whether the token took the lease of a missing one.
const GET_OR_LEASE: &str = r"
local found, leased = {}, 0
for i = 1, #KEYS, 2 do
  local value = redis.call('GET', KEYS[i])
  if not value and redis.call('SET', KEYS[i + 1], ARGV[1], 'NX', 'PX', ARGV[2]) then
    leased = 1
  end
  found[#found + 1] = value
end
return {found, leased}
";

/// KEYS: entry, lease, entry, lease...; ARGV: the token, the entries' TTL in ms, then each
/// entry's body. An entry is written only while the token holds its lease, which it ends.
const FILL: &str = r"
for i = 1, #KEYS, 2 do
  if redis.call('GET', KEYS[i + 1]) == ARGV[1] then
    redis.call('SET', KEYS[i], ARGV[2 + (i + 1) / 2], 'PX', ARGV[2])
    redis.call('DEL', KEYS[i + 1])
  end
end
return 1
";

/// How long a cache's entries live, and how long a reader's lease to fill one lasts.
#[derive(Debug, Clone, Copy)]
pub struct CacheTimes {
    pub ttl: Duration,
    /// Longer than a reader takes between its miss and its fill; while a lease lasts, other
    /// readers do not fill.
    pub lease: Duration,
}

pub(crate) struct LeasedEntries {
    store: RedisStore,
    /// `None`: caching is off; every read misses without a lease, and nothing is filled.
    times: Option<CacheTimes>,
    get_or_lease: Script,
    fill: Script,
}

impl LeasedEntries {
    pub fn new(store: RedisStore, times: Option<CacheTimes>) -> Self {
        Self {
            store,
            times,
            get_or_lease: Script::new(GET_OR_LEASE),
            fill: Script::new(FILL),
        }
    }

    /// The entries' bodies (one round trip when all are there, two on a miss), and the token
    /// that took the lease of those missing (none when all are there or another reader holds
    /// the leases).
    pub async fn get(
        &self,
        keys: &[String],
    ) -> Result<(Vec<Option<String>>, Option<FillToken>), StoreError> {
        let Some(times) = self.times else {
            return Ok((vec![None; keys.len()], None));
        };
        // Hits, the hot path, cost a plain MGET; only a miss runs the script.
        let found: Vec<Option<String>> = self.store.call(redis::cmd("MGET").arg(keys)).await?;
        if found.iter().all(Option::is_some) {
            return Ok((found, None));
        }
        let token = Uuid::new_v4().simple().to_string();
        let mut call = self.get_or_lease.prepare_invoke();
        for key in keys {
            call.key(key).key(Keys::lease(key));
        }
        call.arg(&token).arg(millis(times.lease));
        let (found, leased): (Vec<Option<String>>, i64) = self.store.call(&call).await?;
        Ok((found, (leased == 1).then(|| FillToken::new(token))))
    }

    /// Writes each `(key, body)` whose lease `token` still holds, in one round trip.
    pub async fn fill(
        &self,
        token: &FillToken,
        entries: &[(String, String)],
    ) -> Result<(), StoreError> {
        let Some(times) = self.times else {
            return Ok(());
        };
        let mut call = self.fill.prepare_invoke();
        call.arg(token.as_str()).arg(millis(times.ttl));
        for (key, body) in entries {
            call.key(key).key(Keys::lease(key)).arg(body);
        }
        self.store.call::<i64>(&call).await.map(drop)
    }

    pub fn keys(&self) -> &Keys {
        self.store.keys()
    }

    /// Drops the entries and their leases (caching off or not: entries of a time it was on
    /// are stale all the same).
    pub async fn drop(&self, keys: &[String]) -> Result<(), StoreError> {
        if keys.is_empty() {
            return Ok(());
        }
        let all: Vec<String> = keys
            .iter()
            .flat_map(|k| [Keys::lease(k), k.clone()])
            .collect();
        self.store.call(&Cmd::del(&all)).await
    }
}

fn millis(d: Duration) -> u64 {
    u64::try_from(d.as_millis()).unwrap_or(u64::MAX).max(1)
}
