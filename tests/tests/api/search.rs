//! Search over HTTP: ranked results from the caller's teams only, snippets escaped with their
//! matches marked, search as you type, filters, paging and refusals.

use reqwest::StatusCode;
use serde_json::{json, Value};
use std::collections::BTreeSet;
use taskforge_tests::TestApp;

fn ids(items: &Value) -> Vec<String> {
    items
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|i| i["id"].as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

#[tokio::test]
async fn search_finds_tasks_and_comments_of_the_callers_teams_only() {
    let app = TestApp::spawn().await;
    let t = app.crew().await;
    let launch = app
        .task(
            &t.admin,
            &t.team,
            json!({ "title": "Launch the rocket", "tags": ["orbit"] }),
        )
        .await;
    let docs = app
        .task(
            &t.admin,
            &t.team,
            json!({ "title": "Docs", "description": "rocket manual draft" }),
        )
        .await;
    let comment = app
        .post(
            &format!("/api/tasks/{}/comments", t.task),
            &t.member.token,
            Some(json!({ "content": "<script>alert(1)</script> the rocketry part & more" })),
        )
        .await;
    assert_eq!(comment.status, StatusCode::CREATED);
    let theirs = app.team(&t.outsider).await;
    app.task(&t.outsider, &theirs, json!({ "title": "rocket secret" }))
        .await;

    let r = app.get("/api/search?q=rock", &t.guest.token).await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    let found: BTreeSet<String> = ids(&r.body["items"]).into_iter().collect();
    let expected: BTreeSet<String> = [
        &launch["taskId"],
        &docs["taskId"],
        &comment.body["commentId"],
    ]
    .iter()
    .filter_map(|v| v.as_str().map(str::to_owned))
    .collect();
    assert_eq!(
        found, expected,
        "prefix of the last word, the guest's team only"
    );
    let scores: Vec<f64> = r.body["items"]
        .as_array()
        .map(|a| a.iter().filter_map(|i| i["score"].as_f64()).collect())
        .unwrap_or_default();
    assert!(
        scores.windows(2).all(|w| w[0] >= w[1]),
        "by score: {scores:?}"
    );
    let hit = r.body["items"]
        .as_array()
        .and_then(|a| a.iter().find(|i| i["type"] == "comment").cloned())
        .unwrap_or_default();
    let snippet = hit["snippet"].as_str().unwrap_or_default();
    assert!(snippet.contains("<mark>rocketry</mark>"), "{snippet}");
    assert!(!snippet.contains("<script>"), "escaped: {snippet}");
    assert!(snippet.contains("&amp;"), "escaped: {snippet}");
    assert_eq!(hit["taskId"], t.task.as_str());
    assert_eq!(hit["teamId"], t.team.as_str());
    assert_eq!(hit["title"], "shared");

    // Filters: a tag, the type, the team.
    let tag = app.get("/api/search?q=orbit", &t.admin.token).await;
    assert_eq!(
        ids(&tag.body["items"]),
        vec![launch["taskId"].as_str().unwrap_or_default()]
    );
    let only = app
        .get("/api/search?q=rocket&types=comment", &t.admin.token)
        .await;
    assert_eq!(
        only.body["items"].as_array().map(Vec::len),
        Some(1),
        "the last word a prefix"
    );
    let exact = app
        .get("/api/search?q=rocket%20part&types=comment", &t.admin.token)
        .await;
    assert_eq!(
        exact.body["items"].as_array().map(Vec::len),
        Some(0),
        "the other words whole"
    );
    let mine = app
        .get(
            &format!("/api/search?q=rocket&teamId={}", t.team),
            &t.admin.token,
        )
        .await;
    assert_eq!(
        mine.body["items"].as_array().map(Vec::len),
        Some(3),
        "the team's two tasks and the comment (rocketry)"
    );

    // One result a page: each once, in the same order.
    let all = app.get("/api/search?q=rock", &t.admin.token).await;
    let mut paged = Vec::new();
    let mut path = "/api/search?q=rock&limit=1".to_owned();
    for _ in 0..5 {
        let page = app.get(&path, &t.admin.token).await;
        paged.extend(ids(&page.body["items"]));
        match page.body["nextCursor"].as_str() {
            Some(c) => path = format!("/api/search?q=rock&limit=1&cursor={c}"),
            None => break,
        }
    }
    assert_eq!(paged, ids(&all.body["items"]));
}

#[tokio::test]
async fn searches_outside_the_rules_are_refused() {
    let app = TestApp::spawn().await;
    let t = app.crew().await;
    let theirs = app.team(&t.outsider).await;
    for bad in [
        "/api/search".to_owned(),
        "/api/search?q=".into(),
        format!("/api/search?q={}", "x".repeat(201)),
        "/api/search?q=a&types=file".into(),
        "/api/search?q=a&teamId=nope".into(),
        "/api/search?q=a&limit=0".into(),
        "/api/search?q=a&cursor=zz".into(),
        "/api/search?q=a&other=1".into(),
    ] {
        app.get(&bad, &t.admin.token)
            .await
            .assert_error(StatusCode::BAD_REQUEST, "VALIDATION_FAILED");
    }
    app.get(&format!("/api/search?q=a&teamId={theirs}"), &t.admin.token)
        .await
        .assert_error(StatusCode::NOT_FOUND, "NOT_FOUND");
    let punctuation = app.get("/api/search?q=%27%29%3B--", &t.admin.token).await;
    assert_eq!(punctuation.status, StatusCode::OK);
    assert_eq!(punctuation.body["items"], json!([]));
}

/// Every page of `path` (which ends in a `limit`), following `nextCursor`: the task ids in order.
async fn every_page(app: &TestApp, token: &str, path: &str) -> Vec<String> {
    let mut seen = Vec::new();
    let mut next = path.to_owned();
    loop {
        let page = app.get(&next, token).await;
        assert_eq!(page.status, StatusCode::OK, "{next}: {:?}", page.body);
        let items = page.body["items"].as_array().cloned().unwrap_or_default();
        seen.extend(
            items
                .iter()
                .filter_map(|i| i["taskId"].as_str().map(str::to_owned)),
        );
        match page.body["nextCursor"].as_str() {
            Some(c) => next = format!("{path}&cursor={c}"),
            None => return seen,
        }
    }
}

/// A member of more teams than a statement names one by one: lists, their text filter and
/// search read the teams as one array and still find and page through every task.
#[tokio::test]
async fn lists_and_search_read_every_team_of_a_member_of_many() {
    let app = TestApp::spawn().await;
    let user = app.user().await;
    let mut made = BTreeSet::new();
    for i in 0..20 {
        let team = app.team(&user).await;
        let task = app
            .task(
                &user,
                &team,
                json!({ "title": format!("kestrel nest {i}") }),
            )
            .await;
        made.insert(task["taskId"].as_str().unwrap_or_default().to_owned());
    }
    for path in ["/api/tasks?limit=7", "/api/tasks?q=kestrel&limit=7"] {
        let listed = every_page(&app, &user.token, path).await;
        assert_eq!(listed.len(), made.len(), "{path}: each task once");
        assert_eq!(listed.into_iter().collect::<BTreeSet<_>>(), made, "{path}");
    }
    let found = every_page(
        &app,
        &user.token,
        "/api/search?q=kestrel&types=task&limit=7",
    )
    .await;
    assert_eq!(found.into_iter().collect::<BTreeSet<_>>(), made);
}
