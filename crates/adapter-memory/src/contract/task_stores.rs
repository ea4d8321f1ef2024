//! The `TaskDocuments`, `TaskCache` and `TaskListCache` contracts.

use super::*;
use chrono::TimeZone;
use taskforge_domain::cache::{FillToken, Lookup};
use taskforge_domain::ids::TaskId;
use taskforge_domain::tasks::{
    CachedPage, CustomFields, Description, Priority, Status, Tags, Task, TaskCache, TaskDocuments,
    TaskListCache, TaskState, TaskTitle,
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

/// `TaskCache`: a miss takes the lease to fill the entry, one reader at a time; a fill stores
/// only while its lease holds, and a drop ends it; dropping is idempotent.
pub async fn task_cache(cache: &dyn TaskCache) {
    let (id, team) = (TaskId::new(), TeamId::new());
    let first = leased(
        must(cache.get(id).await, "get absent"),
        "a miss takes the lease",
    );
    assert_eq!(
        must(cache.get(id).await, "another reader"),
        Lookup::Miss(None),
        "one lease at a time"
    );
    must(cache.fill(id, &first, &task(id, team, 1)).await, "fill");
    assert_eq!(
        must(cache.get(id).await, "get"),
        Lookup::Hit(task(id, team, 1))
    );
    must(
        cache.fill(id, &first, &task(id, team, 9)).await,
        "a spent lease",
    );
    assert_eq!(
        must(cache.get(id).await, "get"),
        Lookup::Hit(task(id, team, 1)),
        "a lease fills once"
    );

    must(cache.forget(&[id]).await, "a change drops the entry");
    let stale = leased(must(cache.get(id).await, "get"), "a miss after a drop");
    must(cache.forget(&[id]).await, "a later change drops it again");
    must(
        cache.fill(id, &stale, &task(id, team, 2)).await,
        "a fill that read before the later change",
    );
    let fresh = leased(
        must(cache.get(id).await, "get"),
        "the stale fill stored nothing, and the drop freed the lease",
    );
    must(cache.fill(id, &fresh, &task(id, team, 3)).await, "fill");
    assert_eq!(
        must(cache.get(id).await, "get"),
        Lookup::Hit(task(id, team, 3))
    );
    must(cache.forget(&[id]).await, "forget");
    must(cache.forget(&[id]).await, "forget again");
    assert!(matches!(
        must(cache.get(id).await, "get forgotten"),
        Lookup::Miss(Some(_))
    ));
}

/// `TaskListCache`: pages are per team and per query; a miss gives a slot and a fill stores
/// the page there; dropping a team's pages drops them all, and a page read before the drop
/// (filled after it) is never served.
pub async fn task_lists(lists: &dyn TaskListCache) {
    let (team, other, id) = (TeamId::new(), TeamId::new(), TaskId::new());
    let page = |version: i64| CachedPage {
        tasks: vec![TaskState::from(&task(id, team, version))],
        next: Some(format!("cursor {version}")),
    };
    let (all, done) = ("{\"status\":[]}", "{\"status\":[\"done\"]}");
    let slot = leased(must(lists.get(team, all).await, "get absent"), "a miss");
    must(lists.fill(&slot, &page(1)).await, "fill");
    assert_eq!(
        must(lists.get(team, all).await, "get"),
        Lookup::Hit(page(1))
    );
    assert!(
        matches!(
            must(lists.get(team, done).await, "another query"),
            Lookup::Miss(Some(_))
        ),
        "pages are per query"
    );
    let elsewhere = leased(must(lists.get(other, all).await, "other team"), "per team");
    must(lists.fill(&elsewhere, &page(7)).await, "fill other team");

    let stale = leased(must(lists.get(team, done).await, "get"), "a miss");
    must(lists.forget(team).await, "a change drops the team's pages");
    must(
        lists.fill(&stale, &page(2)).await,
        "a page read before the change",
    );
    assert!(
        matches!(
            must(lists.get(team, done).await, "get"),
            Lookup::Miss(Some(_))
        ),
        "the page read before the drop is not served"
    );
    let fresh = leased(must(lists.get(team, all).await, "get"), "dropped too");
    must(lists.fill(&fresh, &page(3)).await, "fill");
    assert_eq!(
        must(lists.get(team, all).await, "get"),
        Lookup::Hit(page(3))
    );
    assert_eq!(
        must(lists.get(other, all).await, "other team"),
        Lookup::Hit(page(7)),
        "other teams' pages stay"
    );
    must(lists.forget(team).await, "forget");
    must(lists.forget(team).await, "forget again");
}

/// The token of a miss that took the lease.
pub(super) fn leased<T: Debug>(lookup: Lookup<T>, what: &str) -> FillToken {
    match lookup {
        Lookup::Miss(Some(token)) => token,
        other => panic!("{what}: {other:?}"),
    }
}
