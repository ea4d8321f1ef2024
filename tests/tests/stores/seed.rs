//! `taskforge-admin seed`'s library function on the real stores: every store agrees afterwards
//! (the team dashboards' tallies with their tasks too), a second run adds beside the first, and
//! seeded accounts log in.

use crate::tallies::assert_tallies_agree;
use reqwest::StatusCode;
use taskforge_adapter_sql::PgDashboards;
use taskforge_app_http::seeding::{self, SEED_PASSWORD};
use taskforge_domain::seed::Plan;
use taskforge_tests::TestApp;

fn must<T, E: std::fmt::Display>(r: Result<T, E>) -> T {
    match r {
        Ok(v) => v,
        Err(e) => panic!("{e:#}"),
    }
}

#[tokio::test]
async fn two_seeds_leave_no_drift_and_seeded_users_log_in() {
    let app = TestApp::spawn_with(|s| s.worker.embedded = false).await;
    let plan = must(Plan::new(30, 2, 200, 300));
    let mut batches = 0;
    let first = must(seeding::seed(&app.settings, plan, &mut |_| batches += 1).await);
    let second = must(seeding::seed(&app.settings, plan, &mut |_| {}).await);
    assert_ne!(first.run, second.run, "each run has its own prefix");
    assert!(batches >= 4, "progress after each batch of each entity");
    let done: Vec<_> = first.entities.iter().map(|p| (p.entity, p.done)).collect();
    assert_eq!(
        done,
        [
            ("users", 30),
            ("teams", 2),
            ("tasks", 200),
            ("comments", 300)
        ]
    );

    let tasks = must(app.reconciler().await.run().await);
    assert_eq!(tasks.tasks_checked, 400);
    assert_eq!(tasks.drift(), 0, "{tasks:?}");
    let comments = must(app.comment_reconciler().await.run().await);
    assert_eq!(comments.comments_checked, 600);
    assert_eq!(comments.drift(), 0, "{comments:?}");
    let dashboards = PgDashboards::new(app.sql());
    for seeded in [&first, &second] {
        assert_tallies_agree(&dashboards, seeded.big_team).await;
    }

    let login = app.login(&second.big_team_admin_email, SEED_PASSWORD).await;
    assert_eq!(login.status, StatusCode::OK, "{:?}", login.body);
    let token = login.body["token"].as_str().unwrap_or_default();
    let page = app
        .get(&format!("/api/tasks?teamId={}", second.big_team), token)
        .await;
    assert_eq!(page.status, StatusCode::OK, "{:?}", page.body);
    assert!(!page.body["items"].as_array().is_none_or(Vec::is_empty));
    let task = page.body["items"][0]["taskId"].as_str().unwrap_or_default();
    let read = app.get(&format!("/api/tasks/{task}"), token).await;
    assert_eq!(read.status, StatusCode::OK, "{:?}", read.body);
}
