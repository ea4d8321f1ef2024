//! `DashboardReader` on the relational fake: the counts recomputed from its tasks.

use super::InMemoryRelational;
use crate::fakes::lock;
use async_trait::async_trait;
use chrono::{NaiveDate, TimeDelta};
use chrono_tz::Tz;
use std::collections::BTreeMap;
use taskforge_domain::dashboards::{DashboardCounts, DashboardReader, DashboardScope, DayWindow};
use taskforge_domain::ids::UserId;
use taskforge_domain::tasks::{Priority, Status};
use taskforge_domain::StoreError;

fn tally<K: PartialEq>(keys: impl Iterator<Item = K>) -> Vec<(K, u64)> {
    let mut counts: Vec<(K, u64)> = Vec::new();
    for k in keys {
        match counts.iter_mut().find(|(c, _)| *c == k) {
            Some(entry) => entry.1 += 1,
            None => counts.push((k, 1)),
        }
    }
    counts
}

#[async_trait]
impl DashboardReader for InMemoryRelational {
    async fn counts(
        &self,
        scope: DashboardScope,
        window: &DayWindow,
    ) -> Result<DashboardCounts, StoreError> {
        let db = lock(&self.0);
        let zone: Tz = window.zone.parse().unwrap_or(Tz::UTC);
        let tasks: Vec<_> = db
            .tasks
            .values()
            .filter(|t| match scope {
                DashboardScope::Team(team) => t.team_id == team,
                DashboardScope::Assignee(user) => {
                    t.assignee_id == Some(user) && db.may_read_tasks(user, t.team_id)
                }
            })
            .map(|t| (t, db.progress.get(&t.task_id).copied().unwrap_or_default()))
            .collect();
        let open = |s: Status| s != Status::Done;
        let day = |at: chrono::DateTime<chrono::Utc>| -> NaiveDate {
            at.with_timezone(&zone).date_naive()
        };
        let mut loads: BTreeMap<UserId, (u64, u64)> = BTreeMap::new();
        for (t, _) in &tasks {
            if let Some(a) = t.assignee_id {
                let load = loads.entry(a).or_default();
                if open(t.status) {
                    load.0 += 1;
                } else {
                    load.1 += 1;
                }
            }
        }
        let cycles: Vec<f64> = tasks
            .iter()
            .filter_map(|(_, (started, completed))| {
                let ms = ((*completed)? - (*started)?).num_milliseconds();
                (ms >= 0).then(|| ms as f64 / 3_600_000.0)
            })
            .collect();
        let soon = window.now + TimeDelta::days(7);
        Ok(DashboardCounts {
            by_status: tally(tasks.iter().map(|(t, _)| t.status)),
            by_priority: tally::<Priority>(tasks.iter().map(|(t, _)| t.priority)),
            overdue: tasks
                .iter()
                .filter(|(t, _)| open(t.status) && t.due_date.is_some_and(|d| d < window.now))
                .count() as u64,
            due_next_7_days: tasks
                .iter()
                .filter(|(t, _)| {
                    open(t.status) && t.due_date.is_some_and(|d| d >= window.now && d < soon)
                })
                .count() as u64,
            by_assignee: loads.into_iter().map(|(u, (o, d))| (u, o, d)).collect(),
            created_per_day: tally(
                tasks
                    .iter()
                    .filter(|(t, _)| t.metadata.created >= window.since)
                    .map(|(t, _)| day(t.metadata.created)),
            ),
            completed_per_day: tally(
                tasks
                    .iter()
                    .filter_map(|(_, (_, done))| done.filter(|d| *d >= window.since))
                    .map(day),
            ),
            avg_cycle_time_hours: (!cycles.is_empty())
                .then(|| cycles.iter().sum::<f64>() / cycles.len() as f64),
        })
    }
}
