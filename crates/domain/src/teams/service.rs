//! The team use cases, and the authorization every team-scoped route goes through.

use super::access::{Access, Requirement};
use super::model::{
    default_permissions, MemberView, Permission, PermissionMap, Role, Team, TeamDescription,
    TeamName, TeamView,
};
use super::ports::{TeamErasure, TeamRepository};
use super::standing::{AccessCache, AccessState, DropCachedAccess, Standing};
use crate::cache::Lookup;
use crate::clock::Clock;
use crate::identity::ports::UserRepository;
use crate::identity::Email;
use crate::ids::{TeamId, UserId};
use crate::notifications::FollowLevel;
use crate::write_path::{
    Actor, Aggregate, AuditAction, AuditDraft, AuditEntityType, Change, Scope, StoredEffect,
    WritePath,
};
use crate::{Error, StoreError};
use std::collections::BTreeSet;
use std::sync::Arc;

pub struct TeamService {
    teams: Arc<dyn TeamRepository>,
    users: Arc<dyn UserRepository>,
    clock: Arc<dyn Clock>,
    write_path: WritePath,
    erasures: Vec<Arc<dyn TeamErasure>>,
    cache: Arc<dyn AccessCache>,
}

/// The change a team event commits: its audit row in the team's chain, and `effects` on the
/// whole team (a barrier: see [`Aggregate::whole`]).
fn team_change(
    team: TeamId,
    entity: (AuditEntityType, uuid::Uuid),
    action: AuditAction,
    actor: &Actor,
    states: (Option<serde_json::Value>, Option<serde_json::Value>),
    effects: Vec<StoredEffect>,
) -> Change {
    let audit = AuditDraft {
        entity_type: entity.0,
        entity_id: entity.1,
        action,
        actor: actor.clone(),
        previous_state: states.0,
        new_state: states.1,
    };
    Change::new(Aggregate::whole(Scope::Team(team)), audit, effects)
}

/// A change of who may do what in `team`: it drops `user`'s cached access (and the team's
/// permissions) before it answers, so the next request reads it anew.
fn access_change(change: Change, team: TeamId, user: UserId) -> Change {
    change.with_urgent(
        "access",
        user.as_uuid(),
        vec![DropCachedAccess::effect(team, user)],
    )
}

/// Only admins make, unmake or remove admins: `member.manage` alone must not let a member
/// promote themself and then remove the admins.
fn admin_only(access: &Access, roles: &[Role]) -> Result<(), Error> {
    if roles.contains(&Role::Admin) && access.role != Role::Admin {
        Err(Error::Forbidden)
    } else {
        Ok(())
    }
}

fn last_admin(e: StoreError) -> Error {
    match e {
        StoreError::Conflict(_) => Error::Conflict("a team needs at least one admin".into()),
        other => other.into(),
    }
}

/// The fields of a team a PATCH may change.
#[derive(Debug, Default)]
pub struct TeamPatch {
    pub name: Option<TeamName>,
    pub description: Option<TeamDescription>,
}

impl TeamService {
    pub fn new(
        teams: Arc<dyn TeamRepository>,
        users: Arc<dyn UserRepository>,
        clock: Arc<dyn Clock>,
        write_path: WritePath,
        erasures: Vec<Arc<dyn TeamErasure>>,
        cache: Arc<dyn AccessCache>,
    ) -> Self {
        Self {
            teams,
            users,
            clock,
            write_path,
            erasures,
            cache,
        }
    }

    /// Resolves `user`'s standing in `team` and checks `requirement`: 404 for outsiders (a team
    /// they cannot see does not exist for them), 403 for members without the permission.
    pub async fn authorize(
        &self,
        user: UserId,
        team: TeamId,
        requirement: Requirement,
    ) -> Result<Access, Error> {
        let Standing::Member(role, permissions) = self.standing(team, user).await? else {
            return Err(Error::NotFound);
        };
        let access = Access {
            team_id: team,
            user_id: user,
            role,
            permissions,
        };
        access.require(requirement)?;
        Ok(access)
    }

    /// From the cache when it holds both entries, else from PostgreSQL (filling the cache
    /// under the lease its miss took; a Redis that fails only costs the cache).
    async fn standing(&self, team: TeamId, user: UserId) -> Result<Standing, Error> {
        let token = match self.cache.get(team, user).await {
            Ok(Lookup::Hit(state)) => return Ok(AccessState::standing(Some(&state))),
            Ok(Lookup::Miss(token)) => token,
            Err(_) => None,
        };
        let state = self.teams.access_state(team, user).await?;
        // Only what exists is cached: ids probed at random must not fill Redis.
        if let (Some(token), Some(state)) = (token, &state) {
            let _ = self.cache.fill(team, user, &token, state).await;
        }
        Ok(AccessState::standing(state.as_ref()))
    }

