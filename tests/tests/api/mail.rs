//! Email about notifications against the real PostgreSQL and a real SMTP server (the local
//! services' aiosmtpd sink, which writes each message to a folder). One test goes the whole way
//! from an API change; the others queue notifications as delivery does
//! (`MailQueue::enqueue`), and digests and quiet hours run on a clock of the test's, so no test
//! waits for an hour to end.

use chrono::{DateTime, TimeZone, Utc};
use reqwest::StatusCode;
use serde_json::json;
use std::collections::BTreeSet;
use std::sync::Arc;
use std::time::Duration;
use taskforge_adapter_memory::ManualClock;
use taskforge_domain::clock::{Clock, SystemClock};
use taskforge_domain::ids::{TaskId, TeamId, UserId};
use taskforge_domain::mail::{MailReport, MailService};
use taskforge_domain::notifications::{
    MailQueue, Notification, NotificationData, NotificationKind,
};
use taskforge_domain::write_path::{AuditAction, AuditEntityType};
use taskforge_tests::mail::{mails_to, Mail};
use taskforge_tests::proxy::Proxy;
use taskforge_tests::{eventually, TestApp, TestUser};

/// Where links in the tests' mail lead.
const PUBLIC_URL: &str = "http://taskforge.test";

/// An app whose mail links lead to [`PUBLIC_URL`] and which runs no relay: the test drives
/// mailers of its own, on its own clock.
async fn app() -> TestApp {
    TestApp::spawn_with(|s| {
        s.worker.embedded = false;
        s.mail.public_url = PUBLIC_URL.into();
    })
    .await
}

fn smtp_port(app: &TestApp) -> u16 {
    app.settings.mail.smtp_port
}

fn clock_at(y: i32, mo: u32, d: u32, h: u32, mi: u32) -> Arc<ManualClock> {
    let start = Utc.with_ymd_and_hms(y, mo, d, h, mi, 0).single();
    ManualClock::new(start.unwrap_or_else(|| panic!("no such time")))
}

fn id(user: &TestUser) -> UserId {
    user.id.parse().unwrap_or_else(|e| panic!("user id: {e}"))
}

/// A notification of `user` about a task titled `title`, made at `at`.
fn notification(user: &TestUser, title: &str, at: DateTime<Utc>) -> Notification {
    let data = NotificationData {
        team_id: TeamId::new(),
        task_id: TaskId::new(),
        task_title: title.to_owned(),
        actor_id: Some(UserId::new()),
        entity_type: AuditEntityType::Task,
        entity_id: uuid::Uuid::now_v7(),
        action: Some(AuditAction::Assign),
        status: None,
        previous_status: None,
        due_date: None,
        excerpt: None,
    };
    let event = uuid::Uuid::now_v7().to_string();
    Notification::derived(&event, id(user), NotificationKind::TaskAssigned, data, at)
}

async fn enqueue(queue: &dyn MailQueue, batch: &[Notification]) {
    if let Err(e) = queue.enqueue(batch).await {
        panic!("enqueue: {e}");
    }
}

async fn send(mailer: &MailService) -> MailReport {
    mailer
        .send_due()
        .await
        .unwrap_or_else(|e| panic!("mail pass: {e}"))
}

async fn preferences(app: &TestApp, user: &TestUser, notifications: serde_json::Value) {
    let body = json!({ "preferences": { "notifications": notifications } });
    let r = app.patch("/api/users/me", &user.token, body).await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
}

/// Rows of the user's in the mail queue.
fn queued(app: &TestApp, user: &TestUser) -> String {
    app.psql(&format!(
        "SELECT count(*) FROM mail_queue WHERE user_id = '{}'",
        user.id
    ))
}

fn message_ids(mails: &[Mail]) -> BTreeSet<String> {
    mails
        .iter()
        .filter_map(|m| m.header("Message-ID").map(str::to_owned))
        .collect()
}

