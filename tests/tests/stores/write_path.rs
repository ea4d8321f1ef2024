//! The write path against the real stores: no poison row, dead letters, per-entity order with
//! team barriers, task pages while MongoDB is down, security effects at once, and a slow
//! MongoDB behind a latency proxy.

use reqwest::StatusCode;
use secrecy::{ExposeSecret, SecretString};
use serde_json::{json, Value};
use std::time::{Duration, Instant};
use taskforge_adapter_sql::{PgOutbox, PgUserRepository};
use taskforge_domain::identity::ports::UserRepository;
use taskforge_domain::ids::{TaskId, TeamId, UserId};
use taskforge_domain::tasks::projection::PutTask;
use taskforge_domain::tasks::{TaskCache, TaskDocuments};
use taskforge_domain::write_path::{
    Actor, Aggregate, AuditAction, AuditDraft, AuditEntityType, Change, EffectKind, Leased, Outbox,
    Outcome, Scope, StoredEffect,
};
use taskforge_tests::proxy::Proxy;
use taskforge_tests::{eventually, processes, TestApp, TestUser};
use uuid::Uuid;

fn uuid_of(v: &Value) -> Uuid {
    v.as_str()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("not a uuid: {v}"))
}

/// Whether MongoDB holds task `id` at `version` (or, with `None`, does not hold it).
async fn in_mongo(app: &TestApp, id: Uuid, version: Option<i64>) -> bool {
    let docs = app.task_documents().await;
    eventually(Duration::from_secs(15), || async {
        match (docs.get(TaskId::from_uuid(id)).await, version) {
            (Ok(Some(d)), Some(v)) => d.version == v,
            (Ok(None), None) => true,
            _ => false,
        }
    })
    .await
}

#[tokio::test]
async fn the_unsigned_64_bit_custom_field_is_refused_and_the_team_keeps_projecting() {
    let app = TestApp::spawn().await;
    let admin = app.user().await;
    let team = app.team(&admin).await;
    // The exact body the review sent: 2^64-1 is no signed 64-bit integer, so no BSON value.
    let poison = r#"{"teamId":"TEAM","title":"poison","customFields":{"n":18446744073709551615}}"#
        .replace("TEAM", &team);
    let request = app
        .client
        .post(app.url("/api/tasks"))
        .bearer_auth(&admin.token)
        .header("content-type", "application/json")
        .body(poison);
    let refused = TestApp::reply(request).await;
    refused.assert_error(StatusCode::BAD_REQUEST, "VALIDATION_FAILED");
    let later = app.task(&admin, &team, json!({ "title": "later" })).await;
    assert!(
        in_mongo(&app, uuid_of(&later["taskId"]), Some(1)).await,
        "a later task of the team reaches MongoDB"
    );
    let pending = PgOutbox::new(app.sql()).pending_count().await;
    assert!(matches!(pending, Ok(0)), "nothing waits: {pending:?}");
}

/// Commits, through the users repository, a change of task `task` in `team` whose document
/// can never be stored (a value the edge would refuse, as if it had slipped through), and
/// leaves its row to the relay as a request past its budget would.
async fn commit_unstorable_row(app: &TestApp, user: &TestUser, team: &str, task: Uuid) -> i64 {
    let (user_id, team_id): (UserId, TeamId) = match (user.id.parse(), team.parse()) {
        (Ok(u), Ok(t)) => (u, t),
        _ => panic!("ids"),
    };
    let audit = AuditDraft {
        entity_type: AuditEntityType::Task,
        entity_id: task,
        action: AuditAction::Update,
        actor: Actor::default(),
        previous_state: None,
        new_state: None,
    };
    let state =
        json!({ "task": { "taskId": task, "teamId": team, "customFields": { "n": u64::MAX } } });
    let effect = StoredEffect {
        kind: PutTask::KIND.into(),
        fields: state.as_object().cloned().unwrap_or_default(),
    };
    let aggregate = Aggregate::entity(Scope::Team(team_id), "task", task);
    let change = Change::new(aggregate, audit, vec![effect]);
    let users = PgUserRepository::new(app.sql());
    let receipt = match users
        .record_login(user_id, chrono::Utc::now(), change)
        .await
    {
        Ok(receipt) => receipt,
        Err(e) => panic!("commit: {e}"),
    };
    let outbox = PgOutbox::new(app.sql());
    for Leased { lease, rows } in &receipt.leased {
        let released: Vec<(i64, Outcome)> =
            rows.iter().map(|r| (r.id, Outcome::Released)).collect();
        if let Err(e) = outbox.settle(lease, &released).await {
            panic!("release: {e}");
        }
    }
    receipt.rows[0]
}

