//! The `AccessCache` contract.

use super::task_stores::leased;
use super::*;
use taskforge_domain::cache::Lookup;
use taskforge_domain::teams::{default_permissions, AccessCache, AccessState, Permission, Role};

/// A member's role and the team's permissions are filled under one lease; the role is the
/// member's, the permissions the team's; a drop ends the lease of a reader that read before.
pub async fn access_cache(cache: &dyn AccessCache) {
    let (team, user, other) = (TeamId::new(), UserId::new(), UserId::new());
    let admin = AccessState {
        role: Some(Role::Admin),
        permissions: default_permissions(),
    };
    let token = leased(must(cache.get(team, user).await, "get absent"), "a miss");
    assert_eq!(
        must(cache.get(team, user).await, "another reader"),
        Lookup::Miss(None),
        "one lease at a time"
    );
    must(cache.fill(team, user, &token, &admin).await, "fill");
    assert_eq!(
        must(cache.get(team, user).await, "get"),
        Lookup::Hit(admin.clone())
    );

    let outsider = AccessState {
        role: None,
        ..admin.clone()
    };
    let token = leased(
        must(cache.get(team, other).await, "another caller"),
        "the role is each caller's",
    );
    must(cache.fill(team, other, &token, &outsider).await, "fill");
    assert_eq!(
        must(cache.get(team, other).await, "get"),
        Lookup::Hit(outsider.clone())
    );

    must(
        cache.forget(team, user).await,
        "a change of the user's access",
    );
    let stale = leased(
        must(cache.get(team, other).await, "the other caller"),
        "the team's permissions went with it",
    );
    must(cache.forget(team, user).await, "a later change");
    must(
        cache.fill(team, other, &stale, &outsider).await,
        "a fill that read before the later change",
    );
    let fresh = leased(
        must(cache.get(team, other).await, "get"),
        "the stale fill stored nothing",
    );
    let mut narrowed = admin.permissions.clone();
    narrowed.insert(Role::Guest, [Permission::TaskRead].into());
    let read = AccessState {
        role: Some(Role::Guest),
        permissions: narrowed.clone(),
    };
    must(cache.fill(team, other, &fresh, &read).await, "fill");
    assert_eq!(
        must(cache.get(team, other).await, "get"),
        Lookup::Hit(AccessState {
            role: None,
            permissions: narrowed
        }),
        "a fill writes only the entries its lease covers: the other caller's role stayed"
    );
}
