//! Profiles, password change and account deletion over HTTP, checked in every store.

use reqwest::StatusCode;
use secrecy::SecretString;
use serde_json::json;
use std::time::Duration;
use taskforge_adapter_sql::{PgOutbox, PgUserRepository};
use taskforge_domain::identity::ports::UserRepository;
use taskforge_domain::identity::{ProfileDetails, ProfileDocuments};
use taskforge_domain::ids::UserId;
use taskforge_domain::write_path::Outbox;
use taskforge_tests::{eventually, processes, TestApp};

fn user_id(raw: &str) -> UserId {
    match raw.parse() {
        Ok(id) => id,
        Err(e) => panic!("user id {raw:?}: {e}"),
    }
}

#[tokio::test]
async fn a_new_profile_has_the_documented_defaults() {
    let app = TestApp::spawn().await;
    let user = app.user().await;
    let me = app.get("/api/users/me", &user.token).await;
    assert_eq!(me.status, StatusCode::OK);
    let b = &me.body;
    assert_eq!(b["userId"], user.id.as_str());
    assert_eq!(b["email"], user.email.as_str());
    assert_eq!(
        (b["bio"].as_str(), b["profilePicture"].is_null()),
        (Some(""), true)
    );
    assert_eq!(
        b["preferences"],
        json!({ "theme": "system", "notifications": {
            "email": true, "push": true, "frequency": "immediate", "timeZone": "UTC", "quietHours": null
        } })
    );
    assert!(b["metadata"]["created"].is_string() && b["metadata"]["lastLogin"].is_string());

    let id = user_id(&user.id);
    let docs = app.profile_documents().await;
    let projected = eventually(Duration::from_secs(10), || async {
        matches!(docs.get(id).await, Ok(Some(d)) if d.version == 1 && d.details == ProfileDetails::default())
    })
    .await;
    assert!(projected, "the profile document is in MongoDB");
}

#[tokio::test]
async fn patch_changes_only_what_it_names_and_refreshes_every_copy() {
    let app = TestApp::spawn().await;
    let user = app.user().await;
    let id = user_id(&user.id);
    let patch = json!({
        "firstName": "Grace", "bio": "Rear admiral", "profilePicture": "https://example.com/g.png",
        "preferences": { "theme": "dark", "notifications": { "frequency": "daily" } }
    });
    let r = app.patch("/api/users/me", &user.token, patch).await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    assert_eq!(
        (r.body["firstName"].as_str(), r.body["lastName"].as_str()),
        (Some("Grace"), Some("User"))
    );
    assert_eq!(
        r.body["preferences"],
        json!({ "theme": "dark", "notifications": {
            "email": true, "push": true, "frequency": "daily", "timeZone": "UTC", "quietHours": null
        } })
    );
    assert_eq!(r.body["profilePicture"], "https://example.com/g.png");

    let me = app.get("/api/users/me", &user.token).await;
    assert_eq!(me.body, r.body, "a read answers the change");

    let stored = PgUserRepository::new(app.sql()).profile(id).await;
    let stored = match stored {
        Ok(Some(p)) => p,
        other => panic!("the users row: {other:?}"),
    };
    assert_eq!(
        (stored.details.bio.as_str(), stored.user.profile_version),
        ("Rear admiral", 2)
    );
    let docs = app.profile_documents().await;
    let projected = eventually(Duration::from_secs(10), || async {
        matches!(docs.get(id).await, Ok(Some(d)) if d.version == 2)
    })
    .await;
    assert!(projected, "the profile document reaches version 2");
    let doc = docs.get(id).await;
    assert!(
        matches!(&doc, Ok(Some(d)) if d.details == stored.details),
        "MongoDB's document holds what PostgreSQL does: {doc:?}"
    );

    let cleared = app
        .patch(
            "/api/users/me",
            &user.token,
            json!({ "profilePicture": null }),
        )
        .await;
    assert_eq!(cleared.body["profilePicture"], serde_json::Value::Null);
    assert_eq!(cleared.body["bio"], "Rear admiral");
}

