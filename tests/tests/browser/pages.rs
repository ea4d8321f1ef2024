//! The pages over plain HTTP: sign-in redirects, errors told in words (never JSON), security
//! and cache headers, page weight, and the time a board of 500 tasks takes to render.

use crate::people::pair;
use futures::StreamExt;
use reqwest::header::{
    CACHE_CONTROL, CONTENT_ENCODING, CONTENT_SECURITY_POLICY, CONTENT_TYPE, ETAG, LOCATION,
};
use reqwest::{Response, StatusCode};
use serde_json::json;
use std::time::Instant;
use taskforge_tests::{TestApp, TestUser};

fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap_or_else(|e| panic!("client: {e}"))
}

async fn page(app: &TestApp, user: Option<&TestUser>, path: &str) -> Response {
    let mut req = client().get(app.url(path));
    if let Some(u) = user {
        req = req.header("cookie", format!("tf_session={}", u.token));
    }
    req.send()
        .await
        .unwrap_or_else(|e| panic!("GET {path}: {e}"))
}

fn header(r: &Response, name: reqwest::header::HeaderName) -> &str {
    r.headers()
        .get(name)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
}

/// Asserts an HTML page (not a JSON body) with this status that says `words`.
async fn says(r: Response, status: StatusCode, words: &str) {
    assert_eq!(r.status(), status);
    assert!(header(&r, CONTENT_TYPE).starts_with("text/html"));
    let html = r.text().await.unwrap_or_default();
    assert!(html.contains(words), "{words:?} not in {html}");
    assert!(!html.contains("\"error\""), "no JSON error body: {html}");
}

#[tokio::test]
async fn pages_without_a_session_send_the_browser_to_sign_in() {
    let app = TestApp::spawn().await;
    for path in ["/teams", "/tasks?status=todo", "/notifications", "/profile"] {
        let r = page(&app, None, path).await;
        assert_eq!(r.status(), StatusCode::SEE_OTHER, "{path}");
        let to = header(&r, LOCATION);
        assert_eq!(
            to,
            format!(
                "/login?next={}",
                path.replace('?', "%3F").replace('=', "%3D")
            ),
            "{path}"
        );
    }
    let r = page(&app, None, "/").await;
    assert_eq!(header(&r, LOCATION), "/login");
}

