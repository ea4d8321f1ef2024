//! The task use cases.

use super::change::{announced, task_change};
use super::edit::TaskEdit;
use super::lists::{CachedPage, TaskListCache};
use super::model::{
    CustomFields, Description, Priority, Status, Tags, Task, TaskMetadata, TaskPatch, TaskTitle,
};
use super::ports::{TaskDependents, TaskRepository};
use super::projection::{EraseTeamTasks, TaskCache};
use super::query::{Cursor, TaskQuery};
use super::state::TaskState;
use crate::audit::AuditRecord;
use crate::cache::Lookup;
use crate::clock::Clock;
use crate::ids::{AuditId, TaskId, TeamId, UserId};
use crate::teams::{Access, Permission, Requirement, TeamErasure, TeamService};
use crate::validation::FieldError;
use crate::write_path::{
    Actor, AuditAction, Claim, IdempotencyKey, IdempotencyStore, StoredEffect, WritePath,
};
use crate::{Error, StoreError};
use chrono::{DateTime, SubsecRound, Utc};
use std::sync::Arc;

pub struct NewTask {
    pub team: TeamId,
    pub title: TaskTitle,
    pub description: Description,
    pub status: Status,
    pub priority: Priority,
    pub assignee: Option<UserId>,
    pub due_date: Option<DateTime<Utc>>,
    pub tags: Tags,
    pub custom_fields: CustomFields,
}

pub struct TaskService {
    tasks: Arc<dyn TaskRepository>,
    idempotency: Arc<dyn IdempotencyStore>,
    teams: Arc<TeamService>,
    caches: TaskCaches,
    dependents: Vec<Arc<dyn TaskDependents>>,
    write_path: WritePath,
    clock: Arc<dyn Clock>,
}

/// The caches task reads take first: tasks by id, and pages of a team's list.
pub struct TaskCaches {
    pub tasks: Arc<dyn TaskCache>,
    pub lists: Arc<dyn TaskListCache>,
}

/// Removes a deleted team's task documents and cache entries (its rows go by cascade).
pub struct TaskErasure;

impl TeamErasure for TaskErasure {
    fn effects(&self, team: TeamId) -> Vec<StoredEffect> {
        vec![StoredEffect::of(&EraseTeamTasks { team_id: team })]
    }
}

fn assignee_error(e: StoreError) -> Error {
    match e {
        StoreError::Conflict(_) => {
            FieldError::new("assigneeId", "must be a member of the task's team").into()
        }
        other => other.into(),
    }
}

impl TaskService {
    pub fn new(
        tasks: Arc<dyn TaskRepository>,
        idempotency: Arc<dyn IdempotencyStore>,
        teams: Arc<TeamService>,
        caches: TaskCaches,
        dependents: Vec<Arc<dyn TaskDependents>>,
        write_path: WritePath,
        clock: Arc<dyn Clock>,
    ) -> Self {
        Self {
            tasks,
            idempotency,
            teams,
            caches,
            dependents,
            write_path,
            clock,
        }
    }

    /// Creates a task. With an idempotency key, a retry of the same request answers the first
    /// outcome (and creates nothing), the same key with another request is refused (422), and a
    /// retry while the first is still running is a conflict (409).
    pub async fn create(
        &self,
        caller: UserId,
        new: NewTask,
        actor: &Actor,
        key: Option<&IdempotencyKey>,
    ) -> Result<Task, Error> {
        let Some(key) = key else {
            return self.create_once(caller, new, actor, None).await;
        };
        match self.idempotency.claim(key).await? {
            Claim::Replay(body) => TaskState::from_json(body).map(Task::from),
            Claim::InFlight => Err(Error::Conflict(
                "a request with this Idempotency-Key is still in progress".into(),
            )),
            Claim::Mismatch => Err(Error::IdempotencyKeyReused),
            Claim::Fresh => {
                let outcome = self.create_once(caller, new, actor, Some(key)).await;
                if outcome.is_err() {
                    let _ = self.idempotency.release(key).await;
                }
                outcome
            }
        }
    }