#[tokio::test]
async fn the_relay_mails_an_immediate_notification_once_with_both_bodies_and_unsubscribe_headers() {
    let app = TestApp::spawn_with(|s| s.mail.poll_interval_ms = 50).await;
    let user = app.user().await;
    let queue = app.mail_queue(Arc::new(SystemClock));
    let title = "Ship <v2> & \"celebrate\"";
    let n = notification(&user, title, Utc::now());
    enqueue(&queue, std::slice::from_ref(&n)).await;

    let arrived = eventually(Duration::from_secs(15), || async {
        !mails_to(&user.email).is_empty()
    })
    .await;
    assert!(arrived, "the relay's mailer sent it");
    let mails = mails_to(&user.email);
    assert_eq!(mails.len(), 1);
    let mail = &mails[0];
    let public = &app.settings.mail.public_url;
    let unsubscribe = mail.header("List-Unsubscribe").unwrap_or_default();
    let link = format!(
        "{public}/api/notifications/unsubscribe?user={}&token=",
        user.id
    );
    assert!(
        unsubscribe.starts_with(&format!("<{link}")) && unsubscribe.ends_with('>'),
        "{unsubscribe}"
    );
    assert_eq!(
        mail.header("List-Unsubscribe-Post"),
        Some("List-Unsubscribe=One-Click")
    );
    let message_id = mail.header("Message-ID").unwrap_or_default();
    assert!(
        message_id.starts_with('<') && message_id.ends_with("@localhost>"),
        "{message_id}"
    );
    assert!(mail
        .header("Content-Type")
        .is_some_and(|t| t.starts_with("multipart/alternative")));
    let task_link = format!("{public}/tasks/{}", n.data.task_id);
    assert!(mail.text.contains(title), "{}", mail.text);
    assert!(mail.text.contains(&task_link), "{}", mail.text);
    assert!(mail.text.contains(&link));
    assert!(
        mail.html
            .contains("Ship &lt;v2&gt; &amp; &quot;celebrate&quot;"),
        "{}",
        mail.html
    );
    assert!(!mail.html.contains("<v2>"), "user text is escaped");
    assert!(mail.html.contains(&format!("<a href=\"{task_link}\">")));

    // Queued again (a delivery retried): still one row, and nothing more to send.
    enqueue(&queue, &[n]).await;
    assert_eq!(queued(&app, &user), "1");
    let mailer = app.mailer(Arc::new(SystemClock), smtp_port(&app));
    assert_eq!(send(&mailer).await, MailReport::default());
    assert_eq!(mails_to(&user.email).len(), 1, "sent once");
}

/// The whole way: a change through the API, its notification delivered by the projection, its
/// mail sent by the relay.
#[tokio::test]
async fn an_assignment_made_through_the_api_reaches_the_assignees_mailbox() {
    let app = TestApp::spawn_with(|s| s.mail.poll_interval_ms = 50).await;
    let crew = app.crew().await;
    let task = app
        .task(
            &crew.admin,
            &crew.team,
            json!({ "title": "Mail me", "assigneeId": crew.member.id }),
        )
        .await;
    let arrived = eventually(Duration::from_secs(20), || async {
        !mails_to(&crew.member.email).is_empty()
    })
    .await;
    assert!(arrived, "the assignee was mailed");
    let mails = mails_to(&crew.member.email);
    assert_eq!(mails.len(), 1);
    assert!(
        mails[0].text.contains("You were assigned \"Mail me\""),
        "{}",
        mails[0].text
    );
    let link = format!("/tasks/{}", task["taskId"].as_str().unwrap_or_default());
    assert!(mails[0].text.contains(&link));
    assert!(
        mails_to(&crew.admin.email).is_empty(),
        "nobody is told of their own change"
    );
}

