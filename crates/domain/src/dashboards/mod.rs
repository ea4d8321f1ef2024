//! Team and personal dashboards: counts by status and priority, due dates, workload per
//! assignee, 30 days of created and completed tasks in the caller's time zone, and the average
//! cycle time. Every figure is counted in PostgreSQL over its indexes when asked for (ADR 25),
//! so it equals a recount at any moment and needs no MongoDB.

pub mod model;
pub mod ports;
pub mod service;

pub use model::{AssigneeLoad, Dashboard, DayCount};
pub use ports::{DashboardCounts, DashboardReader, DashboardScope, DayWindow};
pub use service::DashboardService;
