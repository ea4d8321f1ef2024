//! Team and personal dashboards (ADR 25).

mod personal;
mod team;

use serde::Serialize;
use serde_json::{Map, Value};
use taskforge_domain::dashboards::{Dashboard, DayCount};

super::routes!(team, personal);

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct DashboardResponse {
    counts_by_status: Map<String, Value>,
    counts_by_priority: Map<String, Value>,
    overdue: u64,
    due_next_7_days: u64,
    by_assignee: Vec<Value>,
    created_per_day: Vec<Value>,
    completed_per_day: Vec<Value>,
    avg_cycle_time_hours: Option<f64>,
}

fn days(series: &[DayCount]) -> Vec<Value> {
    series
        .iter()
        .map(|d| serde_json::json!({ "date": d.date.to_string(), "count": d.count }))
        .collect()
}

impl From<&Dashboard> for DashboardResponse {
    fn from(d: &Dashboard) -> Self {
        Self {
            counts_by_status: d
                .by_status
                .iter()
                .map(|(s, n)| (s.as_str().to_owned(), Value::from(*n)))
                .collect(),
            counts_by_priority: d
                .by_priority
                .iter()
                .map(|(p, n)| (p.as_str().to_owned(), Value::from(*n)))
                .collect(),
            overdue: d.overdue,
            due_next_7_days: d.due_next_7_days,
            by_assignee: d
                .by_assignee
                .iter()
                .map(|l| serde_json::json!({ "userId": l.user, "open": l.open, "done": l.done }))
                .collect(),
            created_per_day: days(&d.created_per_day),
            completed_per_day: days(&d.completed_per_day),
            avg_cycle_time_hours: d.avg_cycle_time_hours,
        }
    }
}