    pub async fn create(
        &self,
        creator: UserId,
        name: TeamName,
        description: TeamDescription,
        actor: &Actor,
    ) -> Result<TeamView, Error> {
        let team = Team {
            id: TeamId::new(),
            name,
            description,
            created_by: creator,
            created_at: self.clock.now(),
        };
        let change = team_change(
            team.id,
            (AuditEntityType::Team, team.id.as_uuid()),
            AuditAction::Create,
            actor,
            (None, Some(team.audit_state())),
            vec![],
        );
        self.write_path
            .commit(
                self.teams
                    .create(&team, creator, &default_permissions(), change),
            )
            .await?;
        Ok(TeamView {
            team,
            my_role: Role::Admin,
        })
    }

    pub async fn list(&self, user: UserId) -> Result<Vec<TeamView>, Error> {
        Ok(self.teams.for_user(user).await?)
    }

    pub async fn get(&self, access: &Access) -> Result<TeamView, Error> {
        let team = self
            .teams
            .get(access.team_id)
            .await?
            .ok_or(Error::NotFound)?;
        Ok(TeamView {
            team,
            my_role: access.role,
        })
    }

    pub async fn update(
        &self,
        access: &Access,
        patch: TeamPatch,
        actor: &Actor,
    ) -> Result<TeamView, Error> {
        access.require(Requirement::Permission(Permission::TeamManage))?;
        let current = self.get(access).await?;
        let mut team = current.team.clone();
        if let Some(name) = patch.name {
            team.name = name;
        }
        if let Some(description) = patch.description {
            team.description = description;
        }
        let change = team_change(
            team.id,
            (AuditEntityType::Team, team.id.as_uuid()),
            AuditAction::Update,
            actor,
            (Some(current.team.audit_state()), Some(team.audit_state())),
            vec![],
        );
        self.write_path
            .commit(self.teams.update(&team, change))
            .await?;
        Ok(TeamView {
            team,
            my_role: access.role,
        })
    }

    /// Deletes the team from every store: its rows by cascade in the commit, everything else
    /// through the effects that each feature's `TeamErasure` declares.
    pub async fn delete(&self, access: &Access, actor: &Actor) -> Result<(), Error> {
        access.require(Requirement::Permission(Permission::TeamManage))?;
        let current = self.get(access).await?;
        let change = team_change(
            access.team_id,
            (AuditEntityType::Team, access.team_id.as_uuid()),
            AuditAction::Delete,
            actor,
            (Some(current.team.audit_state()), None),
            self.erasures
                .iter()
                .flat_map(|e| e.effects(access.team_id))
                .collect(),
        );
        let change = access_change(change, access.team_id, access.user_id);
        self.write_path
            .commit(self.teams.delete(access.team_id, change))
            .await?;
        Ok(())
    }

    pub async fn members(&self, access: &Access) -> Result<Vec<MemberView>, Error> {
        Ok(self.teams.members(access.team_id).await?)
    }

    pub async fn add_member(
        &self,
        access: &Access,
        email: &Email,
        role: Role,
        actor: &Actor,
    ) -> Result<MemberView, Error> {
        access.require(Requirement::Permission(Permission::MemberManage))?;
        admin_only(access, &[role])?;
        let (user, _) = self.users.by_email(email).await?.ok_or(Error::NotFound)?;
        let member = MemberView {
            user_id: user.id,
            email: user.email,
            first_name: user.first_name,
            last_name: user.last_name,
            role,
            joined_at: self.clock.now(),
        };
        let change = team_change(
            access.team_id,
            (AuditEntityType::Membership, member.user_id.as_uuid()),
            AuditAction::Create,
            actor,
            (None, Some(member.audit_state())),
            vec![],
        );
        let change = access_change(change, access.team_id, member.user_id);
        self.write_path
            .commit(self.teams.add_member(
                access.team_id,
                member.user_id,
                role,
                member.joined_at,
                change,
            ))
            .await
            .map_err(|e| match e {
                StoreError::Conflict(_) => Error::Conflict("already a member of this team".into()),
                other => other.into(),
            })?;
        Ok(member)
    }

    /// How the caller follows the team's notifications.
    pub async fn follow_level(&self, access: &Access) -> Result<FollowLevel, Error> {
        self.teams
            .follow_level(access.team_id, access.user_id)
            .await?
            .ok_or(Error::NotFound)
    }

