//! PostgreSQL adapters of TaskForge (diesel + diesel-async): the users table, the audit log and
//! its hash chain, and the outbox that carries every change to MongoDB and Redis.
//!
//! Depends on `taskforge-domain` and on the PostgreSQL stack only. PostgreSQL is the one commit
//! point of every change: [`changes::commit`] writes a change's audit and outbox rows inside the
//! transaction of its relational rows.

pub mod audit_chain;
pub mod audit_log;
pub mod bulk;
pub mod changes;
pub mod comments;
pub mod config;
pub mod dashboards;
pub mod idempotency;
pub mod mail_queue;
pub mod migrations;
pub mod outbox;
pub mod plans;
pub mod pool;
pub mod provisioning;
mod readable;
pub mod reminders;
mod schema;
pub mod search;
pub mod tasks;
pub mod teams;
pub mod users;

pub use audit_chain::AuditChain;
pub use audit_log::PgAuditLog;
pub use bulk::PgBulkRows;
pub use comments::PgCommentRepository;
pub use config::SqlConfig;
pub use dashboards::PgDashboards;
pub use idempotency::PgIdempotency;
pub use mail_queue::PgMailQueue;
pub use outbox::PgOutbox;
pub use plans::Explain;
pub use pool::PgStore;
pub use reminders::PgReminders;
pub use search::PgSearch;
pub use tasks::PgTaskRepository;
pub use teams::PgTeamRepository;
pub use users::PgUserRepository;
