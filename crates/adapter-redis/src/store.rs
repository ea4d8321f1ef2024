//! The Redis pool, the timeout every call runs under, and error mapping.

use crate::config::RedisConfig;
use crate::keys::Keys;
use deadpool_redis::redis::aio::MultiplexedConnection;
use deadpool_redis::redis::{self, Cmd, FromRedisValue, Pipeline, RedisError, ScriptInvocation};
use deadpool_redis::{Pool, PoolConfig, Runtime};
use secrecy::ExposeSecret;
use std::future::Future;
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
    shared: Arc<Mutex<Slot>>,
    keys: Keys,
    timeout: Duration,
}

/// The shared connection, if one is open, and how many checkouts there have been.
#[derive(Default)]
struct Slot {
    current: Option<Shared>,
    checkouts: u64,
}

/// A connection and the number of the checkout that opened it, so a caller that saw it fail
/// forgets that one and not a newer one another caller has opened since.
#[derive(Clone)]
struct Shared {
    checkout: u64,
    conn: MultiplexedConnection,
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

    /// Sends `request` on the shared connection under the store timeout. A shared connection
    /// can have died since its last use (a Redis restart between two requests): when it fails
    /// as lost, the request is sent once more on a freshly checked one. Every request
    /// TaskForge sends tolerates that: sets and deletes are idempotent, and a counter counts
    /// one hit twice at worst.
    pub async fn call<T: FromRedisValue + Send>(
        &self,
        request: &impl Request,
    ) -> Result<T, StoreError> {
        let attempt = async {
            let (shared, fresh) = self.connection().await?;
            match self.send(shared, request).await {
                Err(e) if is_lost(&e) && !fresh => {
                    let (shared, _) = self.connection().await?;
                    self.send(shared, request).await
                }
                answer => answer,
            }
            .map_err(map_err)
        };
        tokio::time::timeout(self.timeout, attempt)
            .await
            .unwrap_or_else(|_| {
                self.forget_any();
                Err(StoreError::unavailable(STORE, "timed out"))
            })
    }

    /// Sends `request` on `shared`, which is forgotten if it turns out lost.
    async fn send<T: FromRedisValue + Send>(
        &self,
        mut shared: Shared,
        request: &impl Request,
    ) -> Result<T, RedisError> {
        let answer = request.send(&mut shared.conn).await;
        if matches!(&answer, Err(e) if is_lost(e)) {
            self.forget(shared.checkout);
        }
        answer
    }

    /// The shared connection, and whether it was checked out of the pool just now.
    async fn connection(&self) -> Result<(Shared, bool), StoreError> {
        if let Some(shared) = self.lock().current.clone() {
            return Ok((shared, false));
        }
        let pooled = self
            .pool
            .get()
            .await
            .map_err(|e| StoreError::unavailable(STORE, e))?;
        let mut slot = self.lock();
        slot.checkouts += 1;
        let shared = Shared {
            checkout: slot.checkouts,
            conn: MultiplexedConnection::clone(&pooled),
        };
        slot.current = Some(shared.clone());
        Ok((shared, true))
    }

    fn forget(&self, checkout: u64) {
        let mut slot = self.lock();
        if slot
            .current
            .as_ref()
            .is_some_and(|s| s.checkout == checkout)
        {
            slot.current = None;
        }
    }

    fn forget_any(&self) {
        self.lock().current = None;
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Slot> {
        self.shared.lock().unwrap_or_else(|p| p.into_inner())
    }

    pub async fn ping(&self) -> Result<(), StoreError> {
        self.call::<String>(&redis::cmd("PING")).await.map(drop)
    }
}

/// What [`RedisStore::call`] sends: one command, a pipeline or a script.
pub trait Request: Sync {
    fn send<T: FromRedisValue + Send>(
        &self,
        conn: &mut MultiplexedConnection,
    ) -> impl Future<Output = Result<T, RedisError>> + Send;
}

impl Request for Cmd {
    fn send<T: FromRedisValue + Send>(
        &self,
        conn: &mut MultiplexedConnection,
    ) -> impl Future<Output = Result<T, RedisError>> + Send {
        self.query_async(conn)
    }
}

impl Request for Pipeline {
    fn send<T: FromRedisValue + Send>(
        &self,
        conn: &mut MultiplexedConnection,
    ) -> impl Future<Output = Result<T, RedisError>> + Send {
        self.query_async(conn)
    }
}

impl Request for ScriptInvocation<'_> {
    fn send<T: FromRedisValue + Send>(
        &self,
        conn: &mut MultiplexedConnection,
    ) -> impl Future<Output = Result<T, RedisError>> + Send {
        self.invoke_async(conn)
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
