//! Dashboards over HTTP: every figure equals a recount of the tasks after a random workload,
//! days follow the caller's time zone, and MongoDB being down changes nothing.

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use reqwest::StatusCode;
use secrecy::SecretString;
use serde_json::{json, Value};
use std::collections::BTreeMap;
use taskforge_tests::processes;
use taskforge_tests::{TestApp, TestUser};

const STATUSES: [&str; 5] = ["backlog", "todo", "in_progress", "in_review", "done"];
const PRIORITIES: [&str; 4] = ["low", "medium", "high", "urgent"];

/// Every task of `team` as `user` reads them (all pages).
async fn all_tasks(app: &TestApp, user: &TestUser, team: &str) -> Vec<Value> {
    let mut tasks = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let mut path = format!("/api/tasks?teamId={team}&limit=100");
        if let Some(c) = &cursor {
            path.push_str(&format!("&cursor={c}"));
        }
        let page = app.get(&path, &user.token).await;
        assert_eq!(page.status, StatusCode::OK, "{:?}", page.body);
        tasks.extend(page.body["items"].as_array().cloned().unwrap_or_default());
        match page.body["nextCursor"].as_str() {
            Some(c) => cursor = Some(c.to_owned()),
            None => return tasks,
        }
    }
}

/// The dashboard figures a plain recount of `tasks` gives at `now`.
fn recount(tasks: &[Value], now: chrono::DateTime<chrono::Utc>) -> Value {
    let mut statuses: BTreeMap<&str, u64> = STATUSES.iter().map(|s| (*s, 0)).collect();
    let mut priorities: BTreeMap<&str, u64> = PRIORITIES.iter().map(|p| (*p, 0)).collect();
    let mut assignees: BTreeMap<String, (u64, u64)> = BTreeMap::new();
    let (mut overdue, mut soon) = (0, 0);
    for t in tasks {
        let status = t["status"].as_str().unwrap_or_default();
        *statuses.entry(status).or_default() += 1;
        *priorities
            .entry(t["priority"].as_str().unwrap_or_default())
            .or_default() += 1;
        let open = status != "done";
        if let Some(a) = t["assigneeId"].as_str() {
            let load = assignees.entry(a.to_owned()).or_default();
            if open {
                load.0 += 1;
            } else {
                load.1 += 1;
            }
        }
        let due = t["dueDate"]
            .as_str()
            .and_then(|d| chrono::DateTime::parse_from_rfc3339(d).ok());
        if let (true, Some(due)) = (open, due) {
            if due < now {
                overdue += 1;
            } else if due < now + chrono::TimeDelta::days(7) {
                soon += 1;
            }
        }
    }
    let mut loads: Vec<Value> = assignees
        .into_iter()
        .map(|(user, (open, done))| json!({ "userId": user, "open": open, "done": done }))
        .collect();
    loads.sort_by_key(|l| l["userId"].as_str().unwrap_or_default().to_owned());
    json!({
        "countsByStatus": statuses,
        "countsByPriority": priorities,
        "overdue": overdue,
        "dueNext7Days": soon,
        "byAssignee": loads,
    })
}

