//! The `TeamRepository` contract.

use super::*;

/// `TeamRepository`, with the `UserRepository` of the same store for its members.
pub async fn team_repository(teams: &dyn TeamRepository, users: &dyn UserRepository) {
    use taskforge_domain::teams::{
        default_permissions, AccessState, Permission, Role, Standing, Team, TeamDescription,
        TeamName,
    };
    let people = registered(users, 3).await;
    let (admin, member, outsider) = (&people[0], &people[1], &people[2]);
    let team = Team {
        id: taskforge_domain::ids::TeamId::new(),
        name: must(TeamName::parse("name", "Contract team"), "name"),
        description: TeamDescription::default(),
        created_by: admin.id,
        created_at: Utc::now().trunc_subsecs(6),
    };
    let c = |a| team_change(team.id, a);
    must(
        teams
            .create(
                &team,
                admin.id,
                &default_permissions(),
                c(AuditAction::Create),
            )
            .await,
        "create team",
    );
    assert_eq!(must(teams.get(team.id).await, "get"), Some(team.clone()));
    let at_start = state(teams, team.id, admin.id).await;
    assert_eq!(
        AccessState::standing(Some(&at_start)),
        Standing::Member(Role::Admin, Permission::defaults(Role::Admin))
    );
    assert_eq!(at_start.permissions, default_permissions());
    let outside = state(teams, team.id, outsider.id).await;
    assert_eq!(
        outside,
        AccessState {
            role: None,
            permissions: default_permissions()
        },
        "an outsider has no role, and sees the team's permissions"
    );

    must(
        teams
            .add_member(
                team.id,
                member.id,
                Role::Guest,
                team.created_at,
                c(AuditAction::Create),
            )
            .await,
        "add",
    );
    let again = teams
        .add_member(
            team.id,
            member.id,
            Role::Member,
            team.created_at,
            c(AuditAction::Create),
        )
        .await;
    assert!(matches!(again, Err(StoreError::Conflict(_))), "{again:?}");
    assert_eq!(must(teams.members(team.id).await, "members").len(), 2);
    assert!(must(teams.share_a_team(admin.id, member.id).await, "share"));
    assert!(!must(
        teams.share_a_team(admin.id, outsider.id).await,
        "share outsider"
    ));
    let views = must(teams.for_user(member.id).await, "for_user");
    assert_eq!(
        views
            .iter()
            .map(|v| (v.team.id, v.my_role))
            .collect::<Vec<_>>(),
        vec![(team.id, Role::Guest)]
    );

    let demote = teams
        .set_role(team.id, admin.id, Role::Member, c(AuditAction::RoleChange))
        .await;
    assert!(
        matches!(demote, Err(StoreError::Conflict(_))),
        "the last admin stays: {demote:?}"
    );
    let leave = teams
        .remove_member(team.id, admin.id, c(AuditAction::Delete))
        .await;
    assert!(
        matches!(leave, Err(StoreError::Conflict(_))),
        "the last admin cannot leave: {leave:?}"
    );
    let gone = users
        .delete(admin.id, change(admin.id, AuditAction::Delete, vec![]))
        .await;
    assert!(
        matches!(gone, Err(StoreError::Conflict(_))),
        "nor delete their account: {gone:?}"
    );
    let stranger = teams
        .set_role(
            team.id,
            outsider.id,
            Role::Admin,
            c(AuditAction::RoleChange),
        )
        .await;
    assert!(
        matches!(stranger, Err(StoreError::NotFound)),
        "{stranger:?}"
    );

    must(
        teams
            .set_role(team.id, member.id, Role::Admin, c(AuditAction::RoleChange))
            .await,
        "promote",
    );
    must(
        teams
            .set_role(team.id, admin.id, Role::Member, c(AuditAction::RoleChange))
            .await,
        "demote",
    );
    assert_eq!(
        must(teams.member(team.id, admin.id).await, "member").map(|m| m.role),
        Some(Role::Member)
    );

    let only_read: std::collections::BTreeSet<Permission> =
        [Permission::TaskRead].into_iter().collect();
    must(
        teams
            .set_permissions(team.id, Role::Member, &only_read, c(AuditAction::Update))
            .await,
        "set perms",
    );
    let after_changes = state(teams, team.id, admin.id).await;
    assert_eq!(
        AccessState::standing(Some(&after_changes)),
        Standing::Member(Role::Member, only_read.clone())
    );
    assert_eq!(
        must(teams.permissions(team.id).await, "perms").get(&Role::Member),
        Some(&only_read)
    );

    let mut renamed = team.clone();
    renamed.name = must(TeamName::parse("name", "Renamed"), "name");
    must(
        teams.update(&renamed, c(AuditAction::Update)).await,
        "update",
    );
    assert_eq!(
        must(teams.get(team.id).await, "get").map(|t| t.name),
        Some(renamed.name)
    );

    must(
        teams
            .remove_member(team.id, admin.id, c(AuditAction::Delete))
            .await,
        "leave",
    );
    let left = state(teams, team.id, admin.id).await;
    assert_eq!(left.role, None);
    must(
        teams.delete(team.id, c(AuditAction::Delete)).await,
        "delete",
    );
    assert_eq!(must(teams.get(team.id).await, "get deleted"), None);
    assert_eq!(
        must(teams.access_state(team.id, member.id).await, "gone"),
        None
    );
    assert!(
        must(teams.for_user(member.id).await, "for_user").is_empty(),
        "memberships go with the team"
    );
    assert!(
        must(teams.permissions(team.id).await, "perms").is_empty(),
        "permissions go with the team"
    );
    let late = teams
        .add_member(
            team.id,
            outsider.id,
            Role::Member,
            team.created_at,
            c(AuditAction::Create),
        )
        .await;
    assert!(matches!(late, Err(StoreError::NotFound)), "{late:?}");
}

async fn state(
    teams: &dyn TeamRepository,
    team: taskforge_domain::ids::TeamId,
    user: taskforge_domain::ids::UserId,
) -> taskforge_domain::teams::AccessState {
    match teams.access_state(team, user).await {
        Ok(Some(state)) => state,
        other => panic!("access state of an existing team: {other:?}"),
    }
}