    /// Sets how the caller follows the team's notifications (any member may, for themself).
    pub async fn set_follow_level(
        &self,
        access: &Access,
        level: FollowLevel,
        actor: &Actor,
    ) -> Result<FollowLevel, Error> {
        let current = self.follow_level(access).await?;
        let state =
            |l: FollowLevel| serde_json::json!({ "userId": access.user_id, "follow": l.as_str() });
        let audit = AuditDraft {
            entity_type: AuditEntityType::Membership,
            entity_id: access.user_id.as_uuid(),
            action: AuditAction::Update,
            actor: actor.clone(),
            previous_state: Some(state(current)),
            new_state: Some(state(level)),
        };
        let aggregate = Aggregate::entity(
            Scope::Team(access.team_id),
            "membership",
            access.user_id.as_uuid(),
        );
        let change = Change::new(aggregate, audit, vec![]);
        self.write_path
            .commit(
                self.teams
                    .set_follow_level(access.team_id, access.user_id, level, change),
            )
            .await?;
        Ok(level)
    }

    async fn existing_member(&self, team: TeamId, user: UserId) -> Result<MemberView, Error> {
        self.teams.member(team, user).await?.ok_or(Error::NotFound)
    }

    pub async fn change_role(
        &self,
        access: &Access,
        user: UserId,
        role: Role,
        actor: &Actor,
    ) -> Result<MemberView, Error> {
        access.require(Requirement::Permission(Permission::MemberManage))?;
        let current = self.existing_member(access.team_id, user).await?;
        admin_only(access, &[current.role, role])?;
        let next = MemberView {
            role,
            ..current.clone()
        };
        let change = team_change(
            access.team_id,
            (AuditEntityType::Membership, user.as_uuid()),
            AuditAction::RoleChange,
            actor,
            (Some(current.audit_state()), Some(next.audit_state())),
            vec![],
        );
        let change = access_change(change, access.team_id, user);
        self.write_path
            .commit(self.teams.set_role(access.team_id, user, role, change))
            .await
            .map_err(last_admin)?;
        Ok(next)
    }

    /// Removes a member: needs `member.manage`, unless members are leaving themselves.
    pub async fn remove_member(
        &self,
        access: &Access,
        user: UserId,
        actor: &Actor,
    ) -> Result<(), Error> {
        let leaving = user == access.user_id;
        if !leaving {
            access.require(Requirement::Permission(Permission::MemberManage))?;
        }
        let current = self.existing_member(access.team_id, user).await?;
        if !leaving {
            admin_only(access, &[current.role])?;
        }
        let change = team_change(
            access.team_id,
            (AuditEntityType::Membership, user.as_uuid()),
            AuditAction::Delete,
            actor,
            (Some(current.audit_state()), None),
            vec![],
        );
        let change = access_change(change, access.team_id, user);
        self.write_path
            .commit(self.teams.remove_member(access.team_id, user, change))
            .await
            .map_err(last_admin)?;
        Ok(())
    }

    pub async fn permissions(&self, access: &Access) -> Result<PermissionMap, Error> {
        Ok(self.teams.permissions(access.team_id).await?)
    }

    /// Replaces one role's permissions; admins keep `team.manage` and `member.manage` whatever
    /// is asked. Answers the whole map.
    pub async fn set_permissions(
        &self,
        access: &Access,
        role: Role,
        mut permissions: BTreeSet<Permission>,
        actor: &Actor,
    ) -> Result<PermissionMap, Error> {
        access.require(Requirement::Permission(Permission::TeamManage))?;
        if role == Role::Admin {
            permissions.extend(Permission::ADMIN_ALWAYS);
        }
        let before = self.teams.permissions(access.team_id).await?;
        let mut after = before.clone();
        after.insert(role, permissions.clone());
        let change = team_change(
            access.team_id,
            (AuditEntityType::Team, access.team_id.as_uuid()),
            AuditAction::Update,
            actor,
            (
                Some(serde_json::json!({ "permissions": before })),
                Some(serde_json::json!({ "permissions": after })),
            ),
            vec![],
        );
        let change = access_change(change, access.team_id, access.user_id);
        self.write_path
            .commit(
                self.teams
                    .set_permissions(access.team_id, role, &permissions, change),
            )
            .await?;
        Ok(after)
    }

    /// Whether `viewer` may see `user`'s public profile: themself, or a teammate.
    pub async fn can_see(&self, viewer: UserId, user: UserId) -> Result<bool, Error> {
        Ok(viewer == user || self.teams.share_a_team(viewer, user).await?)
    }
}
