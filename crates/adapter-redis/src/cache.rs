//! `RedisCache`: cache-aside entries under the registry's keys and TTLs.

use crate::store::{decode, encode, RedisStore};
use async_trait::async_trait;
use deadpool_redis::redis::AsyncCommands;
use std::time::Duration;
use taskforge_domain::write_path::{Cache, CacheKey};
use taskforge_domain::StoreError;

pub struct RedisCache {
    store: RedisStore,
}

impl RedisCache {
    pub fn new(store: RedisStore) -> Self {
        Self { store }
    }
}

#[async_trait]
impl Cache for RedisCache {
    async fn get(&self, key: &CacheKey) -> Result<Option<serde_json::Value>, StoreError> {
        let name = self.store.keys().cache(key);
        let raw: Option<String> = self.store.call(async |c| c.get(&name).await).await?;
        raw.as_deref().map(decode).transpose()
    }

    async fn get_many(
        &self,
        keys: &[CacheKey],
    ) -> Result<Vec<Option<serde_json::Value>>, StoreError> {
        if keys.is_empty() {
            return Ok(vec![]);
        }
        let names: Vec<String> = keys.iter().map(|k| self.store.keys().cache(k)).collect();
        let raws: Vec<Option<String>> = self.store.call(async |c| c.mget(&names).await).await?;
        raws.iter()
            .map(|raw| raw.as_deref().map(decode).transpose())
            .collect()
    }

    async fn put(
        &self,
        key: &CacheKey,
        value: &serde_json::Value,
        ttl: Duration,
    ) -> Result<(), StoreError> {
        let name = self.store.keys().cache(key);
        let raw = encode(value)?;
        self.store
            .call(async |c| c.set_ex::<_, _, ()>(&name, raw, ttl.as_secs().max(1)).await)
            .await
    }

    async fn drop_key(&self, key: &CacheKey) -> Result<(), StoreError> {
        let name = self.store.keys().cache(key);
        self.store.call(async |c| c.del::<_, ()>(&name).await).await
    }
}
