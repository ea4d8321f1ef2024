//! Tasks: every field in PostgreSQL (the commit point, and what lists and changes read), the
//! document in MongoDB, and entries and list pages in the Redis cache, all written through the
//! write path.

mod change;
pub mod edit;
pub mod lists;
pub mod model;
pub mod ports;
pub mod projection;
pub mod query;
pub mod reconcile;
pub mod service;
pub mod state;

pub use edit::TaskEdit;
pub use lists::{CachedPage, TaskListCache};
pub use model::{CustomFields, Description, Priority, Status, Tags, Task, TaskPatch, TaskTitle};
pub use ports::{TaskDependents, TaskRepository};
pub use projection::{TaskCache, TaskDocuments, TaskProjection};
pub use query::{SortField, TaskQuery, TaskSort};
pub use reconcile::{ReconcileReport, Reconciler};
pub use service::{NewTask, TaskCaches, TaskErasure, TaskService};
pub use state::TaskState;
