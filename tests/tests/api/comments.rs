//! Comments over HTTP, checked in PostgreSQL (pages, search) and MongoDB (documents).

use reqwest::StatusCode;
use serde_json::{json, Value};
use std::time::Duration;
use taskforge_domain::comments::CommentDocuments;
use taskforge_domain::ids::CommentId;
use taskforge_tests::{eventually, TestApp, TestUser};

fn comment_id(comment: &Value) -> CommentId {
    match comment["commentId"].as_str().map(str::parse) {
        Some(Ok(id)) => id,
        _ => panic!("no comment id in {comment}"),
    }
}

async fn post(app: &TestApp, user: &TestUser, task: &str, body: Value) -> taskforge_tests::Reply {
    app.post(
        &format!("/api/tasks/{task}/comments"),
        &user.token,
        Some(body),
    )
    .await
}

#[tokio::test]
async fn a_comment_is_in_both_stores_and_pages_come_oldest_first() {
    let app = TestApp::spawn().await;
    let t = app.crew().await;
    let first = post(
        &app,
        &t.guest,
        &t.task,
        json!({ "content": "guests may comment", "mentionedUsers": [t.member.id, t.member.id] }),
    )
    .await;
    assert_eq!(first.status, StatusCode::CREATED, "{:?}", first.body);
    let id = comment_id(&first.body);
    assert_eq!(
        first.header("location"),
        Some(format!("/api/comments/{id}").as_str())
    );
    assert_eq!(first.body["taskId"], t.task.as_str());
    assert_eq!(first.body["authorId"], t.guest.id.as_str());
    assert_eq!(
        first.body["mentionedUsers"],
        json!([t.member.id]),
        "each member once"
    );
    assert_eq!(first.body["attachments"], json!([]));
    assert_eq!(first.body["edited"], false);

    let documents = app.comment_documents().await;
    let stored = eventually(Duration::from_secs(5), || async {
        matches!(documents.get(id).await, Ok(Some(c)) if c.content.as_str() == "guests may comment")
    });
    assert!(stored.await, "the document reached MongoDB");

    for i in 2..=3 {
        let text = format!("comment {i}");
        post(&app, &t.member, &t.task, json!({ "content": text })).await;
    }
    let path = format!("/api/tasks/{}/comments", t.task);
    let page = app.get(&format!("{path}?limit=2"), &t.guest.token).await;
    assert_eq!(page.status, StatusCode::OK);
    let texts = |page: &Value| -> Vec<String> {
        page["items"]
            .as_array()
            .map(|items| {
                items
                    .iter()
                    .filter_map(|c| c["content"].as_str().map(String::from))
                    .collect()
            })
            .unwrap_or_default()
    };
    assert_eq!(texts(&page.body), vec!["guests may comment", "comment 2"]);
    let cursor = page.body["nextCursor"].as_str().unwrap_or_default();
    let rest = app
        .get(&format!("{path}?limit=2&cursor={cursor}"), &t.guest.token)
        .await;
    assert_eq!(texts(&rest.body), vec!["comment 3"]);
    assert!(rest.body["nextCursor"].is_null());
    app.get(&format!("{path}?cursor=zz"), &t.guest.token)
        .await
        .assert_error(StatusCode::BAD_REQUEST, "VALIDATION_FAILED");
}

