//! Settings of the MongoDB adapter.

use secrecy::SecretString;
use serde::Deserialize;

#[derive(Debug, Clone, Deserialize)]
pub struct MongoConfig {
    /// `mongodb://host:port/?directConnection=true`, or a replica set's URI.
    pub uri: SecretString,
    pub database: String,
    /// Upper bound of one store call, server selection included.
    pub timeout_ms: u64,
    /// Connections per process; projections of different entities run side by side on them.
    pub pool_size: u32,
}
