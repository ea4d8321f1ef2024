//! Who may do what in a team, as PostgreSQL commits it and as Redis caches it (ADR 17, 18).
//!
//! The cache keeps two entries per team and caller: the caller's role and the team's
//! permission map. Every membership, role and permission change drops the entries it affects
//! before it answers, so a demoted or removed member loses access on the very next request,
//! and readers fill them again under a lease (see [`crate::cache`]).

use super::model::{Permission, PermissionMap, Role};
use crate::cache::{FillToken, Lookup};
use crate::ids::{TeamId, UserId};
use crate::write_path::{Apply, EffectId, EffectKind, Projector, StoredEffect};
use crate::StoreError;
use async_trait::async_trait;
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;
use std::sync::Arc;

/// A team's access state for one caller, as PostgreSQL holds it and the cache keeps it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccessState {
    /// The caller's role; `None` for outsiders.
    pub role: Option<Role>,
    pub permissions: PermissionMap,
}

/// A caller's standing in a team: outside it, or a member with a role and its permissions.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Standing {
    Outsider,
    Member(Role, BTreeSet<Permission>),
}

impl AccessState {
    /// The standing a state gives; `None` (no such team) makes an outsider.
    pub fn standing(state: Option<&AccessState>) -> Standing {
        match state {
            Some(AccessState {
                role: Some(role),
                permissions,
            }) => Standing::Member(*role, permissions.get(role).cloned().unwrap_or_default()),
            _ => Standing::Outsider,
        }
    }
}

/// The access cache (Redis).
#[async_trait]
pub trait AccessCache: Send + Sync {
    /// `user`'s state in `team` when both entries are cached, else the lease to fill them; in
    /// one round trip.
    async fn get(&self, team: TeamId, user: UserId) -> Result<Lookup<AccessState>, StoreError>;
    /// Stores the entries `token` still holds the lease of.
    async fn fill(
        &self,
        team: TeamId,
        user: UserId,
        token: &FillToken,
        state: &AccessState,
    ) -> Result<(), StoreError>;
    /// Drops `user`'s role entry and the team's permissions entry, ending their leases.
    async fn forget(&self, team: TeamId, user: UserId) -> Result<(), StoreError>;
}

/// Drops `user`'s entries of `team`: committed (as an urgent row) by every change of the
/// team's memberships or permissions, so it is applied before the response.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DropCachedAccess {
    pub team_id: TeamId,
    pub user_id: UserId,
}

impl EffectKind for DropCachedAccess {
    const KIND: &'static str = "drop_cached_access";
}

impl DropCachedAccess {
    pub fn effect(team_id: TeamId, user_id: UserId) -> StoredEffect {
        StoredEffect::of(&Self { team_id, user_id })
    }
}

/// Applies [`DropCachedAccess`].
pub struct AccessProjection {
    cache: Arc<dyn AccessCache>,
}

impl AccessProjection {
    pub fn register(projector: Projector, cache: Arc<dyn AccessCache>) -> Projector {
        projector.on::<DropCachedAccess>(Self { cache })
    }
}

#[async_trait]
impl Apply<DropCachedAccess> for AccessProjection {
    async fn apply(&self, e: DropCachedAccess, _: EffectId) -> Result<(), StoreError> {
        self.cache.forget(e.team_id, e.user_id).await
    }
}
