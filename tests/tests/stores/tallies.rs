//! A team dashboard's tallies (migration 16) equal a recount of the team's tasks after
//! concurrent creates, changes and deletes, with folds running among them.

use chrono::{TimeDelta, Utc};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use reqwest::StatusCode;
use serde_json::{json, Value};
use taskforge_adapter_sql::PgDashboards;
use taskforge_domain::dashboards::{DashboardCounts, DashboardReader, DashboardScope, DayWindow};
use taskforge_domain::ids::TeamId;
use taskforge_tests::{TestApp, TestUser};

const STATUSES: [&str; 5] = ["backlog", "todo", "in_progress", "in_review", "done"];
const PRIORITIES: [&str; 4] = ["low", "medium", "high", "urgent"];

fn must<T, E: std::fmt::Display>(r: Result<T, E>) -> T {
    match r {
        Ok(v) => v,
        Err(e) => panic!("{e:#}"),
    }
}

/// `counts` with its assignees in a fixed order and its cycle time rounded past the last digits
/// two ways of dividing the same numeric sum may disagree on.
fn comparable(mut counts: DashboardCounts) -> DashboardCounts {
    counts
        .by_assignee
        .sort_by_key(|(user, _, _)| user.to_string());
    counts.avg_cycle_time_hours = counts.avg_cycle_time_hours.map(|h| (h * 1e9).round() / 1e9);
    counts
}

/// A due date around the edges the dashboard counts by: none, overdue, today, within a week,
/// just past a week, later.
fn due(rng: &mut StdRng) -> Value {
    let hours = [-30, -1, 2, 50, 24 * 7 + 1, 24 * 20];
    match rng.random_range(0..=hours.len()) {
        0 => Value::Null,
        n => json!((Utc::now() + TimeDelta::hours(hours[n - 1])).to_rfc3339()),
    }
}

/// Twelve random writes by `user`: tasks created in `team`, changed and deleted.
async fn write(app: &TestApp, user: &TestUser, team: &str, people: &[Option<String>], seed: u64) {
    let mut rng = StdRng::seed_from_u64(seed);
    let mut mine: Vec<String> = Vec::new();
    for i in 0..12 {
        let pick = rng.random_range(0..10);
        if mine.is_empty() || pick < 4 {
            let task = app
                .task(
                    user,
                    team,
                    json!({
                        "title": format!("tally {seed} {i}"),
                        "status": STATUSES[rng.random_range(0..5)],
                        "priority": PRIORITIES[rng.random_range(0..4)],
                        "assigneeId": people[rng.random_range(0..people.len())],
                        "dueDate": due(&mut rng),
                    }),
                )
                .await;
            mine.push(task["taskId"].as_str().unwrap_or_default().to_owned());
            continue;
        }
        let id = mine[rng.random_range(0..mine.len())].clone();
        let path = format!("/api/tasks/{id}");
        let r = match pick {
            4 => {
                mine.retain(|t| *t != id);
                app.delete(&path, &user.token, None).await
            }
            5..=7 => {
                let status = STATUSES[rng.random_range(0..5)];
                app.patch(&path, &user.token, json!({ "status": status }))
                    .await
            }
            _ => {
                let body: Value = json!({
                    "assigneeId": people[rng.random_range(0..people.len())],
                    "priority": PRIORITIES[rng.random_range(0..4)],
                    "dueDate": due(&mut rng),
                });
                app.patch(&path, &user.token, body).await
            }
        };
        assert!(
            matches!(r.status, StatusCode::OK | StatusCode::NO_CONTENT),
            "{:?}",
            r.body
        );
    }
}

#[tokio::test]
async fn tallies_equal_a_recount_after_concurrent_writes_and_folds() {
    let app = TestApp::spawn_with(|s| s.worker.embedded = false).await;
    let t = app.crew().await;
    app.add_member(&t.admin, &t.team, &t.outsider, "member")
        .await;
    let people = [
        Some(t.admin.id.clone()),
        Some(t.member.id.clone()),
        Some(t.outsider.id.clone()),
        None,
    ];
    let dashboards = PgDashboards::new(app.sql());
    let seed: u64 = rand::random();
    println!("tally workload seed {seed}");
    let (stop, stopped) = tokio::sync::watch::channel(false);
    let folding = async {
        let mut folds = 0;
        let mut stopped = stopped;
        while !*stopped.borrow_and_update() {
            must(dashboards.fold(32).await);
            folds += 1;
            tokio::task::yield_now().await;
        }
        folds
    };
    let writing = async {
        let all = (0..6).map(|i| write(&app, &t.admin, &t.team, &people, seed.wrapping_add(i)));
        futures::future::join_all(all).await;
        let _ = stop.send(true);
    };
    let (folds, ()) = tokio::join!(folding, writing);
    assert!(folds > 1, "folds ran among the writes: {folds}");

    let team: TeamId = must(t.team.parse());
    assert_tallies_agree(&dashboards, team).await;
}

/// The team's dashboard from its tallies equals a recount of its tasks, before and after a fold.
pub async fn assert_tallies_agree(dashboards: &PgDashboards, team: TeamId) {
    let now = Utc::now();
    let window = DayWindow {
        zone: "Pacific/Kiritimati".into(),
        since: now - TimeDelta::days(29),
        now,
    };
    let scope = DashboardScope::Team(team);
    let recounted = comparable(must(dashboards.recount_team(team, &window).await));
    assert!(recounted.by_status.iter().map(|(_, n)| n).sum::<u64>() > 1);
    assert!(
        recounted.overdue + recounted.due_next_7_days > 0,
        "{recounted:?}"
    );
    let tallied = comparable(must(dashboards.counts(scope, &window).await));
    assert_eq!(tallied, recounted, "before a fold");
    must(dashboards.fold(32).await);
    let tallied = comparable(must(dashboards.counts(scope, &window).await));
    assert_eq!(tallied, recounted, "after a fold");
}