#[tokio::test]
async fn a_user_with_email_off_gets_no_mail() {
    let app = app().await;
    let user = app.user().await;
    preferences(&app, &user, json!({ "email": false })).await;
    let clock = clock_at(2030, 1, 15, 10, 20);
    let queue = app.mail_queue(clock.clone());
    enqueue(&queue, &[notification(&user, "Quiet please", clock.now())]).await;
    assert_eq!(queued(&app, &user), "0", "nothing queued");
    clock.advance(Duration::from_secs(8 * 24 * 3600));
    let mailer = app.mailer(clock.clone(), smtp_port(&app));
    assert_eq!(send(&mailer).await.sent, 0);
    assert!(mails_to(&user.email).is_empty());
}

#[tokio::test]
async fn an_hourly_digest_groups_the_hours_notifications_into_one_mail_at_its_end() {
    let app = app().await;
    let user = app.user().await;
    preferences(&app, &user, json!({ "frequency": "hourly" })).await;
    let clock = clock_at(2030, 1, 15, 10, 20);
    let queue = app.mail_queue(clock.clone());
    let mailer = app.mailer(clock.clone(), smtp_port(&app));
    let first = notification(&user, "Digest one", clock.now());
    enqueue(&queue, &[first]).await;
    clock.advance(Duration::from_secs(15 * 60));
    let more = [
        notification(&user, "Digest two", clock.now()),
        notification(&user, "Digest three", clock.now()),
    ];
    enqueue(&queue, &more).await;

    clock.advance(Duration::from_secs(24 * 60 + 59)); // 10:59:59
    assert_eq!(send(&mailer).await.sent, 0, "not before the hour ends");
    assert!(mails_to(&user.email).is_empty());
    clock.advance(Duration::from_secs(1)); // 11:00
    assert_eq!(send(&mailer).await.sent, 1);
    assert_eq!(send(&mailer).await.sent, 0, "once");
    let mails = mails_to(&user.email);
    assert_eq!(mails.len(), 1);
    let digest = &mails[0];
    assert_eq!(
        digest.header("Subject"),
        Some("[TaskForge] Your hourly digest: 3 notifications")
    );
    for title in ["Digest one", "Digest two", "Digest three"] {
        assert!(digest.text.contains(title), "{title}: {}", digest.text);
        assert!(digest.html.contains(title), "{title}: {}", digest.html);
    }

    // A notification of the next hour waits for that hour's end, alone.
    enqueue(&queue, &[notification(&user, "Digest four", clock.now())]).await;
    assert_eq!(send(&mailer).await.sent, 0);
    clock.advance(Duration::from_secs(3600));
    assert_eq!(send(&mailer).await.sent, 1);
    let mails = mails_to(&user.email);
    assert_eq!(mails.len(), 2);
    assert!(mails[1].text.contains("Digest four") && !mails[1].text.contains("Digest one"));
}

#[tokio::test]
async fn quiet_hours_hold_mail_until_they_end_in_the_users_zone() {
    let app = app().await;
    let user = app.user().await;
    let quiet = json!({ "timeZone": "America/New_York", "quietHours": { "start": "22:00", "end": "07:00" } });
    preferences(&app, &user, quiet).await;
    let me = app.get("/api/users/me", &user.token).await;
    assert_eq!(
        me.body["preferences"]["notifications"],
        json!({ "email": true, "push": true, "frequency": "immediate",
                "timeZone": "America/New_York", "quietHours": { "start": "22:00", "end": "07:00" } })
    );
    // 04:00 UTC is 23:00 in New York (UTC-5 in January).
    let clock = clock_at(2030, 1, 15, 4, 0);
    let queue = app.mail_queue(clock.clone());
    let mailer = app.mailer(clock.clone(), smtp_port(&app));
    enqueue(&queue, &[notification(&user, "Late news", clock.now())]).await;
    assert_eq!(send(&mailer).await.sent, 0, "quiet at 23:00");
    clock.advance(Duration::from_secs(8 * 3600 - 1)); // 06:59:59 local
    assert_eq!(send(&mailer).await.sent, 0, "quiet until 07:00");
    assert!(mails_to(&user.email).is_empty());
    clock.advance(Duration::from_secs(1)); // 07:00 local
    assert_eq!(send(&mailer).await.sent, 1);
    assert_eq!(mails_to(&user.email).len(), 1);
}

