//! `RedisAccessCache`: a caller's role in a team (`access:{teamId}:member:{userId}`: `"admin"`,
//! or `null` for an outsider) and the team's permissions (`access:{teamId}:roles`: role →
//! permission names, or `null` once the team is deleted), each a versioned entry stamped with
//! the team's access version.

use crate::store::{decode, encode, RedisStore};
use crate::versioned::{Entry, VersionedEntries};
use async_trait::async_trait;
use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;
use taskforge_domain::ids::{TeamId, UserId};
use taskforge_domain::teams::{
    AccessCache, CachedAccess, Permission, PermissionMap, Role, Versioned,
};
use taskforge_domain::StoreError;

type StoredRoles = BTreeMap<Role, Vec<String>>;

pub struct RedisAccessCache {
    entries: VersionedEntries,
    /// `None`: caching is off; every check reads PostgreSQL.
    ttl: Option<Duration>,
}

impl RedisAccessCache {
    pub fn new(store: RedisStore, ttl: Option<Duration>) -> Self {
        Self {
            entries: VersionedEntries::new(store),
            ttl,
        }
    }

    fn keys(&self, team: TeamId, user: UserId) -> [String; 2] {
        let keys = self.entries.store().keys();
        [keys.access_member(team, user), keys.access_roles(team)]
    }
}

fn to_stored(map: &PermissionMap) -> StoredRoles {
    map.iter()
        .map(|(role, set)| (*role, set.iter().map(|p| p.as_str().to_owned()).collect()))
        .collect()
}

/// A stored map naming a permission this build does not know is no answer: PostgreSQL is.
fn from_stored(stored: StoredRoles) -> Option<PermissionMap> {
    stored
        .into_iter()
        .map(|(role, names)| {
            let set: Option<BTreeSet<Permission>> =
                names.iter().map(|n| Permission::parse(n)).collect();
            set.map(|set| (role, set))
        })
        .collect()
}

fn versioned<T>(
    found: Option<(i64, String)>,
    read: impl FnOnce(&str) -> Option<T>,
) -> Option<Versioned<T>> {
    let (version, body) = found?;
    Some(Versioned {
        version,
        value: read(&body)?,
    })
}

#[async_trait]
impl AccessCache for RedisAccessCache {
    async fn get(&self, team: TeamId, user: UserId) -> Result<CachedAccess, StoreError> {
        if self.ttl.is_none() {
            return Ok(CachedAccess::default());
        }
        let mut found = self.entries.get_many(&self.keys(team, user)).await?;
        let roles = found.pop().flatten();
        let member = found.pop().flatten();
        Ok(CachedAccess {
            member: versioned(member, |body| decode::<Option<Role>>(body).ok()),
            roles: versioned(roles, |body| match decode::<Option<StoredRoles>>(body) {
                Ok(Some(stored)) => from_stored(stored).map(Some),
                Ok(None) => Some(None),
                Err(_) => None,
            }),
        })
    }

    async fn put(
        &self,
        team: TeamId,
        user: UserId,
        entry: &CachedAccess,
    ) -> Result<(), StoreError> {
        let Some(ttl) = self.ttl else { return Ok(()) };
        let [member_key, roles_key] = self.keys(team, user);
        let mut entries = Vec::with_capacity(2);
        if let Some(member) = &entry.member {
            entries.push(Entry {
                key: member_key,
                version: member.version,
                body: encode(&member.value)?,
            });
        }
        if let Some(roles) = &entry.roles {
            entries.push(Entry {
                key: roles_key,
                version: roles.version,
                body: encode(&roles.value.as_ref().map(to_stored))?,
            });
        }
        if entries.is_empty() {
            return Ok(());
        }
        self.entries.put(&entries, ttl).await
    }
}
