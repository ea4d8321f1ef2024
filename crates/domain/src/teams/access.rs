//! The answer to "may this user do this to this team's things?".

use super::model::{Permission, Role};
use crate::ids::{TeamId, UserId};
use crate::Error;
use std::collections::BTreeSet;

/// What a team-scoped action needs of its caller.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Requirement {
    /// Being a member, in any role.
    Member,
    Permission(Permission),
}

/// A member's standing in one team, resolved once per request. Only the team service makes
/// one (its fields are private to the teams module), so holding an `Access` proves the check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Access {
    pub(super) team_id: TeamId,
    pub(super) user_id: UserId,
    pub(super) role: Role,
    pub(super) permissions: BTreeSet<Permission>,
}

impl Access {
    pub fn team(&self) -> TeamId {
        self.team_id
    }

    pub fn allows(&self, permission: Permission) -> bool {
        self.permissions.contains(&permission)
    }

    /// Outsiders never get here (they are answered 404 before); members without the
    /// permission are answered 403.
    pub fn require(&self, requirement: Requirement) -> Result<(), Error> {
        match requirement {
            Requirement::Member => Ok(()),
            Requirement::Permission(p) if self.allows(p) => Ok(()),
            Requirement::Permission(_) => Err(Error::Forbidden),
        }
    }
}