#[tokio::test]
async fn patch_refuses_fields_it_does_not_allow_and_bad_values() {
    let app = TestApp::spawn().await;
    let user = app.user().await;
    let refused = [
        json!({ "email": "new@example.com" }),
        json!({ "userId": user.id }),
        json!({ "passwordHash": "x" }),
        json!({ "metadata": { "created": "2020-01-01T00:00:00Z" } }),
        json!({ "preferences": { "theme": "purple" } }),
        json!({ "preferences": { "notifications": { "frequency": "hourlyish" } } }),
        json!({ "preferences": { "font": "serif" } }),
        json!({ "profilePicture": "javascript:alert(1)" }),
        json!({ "firstName": "" }),
        json!({ "bio": 42 }),
        json!({ "firstName": null }),
        json!({ "preferences": { "theme": null } }),
        json!({ "preferences": { "notifications": { "timeZone": "Mars/Olympus" } } }),
        json!({ "preferences": { "notifications": { "timeZone": null } } }),
        json!({ "preferences": { "notifications": { "quietHours": { "start": "22:00", "end": "22:00" } } } }),
        json!({ "preferences": { "notifications": { "quietHours": { "start": "7:00", "end": "08:00" } } } }),
        json!({ "preferences": { "notifications": { "quietHours": { "start": "24:00", "end": "08:00" } } } }),
        json!({ "preferences": { "notifications": { "quietHours": { "start": "22:00" } } } }),
        json!({ "preferences": { "notifications": { "quietHours": "22:00-07:00" } } }),
    ];
    for body in refused {
        let r = app.patch("/api/users/me", &user.token, body.clone()).await;
        assert_eq!(
            (r.status, r.code()),
            (StatusCode::BAD_REQUEST, "VALIDATION_FAILED"),
            "{body}: {:?}",
            r.body
        );
    }
    let me = app.get("/api/users/me", &user.token).await;
    assert_eq!(
        (me.body["email"].as_str(), me.body["firstName"].as_str()),
        (Some(user.email.as_str()), Some("Test"))
    );
}

#[tokio::test]
async fn time_zone_and_quiet_hours_are_patched_like_the_other_preferences() {
    let app = TestApp::spawn().await;
    let user = app.user().await;
    let quiet = json!({ "start": "22:30", "end": "06:45" });
    let body = json!({ "preferences": { "notifications": {
        "timeZone": "Asia/Kolkata", "quietHours": quiet.clone()
    } } });
    let r = app.patch("/api/users/me", &user.token, body).await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    let notifications = &r.body["preferences"]["notifications"];
    assert_eq!(
        (
            &notifications["timeZone"],
            &notifications["quietHours"],
            &notifications["frequency"]
        ),
        (&json!("Asia/Kolkata"), &quiet, &json!("immediate"))
    );
    let body = json!({ "preferences": { "notifications": { "quietHours": null } } });
    let cleared = app.patch("/api/users/me", &user.token, body).await;
    let notifications = &cleared.body["preferences"]["notifications"];
    assert_eq!(
        (&notifications["timeZone"], &notifications["quietHours"]),
        (&json!("Asia/Kolkata"), &serde_json::Value::Null),
        "null clears the quiet hours, the zone stays"
    );
    assert_eq!(
        app.get("/api/users/me", &user.token).await.body,
        cleared.body
    );
}

#[tokio::test]
async fn concurrent_patches_are_all_kept() {
    let app = TestApp::spawn().await;
    let user = app.user().await;
    let a = app.patch("/api/users/me", &user.token, json!({ "bio": "from a" }));
    let b = app.patch(
        "/api/users/me",
        &user.token,
        json!({ "preferences": { "theme": "light" } }),
    );
    let (a, b) = tokio::join!(a, b);
    assert_eq!((a.status, b.status), (StatusCode::OK, StatusCode::OK));
    let me = app.get("/api/users/me", &user.token).await;
    assert_eq!(
        (
            me.body["bio"].as_str(),
            me.body["preferences"]["theme"].as_str()
        ),
        (Some("from a"), Some("light"))
    );
}

#[tokio::test]
async fn a_password_change_ends_every_other_session() {
    let app = TestApp::spawn().await;
    let user = app.user().await;
    let other = app.another_session(&user).await;
    let wrong = json!({ "currentPassword": "not it at all", "newPassword": "a brand new secret" });
    let r = app
        .post("/api/users/me/password", &user.token, Some(wrong))
        .await;
    r.assert_error(StatusCode::BAD_REQUEST, "VALIDATION_FAILED");
    let short = json!({ "currentPassword": user.password, "newPassword": "short" });
    let r = app
        .post("/api/users/me/password", &user.token, Some(short))
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);

    let body = json!({ "currentPassword": user.password, "newPassword": "a brand new secret" });
    let r = app
        .post("/api/users/me/password", &user.token, Some(body))
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{:?}", r.body);
    assert_eq!(
        app.get("/api/users/me", &user.token).await.status,
        StatusCode::OK,
        "this session lives on"
    );
    assert_eq!(
        app.get("/api/users/me", &other).await.status,
        StatusCode::UNAUTHORIZED,
        "the other ended"
    );
    assert_eq!(
        app.login(&user.email, &user.password).await.status,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        app.login(&user.email, "a brand new secret").await.status,
        StatusCode::OK
    );
}

