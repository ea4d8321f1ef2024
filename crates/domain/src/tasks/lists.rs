//! The list cache (ADR 19): pages of a team's task list in Redis. Every change of a task of the
//! team drops them all at once by ending the team's generation of pages; a page read from
//! PostgreSQL is stored in the generation its miss saw, so a page filled across a change lands in
//! a generation nobody reads again.

use super::model::Task;
use super::query::{Cursor, TaskSort};
use super::state::TaskState;
use crate::cache::{FillToken, Lookup};
use crate::ids::TeamId;
use crate::write_path::{EffectKind, StoredEffect};
use crate::StoreError;
use async_trait::async_trait;
use serde::{Deserialize, Serialize};

/// A page as the list cache keeps it: its tasks and the cursor of the next page, as clients
/// carry it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CachedPage {
    pub tasks: Vec<TaskState>,
    pub next: Option<String>,
}

impl CachedPage {
    /// A page of a list in `sort` order.
    pub fn of(tasks: &[Task], next: Option<&Cursor>, sort: TaskSort) -> Self {
        Self {
            tasks: tasks.iter().map(TaskState::from).collect(),
            next: next.map(|c| c.encode(sort)),
        }
    }

    /// The page back, or `None` if its cursor does not read back in `sort` order.
    pub fn into_page(self, sort: TaskSort) -> Option<(Vec<Task>, Option<Cursor>)> {
        let next = match self.next {
            Some(raw) => Some(Cursor::decode("cursor", &raw, sort).ok()?),
            None => None,
        };
        Some((self.tasks.into_iter().map(Task::from).collect(), next))
    }
}

/// Cached pages of teams' task lists (Redis).
#[async_trait]
pub trait TaskListCache: Send + Sync {
    /// The page of `team` that `query` (a [`TaskQuery::fingerprint`]) names, or on a miss the
    /// slot of the team's current generation to fill (none when caching is off).
    async fn get(&self, team: TeamId, query: &str) -> Result<Lookup<CachedPage>, StoreError>;
    /// Stores a page read from PostgreSQL after the miss that gave `slot`.
    async fn fill(&self, slot: &FillToken, page: &CachedPage) -> Result<(), StoreError>;
    /// Drops every cached page of the team.
    async fn forget(&self, team: TeamId) -> Result<(), StoreError>;
}

/// The team's cached list pages dropped, with a task's cache entry: right in any order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DropTaskLists {
    pub team_id: TeamId,
}

impl EffectKind for DropTaskLists {
    const KIND: &'static str = "drop_task_lists";
}

/// The drop of `team`'s list pages, for every change that may change what they list.
pub fn drop_lists(team: TeamId) -> StoredEffect {
    StoredEffect::of(&DropTaskLists { team_id: team })
}
