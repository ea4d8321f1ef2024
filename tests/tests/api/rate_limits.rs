//! Rate limits in Redis: 429 with Retry-After, per IP, per account and client, and per user.

use reqwest::StatusCode;
use taskforge_app_http::settings::RateSetting;
use taskforge_tests::TestApp;

fn tight(limit: u32) -> RateSetting {
    RateSetting {
        limit,
        window_secs: 60,
    }
}

fn retry_after(r: &taskforge_tests::Reply) -> u64 {
    r.header("retry-after")
        .and_then(|v| v.parse().ok())
        .unwrap_or(0)
}

#[tokio::test]
async fn login_is_limited_per_ip() {
    let app = TestApp::spawn_with(|s| s.auth.rate_limits.login_per_ip = tight(3)).await;
    for i in 0..3 {
        let r = app
            .login(&format!("nobody{i}@example.com"), "whatever pw")
            .await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    }
    let r = app.login("someone@example.com", "whatever pw").await;
    r.assert_error(StatusCode::TOO_MANY_REQUESTS, "RATE_LIMITED");
    assert!((1..=60).contains(&retry_after(&r)), "{:?}", r.headers);
}

#[tokio::test]
async fn failed_logins_hold_back_that_client_on_that_account_only() {
    let app = TestApp::spawn_with(|s| s.auth.rate_limits.login_failures = tight(1)).await;
    let user = app.user().await;
    for _ in 0..2 {
        let r = app.login(&user.email, "wrong password").await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    }
    let r = app
        .login(&user.email.to_uppercase(), "wrong password")
        .await;
    r.assert_error(StatusCode::TOO_MANY_REQUESTS, "RATE_LIMITED");
    assert!(retry_after(&r) >= 1);
    let other = app.user().await;
    assert!(!other.token.is_empty(), "other accounts are not affected");
}

#[tokio::test]
async fn registration_is_limited_per_ip() {
    let app = TestApp::spawn_with(|s| s.auth.rate_limits.register_per_ip = tight(2)).await;
    for i in 0..2 {
        assert_eq!(
            app.register(&format!("r{i}@example.com"), "correct horse")
                .await
                .status,
            StatusCode::CREATED
        );
    }
    let r = app.register("r3@example.com", "correct horse").await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(retry_after(&r) >= 1);
}

#[tokio::test]
async fn the_api_is_limited_per_user() {
    let app = TestApp::spawn_with(|s| s.auth.rate_limits.api_per_user = tight(5)).await;
    let a = app.user().await;
    let b = app.user().await;
    for _ in 0..5 {
        assert_eq!(
            app.get("/api/users/me", &a.token).await.status,
            StatusCode::OK
        );
    }
    let r = app.get("/api/users/me", &a.token).await;
    r.assert_error(StatusCode::TOO_MANY_REQUESTS, "RATE_LIMITED");
    assert!(retry_after(&r) >= 1);
    assert_eq!(
        app.get("/api/users/me", &b.token).await.status,
        StatusCode::OK
    );
}
