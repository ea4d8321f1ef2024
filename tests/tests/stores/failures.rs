//! Store failures: what degrades, what fails closed, and that nothing acknowledged is lost.

use reqwest::{Method, StatusCode};
use secrecy::SecretString;
use serde_json::json;
use std::time::Duration;
use taskforge_adapter_sql::provisioning;
use taskforge_domain::identity::ProfileDocuments;
use taskforge_tests::{eventually, processes, TestApp};

#[tokio::test]
async fn with_mongodb_down_writes_commit_and_documents_materialize_when_it_is_back() {
    let mut ferret = processes::ferretdb();
    let uri = processes::mongo_uri(&ferret);
    let app = TestApp::spawn_with(|s| s.mongo.uri = SecretString::from(uri)).await;
    let early = app.user().await;

    ferret.stop();
    let ready = app.call(Method::GET, "/readyz", None, None).await;
    assert_eq!(ready.status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(
        ready.body,
        json!({ "sql": "ok", "mongo": "down", "redis": "ok" })
    );

    let user = app.user().await; // register and login commit without MongoDB
    let patched = app
        .patch(
            "/api/users/me",
            &user.token,
            json!({ "bio": "written while down" }),
        )
        .await;
    assert_eq!(patched.status, StatusCode::OK, "{:?}", patched.body);
    let me = app.get("/api/users/me", &user.token).await;
    assert_eq!(
        (me.status, me.body["bio"].as_str()),
        (StatusCode::OK, Some("written while down")),
        "served from PostgreSQL"
    );
    assert_eq!(
        app.get("/api/users/me", &early.token).await.status,
        StatusCode::OK,
        "profiles made before the outage are served"
    );

    ferret.start();
    let documents = app.profile_documents().await;
    let id = match user.id.parse() {
        Ok(id) => id,
        Err(e) => panic!("{e}"),
    };
    let projected = eventually(Duration::from_secs(20), || async {
        matches!(documents.get(id).await, Ok(Some(d)) if d.version == 2 && d.details.bio.as_str() == "written while down")
    })
    .await;
    assert!(
        projected,
        "the relay projected the profile once MongoDB was back"
    );
    assert_eq!(
        app.call(Method::GET, "/readyz", None, None).await.status,
        StatusCode::OK
    );
}

#[tokio::test]
async fn with_redis_down_authenticated_requests_fail_closed_and_recover() {
    let mut redis = processes::redis();
    let url = processes::redis_url(&redis);
    let app = TestApp::spawn_with(|s| s.redis.url = SecretString::from(url)).await;
    let user = app.user().await;

    redis.stop();
    let r = app.get("/api/users/me", &user.token).await;
    r.assert_error(StatusCode::SERVICE_UNAVAILABLE, "UNAVAILABLE");
    let r = app.login(&user.email, &user.password).await;
    assert_eq!(
        r.status,
        StatusCode::SERVICE_UNAVAILABLE,
        "no session can be made"
    );
    assert_eq!(
        app.call(Method::GET, "/healthz", None, None).await.status,
        StatusCode::OK,
        "/healthz touches no store"
    );
    let ready = app.call(Method::GET, "/readyz", None, None).await;
    assert_eq!(
        (ready.status, ready.body["redis"].as_str()),
        (StatusCode::SERVICE_UNAVAILABLE, Some("down"))
    );
    let fresh = app
        .register("while-redis-down@example.com", "correct horse")
        .await;
    assert_eq!(
        fresh.status,
        StatusCode::CREATED,
        "writes still commit without Redis"
    );

    redis.start();
    // A restarted Redis has lost its sessions: that logs people out, nothing more.
    assert_eq!(
        app.get("/api/users/me", &user.token).await.status,
        StatusCode::UNAUTHORIZED
    );
    let again = app.login(&user.email, &user.password).await;
    assert_eq!(again.status, StatusCode::OK);
    let token = again.body["token"].as_str().unwrap_or_default();
    assert_eq!(app.get("/api/users/me", token).await.status, StatusCode::OK);
    assert_eq!(
        app.login("while-redis-down@example.com", "correct horse")
            .await
            .status,
        StatusCode::OK
    );
}

#[tokio::test]
async fn killed_postgres_connections_cost_a_retry_not_the_process() {
    let app = TestApp::spawn().await;
    let user = app.user().await;
    for _ in 0..3 {
        assert_eq!(
            app.get("/api/users/me", &user.token).await.status,
            StatusCode::OK
        );
    }
    let ended = provisioning::terminate_connections(&app.admin_url, &app.database).await;
    assert!(
        matches!(ended, Ok(n) if n > 0),
        "the pool had connections to kill: {ended:?}"
    );
    for _ in 0..5 {
        let r = app.get("/api/users/me", &user.token).await;
        assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    }
    let r = app
        .patch("/api/users/me", &user.token, json!({ "bio": "still here" }))
        .await;
    assert_eq!(r.status, StatusCode::OK);
}
