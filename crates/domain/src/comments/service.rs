//! The comment use cases.

use super::model::{Comment, CommentContent, CommentCursor};
use super::ports::CommentRepository;
use super::projection::{self, DeleteComment, EraseTaskComments, EraseTeamComments};
use crate::clock::Clock;
use crate::ids::{CommentId, TaskId, TeamId, UserId};
use crate::notifications::activity::announce;
use crate::notifications::{CommentFacts, TaskFacts};
use crate::tasks::lists::drop_lists;
use crate::tasks::{Task, TaskDependents, TaskRepository};
use crate::teams::{Access, Permission, Requirement, TeamErasure, TeamService};
use crate::validation::FieldError;
use crate::write_path::{
    Actor, Aggregate, AuditAction, AuditDraft, AuditEntityType, Change, Scope, StoredEffect,
    WritePath,
};
use crate::{Error, StoreError};
use chrono::SubsecRound;
use std::sync::Arc;

/// How many members one comment may name.
pub const MAX_MENTIONS: usize = 50;

/// How often an edit that lost the race against a concurrent one reads the comment again.
const EDIT_ATTEMPTS: usize = 5;

pub struct CommentService {
    comments: Arc<dyn CommentRepository>,
    tasks: Arc<dyn TaskRepository>,
    teams: Arc<TeamService>,
    write_path: WritePath,
    clock: Arc<dyn Clock>,
}

/// The change a comment event commits: its audit row in the team's chain, its effects in the
/// lane of its task (so a task's deletion, which erases its comments' documents, is applied
/// after every comment change committed before it: none can bring a document back), and the
/// drop of the team's list pages (full-text search reads comments) in a lane of its own.
fn comment_change(
    task: &Task,
    comment: &Comment,
    action: AuditAction,
    actor: &Actor,
    (previous, next): (Option<&Comment>, Option<&Comment>),
    effects: Vec<StoredEffect>,
) -> Change {
    let state = |c: &Comment| serde_json::to_value(c).unwrap_or_default();
    let audit = AuditDraft {
        entity_type: AuditEntityType::Comment,
        entity_id: comment.comment_id.as_uuid(),
        action,
        actor: actor.clone(),
        previous_state: previous.map(state),
        new_state: next.map(state),
    };
    let aggregate = Aggregate::entity(
        Scope::Team(comment.team_id),
        "task",
        comment.task_id.as_uuid(),
    );
    let lists = vec![drop_lists(comment.team_id)];
    let change = Change::new(aggregate, audit, effects).with_entity(
        "task lists",
        uuid::Uuid::now_v7(),
        lists,
    );
    let facts = TaskFacts::of(None, Some(task));
    match facts {
        Some(facts) => announce(
            change,
            comment.task_id,
            comment.version,
            facts,
            Some(CommentFacts::of(comment)),
            comment.last_edited_at.unwrap_or(comment.created),
        ),
        None => change,
    }
}

/// A deleted task's comment documents go with it (its rows go by cascade).
pub struct TaskComments;

impl TaskDependents for TaskComments {
    fn erasure(&self, task: TaskId) -> Vec<StoredEffect> {
        vec![StoredEffect::of(&EraseTaskComments { task_id: task })]
    }
}

/// A deleted team's comment documents go with it (its rows go by cascade).
pub struct TeamComments;

impl TeamErasure for TeamComments {
    fn effects(&self, team: TeamId) -> Vec<StoredEffect> {
        vec![StoredEffect::of(&EraseTeamComments { team_id: team })]
    }
}

impl CommentService {
    pub fn new(
        comments: Arc<dyn CommentRepository>,
        tasks: Arc<dyn TaskRepository>,
        teams: Arc<TeamService>,
        write_path: WritePath,
        clock: Arc<dyn Clock>,
    ) -> Self {
        Self {
            comments,
            tasks,
            teams,
            write_path,
            clock,
        }
    }

    /// The task's team access of `caller` with `requirement` (404 for outsiders and for a task
    /// that does not exist).
    async fn on_task(
        &self,
        caller: UserId,
        task: TaskId,
        requirement: Requirement,
    ) -> Result<(Task, Access), Error> {
        let task = self.tasks.get(task).await?.ok_or(Error::NotFound)?;
        let access = self
            .teams
            .authorize(caller, task.team_id, requirement)
            .await?;
        Ok((task, access))
    }

    /// The task a comment is on.
    async fn task_of(&self, comment: &Comment) -> Result<Task, Error> {
        self.tasks
            .get(comment.task_id)
            .await?
            .ok_or(Error::NotFound)
    }

    /// The comment and `caller`'s access to its team (404 for outsiders).
    async fn with_access(&self, caller: UserId, id: CommentId) -> Result<(Comment, Access), Error> {
        let comment = self.comments.get(id).await?.ok_or(Error::NotFound)?;
        let access = self
            .teams
            .authorize(caller, comment.team_id, Requirement::Member)
            .await?;
        Ok((comment, access))
    }

