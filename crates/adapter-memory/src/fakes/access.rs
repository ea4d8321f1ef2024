//! The access cache's fake.

use super::leased::Leased;
use crate::fakes::lock;
use async_trait::async_trait;
use taskforge_domain::cache::{FillToken, Lookup};
use taskforge_domain::ids::{TeamId, UserId};
use taskforge_domain::teams::{AccessCache, AccessState, PermissionMap, Role};
use taskforge_domain::StoreError;

/// The two entries of a caller: its role, and its team's permissions.
#[derive(Clone, PartialEq, Eq, Hash)]
enum Key {
    Member(TeamId, UserId),
    Roles(TeamId),
}

#[derive(Clone)]
enum Value {
    Member(Option<Role>),
    Roles(PermissionMap),
}

#[derive(Default)]
pub struct InMemoryAccessCache {
    entries: Leased<Key, Value>,
}

impl InMemoryAccessCache {
    pub fn set_down(&self, down: bool) {
        *lock(&self.entries.outage.0) = down;
    }

    /// Loses every entry and lease, as a Redis restart does.
    pub fn restart(&self) {
        self.entries.restart();
    }
}

fn keys(team: TeamId, user: UserId) -> [Key; 2] {
    [Key::Member(team, user), Key::Roles(team)]
}

#[async_trait]
impl AccessCache for InMemoryAccessCache {
    async fn get(&self, team: TeamId, user: UserId) -> Result<Lookup<AccessState>, StoreError> {
        let (found, token) = self.entries.get(&keys(team, user))?;
        Ok(match found.as_slice() {
            [Some(Value::Member(role)), Some(Value::Roles(permissions))] => {
                Lookup::Hit(AccessState {
                    role: *role,
                    permissions: permissions.clone(),
                })
            }
            _ => Lookup::Miss(token),
        })
    }

    async fn fill(
        &self,
        team: TeamId,
        user: UserId,
        token: &FillToken,
        state: &AccessState,
    ) -> Result<(), StoreError> {
        let [member, roles] = keys(team, user);
        self.entries.fill(
            token,
            vec![
                (member, Value::Member(state.role)),
                (roles, Value::Roles(state.permissions.clone())),
            ],
        )
    }

    async fn forget(&self, team: TeamId, user: UserId) -> Result<(), StoreError> {
        self.entries.drop(&keys(team, user))
    }
}
