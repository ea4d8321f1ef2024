//! Behaviour every route shares: error bodies, limits, headers, CSRF, panics, operations.

use reqwest::{Method, StatusCode};
use serde_json::json;
use taskforge_tests::{Reply, TestApp};

fn assert_secure_headers(r: &Reply) {
    let csp = r.header("content-security-policy").unwrap_or_default();
    for directive in ["object-src 'none'", "base-uri", "frame-ancestors"] {
        assert!(csp.contains(directive), "CSP lacks {directive}: {csp}");
    }
    assert_eq!(r.header("x-content-type-options"), Some("nosniff"));
    assert!(r
        .header("x-request-id")
        .is_some_and(|id| uuid::Uuid::parse_str(id).is_ok()));
}

#[tokio::test]
async fn every_response_carries_security_headers_and_a_request_id() {
    let app = TestApp::spawn().await;
    let ok = app.call(Method::GET, "/healthz", None, None).await;
    let unauthenticated = app.call(Method::GET, "/api/users/me", None, None).await;
    let missing = app.call(Method::GET, "/api/nothing-here", None, None).await;
    missing.assert_error(StatusCode::NOT_FOUND, "NOT_FOUND");
    for r in [&ok, &unauthenticated, &missing] {
        assert_secure_headers(r);
    }
    assert!(
        ok.header("strict-transport-security").is_none(),
        "no HSTS over plain http"
    );
}

#[tokio::test]
async fn oversize_and_non_json_bodies_get_the_contract_codes() {
    let app = TestApp::spawn().await;
    let big = json!({ "email": "a@example.com", "password": "x".repeat(1024 * 1024), "firstName": "A", "lastName": "B" });
    let r = app
        .call(Method::POST, "/api/auth/register", None, Some(big))
        .await;
    r.assert_error(StatusCode::PAYLOAD_TOO_LARGE, "PAYLOAD_TOO_LARGE");
    assert_secure_headers(&r);

    let form = app
        .client
        .post(app.url("/api/auth/login"))
        .header("content-type", "text/plain")
        .body("email=a");
    let r = TestApp::reply(form).await;
    r.assert_error(StatusCode::UNSUPPORTED_MEDIA_TYPE, "UNSUPPORTED_MEDIA_TYPE");
}

#[tokio::test]
async fn a_panicking_handler_answers_500_and_the_server_keeps_serving() {
    let app = TestApp::spawn().await;
    let r = app.call(Method::GET, "/__test/panic", None, None).await;
    r.assert_error(StatusCode::INTERNAL_SERVER_ERROR, "INTERNAL");
    let id = r.body["error"]["requestId"].as_str().unwrap_or_default();
    assert_eq!(
        Some(id),
        r.header("x-request-id"),
        "the body names the request id"
    );
    assert!(
        !r.body.to_string().contains("on purpose"),
        "no cause leaks: {:?}",
        r.body
    );
    assert_secure_headers(&r);
    for _ in 0..3 {
        assert_eq!(
            app.call(Method::GET, "/healthz", None, None).await.status,
            StatusCode::OK
        );
    }
}

#[tokio::test]
async fn operations_endpoints_answer_without_authentication() {
    let app = TestApp::spawn().await;
    assert_eq!(
        app.call(Method::GET, "/healthz", None, None).await.status,
        StatusCode::OK
    );
    let ready = app.call(Method::GET, "/readyz", None, None).await;
    assert_eq!(ready.status, StatusCode::OK);
    assert_eq!(
        ready.body,
        json!({ "sql": "ok", "mongo": "ok", "redis": "ok" })
    );
    app.user().await;
    let metrics = app
        .client
        .get(app.url("/metrics"))
        .send()
        .await
        .map(|r| r.status());
    assert!(matches!(metrics, Ok(StatusCode::OK)));
    let text = match app.client.get(app.url("/metrics")).send().await {
        Ok(r) => r.text().await.unwrap_or_default(),
        Err(e) => panic!("{e}"),
    };
    assert!(
        text.contains(
            "http_requests_total{method=\"POST\",route=\"/api/auth/register\",status=\"201\"}"
        ),
        "{text}"
    );
}

/// A browser client: only the cookies login set, no bearer token.
async fn browser_session(app: &TestApp) -> (String, String) {
    let user = app.user().await;
    let login = app.login(&user.email, &user.password).await;
    let cookie = |name: &str| {
        login
            .headers
            .get_all("set-cookie")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .find_map(|c| {
                c.strip_prefix(&format!("{name}="))
                    .map(|rest| rest.split(';').next().unwrap_or_default().to_owned())
            })
            .unwrap_or_default()
    };
    (cookie("tf_session"), cookie("tf_csrf"))
}

#[tokio::test]
async fn cookie_authenticated_unsafe_requests_must_pass_the_csrf_check() {
    let app = TestApp::spawn().await;
    let (session, csrf) = browser_session(&app).await;
    let patch = || {
        app.client
            .patch(app.url("/api/users/me"))
            .header("cookie", format!("tf_session={session}; tf_csrf={csrf}"))
            .json(&json!({ "bio": "hello" }))
    };
    let read = app
        .client
        .get(app.url("/api/users/me"))
        .header("cookie", format!("tf_session={session}"));
    assert_eq!(
        TestApp::reply(read).await.status,
        StatusCode::OK,
        "safe methods need no CSRF proof"
    );

    let cross_site = TestApp::reply(patch().header("origin", "https://evil.example")).await;
    cross_site.assert_error(StatusCode::FORBIDDEN, "FORBIDDEN");
    let bare = TestApp::reply(patch()).await;
    assert_eq!(bare.status, StatusCode::FORBIDDEN, "no token and no origin");
    let wrong_token = TestApp::reply(patch().header("x-csrf-token", "0".repeat(64))).await;
    assert_eq!(wrong_token.status, StatusCode::FORBIDDEN);

    assert_eq!(
        TestApp::reply(patch().header("x-csrf-token", &csrf))
            .await
            .status,
        StatusCode::OK
    );
    assert_eq!(
        TestApp::reply(patch().header("origin", &app.base))
            .await
            .status,
        StatusCode::OK
    );
    let referer = format!("{}/app/settings", app.base);
    assert_eq!(
        TestApp::reply(patch().header("referer", referer))
            .await
            .status,
        StatusCode::OK
    );
}

#[tokio::test]
async fn bearer_requests_are_exempt_from_the_csrf_check() {
    let app = TestApp::spawn().await;
    let user = app.user().await;
    let req = app
        .client
        .patch(app.url("/api/users/me"))
        .bearer_auth(&user.token)
        .header("origin", "https://elsewhere.example")
        .json(&json!({ "bio": "api client" }));
    assert_eq!(TestApp::reply(req).await.status, StatusCode::OK);
}
