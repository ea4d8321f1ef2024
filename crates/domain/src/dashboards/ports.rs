//! What dashboards read.

use crate::ids::{TeamId, UserId};
use crate::tasks::{Priority, Status};
use crate::StoreError;
use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, Utc};

/// Whose tasks a dashboard counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DashboardScope {
    /// Every task of a team.
    Team(TeamId),
    /// The tasks assigned to a user in the teams where they may read tasks.
    Assignee(UserId),
}

/// The days the per-day series cover: local dates in `zone` (an IANA name), from the one that
/// begins at `since` on; `now` decides what is overdue and due soon.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DayWindow {
    pub zone: String,
    pub since: DateTime<Utc>,
    pub now: DateTime<Utc>,
}

/// The raw counts of a scope; days and groups without tasks are absent.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct DashboardCounts {
    pub by_status: Vec<(Status, u64)>,
    pub by_priority: Vec<(Priority, u64)>,
    pub overdue: u64,
    pub due_next_7_days: u64,
    /// (assignee, open, done).
    pub by_assignee: Vec<(UserId, u64, u64)>,
    pub created_per_day: Vec<(NaiveDate, u64)>,
    pub completed_per_day: Vec<(NaiveDate, u64)>,
    pub avg_cycle_time_hours: Option<f64>,
}

/// Counts tasks (PostgreSQL, over its indexes).
#[async_trait]
pub trait DashboardReader: Send + Sync {
    async fn counts(
        &self,
        scope: DashboardScope,
        window: &DayWindow,
    ) -> Result<DashboardCounts, StoreError>;
}
