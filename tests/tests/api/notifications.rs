//! Notifications over HTTP: who is told of what, the unread count, read flags, the live stream
//! across instances with resume, the team event stream with presence, follow levels and
//! erasure.

use reqwest::StatusCode;
use serde_json::{json, Value};
use std::time::{Duration, Instant};
use taskforge_adapter_redis::RedisUnreadCounter;
use taskforge_domain::ids::UserId;
use taskforge_domain::notifications::{NotificationStore, UnreadCounter};
use taskforge_tests::{eventually, Crew, EventStream, TestApp, TestUser};

const SOON: Duration = Duration::from_secs(5);

/// The notifications' `(type, taskId)` pairs, newest first.
fn kinds(items: &[Value]) -> Vec<(String, String)> {
    items
        .iter()
        .map(|n| {
            let field = |v: &Value| v.as_str().unwrap_or_default().to_owned();
            (field(&n["type"]), field(&n["data"]["taskId"]))
        })
        .collect()
}

/// Waits until `user` has `count` notifications; answers them, newest first.
async fn notified(app: &TestApp, user: &TestUser, count: usize) -> Vec<Value> {
    let arrived = eventually(SOON, || async {
        app.notifications(user).await.len() >= count
    });
    assert!(arrived.await, "{count} notification(s) for {}", user.email);
    app.notifications(user).await
}

async fn patch_task(app: &TestApp, user: &TestUser, task: &str, body: Value) -> Value {
    let r = app
        .patch(&format!("/api/tasks/{task}"), &user.token, body)
        .await;
    assert_eq!(r.status, StatusCode::OK, "patch: {:?}", r.body);
    r.body
}

async fn comment(app: &TestApp, user: &TestUser, task: &str, body: Value) {
    let r = app
        .post(
            &format!("/api/tasks/{task}/comments"),
            &user.token,
            Some(body),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "comment: {:?}", r.body);
}

/// A task of the crew's team made by its admin and assigned to its member.
async fn assigned_task(app: &TestApp, t: &Crew) -> String {
    let task = app
        .task(
            &t.admin,
            &t.team,
            json!({ "title": "Ship it", "assigneeId": t.member.id }),
        )
        .await;
    task["taskId"].as_str().unwrap_or_default().to_owned()
}

#[tokio::test]
async fn each_producer_tells_the_right_people_once_and_never_the_actor() {
    let app = TestApp::spawn().await;
    let t = app.crew().await;
    let task = assigned_task(&app, &t).await;
    let member = notified(&app, &t.member, 1).await;
    assert_eq!(kinds(&member), vec![("task_assigned".into(), task.clone())]);
    let n = &member[0];
    assert_eq!(n["read"], false);
    assert_eq!(n["data"]["teamId"], t.team.as_str());
    assert_eq!(n["data"]["taskTitle"], "Ship it");
    assert_eq!(n["data"]["actorId"], t.admin.id.as_str());
    assert!(n["notificationId"].is_string() && n["createdAt"].is_string());

    // The assignee moves it: the creator is told, the assignee (the actor) is not.
    patch_task(&app, &t.member, &task, json!({ "status": "in_progress" })).await;
    let admin = notified(&app, &t.admin, 1).await;
    assert_eq!(
        kinds(&admin),
        vec![("task_status_changed".into(), task.clone())]
    );
    assert_eq!(admin[0]["data"]["status"], "in_progress");
    assert_eq!(admin[0]["data"]["previousStatus"], "todo");

    // The guest comments naming the assignee: the mention, not also "comment added"; the
    // creator gets "comment added".
    comment(
        &app,
        &t.guest,
        &task,
        json!({ "content": "ping @member", "mentionedUsers": [t.member.id] }),
    )
    .await;
    let member = notified(&app, &t.member, 2).await;
    assert_eq!(
        kinds(&member)[0],
        ("comment_mentioned".into(), task.clone())
    );
    assert_eq!(member[0]["data"]["excerpt"], "ping @member");
    let admin = notified(&app, &t.admin, 2).await;
    assert_eq!(kinds(&admin)[0], ("comment_added".into(), task.clone()));

    // Nothing reached anyone else, and nothing twice.
    assert!(app.notifications(&t.guest).await.is_empty());
    assert!(app.notifications(&t.outsider).await.is_empty());
    assert_eq!(app.notifications(&t.member).await.len(), 2);
    assert_eq!(app.notifications(&t.admin).await.len(), 2);
}

