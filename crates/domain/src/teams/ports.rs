//! The ports teams drive.

use super::model::{MemberView, Permission, PermissionMap, Role, Team, TeamView};
use super::standing::AccessState;
use crate::ids::{TeamId, UserId};
use crate::notifications::FollowLevel;
use crate::write_path::{Change, Receipt, StoredEffect};
use crate::StoreError;
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use std::collections::BTreeSet;

/// Teams, memberships and role permissions (PostgreSQL). Mutations commit their change's audit
/// row (and outbox row) in the same transaction. Membership changes of one team are serialized,
/// and any that would leave the team without an admin fails with `Conflict("last_admin")`.
#[async_trait]
pub trait TeamRepository: Send + Sync {
    /// Creates the team with `creator` as its admin and `permissions` as its role settings.
    async fn create(
        &self,
        team: &Team,
        creator: UserId,
        permissions: &PermissionMap,
        change: Change,
    ) -> Result<Receipt, StoreError>;
    async fn get(&self, team: TeamId) -> Result<Option<Team>, StoreError>;
    /// The teams `user` belongs to, with their role in each, oldest first.
    async fn for_user(&self, user: UserId) -> Result<Vec<TeamView>, StoreError>;
    /// `user`'s role and the team's permission map, of one snapshot; `None` when the team does
    /// not exist.
    async fn access_state(
        &self,
        team: TeamId,
        user: UserId,
    ) -> Result<Option<AccessState>, StoreError>;
    /// Saves the team's name and description.
    async fn update(&self, team: &Team, change: Change) -> Result<Receipt, StoreError>;
    /// Deletes the team and, with it, its memberships and permissions.
    async fn delete(&self, team: TeamId, change: Change) -> Result<Receipt, StoreError>;
    async fn members(&self, team: TeamId) -> Result<Vec<MemberView>, StoreError>;
    async fn member(&self, team: TeamId, user: UserId) -> Result<Option<MemberView>, StoreError>;
    /// `Conflict` when already a member.
    async fn add_member(
        &self,
        team: TeamId,
        user: UserId,
        role: Role,
        joined_at: DateTime<Utc>,
        change: Change,
    ) -> Result<Receipt, StoreError>;
    /// `NotFound` when not a member; `Conflict("last_admin")` when it would leave no admin.
    async fn set_role(
        &self,
        team: TeamId,
        user: UserId,
        role: Role,
        change: Change,
    ) -> Result<Receipt, StoreError>;
    /// `NotFound` when not a member; `Conflict("last_admin")` when it would leave no admin.
    async fn remove_member(
        &self,
        team: TeamId,
        user: UserId,
        change: Change,
    ) -> Result<Receipt, StoreError>;
    async fn permissions(&self, team: TeamId) -> Result<PermissionMap, StoreError>;
    async fn set_permissions(
        &self,
        team: TeamId,
        role: Role,
        permissions: &BTreeSet<Permission>,
        change: Change,
    ) -> Result<Receipt, StoreError>;
    /// How `user` follows `team`; `None` when not a member.
    async fn follow_level(
        &self,
        team: TeamId,
        user: UserId,
    ) -> Result<Option<FollowLevel>, StoreError>;
    /// `NotFound` when not a member.
    async fn set_follow_level(
        &self,
        team: TeamId,
        user: UserId,
        level: FollowLevel,
        change: Change,
    ) -> Result<Receipt, StoreError>;
    /// Whether two users are members of at least one common team.
    async fn share_a_team(&self, a: UserId, b: UserId) -> Result<bool, StoreError>;
}

/// What a feature removes from MongoDB and Redis when a team is deleted. Relational rows go by
/// foreign-key cascade in the same transaction; each feature that keeps team data elsewhere
/// (task documents, comments, attachments, notifications) registers one of these.
pub trait TeamErasure: Send + Sync {
    fn effects(&self, team: TeamId) -> Vec<StoredEffect>;
}
