//! The `TaskDocuments` and `TaskCache` contracts.

use super::*;
use chrono::TimeZone;
use taskforge_domain::ids::TaskId;
use taskforge_domain::tasks::{
    CachedTask, CustomFields, Description, Priority, Status, Tags, Task, TaskCache, TaskDocuments,
    TaskTitle,
};

/// A task of `team` at `version`, every field set. Times have millisecond precision, which
/// every store keeps.
fn task(id: TaskId, team: TeamId, version: i64) -> Task {
    // Any ids do; these are the same on every call.
    let (assignee, creator) = (
        UserId::from_uuid(team.as_uuid()),
        UserId::from_uuid(id.as_uuid()),
    );
    let at = match Utc.timestamp_millis_opt(1_767_225_600_123) {
        chrono::LocalResult::Single(at) => at,
        _ => panic!("a fixed instant"),
    };
    Task {
        task_id: id,
        team_id: team,
        title: must(TaskTitle::parse("title", &format!("v{version}")), "title"),
        description: must(Description::parse("d", "line one\nline two".into()), "d"),
        status: Status::InReview,
        priority: Priority::Urgent,
        assignee_id: Some(assignee),
        creator_id: creator,
        due_date: Some(at + chrono::TimeDelta::days(3)),
        tags: must(Tags::parse("tags", vec!["a".into(), "b c".into()]), "tags"),
        custom_fields: must(
            CustomFields::parse(
                "customFields",
                serde_json::json!({ "points": i64::MAX, "ratio": 0.5, "flags": [true, null, "x"] }),
            ),
            "custom fields",
        ),
        attachments: vec![],
        version,
        metadata: taskforge_domain::tasks::model::TaskMetadata {
            created: at,
            updated: at + chrono::TimeDelta::milliseconds(version),
        },
    }
}

/// `TaskDocuments`: every field comes back as put; versions only move forward; deletes are
/// idempotent; a team's documents go together and no other team's.
pub async fn task_documents(store: &dyn TaskDocuments) {
    let (team, other) = (TeamId::new(), TeamId::new());
    let id = TaskId::new();
    assert_eq!(must(store.get(id).await, "get absent"), None);
    must(store.put(&task(id, team, 2)).await, "put v2");
    must(store.put(&task(id, team, 2)).await, "put v2 again");
    must(store.put(&task(id, team, 1)).await, "put older v1");
    assert_eq!(
        must(store.get(id).await, "get"),
        Some(task(id, team, 2)),
        "every field as put; an older version never overwrites"
    );
    must(store.put(&task(id, team, 3)).await, "put v3");
    assert_eq!(must(store.get(id).await, "get"), Some(task(id, team, 3)));
    must(store.delete(id).await, "delete");
    must(store.delete(id).await, "delete again");
    assert_eq!(must(store.get(id).await, "get deleted"), None);

    let ids: Vec<TaskId> = (0..3).map(|_| TaskId::new()).collect();
    for (i, id) in ids.iter().enumerate() {
        let owner = if i < 2 { team } else { other };
        must(store.put(&task(*id, owner, 1)).await, "put task");
    }
    let mut of_team = must(store.team_ids(team).await, "team ids");
    of_team.sort();
    let mut expected = ids[..2].to_vec();
    expected.sort();
    assert_eq!(of_team, expected, "the team's documents, no other");
    assert!(must(store.ids().await, "ids").contains(&ids[2]));
    must(store.delete_team(team).await, "delete team");
    assert_eq!(must(store.get(ids[0]).await, "get"), None);
    assert_eq!(must(store.get(ids[1]).await, "get"), None);
    assert!(
        must(store.get(ids[2]).await, "get other").is_some(),
        "other teams' documents stay"
    );
}

/// `TaskCache`: entries only move forward in version (a deletion included); forgetting is
/// idempotent.
pub async fn task_cache(cache: &dyn TaskCache) {
    let (id, team) = (TaskId::new(), TeamId::new());
    assert_eq!(must(cache.get(id).await, "get absent"), None);
    let live = |v| CachedTask::Live(Box::new(task(id, team, v)));
    must(cache.put(id, &live(2)).await, "put v2");
    must(cache.put(id, &live(1)).await, "put older v1");
    assert_eq!(must(cache.get(id).await, "get"), Some(live(2)));
    let gone = CachedTask::Deleted { version: 3 };
    must(cache.put(id, &gone).await, "put deletion");
    must(cache.put(id, &live(2)).await, "a reader's late fill");
    assert_eq!(
        must(cache.get(id).await, "get"),
        Some(gone),
        "a deletion is never undone by an older state"
    );
    must(cache.forget(&[id]).await, "forget");
    must(cache.forget(&[id]).await, "forget again");
    assert_eq!(must(cache.get(id).await, "get forgotten"), None);
}
