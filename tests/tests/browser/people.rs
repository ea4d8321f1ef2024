//! Named test users and their teams, made through the API.

use reqwest::StatusCode;
use serde_json::json;
use taskforge_tests::{TestApp, TestUser};

/// Registers and signs in a user with this name (mentions and avatars need distinct names).
pub async fn person(app: &TestApp, first: &str, last: &str) -> TestUser {
    let email = format!(
        "{}-{}@example.com",
        first.to_lowercase(),
        &uuid::Uuid::new_v4().simple().to_string()[..10]
    );
    let password = "correct horse battery".to_owned();
    let body =
        json!({ "email": email, "password": password, "firstName": first, "lastName": last });
    let reg = app
        .call(
            reqwest::Method::POST,
            "/api/auth/register",
            None,
            Some(body),
        )
        .await;
    assert_eq!(reg.status, StatusCode::CREATED, "register: {:?}", reg.body);
    let login = app.login(&email, &password).await;
    assert_eq!(login.status, StatusCode::OK, "login: {:?}", login.body);
    TestUser {
        id: reg.body["user"]["userId"]
            .as_str()
            .unwrap_or_default()
            .to_owned(),
        email,
        password,
        token: login.body["token"].as_str().unwrap_or_default().to_owned(),
    }
}

/// Ada (admin) and Grace (member) in one team, with one task of Ada's.
pub struct Pair {
    pub ada: TestUser,
    pub grace: TestUser,
    pub team: String,
    pub task: String,
}

pub async fn pair(app: &TestApp) -> Pair {
    let ada = person(app, "Ada", "Lovelace").await;
    let grace = person(app, "Grace", "Hopper").await;
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