    async fn create_once(
        &self,
        caller: UserId,
        new: NewTask,
        actor: &Actor,
        key: Option<&IdempotencyKey>,
    ) -> Result<Task, Error> {
        let access = self
            .teams
            .authorize(
                caller,
                new.team,
                Requirement::Permission(Permission::TaskCreate),
            )
            .await?;
        if new.assignee.is_some() {
            access.require(Requirement::Permission(Permission::TaskAssign))?;
        }
        let now = self.now();
        let task = Task {
            task_id: TaskId::new(),
            team_id: new.team,
            title: new.title,
            description: new.description,
            status: new.status,
            priority: new.priority,
            assignee_id: new.assignee,
            creator_id: caller,
            due_date: new.due_date,
            tags: new.tags,
            custom_fields: new.custom_fields,
            attachments: vec![],
            version: 1,
            metadata: TaskMetadata {
                created: now,
                updated: now,
            },
        };
        let change = task_change(&task, AuditAction::Create, actor, None, Some(&task));
        let mut change = announced(change, None, Some(&task), now);
        change.idempotency =
            key.map(|k| k.completion(change.audit.new_state.clone().unwrap_or_default()));
        self.write_path
            .commit(self.tasks.create(&task, change))
            .await
            .map_err(assignee_error)?;
        Ok(task)
    }

    /// The time a change is made at, as PostgreSQL stores it (microseconds).
    fn now(&self) -> DateTime<Utc> {
        self.clock.now().trunc_subsecs(6)
    }

    /// The task as PostgreSQL holds it, if `caller` may see it with `requirement`; 404
    /// otherwise (and for outsiders), 403 for members without the permission.
    async fn authorized(
        &self,
        caller: UserId,
        id: TaskId,
        requirement: Requirement,
    ) -> Result<(Task, Access), Error> {
        let task = self.tasks.get(id).await?.ok_or(Error::NotFound)?;
        let access = self
            .teams
            .authorize(caller, task.team_id, requirement)
            .await?;
        Ok((task, access))
    }

    /// The task, from the cache when it holds it, else from PostgreSQL (filling the cache under
    /// the lease its miss took). Every change drops the entry before it answers (a Redis that
    /// fails that fails this read too, until the relay has dropped it), so a caller reads its
    /// writes.
    pub async fn get(&self, caller: UserId, id: TaskId) -> Result<Task, Error> {
        let read = Requirement::Permission(Permission::TaskRead);
        let token = match self.caches.tasks.get(id).await {
            Ok(Lookup::Hit(task)) => {
                self.teams.authorize(caller, task.team_id, read).await?;
                return Ok(task);
            }
            Ok(Lookup::Miss(token)) => token,
            Err(_) => None,
        };
        let (task, _) = self.authorized(caller, id, read).await?;
        if let Some(token) = token {
            let _ = self.caches.tasks.fill(id, &token, &task).await;
        }
        Ok(task)
    }

    /// Applies `patch`. With `if_match`, a task whose version has moved on answers 412;
    /// without it, concurrent patches queue on the task and are applied one after the other.
    pub async fn patch(
        &self,
        caller: UserId,
        id: TaskId,
        patch: &TaskPatch,
        if_match: Option<i64>,
        actor: &Actor,
    ) -> Result<Task, Error> {
        let (_, access) = self.authorized(caller, id, Requirement::Member).await?;
        let changes_assignee = patch.assignee_id.is_some();
        let changes_other = TaskPatch {
            assignee_id: None,
            ..patch.clone()
        }
        .touches_anything();
        if changes_assignee {
            access.require(Requirement::Permission(Permission::TaskAssign))?;
        }
        if changes_other || !changes_assignee {
            access.require(Requirement::Permission(Permission::TaskUpdate))?;
        }
        let edit = TaskEdit::patch(patch.clone(), if_match, actor.clone(), self.now());
        let (task, _) = self
            .write_path
            .commit(self.tasks.modify(id, &edit))
            .await
            .map_err(assignee_error)?;
        Ok(task)
    }