/// The dashboard's figures that a recount gives (assignees in a fixed order).
fn counted(dashboard: &Value) -> Value {
    let mut loads = dashboard["byAssignee"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    loads.sort_by_key(|l| l["userId"].as_str().unwrap_or_default().to_owned());
    json!({
        "countsByStatus": dashboard["countsByStatus"],
        "countsByPriority": dashboard["countsByPriority"],
        "overdue": dashboard["overdue"],
        "dueNext7Days": dashboard["dueNext7Days"],
        "byAssignee": loads,
    })
}

fn total(series: &Value) -> u64 {
    series
        .as_array()
        .map(|days| days.iter().filter_map(|d| d["count"].as_u64()).sum())
        .unwrap_or_default()
}

#[tokio::test]
async fn a_dashboard_equals_a_recount_after_a_random_workload() {
    let app = TestApp::spawn().await;
    let t = app.crew().await;
    let elsewhere = app.team(&t.member).await;
    app.task(
        &t.member,
        &elsewhere,
        json!({ "title": "other team", "assigneeId": t.member.id }),
    )
    .await;
    let seed: u64 = rand::random();
    println!("dashboard workload seed {seed}");
    let mut rng = StdRng::seed_from_u64(seed);
    let people = [Some(t.admin.id.clone()), Some(t.member.id.clone()), None];
    let mut ids = vec![t.task.clone()];
    let mut went_through = false;
    for i in 0..40 {
        let due = match rng.random_range(0..4) {
            0 => Value::Null,
            n => {
                let hours = [-30, 50, 24 * 20][n - 1] + rng.random_range(0..5);
                json!((chrono::Utc::now() + chrono::TimeDelta::hours(hours)).to_rfc3339())
            }
        };
        let body = json!({
            "title": format!("work {i}"),
            "status": STATUSES[rng.random_range(0..5)],
            "priority": PRIORITIES[rng.random_range(0..4)],
            "assigneeId": people[rng.random_range(0..3)],
            "dueDate": due,
        });
        let task = app.task(&t.admin, &t.team, body).await;
        ids.push(task["taskId"].as_str().unwrap_or_default().to_owned());
    }
    for _ in 0..40 {
        let id = ids[rng.random_range(0..ids.len())].clone();
        let path = format!("/api/tasks/{id}");
        match rng.random_range(0..10) {
            0 => {
                let r = app.delete(&path, &t.admin.token, None).await;
                assert!(matches!(
                    r.status,
                    StatusCode::NO_CONTENT | StatusCode::NOT_FOUND
                ));
            }
            1..=3 => {
                for status in ["in_progress", "done"] {
                    let r = app
                        .patch(&path, &t.member.token, json!({ "status": status }))
                        .await;
                    went_through |= r.status == StatusCode::OK && status == "done";
                }
            }
            n => {
                let body = if n < 7 {
                    json!({ "status": STATUSES[rng.random_range(0..5)] })
                } else {
                    json!({ "assigneeId": people[rng.random_range(0..3)], "priority": PRIORITIES[rng.random_range(0..4)] })
                };
                let r = app.patch(&path, &t.admin.token, body).await;
                assert!(
                    matches!(r.status, StatusCode::OK | StatusCode::NOT_FOUND),
                    "{:?}",
                    r.body
                );
            }
        }
    }

    let now = chrono::Utc::now();
    let tasks = all_tasks(&app, &t.admin, &t.team).await;
    let dashboard = app
        .get(&format!("/api/teams/{}/dashboard", t.team), &t.guest.token)
        .await;
    assert_eq!(dashboard.status, StatusCode::OK, "{:?}", dashboard.body);
    let d = &dashboard.body;
    assert_eq!(counted(d), recount(&tasks, now), "equals a recount");
    assert_eq!(
        total(&d["createdPerDay"]),
        tasks.len() as u64,
        "all made today"
    );
    let done = tasks.iter().filter(|t| t["status"] == "done").count() as u64;
    assert_eq!(
        total(&d["completedPerDay"]),
        done,
        "each done task, on its day"
    );
    for series in ["createdPerDay", "completedPerDay"] {
        let days = d[series].as_array().cloned().unwrap_or_default();
        assert_eq!(days.len(), 30, "{series}: 30 days, zeros included");
        assert_eq!(
            days[29]["date"],
            now.date_naive().to_string(),
            "{series} ends today (UTC)"
        );
    }
    match d["avgCycleTimeHours"].as_f64() {
        Some(hours) => assert!(went_through && hours >= 0.0, "{hours}"),
        None => assert!(!went_through || done == 0, "a task went through: {d}"),
    }

    // The member's own: their assigned tasks here and in their other team.
    let mine = app.get("/api/dashboard", &t.member.token).await;
    assert_eq!(mine.status, StatusCode::OK);
    let assigned: Vec<Value> = tasks
        .iter()
        .filter(|task| task["assigneeId"] == t.member.id.as_str())
        .cloned()
        .chain(all_tasks(&app, &t.member, &elsewhere).await)
        .collect();
    assert_eq!(counted(&mine.body), recount(&assigned, now));

    let outsider = app
        .get(
            &format!("/api/teams/{}/dashboard", t.team),
            &t.outsider.token,
        )
        .await;
    outsider.assert_error(StatusCode::NOT_FOUND, "NOT_FOUND");
}

#[tokio::test]
async fn days_are_the_callers_in_their_time_zone() {
    let app = TestApp::spawn().await;
    let t = app.crew().await;
    // UTC+14: the local date is always ahead of or equal to UTC's.
    let zone = "Pacific/Kiritimati";
    let r = app
        .patch(
            "/api/users/me",
            &t.admin.token,
            json!({ "preferences": { "notifications": { "timeZone": zone } } }),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    let d = app
        .get(&format!("/api/teams/{}/dashboard", t.team), &t.admin.token)
        .await;
    let local_today = chrono::Utc::now()
        .with_timezone(&zone.parse::<chrono_tz::Tz>().unwrap_or(chrono_tz::Tz::UTC))
        .date_naive();
    assert_eq!(d.body["createdPerDay"][29]["date"], local_today.to_string());
    assert_eq!(
        d.body["createdPerDay"][29]["count"], 1,
        "the crew's task, today there"
    );
    let utc = app
        .get(&format!("/api/teams/{}/dashboard", t.team), &t.member.token)
        .await;
    assert_eq!(
        utc.body["createdPerDay"][29]["date"],
        chrono::Utc::now().date_naive().to_string()
    );
}

#[tokio::test]
async fn dashboards_keep_working_while_mongodb_is_down() {
    let mut ferret = processes::ferretdb();
    let uri = processes::mongo_uri(&ferret);
    let app = TestApp::spawn_with(|s| s.mongo.uri = SecretString::from(uri)).await;
    let t = app.crew().await;
    ferret.stop();
    for path in [
        format!("/api/teams/{}/dashboard", t.team),
        "/api/dashboard".into(),
    ] {
        let r = app.get(&path, &t.admin.token).await;
        assert_eq!(r.status, StatusCode::OK, "{path}: {:?}", r.body);
    }
    let r = app
        .get(&format!("/api/teams/{}/dashboard", t.team), &t.admin.token)
        .await;
    assert_eq!(r.body["countsByStatus"]["todo"], 1);
}
