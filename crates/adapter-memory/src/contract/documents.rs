//! The `DocumentStore` contract.

use super::*;

/// `DocumentStore`: versions only move forward; deletes are idempotent.
pub async fn documents(store: &dyn DocumentStore) {
    let id = Uuid::now_v7();
    let c = "profiles";
    let body =
        |v: i64| serde_json::json!({ "bio": format!("v{v}"), "preferences": { "theme": "dark" } });
    assert_eq!(must(store.get(c, id).await, "get absent"), None);
    must(store.put_if_newer(c, id, 2, &body(2)).await, "put v2");
    must(store.put_if_newer(c, id, 2, &body(2)).await, "put v2 again");
    must(store.put_if_newer(c, id, 1, &body(1)).await, "put older v1");
    let expect = |v: i64| {
        Some(VersionedDocument {
            version: v,
            body: body(v),
        })
    };
    assert_eq!(
        must(store.get(c, id).await, "get"),
        expect(2),
        "an older version never overwrites"
    );
    must(store.put_if_newer(c, id, 3, &body(3)).await, "put v3");
    assert_eq!(must(store.get(c, id).await, "get"), expect(3));
    must(store.delete(c, id).await, "delete");
    must(store.delete(c, id).await, "delete again");
    assert_eq!(must(store.get(c, id).await, "get deleted"), None);
}
