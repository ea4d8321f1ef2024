//! Tasks: every field in PostgreSQL (the commit point, and what lists and changes read), the
//! document in MongoDB, a cache in Redis, all written through the write path and read at the
//! committed version.

pub mod model;
pub mod ports;
pub mod query;
pub mod reconcile;
pub mod service;

pub use model::{CustomFields, Description, Priority, Status, Tags, Task, TaskPatch, TaskTitle};
pub use ports::{AuditEntry, TaskRepository};
pub use query::{SortField, TaskQuery, TaskSort};
pub use reconcile::{ReconcileReport, Reconciler};
pub use service::{NewTask, TaskErasure, TaskService, TASKS};