#[tokio::test]
async fn a_row_the_store_refuses_becomes_a_dead_letter_that_blocks_nothing() {
    let app = TestApp::spawn().await;
    let admin = app.user().await;
    let team = app.team(&admin).await;
    let task = app.task(&admin, &team, json!({ "title": "v1" })).await;
    let id = uuid_of(&task["taskId"]);
    let dead = commit_unstorable_row(&app, &admin, &team, id).await;
    let outbox = PgOutbox::new(app.sql());
    let is_dead = || async {
        matches!(outbox.dead_letters(10).await, Ok(l) if l.iter().any(|l| l.id == dead))
    };
    assert!(
        eventually(Duration::from_secs(15), is_dead).await,
        "the relay gives the row up at its first refusal"
    );

    let patched = app
        .patch(
            &format!("/api/tasks/{id}"),
            &admin.token,
            json!({ "title": "v2" }),
        )
        .await;
    assert_eq!(patched.status, StatusCode::OK, "{:?}", patched.body);
    assert!(
        in_mongo(&app, id, Some(2)).await,
        "the task's next version is projected past the dead row"
    );
    let letters = outbox.dead_letters(10).await.unwrap_or_default();
    assert_eq!(letters.iter().map(|l| l.id).collect::<Vec<_>>(), vec![dead]);
    assert!(
        letters[0]
            .last_error
            .as_deref()
            .is_some_and(|e| e.contains("customFields")),
        "the cause is kept: {letters:?}"
    );
    let ready = app.get("/readyz", "").await;
    assert_eq!(
        ready.status,
        StatusCode::OK,
        "a dead letter is not an outage"
    );
    let counted = eventually(Duration::from_secs(15), || async {
        let Ok(metrics) = app.client.get(app.url("/metrics")).send().await else {
            return false;
        };
        let text = metrics.text().await.unwrap_or_default();
        text.lines().any(|l| l == "outbox_dead_letters 1")
    })
    .await;
    assert!(counted, "/metrics counts the dead letter");

    assert!(matches!(outbox.requeue(dead).await, Ok(true)));
    let dead_again = eventually(Duration::from_secs(15), || async {
        matches!(outbox.dead_letters(10).await, Ok(l) if l.len() == 1 && l[0].attempts == 1)
    })
    .await;
    assert!(
        dead_again,
        "a requeued row that still cannot succeed is dead again"
    );
}

#[tokio::test]
async fn a_team_deleted_while_mongodb_is_down_leaves_nothing_behind_when_it_returns() {
    let mut ferret = processes::ferretdb();
    let uri = processes::mongo_uri(&ferret);
    let app = TestApp::spawn_with(|s| s.mongo.uri = SecretString::from(uri)).await;
    let admin = app.user().await;
    let team = app.team(&admin).await;
    let kept_team = app.team(&admin).await;
    ferret.stop();
    let mut ids = Vec::new();
    for i in 0..5 {
        let task = app
            .task(&admin, &team, json!({ "title": format!("doomed {i}") }))
            .await;
        ids.push(uuid_of(&task["taskId"]));
    }
    let kept = app
        .task(&admin, &kept_team, json!({ "title": "kept" }))
        .await;
    let deleted = app
        .delete(&format!("/api/teams/{team}"), &admin.token, None)
        .await;
    assert_eq!(deleted.status, StatusCode::NO_CONTENT, "{:?}", deleted.body);
    ferret.start();
    assert!(in_mongo(&app, uuid_of(&kept["taskId"]), Some(1)).await);
    let drained = eventually(Duration::from_secs(20), || async {
        matches!(PgOutbox::new(app.sql()).pending_count().await, Ok(0))
    })
    .await;
    assert!(drained, "every row applied once MongoDB is back");
    let docs = app.task_documents().await;
    for id in ids {
        assert!(
            matches!(docs.get(TaskId::from_uuid(id)).await, Ok(None)),
            "a task of the deleted team never reappears"
        );
    }
}

