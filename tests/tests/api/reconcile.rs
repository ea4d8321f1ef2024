//! Reconcile finds and repairs every kind of drift between PostgreSQL, MongoDB and Redis.

use serde_json::json;
use taskforge_domain::ids::TaskId;
use taskforge_domain::tasks::TASKS;
use taskforge_domain::write_path::{Cache, DocumentStore};
use taskforge_tests::TestApp;

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

    let docs = app.documents().await;
    let cache = app.cache();
    let c = TASKS.name;
    let sabotage = async {
        docs.delete(c, ids[0].as_uuid()).await?;
        let v1 = docs
            .get(c, ids[1].as_uuid())
            .await?
            .map(|d| d.body)
            .unwrap_or_default();
        docs.delete(c, ids[1].as_uuid()).await?;
        docs.put_if_newer(
            c,
            ids[1].as_uuid(),
            1,
            &json!({ "teamId": team, "title": "stale", "v1": v1 }),
        )
        .await?;
        cache
            .put(
                &TASKS.cache.key(ids[2].as_uuid()),
                &json!({ "version": 99, "body": {} }),
                TASKS.cache.ttl,
            )
            .await?;
        docs.put_if_newer(
            c,
            uuid::Uuid::now_v7(),
            1,
            &json!({ "teamId": team, "title": "orphan" }),
        )
        .await
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
    let restored = docs.get(c, ids[1].as_uuid()).await.ok().flatten();
    assert_eq!(
        restored.map(|d| (d.version, d.body["title"].clone())),
        Some((2, json!("v2")))
    );
    assert!(matches!(docs.get(c, ids[0].as_uuid()).await, Ok(Some(d)) if d.version == 1));
    assert!(matches!(
        cache.get(&TASKS.cache.key(ids[2].as_uuid())).await,
        Ok(None)
    ));

    let again = reconciler.run().await.map(|r| r.drift());
    assert!(
        matches!(again, Ok(0)),
        "a second run finds nothing: {again:?}"
    );
}
