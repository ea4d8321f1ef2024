//! Registration, login, logout and sessions over HTTP.

use reqwest::{Method, StatusCode};
use serde_json::json;
use taskforge_tests::TestApp;

#[tokio::test]
async fn register_returns_the_user_and_refuses_a_taken_email_in_any_case() {
    let app = TestApp::spawn().await;
    let reg = app
        .register("Mixed.Case@Example.com", "correct horse")
        .await;
    assert_eq!(reg.status, StatusCode::CREATED, "{:?}", reg.body);
    let user = &reg.body["user"];
    assert_eq!(user["email"], "mixed.case@example.com");
    assert_eq!(
        (user["firstName"].as_str(), user["lastName"].as_str()),
        (Some("Test"), Some("User"))
    );
    assert!(uuid::Uuid::parse_str(user["userId"].as_str().unwrap_or_default()).is_ok());
    assert!(user.get("passwordHash").is_none() && !reg.body.to_string().contains("$2b$"));

    let again = app
        .register("mixed.case@EXAMPLE.com", "another password")
        .await;
    assert_eq!(again.status, StatusCode::CONFLICT);
    assert_eq!(again.code(), "CONFLICT");
}

#[tokio::test]
async fn register_rejects_bad_input_with_details() {
    let app = TestApp::spawn().await;
    let cases = [
        json!({ "email": "not-an-email", "password": "correct horse", "firstName": "A", "lastName": "B" }),
        json!({ "email": "a@example.com", "password": "short", "firstName": "A", "lastName": "B" }),
        json!({ "email": "a@example.com", "password": "x".repeat(73), "firstName": "A", "lastName": "B" }),
        json!({ "email": "a@example.com", "password": "é".repeat(37), "firstName": "A", "lastName": "B" }),
        json!({ "email": "a@example.com", "password": "correct horse", "firstName": "", "lastName": "B" }),
        json!({ "email": "a@example.com", "password": "correct horse", "firstName": "A", "lastName": "B", "role": "admin" }),
        json!({ "email": "a@example.com", "password": 12345678, "firstName": "A", "lastName": "B" }),
        json!({ "email": "a@example.com" }),
    ];
    for body in cases {
        let r = app
            .call(Method::POST, "/api/auth/register", None, Some(body.clone()))
            .await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{body}: {:?}", r.body);
        assert_eq!(r.code(), "VALIDATION_FAILED");
        assert!(
            r.body["error"]["details"]
                .as_array()
                .is_some_and(|d| !d.is_empty()),
            "{:?}",
            r.body
        );
    }
    let all_wrong = json!({ "email": "x", "password": "short", "firstName": "", "lastName": "" });
    let r = app
        .call(Method::POST, "/api/auth/register", None, Some(all_wrong))
        .await;
    assert_eq!(
        r.body["error"]["details"].as_array().map(Vec::len),
        Some(4),
        "every field is reported"
    );

    // A 72-byte password is the longest bcrypt takes, and is accepted.
    let r = app.register("limit@example.com", &"p".repeat(72)).await;
    assert_eq!(r.status, StatusCode::CREATED);
    let malformed = app
        .client
        .post(app.url("/api/auth/register"))
        .header("content-type", "application/json")
        .body("{\"email\":");
    let r = TestApp::reply(malformed).await;
    r.assert_error(StatusCode::BAD_REQUEST, "VALIDATION_FAILED");
}

#[tokio::test]
async fn login_issues_a_token_and_a_hardened_cookie() {
    let app = TestApp::spawn().await;
    let user = app.user().await;
    let login = app.login(&user.email.to_uppercase(), &user.password).await;
    assert_eq!(login.status, StatusCode::OK, "{:?}", login.body);
    let token = login.body["token"].as_str().unwrap_or_default();
    assert_eq!(token.len(), 64, "256-bit token, hex");
    assert_ne!(token, user.token, "every login gets a new token");
    assert_eq!(login.body["user"]["userId"], user.id.as_str());
    assert!(login.body["expiresAt"]
        .as_str()
        .is_some_and(|t| chrono::DateTime::parse_from_rfc3339(t).is_ok()));

    let cookie = login
        .headers
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|c| c.starts_with("tf_session="))
        .unwrap_or_default()
        .to_owned();
    assert!(cookie.contains(&format!("tf_session={token}")));
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"),
        "{cookie}"
    );

    // Both tokens work: sessions are independent.
    for t in [token, user.token.as_str()] {
        assert_eq!(app.get("/api/users/me", t).await.status, StatusCode::OK);
    }
}

