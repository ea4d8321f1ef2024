//! Edits of a stored task. Its repository applies an edit to the task as it holds it, locked
//! until the edit commits, so edits of one task queue and each applies to what the previous one
//! left: none fails because another committed first.

use super::change::{announced, task_change};
use super::model::{Task, TaskPatch};
use crate::attachments::projection::DeleteAttachmentBytes;
use crate::attachments::Attachment;
use crate::ids::AttachmentId;
use crate::write_path::{Actor, AuditAction, AuditEntityType, Change, StoredEffect};
use crate::StoreError;
use chrono::{DateTime, Utc};

/// An edit of a stored task, by `actor`, made at `at`.
#[derive(Debug, Clone)]
pub struct TaskEdit {
    kind: EditKind,
    actor: Actor,
    at: DateTime<Utc>,
}

#[derive(Debug, Clone)]
enum EditKind {
    /// A PATCH; with `if_match`, only of the task at that version.
    Patch {
        patch: TaskPatch,
        if_match: Option<i64>,
    },
    /// The assignee left the team.
    Unassign,
    /// A file was stored for the task.
    Attach(Attachment),
    /// A file is removed.
    Detach(AttachmentId),
}

impl TaskEdit {
    pub fn patch(patch: TaskPatch, if_match: Option<i64>, actor: Actor, at: DateTime<Utc>) -> Self {
        Self {
            kind: EditKind::Patch { patch, if_match },
            actor,
            at,
        }
    }

    pub fn unassign(actor: Actor, at: DateTime<Utc>) -> Self {
        Self {
            kind: EditKind::Unassign,
            actor,
            at,
        }
    }

    pub fn attach(attachment: Attachment, actor: Actor, at: DateTime<Utc>) -> Self {
        Self {
            kind: EditKind::Attach(attachment),
            actor,
            at,
        }
    }

    pub fn detach(attachment: AttachmentId, actor: Actor, at: DateTime<Utc>) -> Self {
        Self {
            kind: EditKind::Detach(attachment),
            actor,
            at,
        }
    }

    /// What `current` becomes, at the next version, and the change that records it;
    /// `StaleVersion` when a PATCH names a version other than `current`'s, `NotFound` when a
    /// detached file is not the task's.
    pub fn apply(&self, current: &Task) -> Result<(Task, Change), StoreError> {
        let mut next = match &self.kind {
            EditKind::Patch { patch, if_match } => {
                if if_match.is_some_and(|v| v != current.version) {
                    return Err(StoreError::StaleVersion);
                }
                patch.apply(current)
            }
            EditKind::Unassign => Task {
                assignee_id: None,
                ..current.clone()
            },
            EditKind::Attach(attachment) => {
                let mut next = current.clone();
                next.attachments.push(attachment.to_json());
                next
            }
            EditKind::Detach(id) => {
                let mut next = current.clone();
                let key = serde_json::Value::String(id.to_string());
                next.attachments.retain(|a| a["attachmentId"] != key);
                if next.attachments.len() == current.attachments.len() {
                    return Err(StoreError::NotFound);
                }
                next
            }
        };
        next.version = current.version + 1;
        // An edit that queued may apply after one made later: the time never goes back.
        next.metadata.updated = self.at.max(current.metadata.updated);
        let action = if next.assignee_id != current.assignee_id {
            AuditAction::Assign
        } else if next.status != current.status {
            AuditAction::StatusChange
        } else {
            AuditAction::Update
        };
        let change = task_change(&next, action, &self.actor, Some(current), Some(&next));
        let change = self.of_attachment(change, current);
        let change = announced(change, Some(current), Some(&next), next.metadata.updated);
        Ok((next, change))
    }

    /// An attachment's change is recorded as the attachment's (its audit row), and a removed
    /// file's bytes go after the task's new state.
    fn of_attachment(&self, mut change: Change, current: &Task) -> Change {
        let (attachment, action) = match &self.kind {
            EditKind::Attach(a) => (a.clone(), AuditAction::Create),
            EditKind::Detach(id) => match Attachment::find(current, *id) {
                Some(a) => (a, AuditAction::Delete),
                None => return change,
            },
            _ => return change,
        };
        let state = Some(attachment.to_json());
        change.audit.entity_type = AuditEntityType::Attachment;
        change.audit.entity_id = attachment.attachment_id.as_uuid();
        change.audit.action = action;
        if action == AuditAction::Create {
            (change.audit.previous_state, change.audit.new_state) = (None, state);
            change
        } else {
            (change.audit.previous_state, change.audit.new_state) = (state, None);
            change.then(vec![StoredEffect::of(&DeleteAttachmentBytes {
                attachment_id: attachment.attachment_id,
            })])
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ids::{TaskId, TeamId, UserId};
    use crate::tasks::model::{
        CustomFields, Description, Priority, Status, Tags, TaskMetadata, TaskTitle,
    };
    use chrono::TimeDelta;

    fn task(version: i64, updated: DateTime<Utc>) -> Task {
        Task {
            task_id: TaskId::new(),
            team_id: TeamId::new(),
            title: TaskTitle::from_stored("Plan".into()),
            description: Description::from_stored(String::new()),
            status: Status::Todo,
            priority: Priority::Low,
            assignee_id: Some(UserId::new()),
            creator_id: UserId::new(),
            due_date: None,
            tags: Tags::default(),
            custom_fields: CustomFields::default(),
            attachments: vec![],
            version,
            metadata: TaskMetadata {
                created: updated,
                updated,
            },
        }
    }

    fn applied(edit: &TaskEdit, current: &Task) -> (Task, AuditAction) {
        match edit.apply(current) {
            Ok((next, change)) => (next, change.audit.action),
            Err(e) => panic!("{e}"),
        }
    }

    #[test]
    fn an_edit_makes_the_next_version_and_never_moves_the_time_back() {
        let now = Utc::now();
        let later = now + TimeDelta::seconds(1);
        let done = TaskPatch {
            status: Some(Status::Done),
            ..TaskPatch::default()
        };
        let patch = TaskEdit::patch(done, Some(3), Actor::default(), later);
        let (next, action) = applied(&patch, &task(3, now));
        assert_eq!(
            (next.version, next.status, next.metadata.updated, action),
            (4, Status::Done, later, AuditAction::StatusChange)
        );
        let stale = patch.apply(&next);
        assert!(matches!(stale, Err(StoreError::StaleVersion)), "{stale:?}");

        let queued = TaskEdit::unassign(Actor::default(), now);
        let (unassigned, action) = applied(&queued, &next);
        assert_eq!(
            (unassigned.version, unassigned.assignee_id, action),
            (5, None, AuditAction::Assign)
        );
        assert_eq!(
            unassigned.metadata.updated, later,
            "made before the edit it follows: its time stays"
        );
    }
}