    pub async fn delete(&self, caller: UserId, id: TaskId, actor: &Actor) -> Result<(), Error> {
        let remove = Requirement::Permission(Permission::TaskDelete);
        let (current, _) = self.authorized(caller, id, remove).await?;
        let erasures = self.dependents.iter().flat_map(|d| d.erasure(id)).collect();
        let change =
            task_change(&current, AuditAction::Delete, actor, Some(&current), None).then(erasures);
        let change = announced(change, Some(&current), None, self.now());
        self.write_path
            .commit(self.tasks.delete(id, change))
            .await?;
        Ok(())
    }

    /// One page of the caller's tasks and the cursor of the next page, if any. A page of one
    /// team that the caller may read comes from the list cache when it holds it (every task
    /// change of the team drops the team's pages before it answers); any other from PostgreSQL.
    pub async fn list(
        &self,
        caller: UserId,
        query: TaskQuery,
    ) -> Result<(Vec<Task>, Option<Cursor>), Error> {
        let Some(team) = query.team else {
            return self.page(caller, query).await;
        };
        let read = Requirement::Permission(Permission::TaskRead);
        if self.teams.authorize(caller, team, read).await.is_err() {
            // PostgreSQL answers what the caller may see of it: nothing.
            return self.page(caller, query).await;
        }
        let slot = match self.caches.lists.get(team, &query.fingerprint()).await {
            Ok(Lookup::Hit(cached)) => match cached.into_page(query.sort) {
                Some(page) => return Ok(page),
                None => None,
            },
            Ok(Lookup::Miss(slot)) => slot,
            Err(_) => None,
        };
        let sort = query.sort;
        let (tasks, next) = self.page(caller, query).await?;
        if let Some(slot) = slot {
            let page = CachedPage::of(&tasks, next.as_ref(), sort);
            let _ = self.caches.lists.fill(&slot, &page).await;
        }
        Ok((tasks, next))
    }

    /// One page from PostgreSQL.
    async fn page(
        &self,
        caller: UserId,
        mut query: TaskQuery,
    ) -> Result<(Vec<Task>, Option<Cursor>), Error> {
        let limit = query.limit;
        query.limit = limit + 1;
        let mut rows = self.tasks.list(caller, &query).await?;
        let next = (rows.len() as i64 > limit).then(|| {
            rows.truncate(limit as usize);
            rows.last().map(|(_, cursor)| cursor.clone())
        });
        let tasks = rows.into_iter().map(|(task, _)| task).collect();
        Ok((tasks, next.flatten()))
    }

    /// Removes a member from the team, then unassigns the tasks of the team assigned to them
    /// in one commit, through the write path (each a new version and an `assign` audit row),
    /// as a teammate would. A task that a crash left assigned stays editable (the assignee is
    /// only checked when a change sets it).
    pub async fn remove_member(
        &self,
        access: &Access,
        user: UserId,
        actor: &Actor,
    ) -> Result<(), Error> {
        self.teams.remove_member(access, user, actor).await?;
        let edit = TaskEdit::unassign(actor.clone(), self.now());
        self.write_path
            .commit(self.tasks.modify_assigned(access.team(), user, &edit))
            .await?;
        Ok(())
    }

    /// The task's activity, newest first.
    pub async fn activity(
        &self,
        caller: UserId,
        id: TaskId,
        before: Option<AuditId>,
        limit: i64,
    ) -> Result<Vec<AuditRecord>, Error> {
        let read = Requirement::Permission(Permission::TaskRead);
        let (_, access) = self.authorized(caller, id, read).await?;
        let mut entries = self.tasks.history(id, before, limit).await?;
        // Where teammates connect from is for those who may read the audit log.
        if !access.allows(Permission::AuditRead) {
            for entry in &mut entries {
                entry.ip = None;
                entry.user_agent = None;
            }
        }
        Ok(entries)
    }
}
