//! What a dashboard shows.

use crate::ids::UserId;
use crate::tasks::{Priority, Status};
use chrono::NaiveDate;

/// Tasks made or finished on one day of the caller's calendar.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DayCount {
    pub date: NaiveDate,
    pub count: u64,
}

/// One assignee's open and finished tasks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AssigneeLoad {
    pub user: UserId,
    pub open: u64,
    pub done: u64,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Dashboard {
    /// Every status, with zeros.
    pub by_status: Vec<(Status, u64)>,
    /// Every priority, with zeros.
    pub by_priority: Vec<(Priority, u64)>,
    /// Unfinished tasks past their due date.
    pub overdue: u64,
    /// Unfinished tasks due within the next seven days.
    pub due_next_7_days: u64,
    /// Busiest first.
    pub by_assignee: Vec<AssigneeLoad>,
    /// The last 30 days, oldest first, days without any included.
    pub created_per_day: Vec<DayCount>,
    pub completed_per_day: Vec<DayCount>,
    /// From first `in_progress` to `done`; `None` when no task has both.
    pub avg_cycle_time_hours: Option<f64>,
}