#[tokio::test]
async fn deleting_the_account_removes_it_from_every_store_but_the_audit_log() {
    let app = TestApp::spawn().await;
    let user = app.user().await;
    let id = user_id(&user.id);
    app.get("/api/users/me", &user.token).await;
    let r = app
        .delete(
            "/api/users/me",
            &user.token,
            Some(json!({ "password": "wrong password" })),
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert_eq!(
        app.get("/api/users/me", &user.token).await.status,
        StatusCode::OK,
        "nothing happened"
    );

    let r = app
        .delete(
            "/api/users/me",
            &user.token,
            Some(json!({ "password": user.password })),
        )
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{:?}", r.body);
    assert_eq!(
        app.get("/api/users/me", &user.token).await.status,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        app.login(&user.email, &user.password).await.status,
        StatusCode::UNAUTHORIZED
    );
    let docs = app.profile_documents().await;
    let gone = eventually(Duration::from_secs(10), || async {
        matches!(docs.get(id).await, Ok(None))
    })
    .await;
    assert!(gone, "the profile document is gone");
    assert_eq!(
        app.register(&user.email, "a new beginning").await.status,
        StatusCode::CREATED,
        "the email is free again"
    );

    // register, login (twice: app.user and the second read), delete: the rows stay, chained.
    let chain = app.audit_chain();
    let scope = format!("account:{id}");
    let chained = eventually(Duration::from_secs(10), || async {
        matches!(chain.verify(&scope).await, Ok(c) if c.ok && c.checked == 3)
    })
    .await;
    assert!(
        chained,
        "audit rows of the deleted account remain and verify: {:?}",
        chain.verify(&scope).await
    );
}

#[tokio::test]
async fn a_week_old_profile_is_read_and_changed_while_mongodb_is_down() {
    let mut ferret = processes::ferretdb();
    let uri = processes::mongo_uri(&ferret);
    let app = TestApp::spawn_with(|s| s.mongo.uri = SecretString::from(uri)).await;
    let user = app.user().await;
    let id = user_id(&user.id);
    let before = json!({ "bio": "Before the outage", "preferences": { "theme": "dark" } });
    let before = app.patch("/api/users/me", &user.token, before).await;
    assert_eq!(before.status, StatusCode::OK, "{:?}", before.body);
    // A week later: every row is applied and pruned, so MongoDB holds the only other copy.
    let docs = app.profile_documents().await;
    let projected = eventually(Duration::from_secs(10), || async {
        matches!(docs.get(id).await, Ok(Some(d)) if d.version == 2)
    })
    .await;
    assert!(projected, "the profile document reaches version 2");
    let outbox = PgOutbox::new(app.sql());
    let drained = eventually(Duration::from_secs(10), || async {
        matches!(outbox.pending_count().await, Ok(0))
    })
    .await;
    assert!(drained, "every row applied");
    let pruned = outbox.prune(Duration::ZERO).await;
    assert!(matches!(pruned, Ok(n) if n >= 2), "{pruned:?}");
    ferret.stop();

    let me = app.get("/api/users/me", &user.token).await;
    assert_eq!(me.status, StatusCode::OK, "{:?}", me.body);
    assert_eq!(me.body, before.body, "the full profile, from PostgreSQL");
    let during =
        json!({ "firstName": "Grace", "preferences": { "notifications": { "push": false } } });
    let during = app.patch("/api/users/me", &user.token, during).await;
    assert_eq!(during.status, StatusCode::OK, "{:?}", during.body);
    let mut expected = before.body.clone();
    expected["firstName"] = json!("Grace");
    expected["preferences"]["notifications"]["push"] = json!(false);
    assert_eq!(during.body, expected, "the change, on the full profile");
    assert_eq!(app.get("/api/users/me", &user.token).await.body, expected);

    ferret.start();
    let caught_up = eventually(Duration::from_secs(20), || async {
        matches!(docs.get(id).await, Ok(Some(d))
            if d.version == 3 && d.details.bio.as_str() == "Before the outage"
                && !d.details.preferences.notifications.push)
    })
    .await;
    assert!(
        caught_up,
        "MongoDB's document catches up: {:?}",
        docs.get(id).await
    );
}
