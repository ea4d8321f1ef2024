//! Settings of the PostgreSQL adapter.

use secrecy::SecretString;
use serde::Deserialize;

#[derive(Debug, Clone, Deserialize)]
pub struct SqlConfig {
    /// `postgres://user:password@host:port/database`.
    pub url: SecretString,
    pub pool_size: usize,
    /// Connections of the second pool, the one that applies outbox rows (fast path and relay):
    /// their MongoDB and Redis calls run inside a transaction, so a slow or down store must not
    /// hold the connections that requests commit on.
    pub projection_pool_size: usize,
    /// Upper bound of one store call: waiting for a connection plus running the statement.
    pub timeout_ms: u64,
}