#[tokio::test]
async fn bad_comments_are_refused_and_write_nothing() {
    let app = TestApp::spawn().await;
    let t = app.crew().await;
    let refused = |body: Value| {
        let app = &app;
        let (user, task) = (&t.member, &t.task);
        async move {
            let reply = post(app, user, task, body.clone()).await;
            assert_eq!(
                reply.status,
                StatusCode::BAD_REQUEST,
                "{body}: {:?}",
                reply.body
            );
            assert_eq!(reply.code(), "VALIDATION_FAILED", "{body}");
        }
    };
    refused(json!({ "content": "" })).await;
    refused(json!({ "content": " \n " })).await;
    refused(json!({ "content": "a\u{0}b" })).await;
    refused(json!({ "content": "x".repeat(10_001) })).await;
    refused(json!({ "content": "hi", "mentionedUsers": [t.outsider.id] })).await;
    refused(json!({ "content": "hi", "mentionedUsers": ["not-a-user"] })).await;
    let crowd: Vec<String> = (0..51).map(|_| uuid::Uuid::now_v7().to_string()).collect();
    refused(json!({ "content": "hi", "mentionedUsers": crowd })).await;
    refused(json!({ "content": "hi", "pinned": true })).await;
    refused(json!({ "content": 7 })).await;
    let listed = app
        .get(&format!("/api/tasks/{}/comments", t.task), &t.member.token)
        .await;
    assert_eq!(listed.body["items"], json!([]), "nothing half-written");

    let repeated = vec![t.guest.id.clone(); 20_000];
    let once = post(
        &app,
        &t.member,
        &t.task,
        json!({ "content": "hi", "mentionedUsers": repeated }),
    )
    .await;
    assert_eq!(
        once.body["mentionedUsers"],
        json!([t.guest.id]),
        "{:?}",
        once.body
    );

    let longest = post(
        &app,
        &t.member,
        &t.task,
        json!({ "content": "é".repeat(10_000) }),
    )
    .await;
    assert_eq!(
        longest.status,
        StatusCode::CREATED,
        "10,000 characters, counted as such"
    );
}

#[tokio::test]
async fn only_the_author_edits_and_the_author_or_a_moderator_deletes() {
    let app = TestApp::spawn().await;
    let t = app.crew().await;
    let created = post(&app, &t.guest, &t.task, json!({ "content": "first words" })).await;
    let id = comment_id(&created.body);
    let path = format!("/api/comments/{id}");
    let edit = json!({ "content": "second thoughts" });

    app.patch(&path, &t.member.token, edit.clone())
        .await
        .assert_error(StatusCode::FORBIDDEN, "FORBIDDEN");
    app.patch(&path, &t.outsider.token, edit.clone())
        .await
        .assert_error(StatusCode::NOT_FOUND, "NOT_FOUND");
    app.patch(
        &path,
        &t.guest.token,
        json!({ "content": "x", "taskId": t.task }),
    )
    .await
    .assert_error(StatusCode::BAD_REQUEST, "VALIDATION_FAILED");
    let edited = app.patch(&path, &t.guest.token, edit).await;
    assert_eq!(edited.status, StatusCode::OK, "{:?}", edited.body);
    assert_eq!(
        (
            edited.body["content"].as_str(),
            edited.body["edited"].as_bool()
        ),
        (Some("second thoughts"), Some(true))
    );
    assert!(edited.body["lastEditedAt"].is_string());
    let documents = app.comment_documents().await;
    let projected = eventually(Duration::from_secs(5), || async {
        matches!(documents.get(id).await, Ok(Some(c)) if c.version == 2 && c.edited())
    });
    assert!(projected.await, "the edit reached MongoDB");

    app.delete(&path, &t.member.token, None)
        .await
        .assert_error(StatusCode::FORBIDDEN, "FORBIDDEN");
    app.delete(&path, &t.outsider.token, None)
        .await
        .assert_error(StatusCode::NOT_FOUND, "NOT_FOUND");
    let moderated = app.delete(&path, &t.admin.token, None).await;
    assert_eq!(moderated.status, StatusCode::NO_CONTENT, "comment.moderate");
    app.delete(&path, &t.admin.token, None)
        .await
        .assert_error(StatusCode::NOT_FOUND, "NOT_FOUND");
    let gone = eventually(Duration::from_secs(5), || async {
        matches!(documents.get(id).await, Ok(None))
    });
    assert!(gone.await, "the document left MongoDB");

    let own = post(&app, &t.member, &t.task, json!({ "content": "mine" })).await;
    let own_path = format!("/api/comments/{}", comment_id(&own.body));
    let deleted = app.delete(&own_path, &t.member.token, None).await;
    assert_eq!(
        deleted.status,
        StatusCode::NO_CONTENT,
        "authors delete their own"
    );

    let actions = app.audit_actions(&t.team, "comment", &t.admin).await;
    assert_eq!(
        actions,
        vec!["delete", "create", "delete", "update", "create"],
        "one audit row per comment change, and none for refused ones"
    );
}

