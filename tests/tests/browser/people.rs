//! Named test users and their teams, made through the API.

use reqwest::StatusCode;
use serde_json::json;
use taskforge_tests::{TestApp, TestUser};

/// Ada (admin) and Grace (member) in one team, with one task of Ada's.
pub struct Pair {
    pub ada: TestUser,
    pub grace: TestUser,
    pub team: String,
    pub task: String,
}

pub async fn pair(app: &TestApp) -> Pair {
    let ada = app.person("Ada", "Lovelace").await;
    let grace = app.person("Grace", "Hopper").await;
    let r = app
        .post(
            "/api/teams",
            &ada.token,
            Some(json!({ "name": "Analytical Engine", "description": "Note G and friends" })),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "team: {:?}", r.body);
    let team = r.body["teamId"].as_str().unwrap_or_default().to_owned();
    app.add_member(&ada, &team, &grace, "member").await;
    let task = app
        .task(&ada, &team, json!({ "title": "Analyse the engine" }))
        .await["taskId"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    Pair {
        ada,
        grace,
        team,
        task,
    }
}

/// A task's current field, read through the API.
pub async fn task_field(app: &TestApp, user: &TestUser, task: &str, field: &str) -> String {
    let r = app.get(&format!("/api/tasks/{task}"), &user.token).await;
    assert_eq!(r.status, StatusCode::OK, "task: {:?}", r.body);
    r.body[field].as_str().unwrap_or_default().to_owned()
}
