//! `TaskRepository` on the relational fake.

use super::audit_record;
use super::InMemoryRelational;
use crate::fakes::lock;
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use taskforge_domain::audit::AuditRecord;
use taskforge_domain::ids::{AttachmentId, AuditId, TaskId, TeamId, UserId};
use taskforge_domain::tasks::query::{Cursor, SortKey};
use taskforge_domain::tasks::{SortField, Status, Task, TaskEdit, TaskQuery, TaskRepository};
use taskforge_domain::teams::Permission;
use taskforge_domain::write_path::*;
use taskforge_domain::StoreError;

/// The words of a text, as PostgreSQL's `simple` configuration splits and folds them.
fn words(text: &str) -> Vec<String> {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect()
}

/// A task's sort key.
fn sort_key(task: &Task, field: SortField) -> SortKey {
    match field {
        SortField::Created => SortKey::Time(task.metadata.created),
        SortField::Updated => SortKey::Time(task.metadata.updated),
        SortField::Due => task.due_date.map_or(SortKey::NoDueDate, SortKey::Time),
        SortField::Priority => SortKey::Rank(task.priority.rank()),
    }
}

/// A sort key in ascending order as PostgreSQL sorts it: a missing due date is `infinity`
/// ascending and `-infinity` descending, so it comes last either way.
fn ascending(key: SortKey, descending: bool) -> (i8, Option<DateTime<Utc>>, i16) {
    match key {
        SortKey::Time(t) => (0, Some(t), 0),
        SortKey::Rank(rank) => (0, None, rank),
        SortKey::NoDueDate if descending => (-1, None, 0),
        SortKey::NoDueDate => (1, None, 0),
    }
}

impl super::Relational {
    pub(super) fn may_read_tasks(&self, user: UserId, team: TeamId) -> bool {
        self.role_of(team, user).is_some_and(|role| {
            self.permissions
                .get(&(team, role))
                .is_some_and(|p| p.contains(&Permission::TaskRead))
        })
    }

    /// As PostgreSQL's: a member, or the assignee the task already has.
    fn assignee_ok(&self, task: &Task) -> Result<(), StoreError> {
        let kept = |a| {
            self.tasks
                .get(&task.task_id)
                .is_some_and(|t| t.assignee_id == Some(a))
        };
        match task.assignee_id {
            Some(a) if self.role_of(task.team_id, a).is_none() && !kept(a) => {
                Err(StoreError::Conflict("assignee".into()))
            }
            _ => Ok(()),
        }
    }

    /// Stores `task` as PostgreSQL's writes do, with when it first moved to in_progress and
    /// when it was done.
    fn store_task(&mut self, task: &Task) {
        let (started, completed) = self
            .progress
            .get(&task.task_id)
            .copied()
            .unwrap_or_default();
        let at = task.metadata.updated;
        let started = started.or((task.status == Status::InProgress).then_some(at));
        let completed = (task.status == Status::Done).then(|| completed.unwrap_or(at));
        self.progress.insert(task.task_id, (started, completed));
        self.tasks.insert(task.task_id, task.clone());
    }

    /// Applies `edit` to the tasks `ids` and commits them with their changes, all or none.
    fn edit(
        &mut self,
        ids: Vec<TaskId>,
        edit: &TaskEdit,
    ) -> Result<(Vec<Task>, Receipt), StoreError> {
        let mut edited = Vec::with_capacity(ids.len());
        for id in ids {
            let current = self.tasks.get(&id).ok_or(StoreError::NotFound)?;
            let (next, change) = edit.apply(current)?;
            self.assignee_ok(&next)?;
            edited.push((next, change));
        }
        let mut receipt = Receipt::default();
        let tasks = edited
            .into_iter()
            .map(|(next, change)| {
                self.store_task(&next);
                receipt.append(self.commit(change));
                next
            })
            .collect();
        Ok((tasks, receipt))
    }
}

#[async_trait]
impl TaskRepository for InMemoryRelational {
    async fn create(&self, task: &Task, change: Change) -> Result<Receipt, StoreError> {
        let mut db = lock(&self.0);
        if !db.teams.contains_key(&task.team_id) {
            return Err(StoreError::NotFound);
        }
        db.assignee_ok(task)?;
        db.store_task(task);
        Ok(db.commit(change))
    }

    async fn get(&self, id: TaskId) -> Result<Option<Task>, StoreError> {
        Ok(lock(&self.0).tasks.get(&id).cloned())
    }

    async fn modify(&self, id: TaskId, edit: &TaskEdit) -> Result<(Task, Receipt), StoreError> {
        let (tasks, receipt) = lock(&self.0).edit(vec![id], edit)?;
        let task = tasks.into_iter().next().ok_or(StoreError::NotFound)?;
        Ok((task, receipt))
    }