#[tokio::test]
async fn a_refused_change_notifies_nobody() {
    let app = TestApp::spawn().await;
    let t = app.crew().await;
    let task = assigned_task(&app, &t).await;
    notified(&app, &t.member, 1).await;
    // A stale version (412) and an assignee outside the team (400) commit nothing.
    let stale = app
        .client
        .patch(app.url(&format!("/api/tasks/{task}")))
        .bearer_auth(&t.admin.token)
        .header("If-Match", "\"7\"")
        .json(&json!({ "status": "done" }));
    TestApp::reply(stale)
        .await
        .assert_error(StatusCode::PRECONDITION_FAILED, "PRECONDITION_FAILED");
    let outsider = app
        .patch(
            &format!("/api/tasks/{task}"),
            &t.admin.token,
            json!({ "assigneeId": t.outsider.id }),
        )
        .await;
    outsider.assert_error(StatusCode::BAD_REQUEST, "VALIDATION_FAILED");
    // A later change, whose event applies after any earlier one of the task.
    patch_task(&app, &t.admin, &task, json!({ "status": "in_review" })).await;
    let member = notified(&app, &t.member, 2).await;
    assert_eq!(
        kinds(&member),
        vec![
            ("task_status_changed".into(), task.clone()),
            ("task_assigned".into(), task)
        ],
        "only the committed changes"
    );
    assert!(app.notifications(&t.outsider).await.is_empty());
}

#[tokio::test]
async fn unread_counts_follow_read_flags_and_are_repaired_from_mongodb() {
    let app = TestApp::spawn().await;
    let t = app.crew().await;
    for title in ["one", "two", "three"] {
        app.task(
            &t.admin,
            &t.team,
            json!({ "title": title, "assigneeId": t.member.id }),
        )
        .await;
    }
    let items = notified(&app, &t.member, 3).await;
    assert_eq!(app.unread_count(&t.member).await, 3);

    let first = items[0]["notificationId"].as_str().unwrap_or_default();
    let read = format!("/api/notifications/{first}/read");
    for _ in 0..2 {
        let r = app.post(&read, &t.member.token, None).await;
        assert_eq!(r.status, StatusCode::NO_CONTENT, "{:?}", r.body);
    }
    assert_eq!(
        app.unread_count(&t.member).await,
        2,
        "read once, counted once"
    );
    let unread = app
        .get("/api/notifications?unread=true", &t.member.token)
        .await;
    assert_eq!(unread.body["items"].as_array().map(Vec::len), Some(2));
    assert_eq!(unread.body["nextCursor"], Value::Null);

    // Someone else's notification, or none: 404; a bad id: 400 or 404.
    let theirs = app.post(&read, &t.admin.token, None).await;
    theirs.assert_error(StatusCode::NOT_FOUND, "NOT_FOUND");
    let bad = app
        .post("/api/notifications/not-a-uuid/read", &t.member.token, None)
        .await;
    assert!(matches!(
        bad.status,
        StatusCode::BAD_REQUEST | StatusCode::NOT_FOUND
    ));
    let bad_query = app
        .get("/api/notifications?unread=maybe", &t.member.token)
        .await;
    bad_query.assert_error(StatusCode::BAD_REQUEST, "VALIDATION_FAILED");

    // Paging, newest first.
    let page = app.get("/api/notifications?limit=2", &t.member.token).await;
    let cursor = page.body["nextCursor"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let rest = app
        .get(
            &format!("/api/notifications?limit=2&cursor={cursor}"),
            &t.member.token,
        )
        .await;
    let ids = |r: &taskforge_tests::Reply| -> Vec<Value> {
        r.body["items"]
            .as_array()
            .map(|a| a.iter().map(|n| n["notificationId"].clone()).collect())
            .unwrap_or_default()
    };
    let all: Vec<Value> = items.iter().map(|n| n["notificationId"].clone()).collect();
    assert_eq!([ids(&page), ids(&rest)].concat(), all);

    // A counter Redis lost is counted again from MongoDB.
    let counter = RedisUnreadCounter::new(app.redis(), Duration::from_secs(60));
    let member: UserId = t.member.id.parse().unwrap_or_default();
    assert!(counter.forget(&[member]).await.is_ok());
    assert_eq!(
        app.unread_count(&t.member).await,
        2,
        "refilled from MongoDB"
    );

    let r = app
        .post("/api/notifications/read-all", &t.member.token, None)
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT);
    assert_eq!(app.unread_count(&t.member).await, 0);
    let unread = app
        .get("/api/notifications?unread=true", &t.member.token)
        .await;
    assert_eq!(unread.body["items"], json!([]));
}

