//! What a task change writes besides the task's row.

use super::lists;
use super::model::Task;
use super::projection;
use super::state::TaskState;
use crate::notifications::activity::announce;
use crate::notifications::TaskFacts;
use crate::write_path::{
    Actor, Aggregate, AuditAction, AuditDraft, AuditEntityType, Change, Scope,
};

/// A task change: its audit row in the team's chain, its document effect ordered per task (a
/// team's deletion is a barrier of the team: see [`Aggregate::whole`]), and the drops of its
/// cache entry and of its team's list pages in a lane of their own, so neither a slow MongoDB
/// nor a concurrent change holds them back.
pub(crate) fn task_change(
    task: &Task,
    action: AuditAction,
    actor: &Actor,
    previous: Option<&Task>,
    next: Option<&Task>,
) -> Change {
    let id = task.task_id.as_uuid();
    let audit = AuditDraft {
        entity_type: AuditEntityType::Task,
        entity_id: id,
        action,
        actor: actor.clone(),
        previous_state: previous.map(|t| TaskState::from(t).to_json()),
        new_state: next.map(|t| TaskState::from(t).to_json()),
    };
    let (document, cache) = projection::effects(task, next);
    let aggregate = Aggregate::entity(Scope::Team(task.team_id), "task", id);
    // Dropping cache entries is right in any order, so their row gets a lane of its own and
    // never waits for another request's.
    let cache_lane = uuid::Uuid::now_v7();
    let caches = vec![cache, lists::drop_lists(task.team_id)];
    Change::new(aggregate, audit, vec![document]).with_entity("task cache", cache_lane, caches)
}

/// `change` with the team activity event of a change from `previous` to `next` (one of them at
/// least), made at `at`.
pub(crate) fn announced(
    change: Change,
    previous: Option<&Task>,
    next: Option<&Task>,
    at: chrono::DateTime<chrono::Utc>,
) -> Change {
    match (next.or(previous), TaskFacts::of(previous, next)) {
        (Some(task), Some(facts)) => announce(change, task.task_id, task.version, facts, None, at),
        _ => change,
    }
}
