//! Redis's cache fake.

use crate::fakes::lock;
use async_trait::async_trait;
use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Duration;
use taskforge_domain::write_path::*;
use taskforge_domain::StoreError;

/// Redis's cache fake (no TTLs: entries live until dropped).
#[derive(Default)]
pub struct InMemoryCache(Mutex<HashMap<CacheKey, serde_json::Value>>);

#[async_trait]
impl Cache for InMemoryCache {
    async fn get(&self, key: &CacheKey) -> Result<Option<serde_json::Value>, StoreError> {
        Ok(lock(&self.0).get(key).cloned())
    }

    async fn get_many(
        &self,
        keys: &[CacheKey],
    ) -> Result<Vec<Option<serde_json::Value>>, StoreError> {
        let cache = lock(&self.0);
        Ok(keys.iter().map(|k| cache.get(k).cloned()).collect())
    }

    async fn put(
        &self,
        key: &CacheKey,
        value: &serde_json::Value,
        _ttl: Duration,
    ) -> Result<(), StoreError> {
        lock(&self.0).insert(key.clone(), value.clone());
        Ok(())
    }

    async fn drop_key(&self, key: &CacheKey) -> Result<(), StoreError> {
        lock(&self.0).remove(key);
        Ok(())
    }
}