#[tokio::test]
async fn a_stream_on_one_instance_gets_what_another_commits_within_a_second() {
    let app = TestApp::spawn().await;
    let t = app.crew().await;
    let (other, _running) = app.instance();
    let mut stream = EventStream::open(
        &format!("{other}/api/notifications/stream"),
        &t.member.token,
        None,
    )
    .await;
    for round in 0..3 {
        let started = Instant::now();
        let task = app
            .task(
                &t.admin,
                &t.team,
                json!({ "title": format!("live {round}"), "assigneeId": t.member.id }),
            )
            .await;
        let event = stream.next_named("notification", SOON).await;
        let elapsed = started.elapsed();
        let Some(event) = event else {
            panic!("no live notification in round {round}")
        };
        assert!(elapsed < Duration::from_secs(1), "delivered in {elapsed:?}");
        assert_eq!(event.data["type"], "task_assigned");
        assert_eq!(event.data["data"]["taskId"], task["taskId"]);
        assert_eq!(
            event.id.as_ref(),
            event.data["notificationId"]
                .as_str()
                .map(str::to_owned)
                .as_ref()
        );
    }
}

#[tokio::test]
async fn a_resumed_stream_gets_what_it_missed_once_and_in_order() {
    let app = TestApp::spawn().await;
    let t = app.crew().await;
    let url = app.url("/api/notifications/stream");
    let assign = |title: String| {
        let (app, t) = (&app, &t);
        async move {
            app.task(
                &t.admin,
                &t.team,
                json!({ "title": title, "assigneeId": t.member.id }),
            )
            .await["taskId"]
                .clone()
        }
    };
    let mut first = EventStream::open(&url, &t.member.token, None).await;
    let mut seen = Vec::new();
    for i in 0..2 {
        assign(format!("before {i}")).await;
        match first.next_named("notification", SOON).await {
            Some(e) => seen.push(e),
            None => panic!("live notification {i}"),
        }
    }
    drop(first);
    let mut missed = Vec::new();
    for i in 0..3 {
        missed.push(assign(format!("while away {i}")).await);
    }
    notified(&app, &t.member, 5).await;
    let last = seen.last().and_then(|e| e.id.clone());
    let mut resumed = EventStream::open(&url, &t.member.token, last.as_deref()).await;
    let mut replayed = Vec::new();
    while let Some(e) = resumed.next(Duration::from_millis(1500)).await {
        replayed.push(e);
    }
    let tasks: Vec<Value> = replayed
        .iter()
        .map(|e| e.data["data"]["taskId"].clone())
        .collect();
    assert_eq!(tasks, missed, "exactly what was missed, in order");
    // And it is live again.
    let next = assign("after".into()).await;
    let live = resumed.next_named("notification", SOON).await;
    assert_eq!(live.map(|e| e.data["data"]["taskId"].clone()), Some(next));

    let bad = app
        .client
        .get(&url)
        .bearer_auth(&t.member.token)
        .header("Last-Event-ID", "yesterday");
    TestApp::reply(bad)
        .await
        .assert_error(StatusCode::BAD_REQUEST, "VALIDATION_FAILED");
}

#[tokio::test]
async fn a_stream_ends_when_its_session_is_revoked() {
    let app = TestApp::spawn_with(|s| s.notifications.heartbeat_secs = 1).await;
    let user = app.user().await;
    let mut stream =
        EventStream::open(&app.url("/api/notifications/stream"), &user.token, None).await;
    assert!(
        !stream.ends_within(Duration::from_millis(2500)).await,
        "heartbeats keep it open"
    );
    let r = app.post("/api/auth/logout", &user.token, None).await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{:?}", r.body);
    assert!(
        stream.ends_within(Duration::from_secs(5)).await,
        "ended after the logout"
    );
}

