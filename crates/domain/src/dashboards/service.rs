//! The dashboard use cases.

use super::model::{AssigneeLoad, Dashboard, DayCount};
use super::ports::{DashboardCounts, DashboardReader, DashboardScope, DayWindow};
use crate::clock::Clock;
use crate::identity::ports::UserRepository;
use crate::ids::{TeamId, UserId};
use crate::tasks::{Priority, Status};
use crate::teams::{Permission, Requirement, TeamService};
use crate::Error;
use chrono::{DateTime, Days, NaiveDate, TimeZone, Utc};
use chrono_tz::Tz;
use std::sync::Arc;

/// How many days the per-day series cover, today included.
pub const DAYS: u64 = 30;

pub struct DashboardService {
    reader: Arc<dyn DashboardReader>,
    teams: Arc<TeamService>,
    users: Arc<dyn UserRepository>,
    clock: Arc<dyn Clock>,
}

impl DashboardService {
    pub fn new(
        reader: Arc<dyn DashboardReader>,
        teams: Arc<TeamService>,
        users: Arc<dyn UserRepository>,
        clock: Arc<dyn Clock>,
    ) -> Self {
        Self {
            reader,
            teams,
            users,
            clock,
        }
    }

    /// The team's dashboard, for a member who may read its tasks.
    pub async fn team(&self, caller: UserId, team: TeamId) -> Result<Dashboard, Error> {
        let read = Requirement::Permission(Permission::TaskRead);
        self.teams.authorize(caller, team, read).await?;
        self.build(caller, DashboardScope::Team(team)).await
    }

    /// The caller's own: the tasks assigned to them in every team where they may read tasks.
    pub async fn personal(&self, caller: UserId) -> Result<Dashboard, Error> {
        self.build(caller, DashboardScope::Assignee(caller)).await
    }

    async fn build(&self, caller: UserId, scope: DashboardScope) -> Result<Dashboard, Error> {
        let zone = self
            .users
            .profile(caller)
            .await?
            .map(|p| p.details.preferences.notifications.time_zone.tz())
            .unwrap_or(Tz::UTC);
        let now = self.clock.now();
        let first_day = now.with_timezone(&zone).date_naive() - Days::new(DAYS - 1);
        let window = DayWindow {
            zone: zone.name().to_owned(),
            since: start_of(zone, first_day),
            now,
        };
        let counts = self.reader.counts(scope, &window).await?;
        Ok(complete(counts, first_day))
    }
}

/// When `day` begins in `zone` (a day that a DST change starts late begins at its first instant).
fn start_of(zone: Tz, day: NaiveDate) -> DateTime<Utc> {
    let midnight = day.and_hms_opt(0, 0, 0).unwrap_or_default();
    let local = (0..=3)
        .find_map(|h| {
            zone.from_local_datetime(&(midnight + chrono::TimeDelta::hours(h)))
                .earliest()
        })
        .unwrap_or_else(|| zone.from_utc_datetime(&midnight));
    local.with_timezone(&Utc)
}

/// The counts with every status, priority and day present (zeros included), in order.
fn complete(c: DashboardCounts, first_day: NaiveDate) -> Dashboard {
    let of = |list: &[(NaiveDate, u64)], day: NaiveDate| {
        list.iter().find(|(d, _)| *d == day).map_or(0, |(_, n)| *n)
    };
    let days: Vec<NaiveDate> = (0..DAYS).map(|i| first_day + Days::new(i)).collect();
    let series = |list: &[(NaiveDate, u64)]| {
        days.iter()
            .map(|d| DayCount {
                date: *d,
                count: of(list, *d),
            })
            .collect()
    };
    let mut by_assignee: Vec<AssigneeLoad> = c
        .by_assignee
        .iter()
        .map(|(user, open, done)| AssigneeLoad {
            user: *user,
            open: *open,
            done: *done,
        })
        .collect();
    by_assignee.sort_by_key(|l| (std::cmp::Reverse(l.open + l.done), l.user));
    Dashboard {
        by_status: Status::ALL
            .iter()
            .map(|s| {
                (
                    *s,
                    c.by_status
                        .iter()
                        .find(|(x, _)| x == s)
                        .map_or(0, |(_, n)| *n),
                )
            })
            .collect(),
        by_priority: Priority::ALL
            .iter()
            .map(|p| {
                (
                    *p,
                    c.by_priority
                        .iter()
                        .find(|(x, _)| x == p)
                        .map_or(0, |(_, n)| *n),
                )
            })
            .collect(),
        overdue: c.overdue,
        due_next_7_days: c.due_next_7_days,
        by_assignee,
        created_per_day: series(&c.created_per_day),
        completed_per_day: series(&c.completed_per_day),
        avg_cycle_time_hours: c.avg_cycle_time_hours,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn days_begin_at_local_midnight_and_series_have_every_day() {
        let paris: Tz = "Europe/Paris".parse().unwrap_or(Tz::UTC);
        let day = NaiveDate::from_ymd_opt(2026, 7, 1).unwrap_or_default();
        assert_eq!(
            start_of(paris, day),
            Utc.with_ymd_and_hms(2026, 6, 30, 22, 0, 0).unwrap()
        );
        let counts = DashboardCounts {
            by_status: vec![(Status::Done, 2)],
            created_per_day: vec![(day + Days::new(3), 5)],
            ..DashboardCounts::default()
        };
        let d = complete(counts, day);
        assert_eq!(d.by_status.len(), 5);
        assert_eq!(d.by_status[4], (Status::Done, 2));
        assert_eq!(d.by_priority.iter().map(|(_, n)| n).sum::<u64>(), 0);
        assert_eq!(d.created_per_day.len(), 30);
        assert_eq!(d.created_per_day[0].date, day);
        assert_eq!(d.created_per_day[3].count, 5);
        assert_eq!(d.completed_per_day.iter().map(|d| d.count).sum::<u64>(), 0);
    }
}
