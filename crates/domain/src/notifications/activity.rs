//! The event every task, comment and attachment change of a team commits: what the team's live
//! stream shows and what notifications are derived from. It is an outbox effect, so it exists
//! only for a committed change, and its id is fixed when the change commits.

use super::model::{NotificationData, NotificationKind};
use crate::comments::Comment;
use crate::ids::{TaskId, TeamId, UserId};
use crate::tasks::{Status, Task};
use crate::write_path::{AuditAction, AuditEntityType, Change, EffectKind, StoredEffect};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// How many characters of a comment a notification carries.
const EXCERPT_CHARS: usize = 140;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TeamActivity {
    pub event_id: Uuid,
    pub team_id: TeamId,
    pub entity_type: AuditEntityType,
    pub entity_id: Uuid,
    pub task_id: TaskId,
    pub action: AuditAction,
    pub version: i64,
    pub actor_id: Option<UserId>,
    pub at: DateTime<Utc>,
    pub task: TaskFacts,
    #[serde(default)]
    pub comment: Option<CommentFacts>,
}

/// The task a change concerns, as it is after the change (before it, for a deletion).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TaskFacts {
    pub title: String,
    pub creator_id: UserId,
    pub assignee_id: Option<UserId>,
    pub previous_assignee_id: Option<UserId>,
    pub status: Status,
    pub previous_status: Option<Status>,
    pub due_date: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CommentFacts {
    pub excerpt: String,
    pub mentioned: Vec<UserId>,
}

impl EffectKind for TeamActivity {
    const KIND: &'static str = "team_activity";
}

impl TaskFacts {
    /// The facts of a task change from the task before and after it (one of them at least).
    pub fn of(previous: Option<&Task>, next: Option<&Task>) -> Option<Self> {
        let task = next.or(previous)?;
        Some(Self {
            title: task.title.as_str().to_owned(),
            creator_id: task.creator_id,
            assignee_id: task.assignee_id,
            previous_assignee_id: previous.and_then(|p| p.assignee_id),
            status: task.status,
            previous_status: previous.map(|p| p.status),
            due_date: task.due_date,
        })
    }
}

impl CommentFacts {
    pub fn of(comment: &Comment) -> Self {
        Self {
            excerpt: comment
                .content
                .as_str()
                .chars()
                .take(EXCERPT_CHARS)
                .collect(),
            mentioned: comment.mentioned_users.clone(),
        }
    }
}

/// Adds the activity event of `change` (its entity, action and actor are those of its audit
/// row) at the head of the change's own row, in the lane of its task: the events of a task are
/// applied in the order of its changes, a task's deletion, which erases its notifications,
/// comes after every event of the task, and the event waits for no document write.
pub(crate) fn announce(
    change: Change,
    task_id: TaskId,
    version: i64,
    task: TaskFacts,
    comment: Option<CommentFacts>,
    at: DateTime<Utc>,
) -> Change {
    let crate::write_path::Scope::Team(team_id) = change.scope() else {
        return change;
    };
    let activity = TeamActivity {
        event_id: Uuid::now_v7(),
        team_id,
        entity_type: change.audit.entity_type,
        entity_id: change.audit.entity_id,
        task_id,
        action: change.audit.action,
        version,
        actor_id: change.audit.actor.user_id,
        at,
        task,
        comment,
    };
    change.lead(vec![StoredEffect::of(&activity)])
}

impl TeamActivity {
    /// Who the change concerns and how, most specific first, one kind per person: the new
    /// assignee is told of the assignment, the creator and the assignee of a status change,
    /// each named member of the mention, the creator and the assignee of a new comment. The
    /// team's follow levels and the actor are not considered here.
    pub fn concerned(&self) -> Vec<(UserId, NotificationKind)> {
        let mut told: Vec<(UserId, NotificationKind)> = Vec::new();
        let mut tell = |user: Option<UserId>, kind| {
            if let Some(user) = user {
                if told.iter().all(|(u, _)| *u != user) {
                    told.push((user, kind));
                }
            }
        };
        let task = &self.task;
        match (self.entity_type, &self.comment) {
            (AuditEntityType::Comment, Some(comment)) if self.action == AuditAction::Create => {
                for user in &comment.mentioned {
                    tell(Some(*user), NotificationKind::CommentMentioned);
                }
                tell(task.assignee_id, NotificationKind::CommentAdded);
                tell(Some(task.creator_id), NotificationKind::CommentAdded);
            }
            (AuditEntityType::Task, _) if self.action != AuditAction::Delete => {
                let created = self.action == AuditAction::Create;
                if created || task.assignee_id != task.previous_assignee_id {
                    tell(task.assignee_id, NotificationKind::TaskAssigned);
                }
                if task.previous_status.is_some_and(|s| s != task.status) {
                    tell(task.assignee_id, NotificationKind::TaskStatusChanged);
                    tell(Some(task.creator_id), NotificationKind::TaskStatusChanged);
                }
            }
            _ => {}
        }
        told
    }

