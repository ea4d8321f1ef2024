//! Notifications as users see them, and how a member follows a team.

use crate::ids::{NotificationId, TaskId, TeamId, UserId};
use crate::paging;
use crate::tasks::Status;
use crate::validation::FieldError;
use crate::write_path::{AuditAction, AuditEntityType};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NotificationKind {
    /// The task was given to the recipient.
    TaskAssigned,
    /// A task the recipient created or is assigned moved to another status.
    TaskStatusChanged,
    /// A comment on a task the recipient created or is assigned.
    CommentAdded,
    /// A comment named the recipient.
    CommentMentioned,
    /// Any other change in a team the recipient watches.
    WatchedChange,
    /// A task assigned to the recipient is due within a day.
    TaskDueSoon,
    /// A task assigned to the recipient is past its due date.
    TaskOverdue,
}

impl NotificationKind {
    pub fn as_str(&self) -> &'static str {
        match self {
            Self::TaskAssigned => "task_assigned",
            Self::TaskStatusChanged => "task_status_changed",
            Self::CommentAdded => "comment_added",
            Self::CommentMentioned => "comment_mentioned",
            Self::WatchedChange => "watched_change",
            Self::TaskDueSoon => "task_due_soon",
            Self::TaskOverdue => "task_overdue",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        [
            Self::TaskAssigned,
            Self::TaskStatusChanged,
            Self::CommentAdded,
            Self::CommentMentioned,
            Self::WatchedChange,
            Self::TaskDueSoon,
            Self::TaskOverdue,
        ]
        .into_iter()
        .find(|k| k.as_str() == raw)
    }
}

/// What a notification is about: enough to render it and link to the task without a read.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct NotificationData {
    pub team_id: TeamId,
    pub task_id: TaskId,
    pub task_title: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub actor_id: Option<UserId>,
    pub entity_type: AuditEntityType,
    pub entity_id: uuid::Uuid,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub action: Option<AuditAction>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<Status>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub previous_status: Option<Status>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub due_date: Option<DateTime<Utc>>,
    /// The first characters of a comment.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub excerpt: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Notification {
    pub notification_id: NotificationId,
    pub user_id: UserId,
    #[serde(rename = "type")]
    pub kind: NotificationKind,
    pub data: NotificationData,
    pub read: bool,
    pub created_at: DateTime<Utc>,
}

impl Notification {
    /// A notification of `user` about what happened at `at`, its id derived from `event` (the
    /// change or reminder it tells of) and the recipient: projecting the same event again
    /// makes the same id, which the store keeps once. The id is a UUIDv7 of `at`, so ids sort
    /// by the time of the change.
    pub fn derived(
        event: &str,
        user: UserId,
        kind: NotificationKind,
        data: NotificationData,
        at: DateTime<Utc>,
    ) -> Self {
        let digest = Sha256::digest(format!("{event}\n{user}").as_bytes());
        let mut random = [0u8; 10];
        random.copy_from_slice(&digest[..10]);
        let millis = u64::try_from(at.timestamp_millis()).unwrap_or_default();
        let id = uuid::Builder::from_unix_timestamp_millis(millis, &random).into_uuid();
        Self {
            notification_id: NotificationId::from_uuid(id),
            user_id: user,
            kind,
            data,
            read: false,
            created_at: at,
        }
    }
}

/// Where a page of notifications ended (newest first, by id).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct NotificationCursor {
    pub id: NotificationId,
}

impl NotificationCursor {
    pub fn encode(&self) -> String {
        paging::encode(self)
    }

    pub fn decode(raw: &str) -> Result<Self, FieldError> {
        paging::decode("cursor", raw)
    }
}

/// How a member follows one team: `Default` tells them of what concerns them, `Watch` of
/// every change, `Mute` of nothing.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FollowLevel {
    #[default]
    Default,
    Watch,
    Mute,
}

impl FollowLevel {
    pub const ALL: [FollowLevel; 3] = [Self::Default, Self::Watch, Self::Mute];

    pub fn as_str(&self) -> &'static str {
        match self {
            Self::Default => "default",
            Self::Watch => "watch",
            Self::Mute => "mute",
        }
    }

    pub fn parse(field: &str, raw: &str) -> Result<Self, FieldError> {
        Self::ALL
            .into_iter()
            .find(|l| l.as_str() == raw)
            .ok_or_else(|| FieldError::new(field, "must be one of default, watch, mute"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn data() -> NotificationData {
        NotificationData {
            team_id: TeamId::new(),
            task_id: TaskId::new(),
            task_title: "Plan".into(),
            actor_id: None,
            entity_type: AuditEntityType::Task,
            entity_id: uuid::Uuid::now_v7(),
            action: Some(AuditAction::Assign),
            status: None,
            previous_status: None,
            due_date: None,
            excerpt: None,
        }
    }

    #[test]
    fn ids_derive_from_the_event_and_the_recipient_and_sort_by_time() {
        let (ada, bob) = (UserId::new(), UserId::new());
        let at = Utc::now();
        let kind = NotificationKind::TaskAssigned;
        let once = Notification::derived("change 1", ada, kind, data(), at);
        let again = Notification::derived("change 1", ada, kind, data(), at);
        let other = Notification::derived("change 1", bob, kind, data(), at);
        let later = Notification::derived(
            "change 2",
            ada,
            kind,
            data(),
            at + chrono::TimeDelta::seconds(1),
        );
        assert_eq!(once.notification_id, again.notification_id);
        assert_ne!(once.notification_id, other.notification_id);
        assert!(later.notification_id > once.notification_id);
        assert_eq!(once.notification_id.as_uuid().get_version_num(), 7);
    }

    #[test]
    fn kinds_and_levels_have_their_contract_names() {
        for kind in [
            "task_assigned",
            "task_status_changed",
            "comment_added",
            "comment_mentioned",
        ] {
            assert_eq!(
                NotificationKind::parse(kind).map(|k| k.as_str()),
                Some(kind)
            );
        }
        assert!(FollowLevel::parse("level", "loud").is_err());
    }
}