    /// Each named user once; every one a member of the team (400 otherwise).
    async fn mentions(&self, team: TeamId, named: Vec<UserId>) -> Result<Vec<UserId>, Error> {
        // A set, not a scan of the list: a body may name tens of thousands of ids.
        let mut seen = std::collections::HashSet::with_capacity(named.len());
        let users: Vec<UserId> = named.into_iter().filter(|u| seen.insert(*u)).collect();
        if users.len() > MAX_MENTIONS {
            let message = format!("must name at most {MAX_MENTIONS} members");
            return Err(FieldError::new("mentionedUsers", message).into());
        }
        for user in &users {
            match self.teams.authorize(*user, team, Requirement::Member).await {
                Ok(_) => {}
                Err(Error::NotFound) => {
                    let message = format!("{user} is not a member of the task's team");
                    return Err(FieldError::new("mentionedUsers", message).into());
                }
                Err(e) => return Err(e),
            }
        }
        Ok(users)
    }

    /// Adds a comment (needs `comment.create`).
    pub async fn create(
        &self,
        caller: UserId,
        task: TaskId,
        content: CommentContent,
        mentioned: Vec<UserId>,
        actor: &Actor,
    ) -> Result<Comment, Error> {
        let (task, access) = self
            .on_task(
                caller,
                task,
                Requirement::Permission(Permission::CommentCreate),
            )
            .await?;
        let mentioned_users = self.mentions(access.team(), mentioned).await?;
        let comment = Comment {
            comment_id: CommentId::new(),
            task_id: task.task_id,
            team_id: access.team(),
            author_id: caller,
            content,
            mentioned_users,
            created: self.clock.now().trunc_subsecs(6),
            last_edited_at: None,
            version: 1,
        };
        let effects = vec![StoredEffect::of(&projection::PutComment {
            comment: comment.clone(),
        })];
        let change = comment_change(
            &task,
            &comment,
            AuditAction::Create,
            actor,
            (None, Some(&comment)),
            effects,
        );
        self.write_path
            .commit(self.comments.create(&comment, change))
            .await?;
        Ok(comment)
    }

    /// A page of the task's comments, oldest first (needs `task.read`).
    pub async fn list(
        &self,
        caller: UserId,
        task: TaskId,
        after: Option<CommentCursor>,
        limit: i64,
    ) -> Result<(Vec<Comment>, Option<CommentCursor>), Error> {
        self.on_task(caller, task, Requirement::Permission(Permission::TaskRead))
            .await?;
        let mut rows = self.comments.page(task, after, limit + 1).await?;
        let next = (rows.len() as i64 > limit).then(|| {
            rows.truncate(limit as usize);
            rows.last().map(CommentCursor::of)
        });
        Ok((rows, next.flatten()))
    }

    /// Changes the text; only its author may (403 for other members).
    pub async fn edit(
        &self,
        caller: UserId,
        id: CommentId,
        content: CommentContent,
        actor: &Actor,
    ) -> Result<Comment, Error> {
        for _ in 0..EDIT_ATTEMPTS {
            let (current, _) = self.with_access(caller, id).await?;
            if current.author_id != caller {
                return Err(Error::Forbidden);
            }
            let task = self.task_of(&current).await?;
            let next = Comment {
                content: content.clone(),
                last_edited_at: Some(self.clock.now().trunc_subsecs(6)),
                version: current.version + 1,
                ..current.clone()
            };
            let effects = vec![StoredEffect::of(&projection::PutComment {
                comment: next.clone(),
            })];
            let change = comment_change(
                &task,
                &next,
                AuditAction::Update,
                actor,
                (Some(&current), Some(&next)),
                effects,
            );
            match self
                .write_path
                .commit(self.comments.update(&next, change))
                .await
            {
                Ok(_) => return Ok(next),
                Err(StoreError::StaleVersion) => continue,
                Err(e) => return Err(e.into()),
            }
        }
        Err(Error::Conflict(
            "the comment is being changed concurrently; try again".into(),
        ))
    }

    /// Removes the comment: its author, or a holder of `comment.moderate`.
    pub async fn delete(&self, caller: UserId, id: CommentId, actor: &Actor) -> Result<(), Error> {
        let (current, access) = self.with_access(caller, id).await?;
        if current.author_id != caller {
            access.require(Requirement::Permission(Permission::CommentModerate))?;
        }
        let task = self.task_of(&current).await?;
        let effects = vec![StoredEffect::of(&DeleteComment { comment_id: id })];
        let change = comment_change(
            &task,
            &current,
            AuditAction::Delete,
            actor,
            (Some(&current), None),
            effects,
        );
        self.write_path
            .commit(self.comments.delete(id, change))
            .await?;
        Ok(())
    }
}