#[tokio::test]
async fn a_wrong_password_and_an_unknown_email_get_the_same_answer() {
    let app = TestApp::spawn().await;
    let user = app.user().await;
    let wrong = app.login(&user.email, "not the password").await;
    let unknown = app.login("nobody@example.com", "not the password").await;
    let malformed = app.login("nobody", "x").await;
    for r in [&wrong, &unknown, &malformed] {
        assert_eq!(r.status, StatusCode::UNAUTHORIZED);
        assert_eq!(r.body["error"]["code"], "UNAUTHENTICATED");
        assert_eq!(r.body["error"]["message"], wrong.body["error"]["message"]);
    }
}

#[tokio::test]
async fn requests_without_a_valid_session_are_refused() {
    let app = TestApp::spawn().await;
    let no_token = app.call(Method::GET, "/api/users/me", None, None).await;
    let garbage = app.get("/api/users/me", "not-a-token").await;
    let unknown = app.get("/api/users/me", &"ab".repeat(32)).await;
    for r in [no_token, garbage, unknown] {
        r.assert_error(StatusCode::UNAUTHORIZED, "UNAUTHENTICATED");
    }
}

#[tokio::test]
async fn the_session_id_header_is_an_alias_of_the_bearer_token() {
    let app = TestApp::spawn().await;
    let user = app.user().await;
    let r = TestApp::reply(
        app.client
            .get(app.url("/api/users/me"))
            .header("X-Session-Id", &user.token),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK);
}

#[tokio::test]
async fn logout_ends_that_session_at_once() {
    let app = TestApp::spawn().await;
    let user = app.user().await;
    let other = app.another_session(&user).await;
    let r = app.post("/api/auth/logout", &user.token, None).await;
    assert_eq!(r.status, StatusCode::NO_CONTENT);
    assert_eq!(
        app.get("/api/users/me", &user.token).await.status,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        app.get("/api/users/me", &other).await.status,
        StatusCode::OK,
        "other sessions live on"
    );
}

#[tokio::test]
async fn logout_all_ends_every_session() {
    let app = TestApp::spawn().await;
    let user = app.user().await;
    let other = app.another_session(&user).await;
    let r = app.post("/api/auth/logout-all", &other, None).await;
    assert_eq!(r.status, StatusCode::NO_CONTENT);
    for t in [&user.token, &other] {
        assert_eq!(
            app.get("/api/users/me", t).await.status,
            StatusCode::UNAUTHORIZED
        );
    }
}

#[tokio::test]
async fn sessions_are_listed_and_revoked_by_their_owner_only() {
    let app = TestApp::spawn().await;
    let user = app.user().await;
    let second = app.another_session(&user).await;
    let list = app.get("/api/auth/sessions", &user.token).await;
    assert_eq!(list.status, StatusCode::OK);
    let items = list.body["items"].as_array().cloned().unwrap_or_default();
    assert_eq!(items.len(), 2);
    assert_eq!(list.body["nextCursor"], serde_json::Value::Null);
    assert_eq!(items.iter().filter(|s| s["current"] == true).count(), 1);
    for s in &items {
        assert_eq!(s["userAgent"], "taskforge-tests");
        assert_eq!(s["ip"], "127.0.0.1");
        assert!(s["lastSeenAt"].is_string() && s["createdAt"].is_string());
    }
    let other_id = items
        .iter()
        .find(|s| s["current"] == false)
        .map(|s| s["sessionId"].as_str().unwrap_or_default().to_owned())
        .unwrap_or_default();

    let stranger = app.user().await;
    let path = format!("/api/auth/sessions/{other_id}");
    let r = app.delete(&path, &stranger.token, None).await;
    assert_eq!(
        r.status,
        StatusCode::NOT_FOUND,
        "someone else's session is not found"
    );
    assert_eq!(
        app.get("/api/users/me", &second).await.status,
        StatusCode::OK
    );

    let r = app.delete(&path, &user.token, None).await;
    assert_eq!(r.status, StatusCode::NO_CONTENT);
    assert_eq!(
        app.get("/api/users/me", &second).await.status,
        StatusCode::UNAUTHORIZED
    );
    let r = app.delete(&path, &user.token, None).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let r = app
        .delete("/api/auth/sessions/not-a-uuid", &user.token, None)
        .await;
    r.assert_error(StatusCode::BAD_REQUEST, "VALIDATION_FAILED");
}
