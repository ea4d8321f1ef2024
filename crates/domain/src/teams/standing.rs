//! Who may do what in a team, as PostgreSQL commits it and as Redis caches it (ADR 17).
//!
//! The cache keeps two entries per team and caller: the caller's role and the team's
//! permission map, each stamped with the team's access version (bumped by every membership,
//! role and permission change in its commit). Entries only move forward in version, and every
//! such change rewrites the entries it affects before it answers, so a demoted or removed
//! member loses access on the very next request while reads never touch PostgreSQL.

use super::model::{Permission, PermissionMap, Role};
use super::ports::TeamRepository;
use crate::ids::{TeamId, UserId};
use crate::write_path::{Apply, EffectId, EffectKind, Projector, StoredEffect};
use crate::StoreError;
use async_trait::async_trait;
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;
use std::sync::Arc;

/// A cached value at the team's access version that produced it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Versioned<T> {
    pub version: i64,
    pub value: T,
}

/// The version of a deleted team's entries: nothing can supersede them (team ids are never
/// reused).
pub const GONE: i64 = i64::MAX;

/// A team's access state as PostgreSQL holds it, for one caller.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccessState {
    pub version: i64,
    /// The caller's role; `None` for outsiders.
    pub role: Option<Role>,
    pub permissions: PermissionMap,
}

/// What the cache holds for one caller of one team; `None` where it holds nothing.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CachedAccess {
    /// The caller's role (`None` inside: not a member).
    pub member: Option<Versioned<Option<Role>>>,
    /// The team's permissions (`None` inside: the team is deleted).
    pub roles: Option<Versioned<Option<PermissionMap>>>,
}

/// A caller's standing in a team: outside it, or a member with a role and its permissions.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Standing {
    Outsider,
    Member(Role, BTreeSet<Permission>),
}

fn standing(role: Option<Role>, permissions: Option<&PermissionMap>) -> Standing {
    match (role, permissions) {
        (Some(role), Some(map)) => {
            Standing::Member(role, map.get(&role).cloned().unwrap_or_default())
        }
        _ => Standing::Outsider,
    }
}

impl CachedAccess {
    /// The standing the entries give, when both are there.
    pub fn standing(&self) -> Option<Standing> {
        let (member, roles) = (self.member.as_ref()?, self.roles.as_ref()?);
        Some(standing(member.value, roles.value.as_ref()))
    }
}

impl AccessState {
    pub fn standing(state: Option<&AccessState>) -> Standing {
        state.map_or(Standing::Outsider, |s| {
            standing(s.role, Some(&s.permissions))
        })
    }
}

/// The access cache (Redis).
#[async_trait]
pub trait AccessCache: Send + Sync {
    /// Both entries of `user` in `team`, in one round trip.
    async fn get(&self, team: TeamId, user: UserId) -> Result<CachedAccess, StoreError>;
    /// Stores each entry unless the cache holds a newer version of it.
    async fn put(&self, team: TeamId, user: UserId, entry: &CachedAccess)
        -> Result<(), StoreError>;
}

/// Writes what PostgreSQL holds (`None`: the team is gone) into the cache.
pub async fn fill(
    cache: &dyn AccessCache,
    team: TeamId,
    user: UserId,
    state: Option<&AccessState>,
) -> Result<(), StoreError> {
    let entry = match state {
        Some(s) => CachedAccess {
            member: Some(Versioned {
                version: s.version,
                value: s.role,
            }),
            roles: Some(Versioned {
                version: s.version,
                value: Some(s.permissions.clone()),
            }),
        },
        None => CachedAccess {
            member: Some(Versioned {
                version: GONE,
                value: None,
            }),
            roles: Some(Versioned {
                version: GONE,
                value: None,
            }),
        },
    };
    cache.put(team, user, &entry).await
}

/// Rewrites `user`'s entries of `team` from PostgreSQL: committed (as an urgent row) by every
/// change of the team's memberships or permissions, so it is applied before the response.
/// Reading at apply time makes it right whenever it runs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RefreshAccess {
    pub team_id: TeamId,
    pub user_id: UserId,
}

impl EffectKind for RefreshAccess {
    const KIND: &'static str = "refresh_access";
}

impl RefreshAccess {
    pub fn effect(team_id: TeamId, user_id: UserId) -> StoredEffect {
        StoredEffect::of(&Self { team_id, user_id })
    }
}

/// Applies [`RefreshAccess`].
pub struct AccessProjection {
    teams: Arc<dyn TeamRepository>,
    cache: Arc<dyn AccessCache>,
}

impl AccessProjection {
    pub fn register(
        projector: Projector,
        teams: Arc<dyn TeamRepository>,
        cache: Arc<dyn AccessCache>,
    ) -> Projector {
        projector.on::<RefreshAccess>(Self { teams, cache })
    }
}

#[async_trait]
impl Apply<RefreshAccess> for AccessProjection {
    async fn apply(&self, e: RefreshAccess, _: EffectId) -> Result<(), StoreError> {
        let state = self.teams.access_state(e.team_id, e.user_id).await?;
        fill(self.cache.as_ref(), e.team_id, e.user_id, state.as_ref()).await
    }
}
