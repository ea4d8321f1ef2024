//! The task stores' fakes: MongoDB's task documents, the task cache and the list cache.

use super::leased::Leased;
use crate::fakes::{lock, Outage};
use async_trait::async_trait;
use std::collections::HashMap;
use std::sync::Mutex;
use taskforge_domain::cache::{FillToken, Lookup};
use taskforge_domain::ids::{TaskId, TeamId};
use taskforge_domain::tasks::{CachedPage, Task, TaskCache, TaskDocuments, TaskListCache};
use taskforge_domain::StoreError;
use uuid::Uuid;

#[derive(Default)]
pub struct InMemoryTaskDocuments {
    docs: Mutex<HashMap<TaskId, Task>>,
    outage: Outage,
}

impl InMemoryTaskDocuments {
    pub fn set_down(&self, down: bool) {
        *lock(&self.outage.0) = down;
    }
}

#[async_trait]
impl TaskDocuments for InMemoryTaskDocuments {
    async fn put(&self, task: &Task) -> Result<(), StoreError> {
        self.outage.check("mongo")?;
        let mut docs = lock(&self.docs);
        if docs
            .get(&task.task_id)
            .is_none_or(|d| d.version <= task.version)
        {
            docs.insert(task.task_id, task.clone());
        }
        Ok(())
    }

    async fn get(&self, id: TaskId) -> Result<Option<Task>, StoreError> {
        self.outage.check("mongo")?;
        Ok(lock(&self.docs).get(&id).cloned())
    }

    async fn delete(&self, id: TaskId) -> Result<(), StoreError> {
        self.outage.check("mongo")?;
        lock(&self.docs).remove(&id);
        Ok(())
    }

    async fn ids(&self) -> Result<Vec<TaskId>, StoreError> {
        self.outage.check("mongo")?;
        Ok(lock(&self.docs).keys().copied().collect())
    }

    async fn team_ids(&self, team: TeamId) -> Result<Vec<TaskId>, StoreError> {
        self.outage.check("mongo")?;
        Ok(lock(&self.docs)
            .values()
            .filter(|t| t.team_id == team)
            .map(|t| t.task_id)
            .collect())
    }

    async fn delete_team(&self, team: TeamId) -> Result<(), StoreError> {
        self.outage.check("mongo")?;
        lock(&self.docs).retain(|_, t| t.team_id != team);
        Ok(())
    }
}

#[derive(Default)]
pub struct InMemoryTaskCache {
    entries: Leased<TaskId, Task>,
}

impl InMemoryTaskCache {
    pub fn set_down(&self, down: bool) {
        *lock(&self.entries.outage.0) = down;
    }

    /// Loses every entry and lease, as a Redis restart does.
    pub fn restart(&self) {
        self.entries.restart();
    }
}

#[async_trait]
impl TaskCache for InMemoryTaskCache {
    async fn get(&self, id: TaskId) -> Result<Lookup<Task>, StoreError> {
        let (found, token) = self.entries.get(&[id])?;
        Ok(match found.into_iter().next().flatten() {
            Some(task) => Lookup::Hit(task),
            None => Lookup::Miss(token),
        })
    }

    async fn fill(&self, id: TaskId, token: &FillToken, task: &Task) -> Result<(), StoreError> {
        self.entries.fill(token, vec![(id, task.clone())])
    }

    async fn forget(&self, ids: &[TaskId]) -> Result<(), StoreError> {
        self.entries.drop(ids)
    }
}

/// A team's current generation and its pages by query fingerprint.
type Generation = (String, HashMap<String, CachedPage>);

/// The list cache's fake: each team's current generation and its pages, as in Redis.
#[derive(Default)]
pub struct InMemoryTaskLists {
    /// team → (generation, query fingerprint → page); a page stored for another generation
    /// is dropped on the spot.
    teams: Mutex<HashMap<TeamId, Generation>>,
    outage: Outage,
}

impl InMemoryTaskLists {
    pub fn set_down(&self, down: bool) {
        *lock(&self.outage.0) = down;
    }

    /// Loses every generation and page, as a Redis restart does.
    pub fn restart(&self) {
        lock(&self.teams).clear();
    }
}

#[async_trait]
impl TaskListCache for InMemoryTaskLists {
    async fn get(&self, team: TeamId, query: &str) -> Result<Lookup<CachedPage>, StoreError> {
        self.outage.check("redis")?;
        let mut teams = lock(&self.teams);
        let (generation, pages) = teams
            .entry(team)
            .or_insert_with(|| (Uuid::new_v4().to_string(), HashMap::new()));
        Ok(match pages.get(query) {
            Some(page) => Lookup::Hit(page.clone()),
            None => Lookup::Miss(Some(FillToken::new(format!("{team} {generation} {query}")))),
        })
    }

    async fn fill(&self, slot: &FillToken, page: &CachedPage) -> Result<(), StoreError> {
        self.outage.check("redis")?;
        let mut parts = slot.as_str().splitn(3, ' ');
        let (Some(team), Some(generation), Some(query)) =
            (parts.next(), parts.next(), parts.next())
        else {
            return Ok(());
        };
        let mut teams = lock(&self.teams);
        let current = team
            .parse()
            .ok()
            .and_then(|team: TeamId| teams.get_mut(&team))
            .filter(|(current, _)| current == generation);
        if let Some((_, pages)) = current {
            pages.insert(query.to_owned(), page.clone());
        }
        Ok(())
    }

    async fn forget(&self, team: TeamId) -> Result<(), StoreError> {
        self.outage.check("redis")?;
        lock(&self.teams).remove(&team);
        Ok(())
    }
}
