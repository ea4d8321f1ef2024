//! The findings of the outside security review (issue 10), each held by a test over HTTP on the
//! real stores.

use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use taskforge_app_http::settings::{RateSetting, Settings};
use taskforge_tests::{Reply, TestApp, TestUser};

fn tight(limit: u32) -> RateSetting {
    RateSetting {
        limit,
        window_secs: 60,
    }
}

/// The proxy the tests play: every test connection comes from 127.0.0.1.
fn behind_local_proxy(s: &mut Settings) {
    s.http.trusted_proxies = vec![local_range()];
}

fn local_range() -> ipnet::IpNet {
    match "127.0.0.1/32".parse() {
        Ok(range) => range,
        Err(e) => panic!("{e}"),
    }
}

async fn login_from(app: &TestApp, forwarded_for: &str, email: &str, password: &str) -> Reply {
    let req = app
        .client
        .post(app.url("/api/auth/login"))
        .header("x-forwarded-for", forwarded_for)
        .json(&json!({ "email": email, "password": password }));
    TestApp::reply(req).await
}

fn field_errors(r: &Reply) -> Vec<String> {
    r.body["error"]["details"]
        .as_array()
        .map(|d| {
            d.iter()
                .filter_map(|e| e["field"].as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

#[tokio::test]
async fn nul_and_control_characters_are_refused_with_400_everywhere() {
    let app = TestApp::spawn().await;
    let login = app
        .call(
            Method::POST,
            "/api/auth/login",
            None,
            Some(json!({ "email": "a\u{0}@x.io", "password": "whatever pw" })),
        )
        .await;
    login.assert_error(StatusCode::BAD_REQUEST, "VALIDATION_FAILED");
    let register = app
        .call(
            Method::POST,
            "/api/auth/register",
            None,
            Some(json!({ "email": "b@x.io", "password": "pass\u{0}word", "firstName": "A\u{1b}", "lastName": "B" })),
        )
        .await;
    register.assert_error(StatusCode::BAD_REQUEST, "VALIDATION_FAILED");
    assert_eq!(field_errors(&register), ["password", "firstName"]);

    let user = app.user().await;
    let team = app.team(&user).await;
    app.get("/api/tasks?q=%00", &user.token)
        .await
        .assert_error(StatusCode::BAD_REQUEST, "VALIDATION_FAILED");
    app.get("/api/tasks?tag=a%07", &user.token)
        .await
        .assert_error(StatusCode::BAD_REQUEST, "VALIDATION_FAILED");
    let bad_bodies: [(&str, Value); 6] = [
        ("/api/teams", json!({ "name": "t", "description": "\u{0}" })),
        ("/api/teams", json!({ "name": "t\u{0}" })),
        (
            "/api/tasks",
            json!({ "teamId": team, "title": "t", "description": "a\u{0}" }),
        ),
        (
            "/api/tasks",
            json!({ "teamId": team, "title": "t", "tags": ["a\u{0}"] }),
        ),
        (
            "/api/tasks",
            json!({ "teamId": team, "title": "t", "customFields": { "k": "\u{0}" } }),
        ),
        (
            &format!("/api/teams/{team}/members"),
            json!({ "email": "x\u{0}@y.io", "role": "member" }),
        ),
    ];
    for (path, body) in bad_bodies {
        let r = app.post(path, &user.token, Some(body.clone())).await;
        assert_eq!(
            r.status,
            StatusCode::BAD_REQUEST,
            "{path} {body}: {:?}",
            r.body
        );
    }
    app.patch("/api/users/me", &user.token, json!({ "bio": "bell\u{7}" }))
        .await
        .assert_error(StatusCode::BAD_REQUEST, "VALIDATION_FAILED");

    let layout = json!({ "name": "t", "description": "two\nlines\r\n\tindented" });
    let r = app.post("/api/teams", &user.token, Some(layout)).await;
    assert_eq!(
        r.status,
        StatusCode::CREATED,
        "free text keeps its layout: {:?}",
        r.body
    );

    let agent = app
        .client
        .get(app.url("/api/users/me"))
        .bearer_auth(&user.token)
        .header("user-agent", "evil\tagent");
    TestApp::reply(agent)
        .await
        .assert_error(StatusCode::BAD_REQUEST, "VALIDATION_FAILED");
}

#[tokio::test]
async fn a_wrongly_typed_value_is_not_echoed_back() {
    let app = TestApp::spawn().await;
    let user = app.user().await;
    for body in [
        json!({ "preferences": { "notifications": { "email": "hunter2-secret" } } }),
        json!({ "preferences": { "theme": "hunter2-secret" } }),
        json!({ "bio": ["hunter2-secret"], "firstName": 1 }),
    ] {
        let r = app.patch("/api/users/me", &user.token, body.clone()).await;
        r.assert_error(StatusCode::BAD_REQUEST, "VALIDATION_FAILED");
        assert!(
            !r.body.to_string().contains("hunter2"),
            "{body}: {:?}",
            r.body
        );
    }
    let r = app
        .call(
            Method::POST,
            "/api/auth/login",
            None,
            Some(json!({ "email": "a@x.io", "password": 31337 })),
        )
        .await;
    r.assert_error(StatusCode::BAD_REQUEST, "VALIDATION_FAILED");
    assert!(!r.body.to_string().contains("31337"), "{:?}", r.body);
}

/// A cursor as a client could forge it: the API's encoding, any key.
fn forged_cursor(sort: &str, key: &str, id: &str) -> String {
    let json = json!({ "sort": sort, "key": key, "id": id }).to_string();
    json.bytes().map(|b| format!("{b:02x}")).collect()
}

#[tokio::test]
async fn a_forged_cursor_key_is_a_400_not_a_500() {
    let app = TestApp::spawn().await;
    let user = app.user().await;
    let team = app.team(&user).await;
    let task = app.task(&user, &team, json!({})).await;
    let id = task["taskId"].as_str().unwrap_or_default();
    for (sort, key) in [
        ("-created", "0000-01-01T00:00:00Z"),
        ("due", "+10000-01-01T00:00:00Z"),
        ("priority", "32767"),
        ("updated", "infinity"),
    ] {
        let cursor = forged_cursor(sort, key, id);
        let r = app
            .get(
                &format!("/api/tasks?sort={sort}&cursor={cursor}"),
                &user.token,
            )
            .await;
        r.assert_error(StatusCode::BAD_REQUEST, "VALIDATION_FAILED");
        assert_eq!(field_errors(&r), ["cursor"], "{sort} {key}");
    }
}

#[tokio::test]
async fn due_dates_stay_within_year_9999_and_every_page_cursor_works() {
    let app = TestApp::spawn().await;
    let user = app.user().await;
    let team = app.team(&user).await;
    let late = app
        .post(
            "/api/tasks",
            &user.token,
            Some(json!({ "teamId": team, "title": "t", "dueDate": "9999-12-31T23:00:00-05:00" })),
        )
        .await;
    late.assert_error(StatusCode::BAD_REQUEST, "VALIDATION_FAILED");
    assert_eq!(field_errors(&late), ["dueDate"]);

    let mut made = Vec::new();
    for due in [
        json!("9999-12-31T23:59:59Z"),
        json!("2026-01-01T00:00:00.123456Z"),
        Value::Null,
    ] {
        let task = app.task(&user, &team, json!({ "dueDate": due })).await;
        made.push(task["taskId"].as_str().unwrap_or_default().to_owned());
    }
    for sort in ["due", "-due", "created", "-updated", "priority"] {
        let mut seen = Vec::new();
        let mut cursor: Option<String> = None;
        loop {
            let after = cursor.map(|c| format!("&cursor={c}")).unwrap_or_default();
            let page = app
                .get(
                    &format!("/api/tasks?sort={sort}&limit=1{after}"),
                    &user.token,
                )
                .await;
            assert_eq!(page.status, StatusCode::OK, "{sort}: {:?}", page.body);
            seen.extend(
                page.body["items"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter_map(|t| t["taskId"].as_str().map(str::to_owned)),
            );
            cursor = page.body["nextCursor"].as_str().map(str::to_owned);
            if cursor.is_none() || seen.len() > made.len() {
                break;
            }
        }
        seen.sort();
        let mut want = made.clone();
        want.sort();
        assert_eq!(seen, want, "pages of one walk every task once, sort={sort}");
    }
}

async fn metrics_text(app: &TestApp, base: &str) -> (StatusCode, String) {
    match app.client.get(format!("{base}/metrics")).send().await {
        Ok(r) => (r.status(), r.text().await.unwrap_or_default()),
        Err(e) => panic!("{e}"),
    }
}

#[tokio::test]
async fn invented_methods_share_one_metrics_label() {
    let app = TestApp::spawn().await;
    for invented in ["M123", "M124"] {
        let method = Method::from_bytes(invented.as_bytes()).unwrap_or(Method::GET);
        let r = TestApp::reply(app.client.request(method, app.url("/api/tasks"))).await;
        assert!(r.status.is_client_error(), "{invented}: {:?}", r.status);
    }
    let (_, text) = metrics_text(&app, &app.base).await;
    assert!(!text.contains("M123") && !text.contains("M124"), "{text}");
    assert!(text.contains("method=\"other\""), "{text}");
}

#[tokio::test]
async fn metrics_can_be_served_on_a_private_address_only() {
    let app = TestApp::spawn_with(|s| s.http.metrics_bind = Some("127.0.0.1:0".into())).await;
    let private = match app.running.metrics_addr {
        Some(addr) => format!("http://{addr}"),
        None => panic!("metrics_bind gives /metrics an address"),
    };
    let (status, text) = metrics_text(&app, &private).await;
    assert_eq!(status, StatusCode::OK);
    assert!(text.contains("http_requests_total"), "{text}");
    let (public, _) = metrics_text(&app, &app.base).await;
    assert_eq!(public, StatusCode::NOT_FOUND, "not on the API's address");
    let api_on_private = TestApp::reply(app.client.get(format!("{private}/healthz"))).await;
    api_on_private.assert_error(StatusCode::NOT_FOUND, "NOT_FOUND");
}

async fn session_ips(app: &TestApp, token: &str) -> Vec<String> {
    let list = app.get("/api/auth/sessions", token).await;
    list.body["items"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|s| s["ip"].as_str().map(str::to_owned))
        .collect()
}

#[tokio::test]
async fn forwarded_addresses_are_believed_only_from_trusted_proxies() {
    let untrusting = TestApp::spawn().await;
    let user = untrusting.user().await;
    let login = login_from(&untrusting, "6.6.6.6", &user.email, &user.password).await;
    let token = login.body["token"].as_str().unwrap_or_default();
    assert_eq!(session_ips(&untrusting, token).await, ["127.0.0.1"; 2]);

    let proxied = TestApp::spawn_with(behind_local_proxy).await;
    let user = proxied.user().await;
    let forged_then_real = "6.6.6.6, junk, 198.51.100.7, 127.0.0.1";
    let login = login_from(&proxied, forged_then_real, &user.email, &user.password).await;
    let token = login.body["token"].as_str().unwrap_or_default();
    let ips = session_ips(&proxied, token).await;
    assert!(ips.contains(&"198.51.100.7".to_owned()), "{ips:?}");
    assert!(!ips.contains(&"6.6.6.6".to_owned()), "{ips:?}");
}

#[tokio::test]
async fn forged_forwarded_addresses_do_not_escape_the_per_ip_login_limit() {
    let app = TestApp::spawn_with(|s| {
        behind_local_proxy(s);
        s.auth.rate_limits.login_per_ip = tight(2);
    })
    .await;
    for i in 0..2 {
        let forged = format!("10.9.9.{i}, 198.51.100.7");
        let r = login_from(&app, &forged, "nobody@example.com", "whatever pw").await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    }
    let r = login_from(
        &app,
        "10.9.9.9, 198.51.100.7",
        "nobody@example.com",
        "x pw 123",
    )
    .await;
    r.assert_error(StatusCode::TOO_MANY_REQUESTS, "RATE_LIMITED");

    for i in 0..2 {
        let r = login_from(
            &app,
            &format!("2001:db8:5:6::{i}"),
            "n@example.com",
            "pw 123456",
        )
        .await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    }
    let same_64 = login_from(&app, "2001:db8:5:6:ffff::1", "n@example.com", "pw 123456").await;
    same_64.assert_error(StatusCode::TOO_MANY_REQUESTS, "RATE_LIMITED");
    let other_64 = login_from(&app, "2001:db8:5:7::1", "n@example.com", "pw 123456").await;
    assert_eq!(
        other_64.status,
        StatusCode::UNAUTHORIZED,
        "another /64 is another client"
    );
}

#[tokio::test]
async fn a_guesser_is_held_back_while_the_owner_still_logs_in() {
    let app = TestApp::spawn_with(|s| {
        behind_local_proxy(s);
        s.auth.rate_limits.login_failures = tight(2);
    })
    .await;
    let owner = app.user().await;
    let (attacker, home) = ("203.0.113.66", "198.51.100.20");
    for _ in 0..3 {
        let r = login_from(&app, attacker, &owner.email, "a wrong guess").await;
        r.assert_error(StatusCode::UNAUTHORIZED, "UNAUTHENTICATED");
    }
    let held = login_from(&app, attacker, &owner.email, &owner.password).await;
    held.assert_error(StatusCode::TOO_MANY_REQUESTS, "RATE_LIMITED");
    assert_eq!(
        held.header("retry-after"),
        Some("1"),
        "the first hold is a second"
    );

    for _ in 0..4 {
        let r = login_from(&app, home, &owner.email, &owner.password).await;
        assert_eq!(
            r.status,
            StatusCode::OK,
            "the owner is not held back: {:?}",
            r.body
        );
    }
    for _ in 0..4 {
        let wrong = login_from(&app, home, &owner.email, "a typo").await;
        assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);
        let right = login_from(&app, home, &owner.email, &owner.password).await;
        assert_eq!(right.status, StatusCode::OK, "a success clears the count");
    }
    let change = app
        .client
        .post(app.url("/api/users/me/password"))
        .bearer_auth(&owner.token)
        .header("x-forwarded-for", home)
        .json(&json!({ "currentPassword": owner.password, "newPassword": "a new passphrase" }));
    assert_eq!(TestApp::reply(change).await.status, StatusCode::NO_CONTENT);
}

async fn grant_member_manage(app: &TestApp, admin: &TestUser, team: &str) {
    let r = app
        .call(
            Method::PUT,
            &format!("/api/teams/{team}/permissions/member"),
            Some(&admin.token),
            Some(json!({ "permissions": ["task.read", "member.manage"] })),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
}

#[tokio::test]
async fn only_admins_make_unmake_or_remove_admins() {
    let app = TestApp::spawn().await;
    let admin = app.user().await;
    let manager = app.user().await;
    let newcomer = app.user().await;
    let team = app.team(&admin).await;
    app.add_member(&admin, &team, &manager, "member").await;
    grant_member_manage(&app, &admin, &team).await;
    let member = |id: &str| format!("/api/teams/{team}/members/{id}");

    let promote_self = app
        .patch(
            &member(&manager.id),
            &manager.token,
            json!({ "role": "admin" }),
        )
        .await;
    promote_self.assert_error(StatusCode::FORBIDDEN, "FORBIDDEN");
    let demote_admin = app
        .patch(
            &member(&admin.id),
            &manager.token,
            json!({ "role": "guest" }),
        )
        .await;
    demote_admin.assert_error(StatusCode::FORBIDDEN, "FORBIDDEN");
    app.delete(&member(&admin.id), &manager.token, None)
        .await
        .assert_error(StatusCode::FORBIDDEN, "FORBIDDEN");
    let add_admin = json!({ "email": newcomer.email, "role": "admin" });
    app.post(
        &format!("/api/teams/{team}/members"),
        &manager.token,
        Some(add_admin),
    )
    .await
    .assert_error(StatusCode::FORBIDDEN, "FORBIDDEN");

    let add_guest = json!({ "email": newcomer.email, "role": "guest" });
    let added = app
        .post(
            &format!("/api/teams/{team}/members"),
            &manager.token,
            Some(add_guest),
        )
        .await;
    assert_eq!(
        added.status,
        StatusCode::CREATED,
        "member.manage still manages non-admins"
    );
    let r = app
        .patch(
            &member(&newcomer.id),
            &manager.token,
            json!({ "role": "member" }),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);

    let r = app
        .patch(
            &member(&manager.id),
            &admin.token,
            json!({ "role": "admin" }),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "an admin makes admins");
    let members = app
        .get(&format!("/api/teams/{team}/members"), &admin.token)
        .await;
    let admins = members.body["items"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|m| m["role"] == "admin")
        .count();
    assert_eq!(admins, 2);
}

fn set_cookie(r: &Reply, name: &str) -> String {
    r.headers
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|c| c.starts_with(&format!("{name}=")))
        .unwrap_or_default()
        .to_owned()
}

#[tokio::test]
async fn the_default_session_cookie_is_secure_even_to_localhost() {
    let default = match Settings::load() {
        Ok(s) => s.http.cookie_secure,
        Err(e) => panic!("{e:#}"),
    };
    let app = TestApp::spawn_with(|s| s.http.cookie_secure = default).await;
    let user = app.user().await;
    let login = app.login(&user.email, &user.password).await;
    for name in ["tf_session", "tf_csrf"] {
        let cookie = set_cookie(&login, name);
        assert!(cookie.contains("; Secure"), "{cookie}");
    }
}

#[tokio::test]
async fn hsts_and_the_csrf_origin_follow_forwarded_headers_from_trusted_proxies_only() {
    let tls = |app: &TestApp, path: &str| {
        app.client
            .get(app.url(path))
            .header("x-forwarded-proto", "https")
    };
    let untrusting = TestApp::spawn().await;
    let r = TestApp::reply(tls(&untrusting, "/healthz")).await;
    assert_eq!(
        r.header("strict-transport-security"),
        None,
        "anyone can write X-Forwarded-Proto"
    );

    let user = untrusting.user().await;
    let login = untrusting.login(&user.email, &user.password).await;
    let session = set_cookie(&login, "tf_session");
    let session = session.split(';').next().unwrap_or_default();
    let spoofed = untrusting
        .client
        .patch(untrusting.url("/api/users/me"))
        .header("cookie", session)
        .header("origin", "https://evil.example")
        .header("x-forwarded-host", "evil.example")
        .header("x-forwarded-proto", "https")
        .json(&json!({ "bio": "pwned" }));
    TestApp::reply(spoofed)
        .await
        .assert_error(StatusCode::FORBIDDEN, "FORBIDDEN");

    let proxied = TestApp::spawn_with(behind_local_proxy).await;
    for path in ["/healthz", "/api/nothing-here", "/__test/panic"] {
        let r = TestApp::reply(tls(&proxied, path)).await;
        assert_eq!(
            r.header("strict-transport-security"),
            Some("max-age=31536000; includeSubDomains"),
            "{path}: {:?}",
            r.status
        );
        assert_eq!(
            r.header("x-content-type-options"),
            Some("nosniff"),
            "{path}"
        );
        assert_eq!(r.header("cache-control"), Some("no-store"), "{path}");
        assert!(r.header("x-request-id").is_some(), "{path}");
    }
    let plain = TestApp::reply(proxied.client.get(proxied.url("/healthz"))).await;
    assert_eq!(plain.header("strict-transport-security"), None);
}

#[tokio::test]
async fn credentials_and_personal_data_are_never_stored_by_caches() {
    let app = TestApp::spawn().await;
    let register = app.register("cache@example.com", "correct horse").await;
    let login = app.login("cache@example.com", "correct horse").await;
    let token = login.body["token"].as_str().unwrap_or_default();
    let me = app.get("/api/users/me", token).await;
    let sessions = app.get("/api/auth/sessions", token).await;
    for (what, r) in [
        ("register", &register),
        ("login", &login),
        ("me", &me),
        ("sessions", &sessions),
    ] {
        assert!(r.status.is_success(), "{what}: {:?}", r.status);
        assert_eq!(r.header("cache-control"), Some("no-store"), "{what}");
    }
}
