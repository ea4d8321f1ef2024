//! `TeamRepository` on the relational fake.

use super::InMemoryRelational;
use crate::fakes::lock;
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use std::collections::BTreeSet;
use taskforge_domain::ids::{TeamId, UserId};
use taskforge_domain::notifications::{Audience, FollowLevel, Follower};
use taskforge_domain::teams::{
    AccessState, MemberView, Permission, PermissionMap, Role, Team, TeamRepository, TeamView,
};
use taskforge_domain::write_path::*;
use taskforge_domain::StoreError;

#[async_trait]
impl TeamRepository for InMemoryRelational {
    async fn create(
        &self,
        team: &Team,
        creator: UserId,
        permissions: &PermissionMap,
        change: Change,
    ) -> Result<Receipt, StoreError> {
        let mut db = lock(&self.0);
        db.teams.insert(team.id, team.clone());
        db.memberships
            .insert((team.id, creator), (Role::Admin, team.created_at));
        for (role, set) in permissions {
            db.permissions.insert((team.id, *role), set.clone());
        }
        Ok(db.commit(change))
    }

    async fn get(&self, team: TeamId) -> Result<Option<Team>, StoreError> {
        Ok(lock(&self.0).teams.get(&team).cloned())
    }

    async fn for_user(&self, user: UserId) -> Result<Vec<TeamView>, StoreError> {
        let db = lock(&self.0);
        let mut views: Vec<(DateTime<Utc>, TeamView)> = db
            .memberships
            .iter()
            .filter(|((_, u), _)| *u == user)
            .filter_map(|((t, _), (role, joined))| {
                Some((
                    *joined,
                    TeamView {
                        team: db.teams.get(t)?.clone(),
                        my_role: *role,
                    },
                ))
            })
            .collect();
        views.sort_by_key(|(joined, v)| (*joined, v.team.id));
        Ok(views.into_iter().map(|(_, v)| v).collect())
    }

    async fn access_state(
        &self,
        team: TeamId,
        user: UserId,
    ) -> Result<Option<AccessState>, StoreError> {
        let db = lock(&self.0);
        if !db.teams.contains_key(&team) {
            return Ok(None);
        }
        Ok(Some(AccessState {
            role: db.role_of(team, user),
            permissions: db.permission_map(team),
        }))
    }

    async fn update(&self, team: &Team, change: Change) -> Result<Receipt, StoreError> {
        let mut db = lock(&self.0);
        let stored = db.teams.get_mut(&team.id).ok_or(StoreError::NotFound)?;
        *stored = team.clone();
        Ok(db.commit(change))
    }

    async fn delete(&self, team: TeamId, change: Change) -> Result<Receipt, StoreError> {
        let mut db = lock(&self.0);
        db.teams.remove(&team).ok_or(StoreError::NotFound)?;
        db.memberships.retain(|(t, _), _| *t != team);
        db.follows.retain(|(t, _), _| *t != team);
        db.tasks.retain(|_, task| task.team_id != team);
        db.comments.retain(|_, c| c.team_id != team);
        db.permissions.retain(|(t, _), _| *t != team);
        Ok(db.commit(change))
    }

    async fn members(&self, team: TeamId) -> Result<Vec<MemberView>, StoreError> {
        let db = lock(&self.0);
        let mut members: Vec<MemberView> = db
            .memberships
            .keys()
            .filter(|(t, _)| *t == team)
            .filter_map(|(t, u)| db.member_view(*t, *u))
            .collect();
        members.sort_by_key(|m| (m.joined_at, m.user_id));
        Ok(members)
    }

    async fn member(&self, team: TeamId, user: UserId) -> Result<Option<MemberView>, StoreError> {
        Ok(lock(&self.0).member_view(team, user))
    }

    async fn add_member(
        &self,
        team: TeamId,
        user: UserId,
        role: Role,
        joined_at: DateTime<Utc>,
        change: Change,
    ) -> Result<Receipt, StoreError> {
        let mut db = lock(&self.0);
        if !db.teams.contains_key(&team) || !db.users.contains_key(&user) {
            return Err(StoreError::NotFound);
        }
        if db.memberships.contains_key(&(team, user)) {
            return Err(StoreError::Conflict("team_memberships_pkey".into()));
        }
        db.team_exists(team)?;
        db.memberships.insert((team, user), (role, joined_at));
        Ok(db.commit(change))
    }

    async fn set_role(
        &self,
        team: TeamId,
        user: UserId,
        role: Role,
        change: Change,
    ) -> Result<Receipt, StoreError> {
        let mut db = lock(&self.0);
        db.guard_last_admin(team, user, role == Role::Admin)?;
        db.team_exists(team)?;
        if let Some(entry) = db.memberships.get_mut(&(team, user)) {
            entry.0 = role;
        }
        Ok(db.commit(change))
    }

    async fn remove_member(
        &self,
        team: TeamId,
        user: UserId,
        change: Change,
    ) -> Result<Receipt, StoreError> {
        let mut db = lock(&self.0);
        db.guard_last_admin(team, user, false)?;
        db.team_exists(team)?;
        db.memberships.remove(&(team, user));
        db.follows.remove(&(team, user));
        Ok(db.commit(change))
    }

    async fn permissions(&self, team: TeamId) -> Result<PermissionMap, StoreError> {
        Ok(lock(&self.0).permission_map(team))
    }

    async fn set_permissions(
        &self,
        team: TeamId,
        role: Role,
        permissions: &BTreeSet<Permission>,
        change: Change,
    ) -> Result<Receipt, StoreError> {
        let mut db = lock(&self.0);
        let stored = db
            .permissions
            .get_mut(&(team, role))
            .ok_or(StoreError::NotFound)?;
        *stored = permissions.clone();
        db.team_exists(team)?;
        Ok(db.commit(change))
    }

    async fn follow_level(
        &self,
        team: TeamId,
        user: UserId,
    ) -> Result<Option<FollowLevel>, StoreError> {
        let db = lock(&self.0);
        Ok(db
            .memberships
            .contains_key(&(team, user))
            .then(|| db.follows.get(&(team, user)).copied().unwrap_or_default()))
    }

    async fn set_follow_level(
        &self,
        team: TeamId,
        user: UserId,
        level: FollowLevel,
        change: Change,
    ) -> Result<Receipt, StoreError> {
        let mut db = lock(&self.0);
        if !db.memberships.contains_key(&(team, user)) {
            return Err(StoreError::NotFound);
        }
        db.follows.insert((team, user), level);
        Ok(db.commit(change))
    }

    async fn share_a_team(&self, a: UserId, b: UserId) -> Result<bool, StoreError> {
        let db = lock(&self.0);
        Ok(db
            .memberships
            .keys()
            .any(|(t, u)| *u == a && db.memberships.contains_key(&(*t, b))))
    }
}

#[async_trait]
impl Audience for InMemoryRelational {
    async fn audience(
        &self,
        team: TeamId,
        concerned: &[UserId],
    ) -> Result<Vec<Follower>, StoreError> {
        let db = lock(&self.0);
        Ok(db
            .memberships
            .keys()
            .filter(|(t, _)| *t == team)
            .map(|key| Follower {
                user: key.1,
                level: db.follows.get(key).copied().unwrap_or_default(),
            })
            .filter(|f| concerned.contains(&f.user) || f.level == FollowLevel::Watch)
            .collect())
    }
}
