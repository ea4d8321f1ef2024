//! Store failures: what degrades, what fails closed, and that nothing acknowledged is lost.

use reqwest::{Method, StatusCode};
use secrecy::SecretString;
use serde_json::json;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;
use taskforge_adapter_sql::{provisioning, PgStore, SqlConfig};
use taskforge_domain::cache::Lookup;
use taskforge_domain::identity::ProfileDocuments;
use taskforge_domain::ids::TaskId;
use taskforge_domain::tasks::TaskCache;
use taskforge_domain::StoreError;
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
async fn a_redis_restart_between_requests_fails_no_request() {
    let mut redis = processes::redis();
    let url = processes::redis_url(&redis);
    let app = TestApp::spawn_with(|s| s.redis.url = SecretString::from(url)).await;
    let user = app.user().await;

    // Nothing is sent while Redis is down: the shared connection is found dead on next use.
    redis.stop();
    redis.start();
    let r = app.get("/api/users/me", &user.token).await;
    r.assert_error(StatusCode::UNAUTHORIZED, "UNAUTHENTICATED");
    let again = app.login(&user.email, &user.password).await;
    assert_eq!(again.status, StatusCode::OK, "{:?}", again.body);
}

/// A reader that read PostgreSQL before a Redis restart fills nothing after it: the restart
/// lost its lease, and with it the drops the reader's copy may predate (ADR 18).
#[tokio::test]
async fn a_fill_across_a_redis_restart_stores_nothing() {
    let mut redis = processes::redis();
    let url = processes::redis_url(&redis);
    let app = TestApp::spawn_with(|s| s.redis.url = SecretString::from(url)).await;
    let user = app.user().await;
    let team = app.team(&user).await;
    let created = app
        .task(&user, &team, json!({ "title": "read before" }))
        .await;
    let id: TaskId = match created["taskId"].as_str().map(str::parse) {
        Some(Ok(id)) => id,
        other => panic!("task id: {other:?}"),
    };
    app.get(&format!("/api/tasks/{id}"), &user.token).await;
    let cache = app.task_cache();
    let Ok(Lookup::Hit(read)) = cache.get(id).await else {
        panic!("the read filled the entry");
    };
    let dropped = cache.forget(&[id]).await;
    assert!(dropped.is_ok(), "{dropped:?}");
    let Ok(Lookup::Miss(Some(token))) = cache.get(id).await else {
        panic!("a miss takes the lease");
    };

    redis.stop();
    redis.start();
    let late = cache.fill(id, &token, &read).await;
    assert!(late.is_ok(), "{late:?}");
    assert!(
        matches!(cache.get(id).await, Ok(Lookup::Miss(Some(_)))),
        "the late fill stored nothing"
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

/// Ends PostgreSQL's backend `pid`, waiting until its process is gone.
async fn end_backend(app: &TestApp, pid: i32) {
    match provisioning::terminate_backend(&app.admin_url, pid).await {
        Ok(true) => {}
        other => panic!("ending backend {pid}: {other:?}"),
    }
}

/// A pool of one connection: each call takes the connection the previous one gave back.
fn one_connection(app: &TestApp) -> PgStore {
    let config = SqlConfig {
        pool_size: 1,
        ..app.settings.database.clone()
    };
    match PgStore::new(&config) {
        Ok(store) => store,
        Err(e) => panic!("postgres: {e:#}"),
    }
}

/// Pooled connections are not checked when taken: one that PostgreSQL ended while it sat in the
/// pool fails the first statement sent on it, which never ran, and the call runs again on a new
/// connection instead of failing.
#[tokio::test]
async fn a_call_on_a_connection_postgres_ended_runs_again_on_a_new_one() {
    let app = TestApp::spawn().await;
    let store = one_connection(&app);
    let ended = store
        .run(async |conn| provisioning::backend_pid(conn).await)
        .await;
    let Ok(ended) = ended else {
        panic!("{ended:?}")
    };
    let calls = AtomicUsize::new(0);
    let pid = store
        .run(async |conn| {
            if calls.fetch_add(1, Ordering::SeqCst) == 0 {
                end_backend(&app, ended).await;
            }
            provisioning::backend_pid(conn).await
        })
        .await;
    assert_eq!(calls.load(Ordering::SeqCst), 2, "ran once more");
    assert!(
        matches!(pid, Ok(p) if p != ended),
        "on a new connection: {pid:?}"
    );
}

/// A connection lost after a statement was answered fails the call, which is not run again:
/// what was answered (a COMMIT, say) may have taken effect.
#[tokio::test]
async fn a_call_that_loses_its_connection_after_an_answer_is_not_run_again() {
    let app = TestApp::spawn().await;
    let store = one_connection(&app);
    let calls = AtomicUsize::new(0);
    let lost = store
        .run(async |conn| {
            calls.fetch_add(1, Ordering::SeqCst);
            let pid = provisioning::backend_pid(conn).await?;
            end_backend(&app, pid).await;
            provisioning::backend_pid(conn).await
        })
        .await;
    assert_eq!(calls.load(Ordering::SeqCst), 1, "ran once");
    assert!(
        matches!(lost, Err(StoreError::Unavailable { .. })),
        "{lost:?}"
    );
    let next = store
        .run(async |conn| provisioning::backend_pid(conn).await)
        .await;
    assert!(next.is_ok(), "the pool replaced the connection: {next:?}");
}
