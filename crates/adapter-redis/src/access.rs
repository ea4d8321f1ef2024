//! `RedisAccessCache`: a caller's role in a team (`access:{teamId}:member:{userId}`: `"admin"`,
//! or `null` for an outsider) and the team's permissions (`access:{teamId}:roles`: role →
//! permission names), through [`LeasedEntries`].

use crate::leased::{CacheTimes, LeasedEntries};
use crate::store::{decode, encode, RedisStore};
use async_trait::async_trait;
use std::collections::{BTreeMap, BTreeSet};
use taskforge_domain::cache::{FillToken, Lookup};
use taskforge_domain::ids::{TeamId, UserId};
use taskforge_domain::teams::{AccessCache, AccessState, Permission, PermissionMap, Role};
use taskforge_domain::StoreError;

type StoredRoles = BTreeMap<Role, Vec<String>>;

pub struct RedisAccessCache {
    entries: LeasedEntries,
}

impl RedisAccessCache {
    /// `times`: `None` turns caching off; every check reads PostgreSQL.
    pub fn new(store: RedisStore, times: Option<CacheTimes>) -> Self {
        Self {
            entries: LeasedEntries::new(store, times),
        }
    }

    fn keys(&self, team: TeamId, user: UserId) -> [String; 2] {
        let keys = self.entries.keys();
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

fn cached(member: Option<String>, roles: Option<String>) -> Option<AccessState> {
    let role = decode::<Option<Role>>(&member?).ok()?;
    let permissions = from_stored(decode::<StoredRoles>(&roles?).ok()?)?;
    Some(AccessState { role, permissions })
}

#[async_trait]
impl AccessCache for RedisAccessCache {
    async fn get(&self, team: TeamId, user: UserId) -> Result<Lookup<AccessState>, StoreError> {
        let (found, token) = self.entries.get(&self.keys(team, user)).await?;
        let mut found = found.into_iter();
        match cached(found.next().flatten(), found.next().flatten()) {
            Some(state) => Ok(Lookup::Hit(state)),
            None => Ok(Lookup::Miss(token)),
        }
    }

    async fn fill(
        &self,
        team: TeamId,
        user: UserId,
        token: &FillToken,
        state: &AccessState,
    ) -> Result<(), StoreError> {
        let [member_key, roles_key] = self.keys(team, user);
        let entries = [
            (member_key, encode(&state.role)?),
            (roles_key, encode(&to_stored(&state.permissions))?),
        ];
        self.entries.fill(token, &entries).await
    }

    async fn forget(&self, team: TeamId, user: UserId) -> Result<(), StoreError> {
        self.entries.drop(&self.keys(team, user)).await
    }
}
