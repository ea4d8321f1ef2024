//! MongoDB adapters of TaskForge (official `mongodb` driver): the versioned documents that the
//! write path projects (profiles today; task details, comments and notifications later).
//!
//! Depends on `taskforge-domain` and the MongoDB driver only. Uses nothing FerretDB v1.24 lacks:
//! no transactions, change streams, `$lookup` or positional updates.

pub mod breaker;
pub mod config;
pub mod documents;
pub mod store;

pub use config::MongoConfig;
pub use documents::MongoDocumentStore;
pub use store::MongoStore;
