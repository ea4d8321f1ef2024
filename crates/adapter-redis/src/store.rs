//! The Redis pool, the timeout every call runs under, and error mapping.

use crate::config::RedisConfig;
use crate::keys::Keys;
use deadpool_redis::redis::aio::MultiplexedConnection;
use deadpool_redis::redis::{self, RedisError};
use deadpool_redis::{Pool, PoolConfig, Runtime};
use secrecy::ExposeSecret;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use taskforge_domain::StoreError;

const STORE: &str = "redis";

/// Calls share one multiplexed connection, which pipelines concurrent commands on one socket.
/// The pool only opens and checks it: a checkout costs a PING round trip, so it happens when
/// the shared connection is first needed or after it failed, never per call.
#[derive(Clone)]
pub struct RedisStore {
    pool: Pool,
    shared: Arc<Mutex<Option<MultiplexedConnection>>>,
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
            shared: Arc::default(),
            keys: Keys::new(config.key_prefix.clone()),
            timeout: Duration::from_millis(config.timeout_ms),
        })
    }

    pub fn keys(&self) -> &Keys {
        &self.keys
    }

    /// Runs `work` on the shared connection under the store timeout. A connection that fails
    /// is dropped, so the next call takes a checked one from the pool.
    pub async fn call<T>(
        &self,
        work: impl AsyncFnOnce(&mut MultiplexedConnection) -> Result<T, RedisError>,
    ) -> Result<T, StoreError> {
        let attempt = async {
            let mut conn = self.connection().await?;
            work(&mut conn).await.map_err(|e| {
                if is_lost(&e) {
                    self.forget();
                }
                map_err(e)
            })
        };
        tokio::time::timeout(self.timeout, attempt)
            .await
            .unwrap_or_else(|_| {
                self.forget();
                Err(StoreError::unavailable(STORE, "timed out"))
            })
    }

    async fn connection(&self) -> Result<MultiplexedConnection, StoreError> {
        if let Some(conn) = self.lock().clone() {
            return Ok(conn);
        }
        let pooled = self
            .pool
            .get()
            .await
            .map_err(|e| StoreError::unavailable(STORE, e))?;
        let conn = MultiplexedConnection::clone(&pooled);
        *self.lock() = Some(conn.clone());
        Ok(conn)
    }

    fn forget(&self) {
        *self.lock() = None;
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Option<MultiplexedConnection>> {
        self.shared.lock().unwrap_or_else(|p| p.into_inner())
    }

    pub async fn ping(&self) -> Result<(), StoreError> {
        self.call(async |c| redis::cmd("PING").query_async::<String>(c).await)
            .await
            .map(drop)
    }
}

fn is_lost(e: &RedisError) -> bool {
    e.is_io_error() || e.is_connection_dropped() || e.is_connection_refusal() || e.is_timeout()
}

fn map_err(e: RedisError) -> StoreError {
    if is_lost(&e) {
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