#[tokio::test]
async fn an_smtp_outage_delays_mail_and_loses_none_and_sends_none_twice() {
    let app = app().await;
    let (ada, bob) = (app.user().await, app.user().await);
    preferences(&app, &bob, json!({ "frequency": "daily" })).await;
    let smtp = Proxy::start(smtp_port(&app)).await;
    smtp.set_down(true);
    let clock = clock_at(2030, 1, 15, 10, 20);
    let queue = app.mail_queue(clock.clone());
    let mailer = app.mailer(clock.clone(), smtp.port);
    let now = clock.now();
    let ada_notes: Vec<Notification> = (0..3)
        .map(|i| notification(&ada, &format!("Outage {i}"), now))
        .collect();
    enqueue(&queue, &ada_notes).await;
    enqueue(
        &queue,
        &[
            notification(&bob, "Daily one", now),
            notification(&bob, "Daily two", now),
        ],
    )
    .await;

    let down = send(&mailer).await;
    assert_eq!(
        (down.sent, down.failed),
        (0, 3),
        "ada's mail is due, the server is not"
    );
    let failures = app.psql(&format!(
        "SELECT count(*) FROM mail_queue WHERE user_id = '{}' AND attempts = 1 \
         AND last_error IS NOT NULL AND sent_at IS NULL",
        ada.id
    ));
    assert_eq!(failures, "3", "each failure recorded, nothing lost");
    clock.advance(Duration::from_secs(24 * 3600)); // bob's day has ended too
    let still_down = send(&mailer).await;
    assert_eq!((still_down.sent, still_down.failed), (0, 4));

    smtp.set_down(false);
    assert_eq!(
        send(&mailer).await.sent,
        0,
        "backing off after the second failure"
    );
    clock.advance(Duration::from_secs(3600));
    let mut sent = 0;
    loop {
        let pass = send(&mailer).await;
        assert_eq!(pass.failed, 0);
        if pass.sent == 0 {
            break;
        }
        sent += pass.sent;
    }
    assert_eq!(sent, 4);
    let (ada_mail, bob_mail) = (mails_to(&ada.email), mails_to(&bob.email));
    assert_eq!(ada_mail.len(), 3, "one mail per notification");
    assert_eq!(message_ids(&ada_mail).len(), 3);
    assert_eq!(bob_mail.len(), 1, "one digest");
    assert!(bob_mail[0].text.contains("Daily one") && bob_mail[0].text.contains("Daily two"));
    clock.advance(Duration::from_secs(7 * 24 * 3600));
    assert_eq!(send(&mailer).await, MailReport::default(), "nothing twice");
}

#[tokio::test]
async fn two_mailers_racing_send_each_batch_once() {
    let app = TestApp::spawn_with(|s| {
        s.worker.embedded = false;
        s.mail.batch_size = 2;
    })
    .await;
    let clock = clock_at(2030, 1, 15, 10, 20);
    let queue = app.mail_queue(clock.clone());
    let mut users = Vec::new();
    for digest in [false, false, false, true, true] {
        let user = app.user().await;
        if digest {
            preferences(&app, &user, json!({ "frequency": "hourly" })).await;
        }
        let notes: Vec<Notification> = (0..3)
            .map(|i| notification(&user, &format!("Race {i}"), clock.now()))
            .collect();
        enqueue(&queue, &notes).await;
        users.push((user, digest));
    }
    clock.advance(Duration::from_secs(3600));
    let (a, b) = (
        app.mailer(clock.clone(), smtp_port(&app)),
        app.mailer(clock.clone(), smtp_port(&app)),
    );
    let mut sent = 0;
    loop {
        let (x, y) = tokio::join!(send(&a), send(&b));
        assert_eq!(x.failed + y.failed, 0);
        if x.sent + y.sent == 0 {
            break;
        }
        sent += x.sent + y.sent;
    }
    assert_eq!(sent, 3 * 3 + 2, "every batch once");
    for (user, digest) in &users {
        let mails = mails_to(&user.email);
        let expected = if *digest { 1 } else { 3 };
        assert_eq!(mails.len(), expected, "{}", user.email);
        assert_eq!(message_ids(&mails).len(), expected, "no copies");
    }
}

