//! The Redis pool, the timeout every call runs under, and error mapping.

use crate::config::RedisConfig;
use crate::keys::Keys;
use deadpool_redis::redis::{self, RedisError};
use deadpool_redis::{Connection, Pool, PoolConfig, Runtime};
use secrecy::ExposeSecret;
use std::time::Duration;
use taskforge_domain::StoreError;

const STORE: &str = "redis";

#[derive(Clone)]
pub struct RedisStore {
    pool: Pool,
    keys: Keys,
    timeout: Duration,
}

impl RedisStore {
    pub fn new(config: &RedisConfig) -> anyhow::Result<Self> {
        let mut cfg = deadpool_redis::Config::from_url(config.url.expose_secret());
        cfg.pool = Some(PoolConfig::new(config.pool_size));
        let pool = cfg.create_pool(Some(Runtime::Tokio1))?;
        Ok(Self {
            pool,
            keys: Keys::new(config.key_prefix.clone()),
            timeout: Duration::from_millis(config.timeout_ms),
        })
    }

    pub fn keys(&self) -> &Keys {
        &self.keys
    }

    /// Runs `work` on a pooled (multiplexed) connection under the store timeout.
    pub async fn call<T>(
        &self,
        work: impl AsyncFnOnce(&mut Connection) -> Result<T, RedisError>,
    ) -> Result<T, StoreError> {
        let attempt = async {
            let mut conn = self
                .pool
                .get()
                .await
                .map_err(|e| StoreError::unavailable(STORE, e))?;
            work(&mut conn).await.map_err(map_err)
        };
        tokio::time::timeout(self.timeout, attempt)
            .await
            .unwrap_or_else(|_| Err(StoreError::unavailable(STORE, "timed out")))
    }

    pub async fn ping(&self) -> Result<(), StoreError> {
        self.call(async |c| redis::cmd("PING").query_async::<String>(c).await)
            .await
            .map(drop)
    }
}

fn map_err(e: RedisError) -> StoreError {
    if e.is_io_error() || e.is_connection_dropped() || e.is_connection_refusal() || e.is_timeout() {
        StoreError::unavailable(STORE, e)
    } else {
        StoreError::Internal(e.into())
    }
}

pub(crate) fn decode<T: serde::de::DeserializeOwned>(raw: &str) -> Result<T, StoreError> {
    serde_json::from_str(raw).map_err(|e| StoreError::Internal(e.into()))
}

pub(crate) fn encode<T: serde::Serialize>(value: &T) -> Result<String, StoreError> {
    serde_json::to_string(value).map_err(|e| StoreError::Internal(e.into()))
}