#[tokio::test]
async fn week_old_tasks_are_listed_changed_and_read_while_mongodb_is_down() {
    let mut ferret = processes::ferretdb();
    let uri = processes::mongo_uri(&ferret);
    let app = TestApp::spawn_with(|s| s.mongo.uri = SecretString::from(uri)).await;
    let admin = app.user().await;
    let team = app.team(&admin).await;
    let fields = json!({ "title": "old", "description": "kept in PostgreSQL",
        "tags": ["ops"], "priority": "high", "customFields": { "points": 3 } });
    let first = app.task(&admin, &team, fields.clone()).await;
    let second = app.task(&admin, &team, fields).await;
    let (a, b) = (uuid_of(&first["taskId"]), uuid_of(&second["taskId"]));
    // A week later: the outbox is pruned and the cache is cold.
    assert!(in_mongo(&app, b, Some(1)).await);
    let pruned = PgOutbox::new(app.sql()).prune(Duration::ZERO).await;
    assert!(matches!(pruned, Ok(n) if n >= 2), "{pruned:?}");
    let forgotten = app
        .task_cache()
        .forget(&[TaskId::from_uuid(a), TaskId::from_uuid(b)])
        .await;
    assert!(forgotten.is_ok(), "{forgotten:?}");
    ferret.stop();

    let list = app
        .get(
            &format!("/api/tasks?teamId={team}&tag=ops&priority=high&q=postgresql&sort=-priority"),
            &admin.token,
        )
        .await;
    assert_eq!(list.status, StatusCode::OK, "{:?}", list.body);
    let items = list.body["items"].as_array().cloned().unwrap_or_default();
    assert_eq!(items.len(), 2, "{:?}", list.body);
    assert_eq!(items[0]["description"], "kept in PostgreSQL");
    assert_eq!(items[0]["customFields"], json!({ "points": 3 }));

    let got = app.get(&format!("/api/tasks/{a}"), &admin.token).await;
    assert_eq!(
        (got.status, got.body["customFields"]["points"].clone()),
        (StatusCode::OK, json!(3))
    );
    let patched = app
        .patch(
            &format!("/api/tasks/{a}"),
            &admin.token,
            json!({ "status": "done" }),
        )
        .await;
    assert_eq!(
        (patched.status, patched.body["version"].clone()),
        (StatusCode::OK, json!(2)),
        "{:?}",
        patched.body
    );
    assert_eq!(patched.body["description"], "kept in PostgreSQL");
    let deleted = app
        .delete(&format!("/api/tasks/{b}"), &admin.token, None)
        .await;
    assert_eq!(deleted.status, StatusCode::NO_CONTENT, "{:?}", deleted.body);

    ferret.start();
    assert!(in_mongo(&app, a, Some(2)).await, "MongoDB catches up");
    assert!(in_mongo(&app, b, None).await);
}

#[tokio::test]
async fn a_password_change_ends_other_sessions_at_once_while_mongodb_is_down() {
    let mut ferret = processes::ferretdb();
    let uri = processes::mongo_uri(&ferret);
    let app = TestApp::spawn_with(|s| s.mongo.uri = SecretString::from(uri)).await;
    let user = app.user().await;
    let stolen = app.another_session(&user).await;
    // Leave the user's profile aggregate with a pending row, as an outage would.
    ferret.stop();
    let patched = app
        .patch(
            "/api/users/me",
            &user.token,
            json!({ "bio": "during the outage" }),
        )
        .await;
    assert_eq!(patched.status, StatusCode::OK);
    let changed = app
        .post(
            "/api/users/me/password",
            &user.token,
            Some(json!({ "currentPassword": user.password, "newPassword": "a brand new secret" })),
        )
        .await;
    assert!(changed.status.is_success(), "{:?}", changed.body);
    assert_eq!(
        app.get("/api/users/me", &stolen).await.status,
        StatusCode::UNAUTHORIZED,
        "the other session ended before the response"
    );
    assert_eq!(
        app.get("/api/users/me", &user.token).await.status,
        StatusCode::OK,
        "the session that changed it stays"
    );
    ferret.start();
}

/// The shared FerretDB's port, from this app's MongoDB URI.
fn mongo_port(app: &TestApp) -> u16 {
    let uri = app.settings.mongo.uri.expose_secret().to_owned();
    uri.rsplit_once(':')
        .and_then(|(_, rest)| rest.split(['/', '?']).next()?.parse().ok())
        .unwrap_or(27017)
}

/// Creates `n` tasks, eight at a time; returns their ids.
async fn create_tasks(app: &TestApp, user: &TestUser, team: &str, n: usize) -> Vec<Uuid> {
    use futures::StreamExt;
    futures::stream::iter(0..n)
        .map(|i| async move {
            let task = app
                .task(user, team, json!({ "title": format!("backlog {i}") }))
                .await;
            uuid_of(&task["taskId"])
        })
        .buffer_unordered(8)
        .collect()
        .await
}

