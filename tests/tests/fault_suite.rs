//! The fault suite: 1,000 mixed task writes (and reads that fill the cache) from concurrent
//! clients while FerretDB and Redis are stopped and restarted at random moments, then the checks
//! that nothing acknowledged was lost, nothing refused became visible, and the three stores agree.
//! Plus the outbox's own hazards: commits out of id order, double delivery, and a relay killed
//! mid-batch.

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use reqwest::StatusCode;
use secrecy::SecretString;
use serde_json::{json, Value};
use std::collections::{BTreeMap, BTreeSet};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};
use taskforge_adapter_redis::RedisUnreadCounter;
use taskforge_adapter_sql::PgAuditLog;
use taskforge_adapter_sql::{PgOutbox, PgTaskRepository};
use taskforge_domain::attachments::AttachmentBytes;
use taskforge_domain::audit::{AuditFilter, AuditLog};
use taskforge_domain::cache::Lookup;
use taskforge_domain::comments::CommentDocuments;
use taskforge_domain::ids::{TaskId, UserId};
use taskforge_domain::notifications::{NotificationCursor, NotificationStore, UnreadCounter};
use taskforge_domain::tasks::{TaskCache, TaskDocuments, TaskRepository};
use taskforge_domain::write_path::{AuditEntityType, Outbox, Scope};
use taskforge_tests::processes::{self, Private};
use taskforge_tests::{eventually, TestApp, TestUser};

const CLIENTS: usize = 4;
const OPS_PER_CLIENT: usize = 250;
const STATUSES: [&str; 5] = ["backlog", "todo", "in_progress", "in_review", "done"];

/// What a client knows of one of its tasks: the state of its last acknowledged write, and
/// whether a later write ended without an answer (then either state may be the true one).
#[derive(Debug, Clone)]
struct Known {
    title: String,
    status: String,
    assignee: Option<String>,
    version: i64,
    deleted: bool,
    uncertain: bool,
}

#[derive(Debug, Default)]
struct Tally {
    acknowledged: usize,
    refused: usize,
    indeterminate: usize,
    /// Titles of creates that got no answer: they may or may not exist.
    maybe_created: BTreeSet<String>,
    tasks: BTreeMap<String, Known>,
    /// Acknowledged comments: id → (task id, content).
    comments: BTreeMap<String, (String, String)>,
    /// Acknowledged uploads: id → (task id, detached, a detach went unanswered).
    attachments: BTreeMap<String, (String, bool, bool)>,
}

/// A multipart upload of one small file.
fn upload(app: &TestApp, task: &str, content: &str) -> reqwest::RequestBuilder {
    let boundary = "fault-suite-boundary";
    let body = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"f.txt\"\r\n\
         Content-Type: text/plain\r\n\r\n{content}\r\n--{boundary}--\r\n"
    );
    app.client
        .post(app.url(&format!("/api/tasks/{task}/attachments")))
        .header(
            "content-type",
            format!("multipart/form-data; boundary={boundary}"),
        )
        .body(body)
}

enum Answer {
    Done(Value),
    Refused(StatusCode),
    Unknown,
}

/// One write with a deadline: a timeout or a broken connection is indeterminate.
async fn send(req: reqwest::RequestBuilder) -> Answer {
    match req.timeout(Duration::from_secs(5)).send().await {
        Ok(res) if res.status().is_success() => {
            let bytes = res.bytes().await.unwrap_or_default();
            Answer::Done(serde_json::from_slice(&bytes).unwrap_or(Value::Null))
        }
        Ok(res) => Answer::Refused(res.status()),
        Err(_) => Answer::Unknown,
    }
}

