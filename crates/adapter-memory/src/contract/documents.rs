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

    let (team, other) = (
        taskforge_domain::ids::TeamId::new(),
        taskforge_domain::ids::TeamId::new(),
    );
    let of = |t: taskforge_domain::ids::TeamId| serde_json::json!({ "teamId": t.to_string(), "title": "t" });
    let ids: Vec<Uuid> = (0..3).map(|_| Uuid::now_v7()).collect();
    for (i, id) in ids.iter().enumerate() {
        let owner = if i < 2 { team } else { other };
        must(
            store.put_if_newer("tasks", *id, 1, &of(owner)).await,
            "put task",
        );
    }
    let mut of_team = must(store.team_ids("tasks", team).await, "team ids");
    of_team.sort();
    let mut expected = ids[..2].to_vec();
    expected.sort();
    assert_eq!(of_team, expected, "the team's documents, no other");
    must(store.delete_team("tasks", team).await, "delete team");
    assert_eq!(must(store.get("tasks", ids[0]).await, "get"), None);
    assert_eq!(must(store.get("tasks", ids[1]).await, "get"), None);
    assert!(
        must(store.get("tasks", ids[2]).await, "get other").is_some(),
        "other teams' documents stay"
    );
}
