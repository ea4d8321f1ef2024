//! The audit row every change commits with.

use crate::ids::UserId;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AuditEntityType {
    User,
    Team,
    Task,
    Comment,
    Membership,
    Attachment,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AuditAction {
    Create,
    Update,
    Delete,
    Assign,
    StatusChange,
    Login,
    RoleChange,
}

macro_rules! snake_names {
    ($ty:ty { $($variant:ident => $name:literal),* $(,)? }) => {
        impl $ty {
            pub fn as_str(&self) -> &'static str {
                match self { $(Self::$variant => $name),* }
            }
            pub fn parse(s: &str) -> Option<Self> {
                match s { $($name => Some(Self::$variant),)* _ => None }
            }
        }
    };
}

snake_names!(AuditEntityType {
    User => "user", Team => "team", Task => "task", Comment => "comment",
    Membership => "membership", Attachment => "attachment",
});
snake_names!(AuditAction {
    Create => "create", Update => "update", Delete => "delete", Assign => "assign",
    StatusChange => "status_change", Login => "login", RoleChange => "role_change",
});

/// Who made a change and from where; recorded on its audit row.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Actor {
    pub user_id: Option<UserId>,
    pub ip: Option<String>,
    pub user_agent: Option<String>,
}

/// An audit row before it is committed (and, shortly after, chained in the chain of its
/// change's scope).
#[derive(Debug, Clone)]
pub struct AuditDraft {
    pub entity_type: AuditEntityType,
    pub entity_id: Uuid,
    pub action: AuditAction,
    pub actor: Actor,
    pub previous_state: Option<serde_json::Value>,
    pub new_state: Option<serde_json::Value>,
}
