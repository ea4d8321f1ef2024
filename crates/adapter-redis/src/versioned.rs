//! Versioned entries: `{version}|{body}` strings that only move forward. Every cache whose
//! readers fill it with what they read (tasks, team access) writes through here, so a reader
//! holding an older state cannot undo a later change.

use crate::store::RedisStore;
use deadpool_redis::redis::{AsyncCommands, Script};
use std::time::Duration;
use taskforge_domain::StoreError;

/// KEYS: the entries; ARGV: the TTL in ms, then each entry's version and body. An entry whose
/// stored version is as new or newer is left as it is.
const PUT_IF_NEWER: &str = r"
for i, key in ipairs(KEYS) do
  local version = ARGV[2 * i]
  local current = redis.call('GET', key)
  local stored = current and tonumber(string.match(current, '^(%d+)|'))
  if not (stored and stored >= tonumber(version)) then
    redis.call('SET', key, version .. '|' .. ARGV[2 * i + 1], 'PX', ARGV[1])
  end
end
return 1
";

/// One entry to write: its key, version and body.
pub(crate) struct Entry {
    pub key: String,
    pub version: i64,
    pub body: String,
}

pub(crate) struct VersionedEntries {
    store: RedisStore,
    put_if_newer: Script,
}

impl VersionedEntries {
    pub fn new(store: RedisStore) -> Self {
        Self {
            store,
            put_if_newer: Script::new(PUT_IF_NEWER),
        }
    }

    pub fn store(&self) -> &RedisStore {
        &self.store
    }

    /// The entry's version and body; `None` for a missing or unreadable entry.
    pub async fn get(&self, key: &str) -> Result<Option<(i64, String)>, StoreError> {
        let raw: Option<String> = self.store.call(async |c| c.get(key).await).await?;
        Ok(raw.and_then(parse))
    }

    /// Several entries in one round trip (at least two keys: the client sends one as a GET).
    pub async fn get_many(
        &self,
        keys: &[String],
    ) -> Result<Vec<Option<(i64, String)>>, StoreError> {
        let raw: Vec<Option<String>> = self.store.call(async |c| c.mget(keys).await).await?;
        Ok(raw.into_iter().map(|r| r.and_then(parse)).collect())
    }

    /// Writes every entry that is newer than the stored one, in one round trip.
    pub async fn put(&self, entries: &[Entry], ttl: Duration) -> Result<(), StoreError> {
        let mut call = self.put_if_newer.prepare_invoke();
        call.arg(u64::try_from(ttl.as_millis()).unwrap_or(u64::MAX));
        for entry in entries {
            call.key(&entry.key).arg(entry.version).arg(&entry.body);
        }
        self.store
            .call(async |c| call.invoke_async::<i64>(c).await)
            .await
            .map(drop)
    }
}

fn parse(raw: String) -> Option<(i64, String)> {
    let (version, body) = raw.split_once('|')?;
    Some((version.parse().ok()?, body.to_owned()))
}
