//! The `DashboardReader` contract.

use super::*;
use chrono::TimeDelta;
use taskforge_domain::dashboards::{DashboardReader, DashboardScope, DayWindow};
use taskforge_domain::ids::TaskId;
use taskforge_domain::tasks::{Priority, Status, TaskEdit, TaskPatch};

/// Counts equal what the scope's tasks hold: statuses, priorities, due dates against `now`,
/// assignees, days in the window's zone, and the cycle from the first in_progress to done.
pub async fn dashboard_reader(
    users: &dyn UserRepository,
    teams: &dyn TeamRepository,
    tasks: &dyn TaskRepository,
    reader: &dyn DashboardReader,
) {
    let owner = registered(users, 1).await[0].id;
    let now = Utc::now().trunc_subsecs(6);
    let hours = |h: i64| now + TimeDelta::hours(h);
    let first = super::comments::a_task(teams, tasks, owner, |t| {
        t.assignee_id = Some(owner);
        t.due_date = Some(hours(-2));
        t.priority = Priority::High;
        t.metadata.created = hours(-30);
        t.metadata.updated = hours(-30);
    })
    .await;
    let team = first.team_id;
    let more = [
        (Status::Todo, Priority::Low, Some(hours(30)), None),
        (
            Status::Backlog,
            Priority::Low,
            Some(hours(24 * 9)),
            Some(owner),
        ),
        (Status::Done, Priority::Urgent, Some(hours(-5)), Some(owner)),
    ];
    for (status, priority, due, assignee) in more {
        let mut task = first.clone();
        task.task_id = TaskId::new();
        (task.status, task.priority, task.due_date, task.assignee_id) =
            (status, priority, due, assignee);
        (task.metadata.created, task.metadata.updated) = (now, now);
        let aggregate = Aggregate::entity(Scope::Team(team), "task", task.task_id.as_uuid());
        let change = change_of(aggregate, owner, AuditAction::Create, vec![]);
        must(tasks.create(&task, change).await, "task");
    }
    // The first task: in progress ten hours ago, done four hours later.
    for (status, at) in [(Status::InProgress, hours(-10)), (Status::Done, hours(-6))] {
        let patch = TaskPatch {
            status: Some(status),
            ..TaskPatch::default()
        };
        let edit = TaskEdit::patch(patch, None, Actor::default(), at);
        must(tasks.modify(first.task_id, &edit).await, "status");
    }
    let window = DayWindow {
        zone: "UTC".into(),
        since: hours(-24 * 29),
        now,
    };
    let c = must(
        reader.counts(DashboardScope::Team(team), &window).await,
        "team",
    );
    let mut statuses = c.by_status.clone();
    statuses.sort_by_key(|(s, _)| s.as_str());
    assert_eq!(
        statuses,
        vec![(Status::Backlog, 1), (Status::Done, 2), (Status::Todo, 1)]
    );
    let mut priorities = c.by_priority.clone();
    priorities.sort_by_key(|(p, _)| p.rank());
    assert_eq!(
        priorities,
        vec![
            (Priority::Low, 2),
            (Priority::High, 1),
            (Priority::Urgent, 1)
        ]
    );
    assert_eq!(c.overdue, 0, "past due but done does not count");
    assert_eq!(c.due_next_7_days, 1);
    assert_eq!(c.by_assignee, vec![(owner, 1, 2)]);
    let created: u64 = c.created_per_day.iter().map(|(_, n)| n).sum();
    assert_eq!(created, 4);
    let day = |at: chrono::DateTime<Utc>| at.date_naive();
    assert!(c
        .created_per_day
        .iter()
        .any(|(d, n)| *d == day(now) && *n >= 3));
    assert_eq!(
        c.completed_per_day.iter().map(|(_, n)| n).sum::<u64>(),
        2,
        "both done tasks, on the day each was done"
    );
    assert!(c
        .completed_per_day
        .iter()
        .any(|(d, _)| *d == day(hours(-6))));
    let cycle = c.avg_cycle_time_hours.unwrap_or_default();
    assert!(
        (cycle - 4.0).abs() < 0.01,
        "one cycle of four hours: {cycle}"
    );

    // Later: the due-soon task is overdue now.
    let later = DayWindow {
        now: hours(31),
        ..window.clone()
    };
    let c = must(
        reader.counts(DashboardScope::Team(team), &later).await,
        "later",
    );
    assert_eq!((c.overdue, c.due_next_7_days), (1, 0));

    let mine = must(
        reader
            .counts(DashboardScope::Assignee(owner), &window)
            .await,
        "personal",
    );
    assert_eq!(mine.by_assignee, vec![(owner, 1, 2)]);
    assert_eq!(mine.by_status.iter().map(|(_, n)| n).sum::<u64>(), 3);
    let stranger = must(
        reader
            .counts(DashboardScope::Assignee(UserId::new()), &window)
            .await,
        "stranger",
    );
    assert!(stranger.by_status.is_empty() && stranger.avg_cycle_time_hours.is_none());
}