#[tokio::test]
async fn the_team_stream_shows_the_teams_changes_and_who_is_viewing() {
    let app = TestApp::spawn_with(|s| {
        s.notifications.heartbeat_secs = 1;
        s.notifications.presence_ttl_secs = 3;
    })
    .await;
    let t = app.crew().await;
    let other_team = app.team(&t.outsider).await;
    let events =
        |team: &str, viewing: &str| app.url(&format!("/api/teams/{team}/events?viewing={viewing}"));
    let mut board = EventStream::open(&events(&t.team, "board"), &t.member.token, None).await;
    let me = board.next_named("presence", SOON).await;
    assert_eq!(
        me.map(|e| e.data),
        Some(json!({ "viewing": "board", "viewers": [t.member.id] }))
    );

    // Another viewer arrives on the board, a third on a task: only the board's count here.
    let admin = EventStream::open(&events(&t.team, "board"), &t.admin.token, None).await;
    let mut both = vec![t.member.id.clone(), t.admin.id.clone()];
    both.sort();
    let joined = board.next_named("presence", SOON).await;
    assert_eq!(joined.map(|e| e.data["viewers"].clone()), Some(json!(both)));
    let task_view = format!("task:{}", t.task);
    let mut guest = EventStream::open(&events(&t.team, &task_view), &t.guest.token, None).await;
    let seen = guest.next_named("presence", SOON).await;
    assert_eq!(
        seen.map(|e| e.data["viewing"].clone()),
        Some(json!(task_view))
    );

    // A change by the admin reaches the member's board; a change in another team does not.
    app.task(&t.outsider, &other_team, json!({ "title": "elsewhere" }))
        .await;
    let updated = patch_task(&app, &t.admin, &t.task, json!({ "priority": "high" })).await;
    let change = board.next_named("change", SOON).await.map(|e| e.data);
    assert_eq!(
        change,
        Some(json!({
            "entityType": "task",
            "entityId": t.task,
            "taskId": t.task,
            "action": "update",
            "version": updated["version"],
            "actorId": t.admin.id,
            "at": change.as_ref().map(|c| c["at"].clone()).unwrap_or_default(),
        }))
    );
    comment(&app, &t.guest, &t.task, json!({ "content": "seen it" })).await;
    let commented = board.next_named("change", SOON).await;
    assert_eq!(
        commented.map(|e| (e.data["entityType"].clone(), e.data["action"].clone())),
        Some((json!("comment"), json!("create")))
    );

    // The admin leaves: the member is told at once.
    drop(admin);
    let left = board.next_named("presence", SOON).await;
    assert_eq!(
        left.map(|e| e.data["viewers"].clone()),
        Some(json!([t.member.id]))
    );
    drop(guest);

    // Outsiders get 404, a bad view 400.
    let outsider = app
        .get(&format!("/api/teams/{}/events", t.team), &t.outsider.token)
        .await;
    outsider.assert_error(StatusCode::NOT_FOUND, "NOT_FOUND");
    let bad = app
        .get(
            &format!("/api/teams/{}/events?viewing=desk", t.team),
            &t.member.token,
        )
        .await;
    bad.assert_error(StatusCode::BAD_REQUEST, "VALIDATION_FAILED");
    let foreign_task = app
        .task(&t.outsider, &other_team, json!({ "title": "theirs" }))
        .await;
    let foreign = app
        .get(
            &format!(
                "/api/teams/{}/events?viewing=task:{}",
                t.team,
                foreign_task["taskId"].as_str().unwrap_or_default()
            ),
            &t.member.token,
        )
        .await;
    foreign.assert_error(StatusCode::NOT_FOUND, "NOT_FOUND");
}