    async fn modify_assigned(
        &self,
        team: TeamId,
        user: UserId,
        edit: &TaskEdit,
    ) -> Result<Receipt, StoreError> {
        let mut db = lock(&self.0);
        let assigned = db
            .tasks
            .values()
            .filter(|t| t.team_id == team && t.assignee_id == Some(user))
            .map(|t| t.task_id)
            .collect();
        db.edit(assigned, edit).map(|(_, receipt)| receipt)
    }

    async fn delete(&self, id: TaskId, change: Change) -> Result<Receipt, StoreError> {
        let mut db = lock(&self.0);
        db.tasks.remove(&id).ok_or(StoreError::NotFound)?;
        db.comments.retain(|_, c| c.task_id != id);
        db.reminders.retain(|(task, _, _), _| *task != id);
        Ok(db.commit(change))
    }

    async fn list(&self, user: UserId, q: &TaskQuery) -> Result<Vec<(Task, Cursor)>, StoreError> {
        let db = lock(&self.0);
        let terms = q.text.as_deref().map(words).unwrap_or_default();
        let (field, descending) = (q.sort.field, q.sort.descending);
        let mut rows: Vec<(SortKey, &Task)> = db
            .tasks
            .values()
            .filter(|t| db.may_read_tasks(user, t.team_id))
            .filter(|t| q.team.is_none_or(|team| t.team_id == team))
            .filter(|t| q.statuses.is_empty() || q.statuses.contains(&t.status))
            .filter(|t| q.priorities.is_empty() || q.priorities.contains(&t.priority))
            .filter(|t| q.assignee.is_none_or(|a| t.assignee_id == Some(a)))
            .filter(|t| q.tags.iter().all(|tag| t.tags.as_slice().contains(tag)))
            .filter(|t| {
                q.due_before
                    .is_none_or(|b| t.due_date.is_some_and(|d| d < b))
            })
            .filter(|t| {
                q.due_after
                    .is_none_or(|a| t.due_date.is_some_and(|d| d > a))
            })
            .filter(|t| {
                let text = format!(
                    "{} {} {}",
                    t.title.as_str(),
                    t.description.as_str(),
                    t.tags.as_slice().join(" ")
                );
                // As in PostgreSQL: every word in the task, or every word in one comment.
                let all_in = |text: &str| {
                    let have = words(text);
                    terms.iter().all(|w| have.contains(w))
                };
                all_in(&text)
                    || db
                        .comments
                        .values()
                        .any(|c| c.task_id == t.task_id && all_in(c.content.as_str()))
            })
            .map(|t| (sort_key(t, field), t))
            .collect();
        let order = |key: SortKey, id: TaskId| (ascending(key, descending), id);
        rows.sort_by_key(|(key, t)| order(*key, t.task_id));
        if descending {
            rows.reverse();
        }
        let after = |key: SortKey, id: TaskId| match &q.after {
            None => true,
            Some(c) => {
                let (here, there) = (order(key, id), order(c.key, c.id));
                if descending {
                    here < there
                } else {
                    here > there
                }
            }
        };
        Ok(rows
            .into_iter()
            .filter(|(key, t)| after(*key, t.task_id))
            .take(usize::try_from(q.limit).unwrap_or(0))
            .map(|(key, t)| (t.clone(), Cursor { key, id: t.task_id }))
            .collect())
    }

    async fn history(
        &self,
        id: TaskId,
        before: Option<AuditId>,
        limit: i64,
    ) -> Result<Vec<AuditRecord>, StoreError> {
        let db = lock(&self.0);
        let mut rows: Vec<&(AuditId, DateTime<Utc>, Change)> = db
            .audit
            .iter()
            .filter(|(_, _, c)| {
                c.audit.entity_type == AuditEntityType::Task && c.audit.entity_id == id.as_uuid()
            })
            .collect();
        rows.reverse();
        let skip = before.map_or(0, |b| {
            rows.iter()
                .position(|(a, _, _)| *a == b)
                .map_or(rows.len(), |i| i + 1)
        });
        Ok(rows
            .into_iter()
            .skip(skip)
            .take(usize::try_from(limit).unwrap_or(0))
            .map(|(id, at, change)| audit_record(*id, *at, change))
            .collect())
    }

    async fn with_attachment(&self, attachment: AttachmentId) -> Result<Option<Task>, StoreError> {
        let db = lock(&self.0);
        Ok(db
            .tasks
            .values()
            .find(|t| taskforge_domain::attachments::Attachment::find(t, attachment).is_some())
            .cloned())
    }

    async fn scan(&self, after: Option<TaskId>, limit: i64) -> Result<Vec<Task>, StoreError> {
        let db = lock(&self.0);
        Ok(db
            .tasks
            .values()
            .filter(|t| after.is_none_or(|a| t.task_id > a))
            .take(usize::try_from(limit).unwrap_or(0))
            .cloned()
            .collect())
    }
}
