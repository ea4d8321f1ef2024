//! MongoDB adapters of TaskForge (official `mongodb` driver): the versioned documents that the
//! write path projects, profiles, tasks and comments, each in a document type of its own.
//!
//! Depends on `taskforge-domain` and the MongoDB driver only. Uses nothing FerretDB v1.24 lacks:
//! no transactions, change streams, `$lookup` or positional updates.

pub mod attachments;
pub mod breaker;
pub mod bulk;
pub mod comments;
pub mod config;
mod fields;
pub mod notifications;
pub mod profiles;
pub mod store;
pub mod tasks;

pub use attachments::GridFsAttachments;
pub use bulk::MongoBulkDocuments;
pub use comments::MongoCommentDocuments;
pub use config::MongoConfig;
pub use notifications::MongoNotifications;
pub use profiles::MongoProfileDocuments;
pub use store::MongoStore;
pub use tasks::MongoTaskDocuments;
