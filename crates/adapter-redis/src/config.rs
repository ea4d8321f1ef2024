//! Settings of the Redis adapter.

use secrecy::SecretString;
use serde::Deserialize;

#[derive(Debug, Clone, Deserialize)]
pub struct RedisConfig {
    /// `redis://host:port/db`.
    pub url: SecretString,
    /// Prepended to every key.
    pub key_prefix: String,
    pub pool_size: usize,
    /// Upper bound of one store call, waiting for a connection included.
    pub timeout_ms: u64,
}