/// Waits until `count` reaches `target`; gives up only when it stops growing for `stall`.
async fn drains<F, Fut>(target: usize, stall: Duration, mut count: F) -> bool
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = usize>,
{
    let (mut seen, mut grew) = (0, Instant::now());
    loop {
        let now = count().await;
        if now >= target {
            return true;
        }
        if now > seen {
            (seen, grew) = (now, Instant::now());
        } else if grew.elapsed() > stall {
            return false;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// A backlog drains through a MongoDB that adds a delay to every call (the old relay stopped
/// for good at 150 ms), and writes answer while MongoDB holds every call: they never wait for
/// it. Throughput is a figure of `just bench`, not an assertion here.
#[tokio::test]
async fn a_backlog_drains_through_a_slow_mongodb_and_writes_never_wait_for_it() {
    let setting = |name: &str, default: u64| {
        std::env::var(name)
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(default)
    };
    let delay = setting("SLOW_STORE_DELAY_MS", 150);
    let rows = usize::try_from(setting("SLOW_STORE_ROWS", 200)).unwrap_or(200);
    let shared = TestApp::spawn().await;
    let proxy = Proxy::start(mongo_port(&shared)).await;
    let proxied = format!("mongodb://127.0.0.1:{}/?directConnection=true", proxy.port);
    // No store or effect timeout may cut a call short before the test client gives up (30 s):
    // a write that waited for MongoDB would wait for as long as MongoDB holds the call.
    let stall = 35_000;
    let app = TestApp::spawn_with(|s| {
        s.mongo.uri = SecretString::from(proxied);
        s.database.pool_size = 8;
        s.mongo.timeout_ms = stall;
        s.worker.effect_timeout_ms = stall;
        s.worker.lease_ms = stall;
    })
    .await;
    let admin = app.user().await;
    let team = app.team(&admin).await;

    proxy.set_down(true);
    let ids = create_tasks(&app, &admin, &team, rows).await;
    proxy.set_delay(Duration::from_millis(delay));
    proxy.set_down(false);
    let started = Instant::now();
    let docs = app.task_documents().await;
    let drained = drains(ids.len(), Duration::from_secs(30), || async {
        docs.ids().await.map(|found| found.len()).unwrap_or(0)
    })
    .await;
    let took = started.elapsed();
    assert!(drained, "the backlog stopped draining");
    println!(
        "slow store: {rows} rows through {delay} ms per MongoDB call in {:.1} s ({:.0} rows/s)",
        took.as_secs_f64(),
        rows as f64 / took.as_secs_f64()
    );

    // MongoDB now holds every call for 35 s: a create and a patch still answer (the test
    // client gives up after 30 s), and lists show what they committed.
    proxy.set_delay(Duration::from_millis(stall));
    let created = app
        .task(&admin, &team, json!({ "title": "while stalled" }))
        .await;
    let patched = app
        .patch(
            &format!("/api/tasks/{}", uuid_of(&created["taskId"])),
            &admin.token,
            json!({ "title": "patched while stalled" }),
        )
        .await;
    assert_eq!(patched.status, StatusCode::OK);
    let listed = app
        .get(&format!("/api/tasks?teamId={team}&limit=1"), &admin.token)
        .await;
    assert_eq!(listed.body["items"][0]["title"], "patched while stalled");
}

#[tokio::test]
async fn tasks_of_one_team_project_independently_while_one_is_held_back() {
    use taskforge_domain::write_path::{Lease, Pick};
    let app = TestApp::spawn_with(|s| s.worker.embedded = false).await;
    let admin = app.user().await;
    let team = app.team(&admin).await;
    let held = app.task(&admin, &team, json!({ "title": "held" })).await;
    let held_id = uuid_of(&held["taskId"]);
    // A change of the first task that another process is applying, slowly: its row is leased.
    let row = commit_unstorable_row(&app, &admin, &team, held_id).await;
    let outbox = PgOutbox::new(app.sql());
    let slow = Lease {
        owner: Uuid::new_v4(),
        length: Duration::from_secs(600),
    };
    let claimed = outbox.claim(Pick::Rows(&[row]), &slow).await;
    assert!(
        matches!(&claimed, Ok(rows) if rows.len() == 1),
        "{claimed:?}"
    );

    let later = app.task(&admin, &team, json!({ "title": "later" })).await;
    assert!(
        in_mongo(&app, uuid_of(&later["taskId"]), Some(1)).await,
        "a task of the same team does not wait for another task's rows"
    );
    let patched = app
        .patch(
            &format!("/api/tasks/{held_id}"),
            &admin.token,
            json!({ "title": "held v2" }),
        )
        .await;
    assert_eq!(
        patched.status,
        StatusCode::OK,
        "the held task still takes changes"
    );
    let relay = Lease {
        owner: Uuid::new_v4(),
        length: Duration::from_secs(60),
    };
    let taken = outbox.claim(Pick::Due { limit: 100 }, &relay).await;
    assert!(
        matches!(&taken, Ok(rows) if rows.is_empty()),
        "its own later row waits for the held one: order per entity"
    );
}
