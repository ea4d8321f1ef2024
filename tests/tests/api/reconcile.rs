//! Reconcile finds and repairs every kind of drift between PostgreSQL, MongoDB and Redis.

use serde_json::json;
use std::time::Duration;
use taskforge_domain::cache::Lookup;
use taskforge_domain::ids::TaskId;
use taskforge_domain::tasks::{TaskCache, TaskDocuments, TaskTitle};
use taskforge_domain::StoreError;
use taskforge_tests::{eventually, TestApp};

#[tokio::test]
async fn reconcile_repairs_missing_stale_and_orphan_documents_and_stale_cache() {
    let app = TestApp::spawn().await;
    let admin = app.user().await;
    let team = app.team(&admin).await;
    let mut ids = Vec::new();
    for i in 0..4 {
        let task = app
            .task(&admin, &team, json!({ "title": format!("task {i}") }))
            .await;
        ids.push(
            task["taskId"]
                .as_str()
                .unwrap_or_default()
                .parse::<TaskId>()
                .unwrap_or_default(),
        );
    }
    let patched = app
        .patch(
            &format!("/api/tasks/{}", ids[1]),
            &admin.token,
            json!({ "title": "v2" }),
        )
        .await;
    assert_eq!(patched.body["version"], 2);

    let docs = app.task_documents().await;
    let cache = app.task_cache();
    let projected = eventually(Duration::from_secs(10), || async {
        matches!(docs.get(ids[1]).await, Ok(Some(d)) if d.version == 2)
    })
    .await;
    assert!(projected, "the patch reached MongoDB");
    let sabotage = async {
        docs.delete(ids[0]).await?;
        let mut stale = docs.get(ids[1]).await?.ok_or(StoreError::NotFound)?;
        stale.version = 1;
        stale.title = TaskTitle::from_stored("stale".into());
        docs.delete(ids[1]).await?;
        docs.put(&stale).await?;
        // The cache behind PostgreSQL, as after a drop that failed.
        app.plant_cached_task(&stale).await;
        let mut orphan = stale;
        orphan.task_id = TaskId::new();
        docs.put(&orphan).await
    };
    if let Err(e) = sabotage.await {
        panic!("sabotage: {e}");
    }

    let reconciler = app.reconciler().await;
    let report = match reconciler.run().await {
        Ok(r) => r,
        Err(e) => panic!("reconcile: {e}"),
    };
    assert_eq!(
        (
            report.tasks_checked,
            report.documents_restored,
            report.documents_updated,
            report.orphans_deleted,
            report.cache_entries_dropped
        ),
        (4, 1, 1, 1, 1),
        "{report:?}"
    );
    let restored = docs.get(ids[1]).await.ok().flatten();
    assert_eq!(
        restored.map(|d| (d.version, d.title.as_str().to_owned())),
        Some((2, "v2".to_owned()))
    );
    assert!(matches!(docs.get(ids[0]).await, Ok(Some(d)) if d.version == 1));
    assert!(matches!(cache.get(ids[1]).await, Ok(Lookup::Miss(_))));

    let again = reconciler.run().await.map(|r| r.drift());
    assert!(
        matches!(again, Ok(0)),
        "a second run finds nothing: {again:?}"
    );
}

#[tokio::test]
async fn reconcile_repairs_missing_stale_and_orphan_comment_documents() {
    use taskforge_domain::comments::{CommentContent, CommentDocuments, CommentReconcileReport};
    use taskforge_domain::ids::CommentId;
    let app = TestApp::spawn().await;
    let admin = app.user().await;
    let team = app.team(&admin).await;
    let task = app
        .task(&admin, &team, json!({ "title": "talked about" }))
        .await;
    let path = format!(
        "/api/tasks/{}/comments",
        task["taskId"].as_str().unwrap_or_default()
    );
    let mut ids = Vec::new();
    for text in ["one", "two"] {
        let created = app
            .post(&path, &admin.token, Some(json!({ "content": text })))
            .await;
        let id: CommentId = created.body["commentId"]
            .as_str()
            .unwrap_or_default()
            .parse()
            .unwrap_or_default();
        ids.push(id);
    }
    let edited = app
        .patch(
            &format!("/api/comments/{}", ids[1]),
            &admin.token,
            json!({ "content": "two, edited" }),
        )
        .await;
    assert_eq!(edited.body["edited"], true);
    let docs = app.comment_documents().await;
    let projected = eventually(Duration::from_secs(10), || async {
        matches!(docs.get(ids[1]).await, Ok(Some(d)) if d.version == 2)
            && matches!(docs.get(ids[0]).await, Ok(Some(_)))
    })
    .await;
    assert!(projected, "both documents reached MongoDB");
    let sabotage = async {
        docs.delete(ids[0]).await?;
        let mut stale = docs.get(ids[1]).await?.ok_or(StoreError::NotFound)?;
        stale.version = 1;
        stale.content = CommentContent::from_stored("stale".into());
        docs.delete(ids[1]).await?;
        docs.put(&stale).await?;
        let mut orphan = stale;
        orphan.comment_id = CommentId::new();
        docs.put(&orphan).await.map(|()| orphan.comment_id)
    };
    let orphan = match sabotage.await {
        Ok(id) => id,
        Err(e) => panic!("sabotage: {e}"),
    };

    let reconciler = app.comment_reconciler().await;
    let report = match reconciler.run().await {
        Ok(r) => r,
        Err(e) => panic!("reconcile: {e}"),
    };
    assert_eq!(
        report,
        CommentReconcileReport {
            comments_checked: 2,
            documents_restored: 1,
            documents_updated: 1,
            orphans_deleted: 1,
        }
    );
    assert!(matches!(docs.get(ids[0]).await, Ok(Some(d)) if d.content.as_str() == "one"));
    assert!(matches!(docs.get(ids[1]).await, Ok(Some(d)) if d.content.as_str() == "two, edited"));
    assert!(matches!(docs.get(orphan).await, Ok(None)));
    let again = reconciler.run().await.map(|r| r.drift());
    assert!(
        matches!(again, Ok(0)),
        "a second run finds nothing: {again:?}"
    );
}