/// Logs in again after Redis lost the sessions (retrying while Redis is down).
async fn relogin(app: &TestApp, user: &mut TestUser) {
    for _ in 0..200 {
        let r = app.login(&user.email, &user.password).await;
        if r.status == StatusCode::OK {
            user.token = r.body["token"].as_str().unwrap_or_default().to_owned();
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("could not log in again");
}

async fn client(
    app: Arc<TestApp>,
    mut user: TestUser,
    team: String,
    seed: u64,
    n: usize,
) -> (Tally, TestUser) {
    let mut rng = StdRng::seed_from_u64(seed);
    let mut tally = Tally::default();
    let mut made = 0;
    for _ in 0..OPS_PER_CLIENT {
        let live: Vec<String> = tally
            .tasks
            .iter()
            .filter(|(_, k)| !k.deleted)
            .map(|(id, _)| id.clone())
            .collect();
        let roll = rng.random_range(0..100);
        let target = (!live.is_empty()).then(|| live[rng.random_range(0..live.len())].clone());
        let attached: Vec<String> = tally
            .attachments
            .iter()
            .filter(|(_, (task, gone, _))| !gone && live.contains(task))
            .map(|(id, _)| id.clone())
            .collect();
        let detach =
            (!attached.is_empty()).then(|| attached[rng.random_range(0..attached.len())].clone());
        let (request, op): (reqwest::RequestBuilder, &str) = match (&target, roll) {
            (None, _) | (_, 0..30) => {
                made += 1;
                let body = json!({ "teamId": team, "title": format!("c{n}-t{made}") });
                (app.client.post(app.url("/api/tasks")).json(&body), "create")
            }
            (Some(id), 30..55) => {
                let title = format!("c{n}-t{made}-u{}", rng.random_range(0..1_000_000));
                (
                    app.client
                        .patch(app.url(&format!("/api/tasks/{id}")))
                        .json(&json!({ "title": title })),
                    "update",
                )
            }
            (Some(id), 55..70) => {
                let assignee = if rng.random_bool(0.5) {
                    json!(user.id)
                } else {
                    Value::Null
                };
                (
                    app.client
                        .patch(app.url(&format!("/api/tasks/{id}")))
                        .json(&json!({ "assigneeId": assignee })),
                    "assign",
                )
            }
            (Some(id), 70..85) => {
                let status = STATUSES[rng.random_range(0..STATUSES.len())];
                (
                    app.client
                        .patch(app.url(&format!("/api/tasks/{id}")))
                        .json(&json!({ "status": status })),
                    "status",
                )
            }
            (Some(id), 85..88) => (upload(&app, id, &format!("c{n} file")), "upload"),
            (Some(_), 93..96) if detach.is_some() => {
                let file = detach.clone().unwrap_or_default();
                (
                    app.client
                        .delete(app.url(&format!("/api/attachments/{file}"))),
                    "detach",
                )
            }
            (Some(id), 88..93) => {
                let content = format!("c{n} says {}", rng.random_range(0..1_000_000));
                (
                    app.client
                        .post(app.url(&format!("/api/tasks/{id}/comments")))
                        .json(&json!({ "content": content })),
                    "comment",
                )
            }
            (Some(id), _) => (
                app.client.delete(app.url(&format!("/api/tasks/{id}"))),
                "delete",
            ),
        };
        // While a store is down the write is refused (503; 401 once Redis lost the sessions):
        // the client waits a moment and sends it again, as a real client would.
        let mut answer = Answer::Refused(StatusCode::SERVICE_UNAVAILABLE);
        for _ in 0..400 {
            let Some(attempt) = request.try_clone() else {
                break;
            };
            answer = send(attempt.bearer_auth(&user.token)).await;
            match answer {
                Answer::Refused(StatusCode::UNAUTHORIZED) => relogin(&app, &mut user).await,
                Answer::Refused(StatusCode::SERVICE_UNAVAILABLE) => {
                    tokio::time::sleep(Duration::from_millis(50)).await
                }
                _ => break,
            }
        }
        match answer {
            Answer::Done(body) => {
                tally.acknowledged += 1;
                match (op, &target) {
                    ("upload", Some(id)) => {
                        let file = body["attachmentId"].as_str().unwrap_or_default().to_owned();
                        tally.attachments.insert(file, (id.clone(), false, false));
                        if let Some(k) = tally.tasks.get_mut(id) {
                            k.version += 1;
                        }
                    }
                    ("detach", _) => {
                        let file = detach.clone().unwrap_or_default();
                        if let Some(entry) = tally.attachments.get_mut(&file) {
                            (entry.1, entry.2) = (true, false);
                            if let Some(k) = tally.tasks.get_mut(&entry.0) {
                                k.version += 1;
                            }
                        }
                    }
                    ("comment", Some(id)) => {
                        let comment = body["commentId"].as_str().unwrap_or_default().to_owned();
                        let content = body["content"].as_str().unwrap_or_default().to_owned();
                        tally.comments.insert(comment, (id.clone(), content));
                    }
                    ("delete", Some(id)) => {
                        if let Some(k) = tally.tasks.get_mut(id) {
                            k.deleted = true;
                            k.uncertain = false;
                        }
                    }
                    _ => {
                        let id = body["taskId"].as_str().unwrap_or_default().to_owned();
                        tally.tasks.insert(
                            id,
                            Known {
                                title: body["title"].as_str().unwrap_or_default().to_owned(),
                                status: body["status"].as_str().unwrap_or_default().to_owned(),
                                assignee: body["assigneeId"].as_str().map(str::to_owned),
                                version: body["version"].as_i64().unwrap_or_default(),
                                deleted: false,
                                uncertain: false,
                            },
                        );
                    }
                }
            }
            Answer::Refused(_) => tally.refused += 1,
            Answer::Unknown => {
                tally.indeterminate += 1;
                // Attaching and detaching change the task: its version is unknown now.
                let changed = match (op, &detach) {
                    ("detach", Some(file)) => tally.attachments.get_mut(file).map(|entry| {
                        entry.2 = true;
                        entry.0.clone()
                    }),
                    ("upload", _) => target.clone(),
                    _ => None,
                };
                if let Some(k) = changed.and_then(|task| tally.tasks.get_mut(&task)) {
                    k.uncertain = true;
                }
                match &target {
                    Some(id) if op != "create" => {
                        if let Some(k) = tally.tasks.get_mut(id) {
                            k.uncertain = true;
                        }
                    }
                    _ => {
                        tally.maybe_created.insert(format!("c{n}-t{made}"));
                    }
                }
            }
        }
        // Readers fill the cache meanwhile, with what they read around the restarts.
        if let (Some(id), true) = (&target, rng.random_bool(0.5)) {
            let read = app.client.get(app.url(&format!("/api/tasks/{id}")));
            send(read.bearer_auth(&user.token)).await;
        }
    }
    (tally, user)
}

/// Stops and restarts FerretDB or Redis at random moments until told to stop; returns how
/// many restarts it made. Every stop lasts 0.3 to 1 s.
fn inject_faults(
    mut ferret: Private,
    mut redis: Private,
    done: Arc<AtomicBool>,
    seed: u64,
) -> (usize, Private, Private) {
    let mut rng = StdRng::seed_from_u64(seed);
    let mut restarts = 0;
    while !done.load(Ordering::Relaxed) {
        std::thread::sleep(Duration::from_millis(rng.random_range(200..700)));
        let victim = if rng.random_bool(0.5) {
            &mut ferret
        } else {
            &mut redis
        };
        victim.stop();
        std::thread::sleep(Duration::from_millis(rng.random_range(300..1000)));
        victim.start();
        restarts += 1;
    }
    (restarts, ferret, redis)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_thousand_writes_through_store_restarts_lose_nothing() {
    let ferret = processes::ferretdb();
    let redis = processes::redis();
    let (mongo_uri, redis_url) = (processes::mongo_uri(&ferret), processes::redis_url(&redis));
    let app = Arc::new(
        TestApp::spawn_with(|s| {
            s.mongo.uri = SecretString::from(mongo_uri);
            s.redis.url = SecretString::from(redis_url);
            s.auth.rate_limits.api_per_user.limit = 1_000_000;
        })
        .await,
    );
    let seed: u64 = rand::random();
    println!("fault suite seed {seed}");

    let mut clients = Vec::new();
    let mut watchers = Vec::new();
    for n in 0..CLIENTS {
        let user = app.user().await;
        let team = app.team(&user).await;
        watchers.push(watcher(&app, &user, &team).await);
        clients.push(tokio::spawn(client(
            app.clone(),
            user,
            team,
            seed.wrapping_add(n as u64),
            n,
        )));
    }
    let done = Arc::new(AtomicBool::new(false));
    let injector = {
        let done = done.clone();
        tokio::task::spawn_blocking(move || inject_faults(ferret, redis, done, seed))
    };
    let mut tally = Tally::default();
    let mut owners: Vec<(TestUser, Vec<String>)> = Vec::new();
    for c in clients {
        let (t, user) = match c.await {
            Ok(t) => t,
            Err(e) => panic!("client: {e}"),
        };
        owners.push((user, t.tasks.keys().cloned().collect::<Vec<_>>()));
        tally.acknowledged += t.acknowledged;
        tally.refused += t.refused;
        tally.indeterminate += t.indeterminate;
        tally.maybe_created.extend(t.maybe_created);
        tally.tasks.extend(t.tasks);
        tally.comments.extend(t.comments);
        tally.attachments.extend(t.attachments);
    }
    done.store(true, Ordering::Relaxed);
    let (restarts, _ferret, _redis) = match injector.await {
        Ok(r) => r,
        Err(e) => panic!("injector: {e}"),
    };
    let last_restart = Instant::now();
    assert_eq!(
        tally.acknowledged + tally.refused + tally.indeterminate,
        CLIENTS * OPS_PER_CLIENT
    );
    assert!(
        restarts > 0 && tally.acknowledged > 0,
        "faults were injected and work was done"
    );

    // The stores agree within 30 s of the last restart: nothing pending, MongoDB = PostgreSQL.
    // The backlog a run leaves is some hundreds of rows, each a document and the notification of
    // the team's watcher (MongoDB twice, PostgreSQL and Redis): 10 to 20 s on two busy cores.
    let rows = PgTaskRepository::new(app.sql());
    let outbox = PgOutbox::new(app.sql());
    let docs = app.task_documents().await;
    let agree = || async {
        let Ok(0) = outbox.pending_count().await else {
            return false;
        };
        let (Ok(cores), Ok(ids)) = (rows.scan(None, 100_000).await, docs.ids().await) else {
            return false;
        };
        let pg: BTreeSet<_> = cores.iter().map(|c| c.task_id).collect();
        let mongo: BTreeSet<_> = ids.into_iter().collect();
        if pg != mongo {
            return false;
        }
        for core in &cores {
            match docs.get(core.task_id).await {
                Ok(Some(d)) if d.version == core.version => {}
                _ => return false,
            }
        }
        true
    };
    if !eventually(Duration::from_secs(30), agree).await {
        let pending = outbox.pending_count().await;
        let cores = rows.scan(None, 100_000).await.unwrap_or_default();
        let mut behind = Vec::new();
        for core in &cores {
            let doc = docs.get(core.task_id).await.map(|d| d.map(|d| d.version));
            if !matches!(doc, Ok(Some(v)) if v == core.version) {
                behind.push((core.task_id, core.version, doc));
            }
        }
        panic!(
            "stores disagree 30 s after the last restart: pending {pending:?}, behind {behind:?}"
        );
    }
    let agreed_after = last_restart.elapsed();

    // Every acknowledged write is visible; nothing else is.
    let cores = rows.scan(None, 100_000).await.unwrap_or_default();
    let live_in_pg: BTreeSet<String> = cores.iter().map(|c| c.task_id.to_string()).collect();
    let mut checked = 0;
    for (id, known) in &tally.tasks {
        if known.uncertain {
            continue;
        }
        checked += 1;
        assert_eq!(
            live_in_pg.contains(id),
            !known.deleted,
            "task {id}: {known:?}"
        );
        if known.deleted {
            continue;
        }
        let doc = docs
            .get(id.parse().unwrap_or_default())
            .await
            .ok()
            .flatten();
        let doc = doc.unwrap_or_else(|| panic!("document of acknowledged task {id}"));
        assert_eq!(doc.version, known.version, "task {id}");
        assert_eq!(doc.title.as_str(), known.title.as_str(), "task {id}");
        assert_eq!(doc.status.as_str(), known.status.as_str(), "task {id}");
        assert_eq!(
            doc.assignee_id.map(|a| a.to_string()),
            known.assignee,
            "task {id}"
        );
    }
    // Attachment audit rows, counted per task (their states name it).
    let log = PgAuditLog::new(app.sql());
    let mut attachment_rows: BTreeMap<String, i64> = BTreeMap::new();
    let teams: BTreeSet<_> = cores.iter().map(|c| c.team_id).collect();
    for team in teams {
        let of_files = AuditFilter {
            entity_type: Some(AuditEntityType::Attachment),
            ..AuditFilter::default()
        };
        let rows_of_team = log.page(Scope::Team(team), &of_files, None, 100_000).await;
        for record in rows_of_team.unwrap_or_default() {
            let state = record
                .new_state
                .or(record.previous_state)
                .unwrap_or_default();
            let task = state["taskId"].as_str().unwrap_or_default().to_owned();
            *attachment_rows.entry(task).or_default() += 1;
        }
    }
    for core in &cores {
        let id = core.task_id.to_string();
        let doc = docs.get(core.task_id).await.ok().flatten();
        let title = doc.as_ref().map_or("", |d| d.title.as_str());
        let token = title.split("-u").next().unwrap_or_default();
        assert!(
            tally.tasks.contains_key(&id) || tally.maybe_created.contains(token),
            "task {id} ({title}) was never acknowledged nor left unanswered"
        );
        // One audit row per committed write, and the version counts the writes (the task's own
        // rows and those of its attachments).
        let audit = rows
            .history(core.task_id, None, 10_000)
            .await
            .map(|h| h.len() as i64 + attachment_rows.get(&id).copied().unwrap_or(0));
        assert_eq!(audit.ok(), Some(core.version), "audit rows of {id}");
        if let Ok(Lookup::Hit(cached)) = app.task_cache().get(core.task_id).await {
            assert_eq!(cached, *core, "cache of {id} matches PostgreSQL");
        }
    }
    // Every acknowledged comment's document is in MongoDB, unless its task was deleted.
    let comment_docs = app.comment_documents().await;
    for (id, (task, content)) in &tally.comments {
        let known = &tally.tasks[task];
        if known.uncertain {
            continue;
        }
        let doc = comment_docs
            .get(id.parse().unwrap_or_default())
            .await
            .ok()
            .flatten();
        let expected = (!known.deleted).then_some(content.as_str());
        assert_eq!(
            doc.as_ref().map(|d| d.content.as_str()),
            expected,
            "comment {id} on task {task}"
        );
    }
    // Every acknowledged file is in GridFS while its task and it are; none outlives either.
    let files = app.attachment_bytes().await;
    for (id, (task, detached, unsure)) in &tally.attachments {
        let known = &tally.tasks[task];
        if *unsure || known.uncertain {
            continue;
        }
        let stored = files
            .read(id.parse().unwrap_or_default(), 0, 1)
            .await
            .map(|bytes| bytes.is_some());
        assert_eq!(
            stored.ok(),
            Some(!detached && !known.deleted),
            "file {id} of task {task}"
        );
    }
    // And through the API, as each client's user sees it.
    for (user, ids) in &owners {
        let token = app.another_session(user).await;
        for id in ids {
            let known = &tally.tasks[id];
            if known.uncertain {
                continue;
            }
            let r = app.get(&format!("/api/tasks/{id}"), &token).await;
            if known.deleted {
                r.assert_error(StatusCode::NOT_FOUND, "NOT_FOUND");
                continue;
            }
            assert_eq!(
                (
                    r.status,
                    r.body["version"].as_i64(),
                    r.body["title"].as_str()
                ),
                (
                    StatusCode::OK,
                    Some(known.version),
                    Some(known.title.as_str())
                ),
                "task {id} through the API"
            );
        }
    }
    let notified = every_change_told_its_watcher_once(&app, &tally, &watchers, &owners).await;
    let report = match app.reconciler().await.run().await {
        Ok(r) => r,
        Err(e) => panic!("reconcile: {e}"),
    };
    assert_eq!(report.drift(), 0, "reconcile finds no drift: {report:?}");
    let comments = match app.comment_reconciler().await.run().await {
        Ok(r) => r,
        Err(e) => panic!("reconcile comments: {e}"),
    };
    assert_eq!(comments.drift(), 0, "nor in comments: {comments:?}");
    println!(
        "fault suite: {} writes: {} acknowledged, {} refused, {} indeterminate; {} restarts; \
         {} tasks, {} comments, {} files and {} notifications checked, {} in PostgreSQL = MongoDB; \
         stores agreed {:.1} s after the last restart",
        CLIENTS * OPS_PER_CLIENT,
        tally.acknowledged,
        tally.refused,
        tally.indeterminate,
        restarts,
        checked,
        tally.comments.len(),
        tally.attachments.len(),
        notified,
        cores.len(),
        agreed_after.as_secs_f64()
    );
}

/// A second member of `team` who watches it: every change of the team tells them.
async fn watcher(app: &TestApp, admin: &TestUser, team: &str) -> TestUser {
    let watcher = app.user().await;
    app.add_member(admin, team, &watcher, "guest").await;
    let follow = app
        .call(
            reqwest::Method::PUT,
            &format!("/api/teams/{team}/follow"),
            Some(&watcher.token),
            Some(json!({ "level": "watch" })),
        )
        .await;
    assert_eq!(follow.status, StatusCode::OK, "{:?}", follow.body);
    watcher
}

/// Each certain, live task told its team's watcher of each committed change exactly once:
/// as many notifications as its version (its create and each change) plus its comments. And
/// the watcher's unread counter, where Redis holds one, is MongoDB's count. Answers how many
/// notifications it checked.
async fn every_change_told_its_watcher_once(
    app: &TestApp,
    tally: &Tally,
    watchers: &[TestUser],
    owners: &[(TestUser, Vec<String>)],
) -> usize {
    let store = app.notification_store().await;
    let counter = RedisUnreadCounter::new(app.redis(), Duration::from_secs(60));
    let mut checked = 0;
    for (watcher, (_, ids)) in watchers.iter().zip(owners) {
        let user: UserId = watcher.id.parse().unwrap_or_default();
        let mut per_task: BTreeMap<String, i64> = BTreeMap::new();
        let mut cursor = None;
        loop {
            let page = match store.page(user, false, cursor, 500).await {
                Ok(page) => page,
                Err(e) => panic!("notifications of the watcher: {e}"),
            };
            for n in &page {
                *per_task.entry(n.data.task_id.to_string()).or_default() += 1;
            }
            match page.last() {
                Some(last) if page.len() == 500 => {
                    cursor = Some(NotificationCursor {
                        id: last.notification_id,
                    })
                }
                _ => break,
            }
        }
        for id in ids {
            let known = &tally.tasks[id];
            if known.uncertain || known.deleted {
                continue;
            }
            let comments = tally.comments.values().filter(|(t, _)| t == id).count() as i64;
            let expected = known.version + comments;
            assert_eq!(
                per_task.get(id).copied().unwrap_or_default(),
                expected,
                "notifications of task {id} for its watcher"
            );
            checked += usize::try_from(expected).unwrap_or_default();
        }
        if let Ok(Some(count)) = counter.get(user).await {
            assert_eq!(
                store.count_unread(user).await.ok(),
                Some(count),
                "the watcher's unread counter"
            );
        }
    }
    checked
}

/// An app on a private FerretDB (stopped while the test wants projections to fail), with no
/// relay of its own: the tests run relays by hand.
async fn app_without_relay(ferret: &Private) -> TestApp {
    let uri = processes::mongo_uri(ferret);
    TestApp::spawn_with(|s| {
        s.mongo.uri = SecretString::from(uri);
        s.worker.embedded = false;
    })
    .await
}

/// Creates `n` tasks at once (with MongoDB down, their projections all wait in the outbox).
async fn concurrent_tasks(app: &TestApp, user: &TestUser, team: &str, n: usize) -> Vec<String> {
    let creates = (0..n).map(|i| app.task(user, team, json!({ "title": format!("t{i}") })));
    futures::future::join_all(creates)
        .await
        .iter()
        .map(|t| t["taskId"].as_str().unwrap_or_default().to_owned())
        .collect()
}

async fn documents_match_rows(app: &TestApp) -> bool {
    let rows = PgTaskRepository::new(app.sql());
    let docs = app.task_documents().await;
    let Ok(cores) = rows.scan(None, 100_000).await else {
        return false;
    };
    for core in &cores {
        match docs.get(core.task_id).await {
            Ok(Some(d)) if d.version == core.version => {}
            _ => return false,
        }
    }
    matches!(docs.ids().await, Ok(ids) if ids.len() == cores.len())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fifty_concurrent_creates_leave_no_outbox_row_unapplied() {
    let mut ferret = processes::ferretdb();
    let app = app_without_relay(&ferret).await;
    let user = app.user().await;
    let team = app.team(&user).await;
    ferret.stop();
    // Their transactions commit in whatever order the scheduler gives, not in id order.
    let ids = concurrent_tasks(&app, &user, &team, 50).await;
    assert_eq!(ids.len(), 50);
    let outbox = PgOutbox::new(app.sql());
    assert!(
        matches!(outbox.pending_count().await, Ok(n) if n >= 50),
        "every projection waits"
    );
    ferret.start();
    let relay = app.relay().await;
    let caught_up = eventually(Duration::from_secs(10), || async {
        let _ = relay.drain(100).await;
        matches!(outbox.pending_count().await, Ok(0))
    })
    .await;
    assert!(
        caught_up,
        "no outbox row is left behind: {:?}",
        outbox.pending_count().await
    );
    assert!(
        documents_match_rows(&app).await,
        "MongoDB holds every task at its version"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn delivering_every_outbox_row_twice_changes_nothing() -> anyhow::Result<()> {
    let ferret = processes::ferretdb();
    let app = app_without_relay(&ferret).await;
    let user = app.user().await;
    let team = app.team(&user).await;
    let ids = concurrent_tasks(&app, &user, &team, 5).await;
    // Two tasks at version 2, so that an old row delivered again would show as a regression.
    let done = app
        .patch(
            &format!("/api/tasks/{}", ids[0]),
            &user.token,
            json!({ "status": "done" }),
        )
        .await;
    assert_eq!(
        (
            done.status,
            done.body["status"].as_str(),
            done.body["version"].as_i64()
        ),
        (StatusCode::OK, Some("done"), Some(2)),
        "{:?}",
        done.body
    );
    let assigned = app
        .patch(
            &format!("/api/tasks/{}", ids[1]),
            &user.token,
            json!({ "assigneeId": user.id }),
        )
        .await;
    assert_eq!(
        (
            assigned.status,
            assigned.body["assigneeId"].as_str(),
            assigned.body["version"].as_i64()
        ),
        (StatusCode::OK, Some(user.id.as_str()), Some(2)),
        "{:?}",
        assigned.body
    );
    assert_eq!(
        app.delete(&format!("/api/tasks/{}", ids[2]), &user.token, None)
            .await
            .status,
        StatusCode::NO_CONTENT
    );
    let docs = app.task_documents().await;
    let snapshot = || async {
        let mut all = BTreeMap::new();
        for id in docs.ids().await? {
            all.insert(id, docs.get(id).await?);
        }
        anyhow::Ok(all)
    };
    // The audit trail: each task's rows as stored, and the team's chain checked link by link.
    let rows = PgTaskRepository::new(app.sql());
    let chain = app.audit_chain();
    let scope = format!("team:{team}");
    let audit = || async {
        let mut trails = BTreeMap::new();
        for id in &ids {
            let id: TaskId = id.parse()?;
            trails.insert(id, rows.history(id, None, 1_000).await?);
        }
        anyhow::Ok((chain.verify(&scope).await?, trails))
    };
    let relay = app.relay().await;
    relay.drain(100).await?;
    let documents_before = snapshot().await?;
    let audit_before = audit().await?;
    let stored = |id: &str| -> anyhow::Result<Option<_>> {
        Ok(documents_before
            .get(&id.parse::<TaskId>()?)
            .cloned()
            .flatten())
    };
    assert_eq!(
        stored(&ids[0])?.map(|d| (d.version, d.status.as_str())),
        Some((2, "done"))
    );
    assert_eq!(
        stored(&ids[1])?.map(|d| (d.version, d.assignee_id.map(|a| a.to_string()))),
        Some((2, Some(user.id.clone())))
    );
    let changes = 5 + 2 + 1; // creates, patches, delete
    let lengths: Vec<usize> = audit_before.1.values().map(Vec::len).collect();
    assert_eq!(
        lengths.iter().sum::<usize>(),
        changes,
        "one audit row per create, patch and delete: {lengths:?}"
    );
    assert!(
        audit_before.0.ok && audit_before.0.checked >= changes,
        "the chain holds every change: {:?}",
        audit_before.0
    );

    let outbox = PgOutbox::new(app.sql());
    let redelivered = outbox.redeliver().await?;
    assert!(redelivered >= 9, "every row goes out again ({redelivered})");
    relay.drain(100).await?;
    assert_eq!(outbox.pending_count().await?, 0);
    let documents_after = snapshot().await?;
    assert_eq!(
        documents_before, documents_after,
        "one document per task, as before"
    );
    assert_eq!(documents_after.len(), 4, "the deleted task stays deleted");
    assert_eq!(
        audit_before,
        audit().await?,
        "one audit row per change, as before, and the chain intact"
    );
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_relay_killed_mid_batch_loses_nothing() {
    let mut ferret = processes::ferretdb();
    let app = app_without_relay(&ferret).await;
    let user = app.user().await;
    let team = app.team(&user).await;
    ferret.stop();
    concurrent_tasks(&app, &user, &team, 40).await;
    ferret.start();

    let doomed = app.relay().await;
    let docs = app.task_documents().await;
    let (_stop, stop) = tokio::sync::watch::channel(false);
    let killed = tokio::spawn(doomed.run(stop));
    let started = eventually(Duration::from_secs(10), || async {
        matches!(docs.ids().await, Ok(ids) if !ids.is_empty())
    })
    .await;
    killed.abort();
    assert!(started, "the relay was killed after it had begun");

    let relay = app.relay().await;
    let outbox = PgOutbox::new(app.sql());
    let recovered = eventually(Duration::from_secs(10), || async {
        let _ = relay.drain(100).await;
        matches!(outbox.pending_count().await, Ok(0))
    })
    .await;
    assert!(recovered, "another relay finishes the job");
    assert!(
        documents_match_rows(&app).await,
        "nothing lost, nothing doubled"
    );
}