#[tokio::test]
async fn outsiders_find_no_comment_route() {
    let app = TestApp::spawn().await;
    let t = app.crew().await;
    let created = post(&app, &t.member, &t.task, json!({ "content": "internal" })).await;
    let comment = format!("/api/comments/{}", comment_id(&created.body));
    let comments = format!("/api/tasks/{}/comments", t.task);
    let user = &t.outsider.token;
    app.get(&comments, user)
        .await
        .assert_error(StatusCode::NOT_FOUND, "NOT_FOUND");
    app.post(&comments, user, Some(json!({ "content": "hi" })))
        .await
        .assert_error(StatusCode::NOT_FOUND, "NOT_FOUND");
    app.patch(&comment, user, json!({ "content": "hi" }))
        .await
        .assert_error(StatusCode::NOT_FOUND, "NOT_FOUND");
    app.delete(&comment, user, None)
        .await
        .assert_error(StatusCode::NOT_FOUND, "NOT_FOUND");
    let unknown = format!("/api/tasks/{}/comments", uuid::Uuid::now_v7());
    app.get(&unknown, &t.admin.token)
        .await
        .assert_error(StatusCode::NOT_FOUND, "NOT_FOUND");
}

#[tokio::test]
async fn a_word_of_a_comment_finds_its_task_and_deletions_take_comments_along() {
    let app = TestApp::spawn().await;
    let t = app.crew().await;
    let team = t.team.clone();
    let search = format!("/api/tasks?teamId={team}&q=okapi");
    let before = app.get(&search, &t.member.token).await;
    assert_eq!(
        before.body["items"],
        json!([]),
        "and the page is now cached"
    );
    let created = post(
        &app,
        &t.member,
        &t.task,
        json!({ "content": "an okapi sighting" }),
    )
    .await;
    let id = comment_id(&created.body);
    let found = app.get(&search, &t.member.token).await;
    let ids: Vec<&str> = found.body["items"]
        .as_array()
        .map(|items| items.iter().filter_map(|t| t["taskId"].as_str()).collect())
        .unwrap_or_default();
    assert_eq!(
        ids,
        vec![t.task.as_str()],
        "the comment dropped the team's cached pages"
    );

    let documents = app.comment_documents().await;
    let stored = eventually(Duration::from_secs(5), || async {
        matches!(documents.get(id).await, Ok(Some(_)))
    });
    assert!(stored.await);
    let deleted = app
        .delete(&format!("/api/tasks/{}", t.task), &t.admin.token, None)
        .await;
    assert_eq!(deleted.status, StatusCode::NO_CONTENT);
    let gone = eventually(Duration::from_secs(5), || async {
        matches!(documents.get(id).await, Ok(None))
    });
    assert!(gone.await, "a deleted task's comments leave MongoDB");
    app.patch(
        &format!("/api/comments/{id}"),
        &t.member.token,
        json!({ "content": "late" }),
    )
    .await
    .assert_error(StatusCode::NOT_FOUND, "NOT_FOUND");

    let other = app
        .task(&t.admin, &team, json!({ "title": "another" }))
        .await;
    let other = other["taskId"].as_str().unwrap_or_default().to_owned();
    let created = post(&app, &t.member, &other, json!({ "content": "on another" })).await;
    let id = comment_id(&created.body);
    let stored = eventually(Duration::from_secs(5), || async {
        matches!(documents.get(id).await, Ok(Some(_)))
    });
    assert!(stored.await);
    let removed = app
        .delete(&format!("/api/teams/{team}"), &t.admin.token, None)
        .await;
    assert_eq!(removed.status, StatusCode::NO_CONTENT);
    let gone = eventually(Duration::from_secs(5), || async {
        matches!(documents.get(id).await, Ok(None))
    });
    assert!(gone.await, "a deleted team's comments leave MongoDB");
}