#[tokio::test]
async fn the_unsubscribe_link_turns_email_off_through_the_write_path() {
    let app = app().await;
    let user = app.user().await;
    let other = app.user().await;
    let clock = clock_at(2030, 1, 15, 10, 20);
    let queue = app.mail_queue(clock.clone());
    let mailer = app.mailer(clock.clone(), smtp_port(&app));
    enqueue(&queue, &[notification(&user, "Before", clock.now())]).await;
    assert_eq!(send(&mailer).await.sent, 1);
    let mails = mails_to(&user.email);
    let header = mails[0].header("List-Unsubscribe").unwrap_or_default();
    let path = header
        .trim_start_matches('<')
        .trim_end_matches('>')
        .strip_prefix(PUBLIC_URL)
        .unwrap_or_else(|| panic!("{header}"))
        .to_owned();

    let page = app.client.get(app.url(&path)).send().await;
    let page = page.unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(page.status(), StatusCode::OK);
    assert!(page
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|t| t.starts_with("text/html")));
    let html = page.text().await.unwrap_or_default();
    assert!(html.contains("<form method=\"post\""), "{html}");
    let me = app.get("/api/users/me", &user.token).await;
    assert_eq!(
        me.body["preferences"]["notifications"]["email"], true,
        "a GET changes nothing"
    );

    let one_click = || {
        app.client
            .post(app.url(&path))
            .header("content-type", "application/x-www-form-urlencoded")
            .body("List-Unsubscribe=One-Click")
            .send()
    };
    let done = one_click().await.unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(done.status(), StatusCode::OK);
    let me = app.get("/api/users/me", &user.token).await;
    assert_eq!(me.body["preferences"]["notifications"]["email"], false);
    let audited = || {
        app.psql(&format!(
            "SELECT count(*) FROM audit_log WHERE scope = 'account:{}' AND action = 'update' \
             AND entity_id = '{}' AND actor_id = '{}' \
             AND new_state #>> '{{preferences,notifications,email}}' = 'false'",
            user.id, user.id, user.id
        ))
    };
    assert_eq!(audited(), "1", "one audit row, by the user");
    let again = one_click().await.unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(again.status(), StatusCode::OK);
    assert_eq!(audited(), "1", "unsubscribing again changes nothing");

    enqueue(&queue, &[notification(&user, "After", clock.now())]).await;
    assert_eq!(send(&mailer).await.sent, 0);
    assert_eq!(
        mails_to(&user.email).len(),
        1,
        "no mail after unsubscribing"
    );

    // Another user's id with this token, a forged token, and malformed links.
    let token = path.split("token=").nth(1).unwrap_or_default().to_owned();
    let base = "/api/notifications/unsubscribe";
    for (query, status, code) in [
        (
            format!("user={}&token={token}", other.id),
            StatusCode::NOT_FOUND,
            "NOT_FOUND",
        ),
        (
            format!("user={}&token={}", user.id, "0".repeat(64)),
            StatusCode::NOT_FOUND,
            "NOT_FOUND",
        ),
        (
            format!("user={}", user.id),
            StatusCode::BAD_REQUEST,
            "VALIDATION_FAILED",
        ),
        (
            format!("user=nobody&token={token}"),
            StatusCode::BAD_REQUEST,
            "VALIDATION_FAILED",
        ),
    ] {
        for method in [reqwest::Method::GET, reqwest::Method::POST] {
            let r = app
                .call(method.clone(), &format!("{base}?{query}"), None, None)
                .await;
            assert_eq!(
                (r.status, r.code()),
                (status, code),
                "{method} {query}: {:?}",
                r.body
            );
        }
    }
    let untouched = app.get("/api/users/me", &other.token).await;
    assert_eq!(
        untouched.body["preferences"]["notifications"]["email"],
        true
    );
}