#[tokio::test]
async fn watchers_hear_of_every_change_and_a_muted_team_says_nothing() {
    let app = TestApp::spawn().await;
    let t = app.crew().await;
    let follow = |user: &TestUser, level: &str| {
        let (app, team, token) = (&app, t.team.clone(), user.token.clone());
        let level = level.to_owned();
        async move {
            let r = app
                .call(
                    reqwest::Method::PUT,
                    &format!("/api/teams/{team}/follow"),
                    Some(&token),
                    Some(json!({ "level": level })),
                )
                .await;
            assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
            assert_eq!(r.body["level"], level.as_str());
        }
    };
    follow(&t.guest, "watch").await;
    follow(&t.member, "mute").await;
    let level = app
        .get(&format!("/api/teams/{}/follow", t.team), &t.member.token)
        .await;
    assert_eq!(level.body["level"], "mute");
    let stranger = app
        .get(&format!("/api/teams/{}/follow", t.team), &t.outsider.token)
        .await;
    stranger.assert_error(StatusCode::NOT_FOUND, "NOT_FOUND");
    let bad = app
        .call(
            reqwest::Method::PUT,
            &format!("/api/teams/{}/follow", t.team),
            Some(&t.member.token),
            Some(json!({ "level": "loud" })),
        )
        .await;
    bad.assert_error(StatusCode::BAD_REQUEST, "VALIDATION_FAILED");

    // Assigned while muted: nothing. The watcher hears of the change.
    let task = assigned_task(&app, &t).await;
    patch_task(&app, &t.admin, &task, json!({ "title": "Ship it now" })).await;
    let guest = notified(&app, &t.guest, 2).await;
    assert!(
        kinds(&guest)
            .iter()
            .all(|(kind, _)| kind == "watched_change"),
        "{guest:?}"
    );
    assert!(app.notifications(&t.member).await.is_empty(), "muted");

    // Following again as by default: the assignee hears of what concerns them.
    follow(&t.member, "default").await;
    patch_task(&app, &t.admin, &task, json!({ "status": "done" })).await;
    let member = notified(&app, &t.member, 1).await;
    assert_eq!(kinds(&member), vec![("task_status_changed".into(), task)]);
    let audited = app.audit_actions(&t.team, "membership", &t.admin).await;
    assert!(
        audited.iter().filter(|a| a.as_str() == "update").count() >= 3,
        "{audited:?}"
    );
}

#[tokio::test]
async fn notifications_go_with_their_task_team_and_account() {
    let app = TestApp::spawn().await;
    let t = app.crew().await;
    let task = assigned_task(&app, &t).await;
    let other = app
        .task(
            &t.admin,
            &t.team,
            json!({ "title": "Other", "assigneeId": t.member.id }),
        )
        .await;
    notified(&app, &t.member, 2).await;
    assert_eq!(app.unread_count(&t.member).await, 2);

    let r = app
        .delete(&format!("/api/tasks/{task}"), &t.admin.token, None)
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT);
    let gone = eventually(SOON, || async {
        app.notifications(&t.member).await.len() == 1
    });
    assert!(gone.await, "the deleted task's notification is gone");
    assert_eq!(app.unread_count(&t.member).await, 1, "and its count");
    assert_eq!(
        kinds(&app.notifications(&t.member).await)[0].1,
        other["taskId"].as_str().unwrap_or_default()
    );

    let r = app
        .delete(&format!("/api/teams/{}", t.team), &t.admin.token, None)
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{:?}", r.body);
    let gone = eventually(SOON, || async {
        app.notifications(&t.member).await.is_empty()
    });
    assert!(gone.await, "the deleted team's notifications are gone");
    assert_eq!(app.unread_count(&t.member).await, 0);

    // An account's own notifications go with it.
    let t = app.crew().await;
    assigned_task(&app, &t).await;
    notified(&app, &t.member, 1).await;
    let member: UserId = t.member.id.parse().unwrap_or_default();
    let r = app
        .delete(
            "/api/users/me",
            &t.member.token,
            Some(json!({ "password": t.member.password })),
        )
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{:?}", r.body);
    let store = app.notification_store().await;
    let gone = eventually(SOON, || async {
        matches!(store.page(member, false, None, 10).await, Ok(page) if page.is_empty())
    });
    assert!(gone.await, "the account's notifications are gone");
}

