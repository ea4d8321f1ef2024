//! The `AccessCache` contract.

use super::*;
use taskforge_domain::teams::{
    default_permissions, AccessCache, CachedAccess, PermissionMap, Role, Versioned,
};

fn entry(
    member: Option<(i64, Option<Role>)>,
    roles: Option<(i64, Option<PermissionMap>)>,
) -> CachedAccess {
    CachedAccess {
        member: member.map(|(version, value)| Versioned { version, value }),
        roles: roles.map(|(version, value)| Versioned { version, value }),
    }
}

pub async fn access_cache(cache: &dyn AccessCache) {
    let (team, user, other) = (TeamId::new(), UserId::new(), UserId::new());
    assert_eq!(
        must(cache.get(team, user).await, "get absent"),
        CachedAccess::default()
    );
    let perms = default_permissions();
    let both = entry(Some((2, Some(Role::Admin))), Some((2, Some(perms.clone()))));
    must(cache.put(team, user, &both).await, "put v2");
    assert_eq!(must(cache.get(team, user).await, "get"), both);

    let older = entry(Some((1, Some(Role::Guest))), Some((1, None)));
    must(cache.put(team, user, &older).await, "a reader's late fill");
    assert_eq!(
        must(cache.get(team, user).await, "get"),
        both,
        "an older version never replaces a newer one"
    );

    let demoted = entry(Some((3, Some(Role::Member))), None);
    must(cache.put(team, user, &demoted).await, "demote at v3");
    assert_eq!(
        must(cache.get(team, user).await, "get"),
        entry(
            Some((3, Some(Role::Member))),
            Some((2, Some(perms.clone())))
        ),
        "each entry moves on its own"
    );
    assert_eq!(
        must(cache.get(team, other).await, "another member"),
        entry(None, Some((2, Some(perms)))),
        "the permissions are the team's, the role the member's"
    );

    let gone = entry(Some((i64::MAX, None)), Some((i64::MAX, None)));
    must(cache.put(team, user, &gone).await, "team deleted");
    must(
        cache.put(team, user, &both).await,
        "a fill after the delete",
    );
    assert_eq!(
        must(cache.get(team, user).await, "get"),
        gone,
        "a deleted team's entries are never superseded"
    );
}