    /// What every notification of this change carries.
    pub fn data(&self) -> NotificationData {
        let status_changed = self.task.previous_status.filter(|s| *s != self.task.status);
        NotificationData {
            team_id: self.team_id,
            task_id: self.task_id,
            task_title: self.task.title.clone(),
            actor_id: self.actor_id,
            entity_type: self.entity_type,
            entity_id: self.entity_id,
            action: Some(self.action),
            status: status_changed.map(|_| self.task.status),
            previous_status: status_changed,
            due_date: None,
            excerpt: self.comment.as_ref().map(|c| c.excerpt.clone()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use NotificationKind::*;

    fn activity(entity: AuditEntityType, action: AuditAction) -> TeamActivity {
        let assignee = Some(UserId::new());
        TeamActivity {
            event_id: Uuid::now_v7(),
            team_id: TeamId::new(),
            entity_type: entity,
            entity_id: Uuid::now_v7(),
            task_id: TaskId::new(),
            action,
            version: 2,
            actor_id: None,
            at: Utc::now(),
            task: TaskFacts {
                title: "Plan".into(),
                creator_id: UserId::new(),
                assignee_id: assignee,
                previous_assignee_id: assignee,
                status: Status::Todo,
                previous_status: Some(Status::Todo),
                due_date: None,
            },
            comment: None,
        }
    }

    #[test]
    fn a_new_assignee_is_told_of_the_assignment_and_nobody_else() {
        let mut a = activity(AuditEntityType::Task, AuditAction::Assign);
        a.task.previous_assignee_id = Some(UserId::new());
        assert_eq!(
            a.concerned(),
            vec![(a.task.assignee_id.unwrap_or_default(), TaskAssigned)]
        );
        a.task.assignee_id = None;
        assert_eq!(a.concerned(), vec![]);
    }

    #[test]
    fn a_status_change_tells_the_creator_and_the_assignee_once_each() {
        let mut a = activity(AuditEntityType::Task, AuditAction::StatusChange);
        a.task.status = Status::Done;
        let assignee = a.task.assignee_id.unwrap_or_default();
        assert_eq!(
            a.concerned(),
            vec![
                (assignee, TaskStatusChanged),
                (a.task.creator_id, TaskStatusChanged)
            ]
        );
        a.task.creator_id = assignee;
        assert_eq!(a.concerned(), vec![(assignee, TaskStatusChanged)]);
        assert_eq!(a.data().previous_status, Some(Status::Todo));
    }

    #[test]
    fn a_mentioned_assignee_gets_the_mention_not_both() {
        let mut a = activity(AuditEntityType::Comment, AuditAction::Create);
        let assignee = a.task.assignee_id.unwrap_or_default();
        let other = UserId::new();
        a.comment = Some(CommentFacts {
            excerpt: "hi".into(),
            mentioned: vec![assignee, other],
        });
        assert_eq!(
            a.concerned(),
            vec![
                (assignee, CommentMentioned),
                (other, CommentMentioned),
                (a.task.creator_id, CommentAdded)
            ]
        );
    }

    #[test]
    fn edits_and_deletions_concern_only_watchers() {
        for (entity, action) in [
            (AuditEntityType::Task, AuditAction::Delete),
            (AuditEntityType::Task, AuditAction::Update),
            (AuditEntityType::Comment, AuditAction::Update),
            (AuditEntityType::Attachment, AuditAction::Create),
        ] {
            assert_eq!(
                activity(entity, action).concerned(),
                vec![],
                "{entity:?} {action:?}"
            );
        }
    }
}