#[tokio::test]
async fn due_date_reminders_fire_once_per_threshold_and_rearm_when_the_date_moves() {
    let app = TestApp::spawn().await;
    let t = app.crew().await;
    let relay = app.relay().await;
    let due_in = |hours: i64| (chrono::Utc::now() + chrono::TimeDelta::hours(hours)).to_rfc3339();
    let task = app
        .task(
            &t.admin,
            &t.team,
            json!({ "title": "Due", "assigneeId": t.member.id, "dueDate": due_in(2) }),
        )
        .await;
    let task = task["taskId"].as_str().unwrap_or_default().to_owned();
    let remind = || async {
        if let Err(e) = relay.remind().await {
            panic!("reminders: {e:#}");
        }
    };
    let reminders = |items: Vec<Value>| -> Vec<String> {
        kinds(&items)
            .into_iter()
            .map(|(kind, _)| kind)
            .filter(|kind| kind.starts_with("task_due") || kind == "task_overdue")
            .collect()
    };
    remind().await;
    remind().await;
    let items = notified(&app, &t.member, 2).await;
    assert_eq!(reminders(items.clone()), vec!["task_due_soon"], "once");
    assert_eq!(items[0]["data"]["taskId"], task.as_str());
    assert!(items[0]["data"]["dueDate"].is_string());

    // The due date moves: due soon again, for the new date.
    patch_task(&app, &t.admin, &task, json!({ "dueDate": due_in(5) })).await;
    remind().await;
    remind().await;
    let items = notified(&app, &t.member, 3).await;
    assert_eq!(reminders(items), vec!["task_due_soon", "task_due_soon"]);

    // Past due: overdue, once; done: nothing more.
    patch_task(&app, &t.admin, &task, json!({ "dueDate": due_in(-1) })).await;
    remind().await;
    remind().await;
    let items = notified(&app, &t.member, 4).await;
    assert_eq!(
        reminders(items),
        vec!["task_overdue", "task_due_soon", "task_due_soon"]
    );
    patch_task(
        &app,
        &t.admin,
        &task,
        json!({ "status": "done", "dueDate": due_in(-2) }),
    )
    .await;
    remind().await;
    let after = app.notifications(&t.member).await;
    assert_eq!(
        reminders(after),
        vec!["task_overdue", "task_due_soon", "task_due_soon"],
        "a finished task reminds nobody"
    );
    assert!(app.notifications(&t.guest).await.is_empty());
}

#[tokio::test]
async fn a_change_projected_again_notifies_once() {
    let app = TestApp::spawn().await;
    let t = app.crew().await;
    let mut stream =
        EventStream::open(&app.url("/api/notifications/stream"), &t.member.token, None).await;
    let task = assigned_task(&app, &t).await;
    let first = stream.next_named("notification", SOON).await;
    assert!(first.is_some(), "delivered live");
    assert_eq!(app.unread_count(&t.member).await, 1);

    // Every row that carried the change's event is applied again (by the app's relay), as
    // after a relay that lost its lease once it had applied them.
    let requeued = app.psql(
        "UPDATE outbox SET applied_at = NULL, available_at = now() \
         WHERE effects @> '[{\"type\": \"team_activity\"}]' RETURNING id",
    );
    assert!(!requeued.trim().is_empty(), "rows requeued");
    let applied = eventually(SOON, || async {
        let pending = app.psql(
            "SELECT count(*) FROM outbox WHERE applied_at IS NULL \
             AND effects @> '[{\"type\": \"team_activity\"}]'",
        );
        pending.trim() == "0"
    });
    assert!(applied.await, "the relay applied them again");
    let items = app.notifications(&t.member).await;
    assert_eq!(
        kinds(&items),
        vec![("task_assigned".into(), task)],
        "stored once"
    );
    assert_eq!(app.unread_count(&t.member).await, 1, "counted once");
    assert!(
        stream
            .next_named("notification", Duration::from_secs(1))
            .await
            .is_none(),
        "the stream does not show it twice"
    );
}

#[tokio::test]
async fn members_show_who_is_online() {
    let app = TestApp::spawn().await;
    let admin = app.user().await;
    let team = app.team(&admin).await;
    let quiet = app.user().await;
    app.add_member(&admin, &team, &quiet, "member").await;
    let before = online_flags(&app, &team, &admin).await;
    assert_eq!(before.get(&admin.id), Some(&json!(true)));
    assert_eq!(
        before.get(&quiet.id),
        Some(&json!(false)),
        "never made a request"
    );
    let me = app.get("/api/users/me", &quiet.token).await;
    assert_eq!(me.status, StatusCode::OK);
    let after = online_flags(&app, &team, &admin).await;
    assert_eq!(after.get(&quiet.id), Some(&json!(true)));
}

/// Each member's `online` flag in the members list, by user id.
async fn online_flags(
    app: &TestApp,
    team: &str,
    viewer: &TestUser,
) -> std::collections::BTreeMap<String, Value> {
    let r = app
        .get(&format!("/api/teams/{team}/members"), &viewer.token)
        .await;
    let items = r.body["items"].as_array().cloned().unwrap_or_default();
    items
        .iter()
        .map(|m| {
            let id = m["userId"].as_str().unwrap_or_default().to_owned();
            (id, m["online"].clone())
        })
        .collect()
}
