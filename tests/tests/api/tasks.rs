//! Tasks over HTTP, checked in every store.

use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use std::collections::BTreeSet;
use std::time::Duration;
use taskforge_adapter_sql::PgIdempotency;
use taskforge_domain::cache::Lookup;
use taskforge_domain::ids::{TaskId, TeamId};
use taskforge_domain::tasks::{
    Task, TaskCache, TaskDocuments, TaskListCache, TaskQuery, TaskState, TaskTitle,
};
use taskforge_domain::write_path::{Claim, IdempotencyKey, IdempotencyStore};
use taskforge_tests::{eventually, Reply, TestApp, TestUser};

fn task_id(task: &Value) -> TaskId {
    match task["taskId"].as_str().unwrap_or_default().parse() {
        Ok(id) => id,
        Err(e) => panic!("taskId of {task}: {e}"),
    }
}

async fn team_of_three(app: &TestApp) -> (TestUser, TestUser, TestUser, String) {
    let (admin, member, guest) = (app.user().await, app.user().await, app.user().await);
    let team = app.team(&admin).await;
    app.add_member(&admin, &team, &member, "member").await;
    app.add_member(&admin, &team, &guest, "guest").await;
    (admin, member, guest, team)
}

#[tokio::test]
async fn a_created_task_is_in_every_store_with_its_defaults() {
    let app = TestApp::spawn().await;
    let (admin, _, _, team) = team_of_three(&app).await;
    let r = app
        .post(
            "/api/tasks",
            &admin.token,
            Some(json!({ "teamId": team, "title": " Ship it " })),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
    let t = &r.body;
    assert_eq!(
        r.header("location"),
        Some(format!("/api/tasks/{}", t["taskId"].as_str().unwrap_or_default()).as_str())
    );
    assert_eq!(r.header("etag"), Some("\"1\""));
    assert_eq!(
        (
            t["title"].as_str(),
            t["status"].as_str(),
            t["priority"].as_str()
        ),
        (Some("Ship it"), Some("todo"), Some("medium"))
    );
    assert_eq!(
        (t["description"].as_str(), t["version"].as_i64()),
        (Some(""), Some(1))
    );
    assert_eq!(
        (
            t["tags"].clone(),
            t["customFields"].clone(),
            t["attachments"].clone()
        ),
        (json!([]), json!({}), json!([]))
    );
    assert_eq!(
        (t["creatorId"].as_str(), t["teamId"].as_str()),
        (Some(admin.id.as_str()), Some(team.as_str()))
    );
    assert!(
        t["assigneeId"].is_null() && t["dueDate"].is_null() && t["metadata"]["created"].is_string()
    );

    let id = task_id(t);
    let docs = app.task_documents().await;
    let projected = eventually(Duration::from_secs(10), || async {
        matches!(docs.get(id).await,
            Ok(Some(d)) if d.version == 1 && d.title.as_str() == "Ship it")
    })
    .await;
    assert!(projected, "the task document is in MongoDB");
    let got = app.get(&format!("/api/tasks/{}", id), &admin.token).await;
    assert_eq!(
        (got.status, got.header("etag")),
        (StatusCode::OK, Some("\"1\""))
    );
    assert_eq!(&got.body, t);
    assert!(
        matches!(
            app.task_cache().get(id).await,
            Ok(Lookup::Hit(c)) if c.version == 1
        ),
        "the read filled task:{{id}}"
    );
}

#[tokio::test]
async fn bad_task_input_is_refused_with_details() {
    let app = TestApp::spawn().await;
    let (admin, member, guest, team) = team_of_three(&app).await;
    let outsider = app.user().await;
    let cases = [
        json!({ "title": "" }),
        json!({ "title": "x".repeat(201) }),
        json!({ "status": "doing" }),
        json!({ "priority": "asap" }),
        json!({ "tags": (0..21).map(|i| i.to_string()).collect::<Vec<_>>() }),
        json!({ "tags": ["x".repeat(51)] }),
        json!({ "customFields": { "a.b": 1 } }),
        json!({ "customFields": { "nested": { "x": 1 } } }),
        json!({ "dueDate": "tomorrow" }),
        json!({ "dueDate": "2026-12-01" }),
        json!({ "owner": "me" }),
        json!({ "assigneeId": outsider.id }),
        json!({ "teamId": "not-a-uuid" }),
    ];
    for extra in cases {
        let mut body = json!({ "teamId": team, "title": "t" });
        if let (Some(b), Value::Object(e)) = (body.as_object_mut(), extra.clone()) {
            b.extend(e);
        }
        let r = app.post("/api/tasks", &admin.token, Some(body)).await;
        r.assert_error(StatusCode::BAD_REQUEST, "VALIDATION_FAILED");
        assert!(
            r.body["error"]["details"]
                .as_array()
                .is_some_and(|d| !d.is_empty()),
            "{extra}"
        );
    }
    let elsewhere = json!({ "teamId": uuid::Uuid::new_v4(), "title": "t" });
    app.post("/api/tasks", &admin.token, Some(elsewhere))
        .await
        .assert_error(StatusCode::NOT_FOUND, "NOT_FOUND");
    let as_guest = json!({ "teamId": team, "title": "t" });
    app.post("/api/tasks", &guest.token, Some(as_guest))
        .await
        .assert_error(StatusCode::FORBIDDEN, "FORBIDDEN");
    let ok = app.task(&member, &team, json!({ "assigneeId": guest.id, "dueDate": "2026-12-01T17:00:00Z", "tags": ["a", "a", "b"] })).await;
    assert_eq!(
        (ok["assigneeId"].as_str(), ok["tags"].clone()),
        (Some(guest.id.as_str()), json!(["a", "b"]))
    );
    assert_eq!(ok["dueDate"], "2026-12-01T17:00:00Z");
    let listed = app
        .get(&format!("/api/tasks?teamId={team}"), &admin.token)
        .await;
    assert_eq!(
        listed.body["items"].as_array().map(Vec::len),
        Some(1),
        "nothing half-written by the refusals"
    );
}

#[tokio::test]
async fn patch_follows_if_match_and_permissions() {
    let app = TestApp::spawn().await;
    let (admin, member, guest, team) = team_of_three(&app).await;
    let task = app
        .task(
            &admin,
            &team,
            json!({ "assigneeId": member.id, "dueDate": "2026-12-01T17:00:00Z" }),
        )
        .await;
    let path = format!("/api/tasks/{}", task["taskId"].as_str().unwrap_or_default());
    let patch = |token: &str, body: Value, etag: Option<&str>| {
        let mut req = app
            .client
            .patch(app.url(&path))
            .bearer_auth(token)
            .json(&body);
        if let Some(tag) = etag {
            req = req.header("If-Match", tag);
        }
        TestApp::reply(req)
    };
    let r = patch(
        &member.token,
        json!({ "title": "Renamed", "status": "in_progress" }),
        Some("\"1\""),
    )
    .await;
    assert_eq!(
        (r.status, r.header("etag")),
        (StatusCode::OK, Some("\"2\"")),
        "{:?}",
        r.body
    );
    assert_eq!(
        (r.body["title"].as_str(), r.body["status"].as_str()),
        (Some("Renamed"), Some("in_progress"))
    );
    patch(&member.token, json!({ "title": "Stale" }), Some("\"1\""))
        .await
        .assert_error(StatusCode::PRECONDITION_FAILED, "PRECONDITION_FAILED");
    let cleared = patch(
        &admin.token,
        json!({ "assigneeId": null, "dueDate": null }),
        Some("\"2\""),
    )
    .await;
    assert_eq!(cleared.status, StatusCode::OK);
    assert!(cleared.body["assigneeId"].is_null() && cleared.body["dueDate"].is_null());
    assert_eq!(cleared.body["title"], "Renamed", "fields not named stay");

    patch(&guest.token, json!({ "title": "guest" }), None)
        .await
        .assert_error(StatusCode::FORBIDDEN, "FORBIDDEN");
    patch(&guest.token, json!({ "assigneeId": guest.id }), None)
        .await
        .assert_error(StatusCode::FORBIDDEN, "FORBIDDEN");
    patch(&admin.token, json!({ "creatorId": guest.id }), None)
        .await
        .assert_error(StatusCode::BAD_REQUEST, "VALIDATION_FAILED");
    for cleared in [
        json!({ "title": null }),
        json!({ "status": null }),
        json!({ "tags": null }),
    ] {
        patch(&admin.token, cleared, None)
            .await
            .assert_error(StatusCode::BAD_REQUEST, "VALIDATION_FAILED");
    }
    patch(&admin.token, json!({ "status": "finished" }), None)
        .await
        .assert_error(StatusCode::BAD_REQUEST, "VALIDATION_FAILED");
    patch(
        &admin.token,
        json!({ "assigneeId": app.user().await.id }),
        None,
    )
    .await
    .assert_error(StatusCode::BAD_REQUEST, "VALIDATION_FAILED");
    patch(&admin.token, json!({ "title": "x" }), Some("soon"))
        .await
        .assert_error(StatusCode::BAD_REQUEST, "VALIDATION_FAILED");
    let now = app.get(&path, &admin.token).await;
    assert_eq!(
        now.header("etag"),
        Some("\"3\""),
        "refused patches changed nothing"
    );

    // Assigning needs task.assign only: a member with it but without task.update may assign.
    let put = format!("/api/teams/{team}/permissions/member");
    app.call(
        Method::PUT,
        &put,
        Some(&admin.token),
        Some(json!({ "permissions": ["task.read", "task.assign"] })),
    )
    .await;
    assert_eq!(
        patch(&member.token, json!({ "assigneeId": member.id }), None)
            .await
            .status,
        StatusCode::OK
    );
    patch(&member.token, json!({ "status": "done" }), None)
        .await
        .assert_error(StatusCode::FORBIDDEN, "FORBIDDEN");
}

/// Sixteen writers at once, each sending its PATCHes one after the other. Without If-Match every
/// PATCH waits its turn on the task and is applied on the version it finds, however many commit
/// before it (retries on a stale version gave up with 409 here); with the same If-Match only the
/// first is applied and the others answer 412.
#[tokio::test]
async fn concurrent_patches_without_if_match_are_serialized() {
    const WRITERS: i64 = 16;
    const ROUNDS: i64 = 4;
    let app = TestApp::spawn().await;
    let (admin, _, _, team) = team_of_three(&app).await;
    let task = app.task(&admin, &team, json!({})).await;
    let path = format!("/api/tasks/{}", task["taskId"].as_str().unwrap_or_default());
    let writers = (0..WRITERS).map(|writer| {
        let (app, path, token) = (&app, &path, &admin.token);
        async move {
            let mut versions = Vec::new();
            for round in 0..ROUNDS {
                let title = format!("writer {writer} round {round}");
                let r = app.patch(path, token, json!({ "title": title })).await;
                assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
                assert_eq!(r.body["title"], title);
                versions.push(r.body["version"].as_i64().unwrap_or_default());
            }
            versions
        }
    });
    let versions: BTreeSet<i64> = futures::future::join_all(writers)
        .await
        .into_iter()
        .flatten()
        .collect();
    let patches = WRITERS * ROUNDS;
    assert_eq!(
        versions,
        (2..=1 + patches).collect(),
        "every patch applied once, on its own version"
    );
    let last = app.get(&path, &admin.token).await;
    assert_eq!(last.body["version"], 1 + patches);
    let activity = app
        .get(&format!("{path}/activity?limit=100"), &admin.token)
        .await;
    let updates = activity.body["items"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|e| e["action"] == "update")
        .count();
    assert_eq!(updates as i64, patches, "one audit row each");

    let etag = format!("\"{}\"", 1 + patches);
    let guarded = (0..WRITERS).map(|writer| {
        let req = app
            .client
            .patch(app.url(&path))
            .bearer_auth(&admin.token)
            .header("If-Match", &etag)
            .json(&json!({ "title": format!("guarded {writer}") }));
        TestApp::reply(req)
    });
    let replies = futures::future::join_all(guarded).await;
    let applied = replies
        .iter()
        .filter(|r| r.status == StatusCode::OK)
        .count();
    assert_eq!(applied, 1, "one PATCH matches the version it names");
    for refused in replies.iter().filter(|r| r.status != StatusCode::OK) {
        refused.assert_error(StatusCode::PRECONDITION_FAILED, "PRECONDITION_FAILED");
    }
    let last = app.get(&path, &admin.token).await;
    assert_eq!(last.body["version"], 2 + patches);
}

#[tokio::test]
async fn delete_needs_task_delete_and_removes_the_task_everywhere() {
    let app = TestApp::spawn().await;
    let (admin, member, _, team) = team_of_three(&app).await;
    let task = app.task(&member, &team, json!({})).await;
    let id = task_id(&task);
    let path = format!("/api/tasks/{id}");
    app.get(&path, &member.token).await;
    app.delete(&path, &member.token, None)
        .await
        .assert_error(StatusCode::FORBIDDEN, "FORBIDDEN");
    assert_eq!(
        app.delete(&path, &admin.token, None).await.status,
        StatusCode::NO_CONTENT
    );
    app.get(&path, &admin.token)
        .await
        .assert_error(StatusCode::NOT_FOUND, "NOT_FOUND");
    app.delete(&path, &admin.token, None)
        .await
        .assert_error(StatusCode::NOT_FOUND, "NOT_FOUND");
    let (docs, cache) = (app.task_documents().await, app.task_cache());
    let gone = eventually(Duration::from_secs(10), || async {
        matches!(docs.get(id).await, Ok(None))
    })
    .await;
    assert!(gone, "document gone");
    assert!(
        matches!(cache.get(id).await, Ok(Lookup::Miss(_))),
        "the deletion dropped the cache entry"
    );
}

#[tokio::test]
async fn the_activity_pages_every_change_newest_first() {
    let app = TestApp::spawn().await;
    let (admin, member, _, team) = team_of_three(&app).await;
    let task = app.task(&admin, &team, json!({})).await;
    let path = format!("/api/tasks/{}", task["taskId"].as_str().unwrap_or_default());
    app.patch(&path, &admin.token, json!({ "assigneeId": member.id }))
        .await;
    app.patch(&path, &admin.token, json!({ "status": "done" }))
        .await;
    app.patch(&path, &admin.token, json!({ "description": "more" }))
        .await;
    let page = app
        .get(&format!("{path}/activity?limit=2"), &member.token)
        .await;
    assert_eq!(page.status, StatusCode::OK);
    let actions = |r: &taskforge_tests::Reply| -> Vec<String> {
        r.body["items"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|e| e["action"].as_str().unwrap_or_default().to_owned())
            .collect()
    };
    assert_eq!(actions(&page), ["update", "status_change"]);
    let first = &page.body["items"][1];
    assert_eq!(
        (
            first["previousState"]["status"].as_str(),
            first["newState"]["status"].as_str()
        ),
        (Some("todo"), Some("done"))
    );
    assert_eq!(
        (first["entityType"].as_str(), first["actorId"].as_str()),
        (Some("task"), Some(admin.id.as_str()))
    );
    let cursor = page.body["nextCursor"].as_str().unwrap_or_default();
    let rest = app
        .get(
            &format!("{path}/activity?limit=2&cursor={cursor}"),
            &member.token,
        )
        .await;
    assert_eq!(actions(&rest), ["assign", "create"]);
    assert!(rest.body["nextCursor"].is_null());
    assert_eq!(
        (&first["ip"], &first["userAgent"]),
        (&Value::Null, &Value::Null),
        "a member without audit.read does not see where teammates connect from"
    );
    let as_admin = app.get(&format!("{path}/activity"), &admin.token).await;
    assert_eq!(
        as_admin.body["items"][0]["userAgent"].as_str(),
        Some("taskforge-tests"),
        "an admin does"
    );
    app.get(&format!("{path}/activity?limit=0"), &member.token)
        .await
        .assert_error(StatusCode::BAD_REQUEST, "VALIDATION_FAILED");
}

#[tokio::test]
async fn the_list_filters_sorts_and_pages_over_the_callers_teams_only() {
    let app = TestApp::spawn().await;
    let (admin, member, _, team) = team_of_three(&app).await;
    let other_team = app.team(&admin).await;
    let stranger = app.user().await;
    let strangers_team = app.team(&stranger).await;
    app.task(&stranger, &strangers_team, json!({ "title": "not yours" }))
        .await;
    let specs = [
        json!({ "title": "Parser work", "priority": "high", "tags": ["rust", "parser"], "assigneeId": member.id, "dueDate": "2026-12-03T00:00:00Z" }),
        json!({ "title": "Docs", "description": "explain the parser", "priority": "low", "status": "done", "dueDate": "2026-12-01T00:00:00Z" }),
        json!({ "title": "Release", "priority": "urgent", "tags": ["rust"], "status": "in_review" }),
    ];
    let mut ids = Vec::new();
    for spec in specs {
        ids.push(
            app.task(&admin, &team, spec).await["taskId"]
                .as_str()
                .unwrap_or_default()
                .to_owned(),
        );
    }
    ids.push(
        app.task(&admin, &other_team, json!({ "title": "Elsewhere" }))
            .await["taskId"]
            .as_str()
            .unwrap_or_default()
            .to_owned(),
    );
    let list = |query: &str, token: &str| {
        let path = format!("/api/tasks?{query}");
        let token = token.to_owned();
        let app = &app;
        async move {
            let r = app.get(&path, &token).await;
            assert_eq!(r.status, StatusCode::OK, "{path}: {:?}", r.body);
            r.body["items"]
                .as_array()
                .into_iter()
                .flatten()
                .map(|t| t["taskId"].as_str().unwrap_or_default().to_owned())
                .collect::<Vec<_>>()
        }
    };
    let of = |which: &[usize]| which.iter().map(|&i| ids[i].clone()).collect::<Vec<_>>();
    assert_eq!(
        list("", &admin.token).await,
        of(&[3, 2, 1, 0]),
        "newest first, never a stranger's"
    );
    assert_eq!(
        list(&format!("teamId={team}"), &admin.token).await,
        of(&[2, 1, 0])
    );
    assert_eq!(
        list("status=done&status=in_review", &admin.token).await,
        of(&[2, 1])
    );
    assert_eq!(
        list("priority=high&priority=urgent", &admin.token).await,
        of(&[2, 0])
    );
    assert_eq!(list("tag=rust&tag=parser", &admin.token).await, of(&[0]));
    assert_eq!(list("assigneeId=me", &member.token).await, of(&[0]));
    assert_eq!(
        list(&format!("assigneeId={}", member.id), &admin.token).await,
        of(&[0])
    );
    assert_eq!(
        list("dueBefore=2026-12-02T00:00:00Z", &admin.token).await,
        of(&[1])
    );
    assert_eq!(
        list("dueAfter=2026-12-02T00:00:00Z", &admin.token).await,
        of(&[0])
    );
    assert_eq!(
        list("q=parser", &admin.token).await,
        of(&[1, 0]),
        "title, description and tags"
    );
    assert_eq!(
        list("sort=due", &admin.token).await,
        of(&[1, 0, 2, 3]),
        "no due date last, ties by id"
    );
    assert_eq!(list("sort=-priority", &admin.token).await[0], ids[2]);
    assert_eq!(list("sort=created", &admin.token).await, of(&[0, 1, 2, 3]));
    assert_eq!(
        list("", &member.token).await,
        of(&[2, 1, 0]),
        "a member sees their team only"
    );

    let mut seen = Vec::new();
    let mut cursor: Option<String> = None;
    for _ in 0..10 {
        let query = cursor
            .as_ref()
            .map_or("limit=1".to_owned(), |c| format!("limit=1&cursor={c}"));
        let r = app.get(&format!("/api/tasks?{query}"), &admin.token).await;
        seen.extend(
            r.body["items"]
                .as_array()
                .into_iter()
                .flatten()
                .map(|t| t["taskId"].as_str().unwrap_or_default().to_owned()),
        );
        cursor = r.body["nextCursor"].as_str().map(str::to_owned);
        if cursor.is_none() {
            break;
        }
    }
    assert_eq!(seen, of(&[3, 2, 1, 0]), "pages of one walk the list once");
    let first = app.get("/api/tasks?limit=1", &admin.token).await;
    let newest = first.body["nextCursor"].as_str().unwrap_or_default();
    app.get(
        &format!("/api/tasks?sort=priority&cursor={newest}"),
        &admin.token,
    )
    .await
    .assert_error(StatusCode::BAD_REQUEST, "VALIDATION_FAILED");
    for bad in [
        "limit=0",
        "limit=101",
        "limit=x",
        "cursor=zz",
        "status=nope",
        "sort=name",
        "dueBefore=soon",
        "teamId=1",
        "colour=red",
        "q=",
    ] {
        app.get(&format!("/api/tasks?{bad}"), &admin.token)
            .await
            .assert_error(StatusCode::BAD_REQUEST, "VALIDATION_FAILED");
    }
}

#[tokio::test]
async fn an_idempotency_key_makes_a_create_happen_once() {
    let app = TestApp::spawn().await;
    let (admin, _, _, team) = team_of_three(&app).await;
    let send = |key: &str, title: &str| {
        let req = app
            .client
            .post(app.url("/api/tasks"))
            .bearer_auth(&admin.token)
            .header("Idempotency-Key", key)
            .json(&json!({ "teamId": team, "title": title }));
        TestApp::reply(req)
    };
    let first = send("k-1", "Once").await;
    assert_eq!(first.status, StatusCode::CREATED);
    let again = send("k-1", "Once").await;
    assert_eq!(
        (again.status, &again.body),
        (StatusCode::CREATED, &first.body),
        "the same answer"
    );
    assert_eq!(again.header("location"), first.header("location"));
    send("k-1", "Twice?")
        .await
        .assert_error(StatusCode::UNPROCESSABLE_ENTITY, "IDEMPOTENCY_KEY_REUSED");
    let failed = send("k-2", "").await;
    assert_eq!(failed.status, StatusCode::BAD_REQUEST);
    assert_eq!(
        send("k-2", "Fixed").await.status,
        StatusCode::CREATED,
        "a failed request does not burn its key"
    );
    let listed = app
        .get(&format!("/api/tasks?teamId={team}"), &admin.token)
        .await;
    assert_eq!(
        listed.body["items"].as_array().map(Vec::len),
        Some(2),
        "one task per key"
    );
    send(&"k".repeat(256), "x")
        .await
        .assert_error(StatusCode::BAD_REQUEST, "VALIDATION_FAILED");

    // A first request still running holds its key: a repeat meanwhile is a conflict.
    let body = json!({ "teamId": team, "title": "Slow" });
    let user: taskforge_domain::ids::UserId = admin.id.parse().unwrap_or_default();
    let held = match IdempotencyKey::new(user, "k-3", &body) {
        Ok(k) => k,
        Err(e) => panic!("{e:?}"),
    };
    let claim = PgIdempotency::new(app.sql()).claim(&held).await;
    assert!(matches!(claim, Ok(Claim::Fresh)), "{claim:?}");
    send("k-3", "Slow")
        .await
        .assert_error(StatusCode::CONFLICT, "CONFLICT");
}

#[tokio::test]
async fn deleting_a_team_removes_its_tasks_from_every_store() {
    let app = TestApp::spawn().await;
    let (admin, _, _, team) = team_of_three(&app).await;
    let ids: Vec<TaskId> =
        futures::future::join_all((0..3).map(|_| app.task(&admin, &team, json!({}))))
            .await
            .iter()
            .map(task_id)
            .collect();
    let cache = app.task_cache();
    for id in &ids {
        app.get(&format!("/api/tasks/{id}"), &admin.token).await;
        assert!(
            matches!(cache.get(*id).await, Ok(Lookup::Hit(_))),
            "the read cached {id}"
        );
    }
    assert_eq!(
        app.delete(&format!("/api/teams/{team}"), &admin.token, None)
            .await
            .status,
        StatusCode::NO_CONTENT
    );
    let documents = app.task_documents().await;
    for id in ids {
        app.get(&format!("/api/tasks/{id}"), &admin.token)
            .await
            .assert_error(StatusCode::NOT_FOUND, "NOT_FOUND");
        let gone = eventually(Duration::from_secs(10), || async {
            matches!(documents.get(id).await, Ok(None))
                && matches!(cache.get(id).await, Ok(Lookup::Miss(_)))
        })
        .await;
        assert!(gone, "document and cache entry of {id} gone");
    }
    assert_eq!(
        app.get("/api/tasks", &admin.token).await.body["items"],
        json!([])
    );
}

/// Task, comment and audit routes as admin, member, guest and outsider of the task's team (the
/// comment is the team owner's).
#[tokio::test]
async fn role_matrix_of_task_routes() {
    let app = TestApp::spawn().await;
    type Case = (Method, &'static str, Option<Value>, [u16; 4]);
    let cases: [Case; 14] = [
        (Method::GET, "/api/tasks/{task}", None, [200, 200, 200, 404]),
        (
            Method::PATCH,
            "/api/tasks/{task}",
            Some(json!({ "title": "new" })),
            [200, 200, 403, 404],
        ),
        (
            Method::PATCH,
            "/api/tasks/{task}",
            Some(json!({ "status": "done" })),
            [200, 200, 403, 404],
        ),
        (
            Method::PATCH,
            "/api/tasks/{task}",
            Some(json!({ "assigneeId": null })),
            [200, 200, 403, 404],
        ),
        (
            Method::DELETE,
            "/api/tasks/{task}",
            None,
            [204, 403, 403, 404],
        ),
        (
            Method::GET,
            "/api/tasks/{task}/activity",
            None,
            [200, 200, 200, 404],
        ),
        (
            Method::POST,
            "/api/tasks",
            Some(json!({ "teamId": "{team}", "title": "t" })),
            [201, 201, 403, 404],
        ),
        (
            Method::GET,
            "/api/tasks?teamId={team}",
            None,
            [200, 200, 200, 200],
        ),
        (
            Method::GET,
            "/api/tasks/{task}/comments",
            None,
            [200, 200, 200, 404],
        ),
        (
            Method::POST,
            "/api/tasks/{task}/comments",
            Some(json!({ "content": "hello" })),
            [201, 201, 201, 404],
        ),
        (
            Method::PATCH,
            "/api/comments/{comment}",
            Some(json!({ "content": "not mine" })),
            [403, 403, 403, 404],
        ),
        (
            Method::DELETE,
            "/api/comments/{comment}",
            None,
            [204, 403, 403, 404],
        ),
        (
            Method::GET,
            "/api/teams/{team}/audit",
            None,
            [200, 403, 403, 404],
        ),
        (
            Method::GET,
            "/api/teams/{team}/audit/verify",
            None,
            [200, 403, 403, 404],
        ),
    ];
    for (method, path, body, expected) in &cases {
        for (role, want) in ["admin", "member", "guest", "outsider"]
            .iter()
            .zip(expected)
        {
            let owner = app.user().await;
            let team = app.team(&owner).await;
            let caller = app.user().await;
            if *role != "outsider" {
                app.add_member(&owner, &team, &caller, role).await;
            }
            let task = app.task(&owner, &team, json!({})).await;
            let task = task["taskId"].as_str().unwrap_or_default().to_owned();
            let comment = app
                .post(
                    &format!("/api/tasks/{task}/comments"),
                    &owner.token,
                    Some(json!({ "content": "the owner's" })),
                )
                .await;
            let comment = comment.body["commentId"]
                .as_str()
                .unwrap_or_default()
                .to_owned();
            let fill = |s: &str| {
                s.replace("{team}", &team)
                    .replace("{task}", &task)
                    .replace("{comment}", &comment)
            };
            let body = body
                .as_ref()
                .map(|b| serde_json::from_str(&fill(&b.to_string())).unwrap_or(Value::Null));
            let r = app
                .call(method.clone(), &fill(path), Some(&caller.token), body)
                .await;
            assert_eq!(
                r.status.as_u16(),
                *want,
                "{method} {path} as {role}: {:?}",
                r.body
            );
            if method == Method::GET && path.starts_with("/api/tasks?") {
                let visible = if *role == "outsider" { 0 } else { 1 };
                assert_eq!(
                    r.body["items"].as_array().map(Vec::len),
                    Some(visible),
                    "list as {role}"
                );
            }
        }
    }
}

#[tokio::test]
async fn a_member_who_leaves_is_unassigned_and_a_departed_assignee_blocks_no_edit() {
    let app = TestApp::spawn().await;
    let (admin, leaver, gone) = (app.user().await, app.user().await, app.user().await);
    let team = app.team(&admin).await;
    app.add_member(&admin, &team, &leaver, "member").await;
    app.add_member(&admin, &team, &gone, "member").await;
    let mut mine = Vec::new();
    for title in ["leaver's", "also leaver's"] {
        let task = app
            .task(
                &admin,
                &team,
                json!({ "title": title, "assigneeId": leaver.id }),
            )
            .await;
        mine.push(task_id(&task));
    }
    let orphan = app
        .task(
            &admin,
            &team,
            json!({ "title": "gone's", "assigneeId": gone.id }),
        )
        .await;

    let left = app
        .delete(
            &format!("/api/teams/{team}/members/{}", leaver.id),
            &leaver.token,
            None,
        )
        .await;
    assert_eq!(left.status, StatusCode::NO_CONTENT, "{:?}", left.body);
    for id in &mine {
        let path = format!("/api/tasks/{id}");
        let after = app.get(&path, &admin.token).await;
        assert_eq!(
            (
                after.body["assigneeId"].clone(),
                after.body["version"].clone()
            ),
            (Value::Null, json!(2)),
            "leaving the team unassigns every task through the write path"
        );
        let activity = app.get(&format!("{path}/activity"), &admin.token).await;
        assert_eq!(activity.body["items"][0]["action"], "assign");
    }

    // A deleted account leaves its tasks assigned to an id that is no member any more.
    let deleted = app
        .delete(
            "/api/users/me",
            &gone.token,
            Some(json!({ "password": gone.password })),
        )
        .await;
    assert_eq!(deleted.status, StatusCode::NO_CONTENT);
    let path = format!("/api/tasks/{}", task_id(&orphan));
    let edited = app
        .patch(&path, &admin.token, json!({ "title": "x" }))
        .await;
    assert_eq!(edited.status, StatusCode::OK, "{:?}", edited.body);
    assert_eq!(edited.body["assigneeId"], json!(gone.id));
    let other = format!("/api/tasks/{}", mine[0]);
    app.patch(&other, &admin.token, json!({ "assigneeId": gone.id }))
        .await
        .assert_error(StatusCode::BAD_REQUEST, "VALIDATION_FAILED");
}

/// A task read takes the cache first (an entry there is what it answers), and a cache hit
/// never skips the caller's membership.
#[tokio::test]
async fn a_read_takes_the_cache_first_and_still_checks_membership() {
    let app = TestApp::spawn().await;
    let (admin, member, _, team) = team_of_three(&app).await;
    let outsider = app.user().await;
    let created = app
        .task(&admin, &team, json!({ "title": "in PostgreSQL" }))
        .await;
    let id = task_id(&created);
    let path = format!("/api/tasks/{id}");
    app.get(&path, &admin.token).await;
    let Ok(Lookup::Hit(mut cached)) = app.task_cache().get(id).await else {
        panic!("the read filled the cache entry");
    };
    cached.version = 2;
    cached.title = taskforge_domain::tasks::TaskTitle::from_stored("from the cache".into());
    app.plant_cached_task(&cached).await;
    let read = app.get(&path, &member.token).await;
    assert_eq!(
        (read.status, read.body["title"].as_str()),
        (StatusCode::OK, Some("from the cache"))
    );
    app.get(&path, &outsider.token)
        .await
        .assert_error(StatusCode::NOT_FOUND, "NOT_FOUND");
    let removed = app
        .delete(
            &format!("/api/teams/{team}/members/{}", member.id),
            &admin.token,
            None,
        )
        .await;
    assert_eq!(removed.status, StatusCode::NO_CONTENT, "{:?}", removed.body);
    app.get(&path, &member.token)
        .await
        .assert_error(StatusCode::NOT_FOUND, "NOT_FOUND");
}

/// A page of a team's list comes from the list cache once a read filled it; the team check
/// still comes first, and a change of any task of the team drops the page before it answers.
#[tokio::test]
async fn a_team_list_page_is_cached_until_a_task_of_the_team_changes() {
    let app = TestApp::spawn().await;
    let (admin, member, _, team) = team_of_three(&app).await;
    let outsider = app.user().await;
    app.task(&admin, &team, json!({ "title": "first" })).await;
    let path = format!("/api/tasks?teamId={team}&limit=20");
    app.get(&path, &admin.token).await;

    let team_id: TeamId = match team.parse() {
        Ok(id) => id,
        Err(e) => panic!("team id: {e}"),
    };
    let query = TaskQuery {
        team: Some(team_id),
        limit: 20,
        ..TaskQuery::default()
    };
    let lists = app.task_lists();
    let Ok(Lookup::Hit(mut page)) = lists.get(team_id, &query.fingerprint()).await else {
        panic!("the read filled the page");
    };
    let mut forged = Task::from(page.tasks[0].clone());
    forged.title = TaskTitle::from_stored("from the cache".into());
    page.tasks[0] = TaskState::from(&forged);
    let planted = async {
        lists.forget(team_id).await?;
        match lists.get(team_id, &query.fingerprint()).await? {
            Lookup::Miss(Some(slot)) => lists.fill(&slot, &page).await,
            other => panic!("a miss after the drop: {other:?}"),
        }
    };
    if let Err(e) = planted.await {
        panic!("plant: {e}");
    }
    let titles = |reply: Reply| -> Vec<String> {
        let items = reply.body["items"].as_array().cloned().unwrap_or_default();
        items
            .iter()
            .filter_map(|t| t["title"].as_str().map(str::to_owned))
            .collect()
    };
    assert_eq!(
        titles(app.get(&path, &member.token).await),
        vec!["from the cache"]
    );
    assert!(
        titles(app.get(&path, &outsider.token).await).is_empty(),
        "outsiders see nothing of the team, cached or not"
    );

    app.task(&admin, &team, json!({ "title": "second" })).await;
    assert_eq!(
        titles(app.get(&path, &member.token).await),
        vec!["second", "first"],
        "the create dropped the team's pages"
    );
}

/// With `cache.enabled = false`, reads and writes work from PostgreSQL and nothing is cached.
#[tokio::test]
async fn with_the_cache_off_nothing_is_cached() {
    let app = TestApp::spawn_with(|s| s.cache.enabled = false).await;
    let admin = app.user().await;
    let team = app.team(&admin).await;
    let created = app
        .task(&admin, &team, json!({ "title": "uncached" }))
        .await;
    let id = task_id(&created);
    let read = app.get(&format!("/api/tasks/{id}"), &admin.token).await;
    assert_eq!(read.body, created);
    let redis = match taskforge_adapter_redis::RedisStore::new(&app.settings.redis) {
        Ok(store) => store,
        Err(e) => panic!("redis: {e}"),
    };
    let times = taskforge_adapter_redis::CacheTimes {
        ttl: Duration::from_secs(60),
        lease: Duration::from_secs(1),
    };
    let looking = taskforge_adapter_redis::RedisTaskCache::new(redis, Some(times));
    assert!(
        matches!(looking.get(id).await, Ok(Lookup::Miss(Some(_)))),
        "no task:{{id}} key, and no lease taken"
    );
}
