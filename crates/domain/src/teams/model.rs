//! Team entities, roles and permissions.

use crate::identity::{Email, PersonName};
use crate::ids::{TeamId, UserId};
use crate::validation::FieldError;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    Admin,
    Member,
    Guest,
}

impl Role {
    pub const ALL: [Role; 3] = [Role::Admin, Role::Member, Role::Guest];

    pub fn as_str(&self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Member => "member",
            Role::Guest => "guest",
        }
    }

    pub fn parse(field: &str, raw: &str) -> Result<Self, FieldError> {
        Self::ALL
            .into_iter()
            .find(|r| r.as_str() == raw)
            .ok_or_else(|| FieldError::new(field, "must be one of admin, member, guest"))
    }
}

/// A permission name of API.md, e.g. `task.read`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Permission {
    TaskRead,
    TaskCreate,
    TaskUpdate,
    TaskDelete,
    TaskAssign,
    CommentCreate,
    CommentModerate,
    AttachmentUpload,
    TeamManage,
    MemberManage,
    AuditRead,
}

impl Permission {
    pub const ALL: [Permission; 11] = [
        Permission::TaskRead,
        Permission::TaskCreate,
        Permission::TaskUpdate,
        Permission::TaskDelete,
        Permission::TaskAssign,
        Permission::CommentCreate,
        Permission::CommentModerate,
        Permission::AttachmentUpload,
        Permission::TeamManage,
        Permission::MemberManage,
        Permission::AuditRead,
    ];

    /// The permissions an admin keeps whatever the team's settings say.
    pub const ADMIN_ALWAYS: [Permission; 2] = [Permission::TeamManage, Permission::MemberManage];

    pub fn as_str(&self) -> &'static str {
        match self {
            Permission::TaskRead => "task.read",
            Permission::TaskCreate => "task.create",
            Permission::TaskUpdate => "task.update",
            Permission::TaskDelete => "task.delete",
            Permission::TaskAssign => "task.assign",
            Permission::CommentCreate => "comment.create",
            Permission::CommentModerate => "comment.moderate",
            Permission::AttachmentUpload => "attachment.upload",
            Permission::TeamManage => "team.manage",
            Permission::MemberManage => "member.manage",
            Permission::AuditRead => "audit.read",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|p| p.as_str() == raw)
    }

    /// The defaults a new team starts with (API.md).
    pub fn defaults(role: Role) -> BTreeSet<Permission> {
        use Permission::*;
        match role {
            Role::Admin => Self::ALL.into_iter().collect(),
            Role::Member => [
                TaskRead,
                TaskCreate,
                TaskUpdate,
                TaskAssign,
                CommentCreate,
                AttachmentUpload,
            ]
            .into_iter()
            .collect(),
            Role::Guest => [TaskRead, CommentCreate].into_iter().collect(),
        }
    }
}

impl Serialize for Permission {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for Permission {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let raw = String::deserialize(d)?;
        Self::parse(&raw).ok_or_else(|| serde::de::Error::custom("unknown permission"))
    }
}

/// Each role's permissions in one team.
pub type PermissionMap = BTreeMap<Role, BTreeSet<Permission>>;

pub fn default_permissions() -> PermissionMap {
    Role::ALL
        .into_iter()
        .map(|r| (r, Permission::defaults(r)))
        .collect()
}

crate::validation::text_type!(
    /// A team's name: trimmed, 1 to 100 characters.
    TeamName,
    line,
    100
);

crate::validation::text_type!(
    /// A team's description: at most 2,000 characters.
    TeamDescription,
    free,
    2000
);

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Team {
    pub id: TeamId,
    pub name: TeamName,
    pub description: TeamDescription,
    pub created_by: UserId,
    pub created_at: DateTime<Utc>,
}

impl Team {
    pub fn audit_state(&self) -> serde_json::Value {
        serde_json::json!({
            "teamId": self.id,
            "name": self.name.as_str(),
            "description": self.description.as_str(),
        })
    }
}

/// A team as one of its members sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TeamView {
    pub team: Team,
    pub my_role: Role,
}

/// A member as the team's member list shows them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MemberView {
    pub user_id: UserId,
    pub email: Email,
    pub first_name: PersonName,
    pub last_name: PersonName,
    pub role: Role,
    pub joined_at: DateTime<Utc>,
}

impl MemberView {
    pub fn audit_state(&self) -> serde_json::Value {
        serde_json::json!({ "userId": self.user_id, "role": self.role.as_str() })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_match_the_contract_table() {
        let names = |r| -> Vec<String> {
            Permission::defaults(r)
                .iter()
                .filter_map(|p| serde_json::to_value(p).ok()?.as_str().map(str::to_owned))
                .collect()
        };
        assert_eq!(names(Role::Admin).len(), 11);
        assert_eq!(
            names(Role::Member),
            [
                "task.read",
                "task.create",
                "task.update",
                "task.assign",
                "comment.create",
                "attachment.upload"
            ]
        );
        assert_eq!(names(Role::Guest), ["task.read", "comment.create"]);
    }
}