#[tokio::test]
async fn bad_input_gets_a_page_in_words_never_json() {
    let app = TestApp::spawn().await;
    let p = pair(&app).await;
    let ada = Some(&p.ada);
    says(
        page(&app, ada, "/tasks/not-a-task").await,
        StatusCode::NOT_FOUND,
        "could not find",
    )
    .await;
    let stranger = uuid::Uuid::new_v4();
    says(
        page(&app, ada, &format!("/teams/{stranger}/board")).await,
        StatusCode::NOT_FOUND,
        "could not find",
    )
    .await;
    says(
        page(&app, ada, "/tasks?status=bogus").await,
        StatusCode::BAD_REQUEST,
        "status: must be one of",
    )
    .await;
    says(
        page(&app, ada, &format!("/teams/{}/board?due=someday", p.team)).await,
        StatusCode::BAD_REQUEST,
        "due date filter",
    )
    .await;
    says(
        page(&app, ada, "/notifications?cursor=%%%").await,
        StatusCode::BAD_REQUEST,
        "not valid any more",
    )
    .await;
    says(
        page(&app, None, "/login?next=/a&next=/b").await,
        StatusCode::BAD_REQUEST,
        "does not understand",
    )
    .await;
    says(
        page(
            &app,
            ada,
            &format!("/teams/{}/audit?action=x&action=y", p.team),
        )
        .await,
        StatusCode::BAD_REQUEST,
        "does not understand",
    )
    .await;
    let guest_audit = page(&app, Some(&p.grace), &format!("/teams/{}/audit", p.team)).await;
    says(guest_audit, StatusCode::FORBIDDEN, "do not have permission").await;

    let r = client()
        .get(app.url("/no/such/page"))
        .header("accept", "text/html,application/xhtml+xml")
        .send()
        .await
        .unwrap_or_else(|e| panic!("unknown page: {e}"));
    says(r, StatusCode::NOT_FOUND, "could not find").await;

    // A sign-in form posted without its token (from another site) is refused.
    let r = client()
        .post(app.url("/login"))
        .form(&[
            ("csrf", "forged"),
            ("email", p.ada.email.as_str()),
            ("password", "x"),
        ])
        .send()
        .await
        .unwrap_or_else(|e| panic!("login: {e}"));
    says(r, StatusCode::FORBIDDEN, "expired").await;
    // With the token of its page, a wrong password is told in words.
    let r = client()
        .post(app.url("/login"))
        .header("cookie", "tf_csrf=pagetoken")
        .form(&[
            ("csrf", "pagetoken"),
            ("email", p.ada.email.as_str()),
            ("password", "wrong password"),
        ])
        .send()
        .await
        .unwrap_or_else(|e| panic!("login: {e}"));
    says(r, StatusCode::UNAUTHORIZED, "do not match an account").await;
    let r = client()
        .post(app.url("/login"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body("garbage")
        .send()
        .await
        .unwrap_or_else(|e| panic!("login: {e}"));
    says(r, StatusCode::BAD_REQUEST, "fill in your email").await;
}

#[tokio::test]
async fn pages_carry_a_strict_policy_and_assets_are_cached_by_content() {
    let app = TestApp::spawn().await;
    let p = pair(&app).await;
    let r = page(&app, Some(&p.ada), &format!("/teams/{}/board", p.team)).await;
    assert_eq!(r.status(), StatusCode::OK);
    let csp = header(&r, CONTENT_SECURITY_POLICY).to_owned();
    for directive in [
        "default-src 'self'",
        "frame-ancestors 'none'",
        "form-action 'self'",
    ] {
        assert!(csp.contains(directive), "{csp}");
    }
    assert!(!csp.contains("unsafe"), "{csp}");
    assert_eq!(header(&r, CACHE_CONTROL), "no-store");
    let html = r.text().await.unwrap_or_default();
    assert!(
        !html.contains("<script>") && !html.contains(" style="),
        "no inline script or style"
    );
    assert!(
        !html.contains(&p.ada.token),
        "the session token is never in a page"
    );
    for ext in ["css", "js"] {
        let start = html
            .find("/assets/app.")
            .unwrap_or_else(|| panic!("asset link"));
        let url = html[start..]
            .split('"')
            .find(|s| s.ends_with(&format!(".{ext}")))
            .unwrap_or_else(|| panic!("{ext} link in {html}"));
        let r = page(&app, None, url).await;
        assert_eq!(r.status(), StatusCode::OK, "{url}");
        assert!(header(&r, CACHE_CONTROL).contains("immutable"));
        let etag = header(&r, ETAG).to_owned();
        let again = client()
            .get(app.url(url))
            .header("if-none-match", etag)
            .send()
            .await
            .unwrap_or_else(|e| panic!("{url}: {e}"));
        assert_eq!(again.status(), StatusCode::NOT_MODIFIED);
    }
    assert_eq!(
        page(&app, None, "/assets/app.0000.css").await.status(),
        StatusCode::NOT_FOUND
    );
}

/// Bytes of `path` as a browser that accepts gzip receives it (the client here does not inflate).
async fn transferred(app: &TestApp, user: Option<&TestUser>, path: &str) -> usize {
    let mut req = client()
        .get(app.url(path))
        .header("accept-encoding", "gzip");
    if let Some(u) = user {
        req = req.header("cookie", format!("tf_session={}", u.token));
    }
    let r = req
        .send()
        .await
        .unwrap_or_else(|e| panic!("GET {path}: {e}"));
    assert_eq!(r.status(), StatusCode::OK, "{path}");
    assert_eq!(header(&r, CONTENT_ENCODING), "gzip", "{path}");
    r.bytes().await.map(|b| b.len()).unwrap_or(0)
}

/// Bytes of a page with its stylesheet and script: as sent to a browser (gzip) and inflated.
async fn weight(app: &TestApp, user: &TestUser, path: &str) -> (usize, usize) {
    let r = page(app, Some(user), path).await;
    assert_eq!(r.status(), StatusCode::OK, "{path}");
    let html = r.text().await.unwrap_or_default();
    let mut sent = transferred(app, Some(user), path).await;
    let mut inflated = html.len();
    for piece in html.split('"').filter(|s| s.starts_with("/assets/")) {
        sent += transferred(app, None, piece).await;
        inflated += page(app, None, piece)
            .await
            .bytes()
            .await
            .map(|b| b.len())
            .unwrap_or(0);
    }
    (sent, inflated)
}

#[tokio::test]
async fn pages_stay_light_and_a_board_of_500_tasks_renders() {
    let app = TestApp::spawn_with(|s| {
        s.auth.rate_limits.api_per_user.limit = 100_000;
        s.database.pool_size = 8;
    })
    .await;
    let p = pair(&app).await;
    let team_pages = [
        format!("/teams/{}/board", p.team),
        format!("/tasks/{}", p.task),
        format!("/teams/{}", p.team),
        format!("/teams/{}/dashboard", p.team),
        format!("/teams/{}/audit", p.team),
        "/tasks".to_owned(),
        "/notifications".to_owned(),
        "/profile".to_owned(),
    ];
    for path in &team_pages {
        let (sent, inflated) = weight(&app, &p.ada, path).await;
        eprintln!("{path}: {sent} bytes of HTML, CSS and JS sent ({inflated} inflated)");
        assert!(inflated < 100 * 1024, "{path} weighs {inflated} bytes");
    }

    let priorities = ["low", "medium", "high", "urgent"];
    let statuses = ["backlog", "todo", "in_progress", "in_review", "done"];
    futures::stream::iter(0..499)
        .for_each_concurrent(4, |i| {
            let (app, p) = (&app, &p);
            async move {
                let body = json!({
                    "title": format!("Task number {i} of the big board"),
                    "priority": priorities[i % 4],
                    "status": statuses[i % 5],
                    "assigneeId": if i % 2 == 0 { &p.ada.id } else { &p.grace.id },
                    "tags": ["scale"],
                });
                app.task(&p.ada, &p.team, body).await;
            }
        })
        .await;
    let board = format!("/teams/{}/board", p.team);
    let _warm = page(&app, Some(&p.ada), &board).await;
    let mut times = Vec::new();
    let mut size = 0;
    for _ in 0..5 {
        let started = Instant::now();
        let r = page(&app, Some(&p.ada), &board).await;
        let html = r.text().await.unwrap_or_default();
        times.push(started.elapsed());
        size = html.len();
        assert_eq!(
            html.matches("<li class=\"task\"").count(),
            500,
            "every task on the board"
        );
    }
    times.sort();
    eprintln!(
        "board of 500 tasks: {size} bytes of HTML; server response times over 5 loads (debug build): min {:?}, median {:?}, max {:?}",
        times[0], times[2], times[4]
    );
    let (sent, inflated) = weight(&app, &p.ada, &board).await;
    eprintln!("board of 500 tasks: {sent} bytes of HTML, CSS and JS sent ({inflated} inflated)");
    assert!(sent < 100 * 1024, "the board sends {sent} bytes");

    let driver = crate::driver::Driver::start().await;
    let b = driver.browser(&app).await;
    b.sign_in(&p.ada).await;
    b.open(&board).await;
    let timing = b
        .eval(
            "const n = performance.getEntriesByType('navigation')[0];
             const paint = performance.getEntriesByName('first-contentful-paint')[0];
             return {response: n.responseEnd, dom: n.domContentLoadedEventEnd, load: n.loadEventEnd,
                     paint: paint ? paint.startTime : null, cards: document.querySelectorAll('li.task').length};",
            vec![],
        )
        .await;
    assert_eq!(timing["cards"], json!(500));
    eprintln!("board of 500 tasks in Chromium, ms from navigation start: {timing}");
    b.close().await;
}

/// The target of the page's `rel="next"` link, unescaped.
fn next_link(html: &str) -> Option<String> {
    let end = html.find("\" rel=\"next\"")?;
    let start = html[..end].rfind("href=\"")? + "href=\"".len();
    Some(
        html[start..end]
            .replace("&amp;", "&")
            .replace("&#38;", "&")
            .replace("&#x2f;", "/")
            .replace("&#47;", "/"),
    )
}

#[tokio::test]
async fn the_list_filters_like_the_api_and_pages_with_its_cursor() {
    let app = TestApp::spawn().await;
    let p = pair(&app).await;
    for i in 0..3 {
        let body = json!({ "title": format!("Listed {i}"), "priority": "urgent", "assigneeId": p.grace.id });
        app.task(&p.ada, &p.team, body).await;
    }
    let first = format!(
        "/tasks?teamId={}&priority=urgent&assigneeId={}&sort=created&limit=2&tag=",
        p.team, p.grace.id
    );
    let html = page(&app, Some(&p.ada), &first)
        .await
        .text()
        .await
        .unwrap_or_default();
    assert!(
        html.contains("Listed 0") && html.contains("Listed 1"),
        "{html}"
    );
    assert!(!html.contains("Listed 2") && !html.contains("Analyse the engine"));
    assert!(
        html.contains("selected>Grace Hopper</option>"),
        "the assignee filter names her"
    );
    let next = next_link(&html).unwrap_or_else(|| panic!("a next page link in {html}"));
    let html = page(&app, Some(&p.ada), &next)
        .await
        .text()
        .await
        .unwrap_or_default();
    assert!(html.contains("Listed 2"), "{html}");
    assert!(
        !html.contains("Listed 0") && next_link(&html).is_none(),
        "{next}: {html}"
    );
}
