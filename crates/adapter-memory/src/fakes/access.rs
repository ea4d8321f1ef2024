//! The access cache's fake.

use crate::fakes::{lock, Outage};
use async_trait::async_trait;
use std::collections::HashMap;
use std::sync::Mutex;
use taskforge_domain::ids::{TeamId, UserId};
use taskforge_domain::teams::{AccessCache, CachedAccess, PermissionMap, Role, Versioned};
use taskforge_domain::StoreError;

type Entries<K, T> = Mutex<HashMap<K, Versioned<T>>>;

#[derive(Default)]
pub struct InMemoryAccessCache {
    members: Entries<(TeamId, UserId), Option<Role>>,
    roles: Entries<TeamId, Option<PermissionMap>>,
    outage: Outage,
}

impl InMemoryAccessCache {
    pub fn set_down(&self, down: bool) {
        *lock(&self.outage.0) = down;
    }
}

/// Stores `entry` under `key` unless a newer version is stored.
fn put_if_newer<K: Eq + std::hash::Hash, T: Clone>(
    map: &Entries<K, T>,
    key: K,
    entry: &Versioned<T>,
) {
    let mut map = lock(map);
    if map.get(&key).is_none_or(|e| e.version < entry.version) {
        map.insert(key, entry.clone());
    }
}

#[async_trait]
impl AccessCache for InMemoryAccessCache {
    async fn get(&self, team: TeamId, user: UserId) -> Result<CachedAccess, StoreError> {
        self.outage.check("redis")?;
        Ok(CachedAccess {
            member: lock(&self.members).get(&(team, user)).cloned(),
            roles: lock(&self.roles).get(&team).cloned(),
        })
    }

    async fn put(
        &self,
        team: TeamId,
        user: UserId,
        entry: &CachedAccess,
    ) -> Result<(), StoreError> {
        self.outage.check("redis")?;
        if let Some(member) = &entry.member {
            put_if_newer(&self.members, (team, user), member);
        }
        if let Some(roles) = &entry.roles {
            put_if_newer(&self.roles, team, roles);
        }
        Ok(())
    }
}
