//! `PgTeamRepository`: teams, memberships and role permissions in PostgreSQL.
//!
//! Every membership change first locks its team's row, so changes of one team are serialized
//! and the last-admin rule cannot be raced.

use crate::changes::{in_change, one_row};
use crate::pool::{map_err, PgStore, TxError};
use crate::schema::{role_permissions, team_memberships, teams, users};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel::sql_types::{Array, Bool, Nullable, Text, Uuid as SqlUuid};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use std::collections::BTreeSet;
use taskforge_domain::identity::{Email, PersonName};
use taskforge_domain::ids::{TeamId, UserId};
use taskforge_domain::notifications::{Audience, FollowLevel, Follower};
use taskforge_domain::teams::{
    AccessState, MemberView, Permission, PermissionMap, Role, Team, TeamDescription, TeamName,
    TeamRepository, TeamView,
};
use taskforge_domain::write_path::{Change, Receipt};
use taskforge_domain::StoreError;
use uuid::Uuid;

const LAST_ADMIN: &str = "last_admin";

pub struct PgTeamRepository {
    store: PgStore,
}

impl PgTeamRepository {
    pub fn new(store: PgStore) -> Self {
        Self { store }
    }
}

fn internal(what: &str) -> StoreError {
    StoreError::Internal(anyhow::anyhow!("stored {what} is not valid"))
}

fn role(raw: &str) -> Result<Role, StoreError> {
    Role::parse("role", raw).map_err(|_| internal("role"))
}

fn permission_set(raw: &[String]) -> Result<BTreeSet<Permission>, StoreError> {
    raw.iter()
        .map(|p| Permission::parse(p).ok_or_else(|| internal("permission")))
        .collect()
}

pub(crate) fn permission_names(set: &BTreeSet<Permission>) -> Vec<String> {
    set.iter().map(|p| p.as_str().to_owned()).collect()
}

#[derive(Queryable, Selectable)]
#[diesel(table_name = teams)]
struct TeamRow {
    id: Uuid,
    name: String,
    description: String,
    created_by: Uuid,
    created_at: DateTime<Utc>,
}

impl From<TeamRow> for Team {
    fn from(r: TeamRow) -> Self {
        Team {
            id: TeamId::from_uuid(r.id),
            name: TeamName::from_stored(r.name),
            description: TeamDescription::from_stored(r.description),
            created_by: UserId::from_uuid(r.created_by),
            created_at: r.created_at,
        }
    }
}

type MemberRow = (Uuid, String, String, String, String, DateTime<Utc>);

fn member_view(r: MemberRow) -> Result<MemberView, StoreError> {
    let (user_id, email, first, last, role_name, joined_at) = r;
    Ok(MemberView {
        user_id: UserId::from_uuid(user_id),
        email: Email::parse("email", &email).map_err(|_| internal("email"))?,
        first_name: PersonName::from_stored(first),
        last_name: PersonName::from_stored(last),
        role: role(&role_name)?,
        joined_at,
    })
}

macro_rules! member_columns {
    () => {
        (
            users::id,
            users::email,
            users::first_name,
            users::last_name,
            team_memberships::role,
            team_memberships::joined_at,
        )
    };
}

/// Locks the team's row (serializing its membership changes); `NotFound` if it is gone.
async fn lock_team(tx: &mut AsyncPgConnection, team: Uuid) -> Result<(), TxError> {
    let found: Option<Uuid> = teams::table
        .find(team)
        .select(teams::id)
        .for_update()
        .first(tx)
        .await
        .optional()?;
    found.map(drop).ok_or(TxError(StoreError::NotFound))
}

/// `user`'s current role in the locked `team`, refusing to take away its last admin.
async fn guard_last_admin(
    tx: &mut AsyncPgConnection,
    team: Uuid,
    user: Uuid,
    stays_admin: bool,
) -> Result<(), TxError> {
    let current: Option<String> = team_memberships::table
        .find((team, user))
        .select(team_memberships::role)
        .first(tx)
        .await
        .optional()?;
    let current = current.ok_or(TxError(StoreError::NotFound))?;
    if current == Role::Admin.as_str() && !stays_admin {
        let other_admins: i64 = team_memberships::table
            .filter(team_memberships::team_id.eq(team))
            .filter(team_memberships::role.eq(Role::Admin.as_str()))
            .filter(team_memberships::user_id.ne(user))
            .count()
            .get_result(tx)
            .await?;
        if other_admins == 0 {
            return Err(TxError(StoreError::Conflict(LAST_ADMIN.into())));
        }
    }
    Ok(())
}

/// Refuses to delete an account that is the last admin of a team (locking those teams first,
/// so no concurrent demotion slips in between).
pub(crate) async fn refuse_if_last_admin(
    tx: &mut AsyncPgConnection,
    user: Uuid,
) -> Result<(), TxError> {
    let admin_of: Vec<Uuid> = team_memberships::table
        .filter(team_memberships::user_id.eq(user))
        .filter(team_memberships::role.eq(Role::Admin.as_str()))
        .select(team_memberships::team_id)
        .order(team_memberships::team_id)
        .load(tx)
        .await?;
    for team in admin_of {
        lock_team(tx, team).await?;
        guard_last_admin(tx, team, user, false).await?;
    }
    Ok(())
}

#[derive(QueryableByName)]
struct AccessRow {
    #[diesel(sql_type = Nullable<Text>)]
    role: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    permission_role: Option<String>,
    #[diesel(sql_type = Nullable<Array<Text>>)]
    permissions: Option<Vec<String>>,
}

#[derive(QueryableByName)]
struct Shared {
    #[diesel(sql_type = Bool)]
    shared: bool,
}

#[async_trait]
impl TeamRepository for PgTeamRepository {
    async fn create(
        &self,
        team: &Team,
        creator: UserId,
        permissions: &PermissionMap,
        change: Change,
    ) -> Result<Receipt, StoreError> {
        let row = (
            teams::id.eq(team.id.as_uuid()),
            teams::name.eq(team.name.as_str().to_owned()),
            teams::description.eq(team.description.as_str().to_owned()),
            teams::created_by.eq(team.created_by.as_uuid()),
            teams::created_at.eq(team.created_at),
            teams::updated_at.eq(team.created_at),
        );
        let membership = (
            team_memberships::team_id.eq(team.id.as_uuid()),
            team_memberships::user_id.eq(creator.as_uuid()),
            team_memberships::role.eq(Role::Admin.as_str().to_owned()),
            team_memberships::joined_at.eq(team.created_at),
        );
        let settings: Vec<_> = permissions
            .iter()
            .map(|(r, set)| {
                (
                    role_permissions::team_id.eq(team.id.as_uuid()),
                    role_permissions::role.eq(r.as_str().to_owned()),
                    role_permissions::permissions.eq(permission_names(set)),
                )
            })
            .collect();
        in_change(&self.store, change, async move |tx| {
            diesel::insert_into(teams::table)
                .values(row.clone())
                .execute(tx)
                .await?;
            diesel::insert_into(team_memberships::table)
                .values(membership.clone())
                .execute(tx)
                .await?;
            diesel::insert_into(role_permissions::table)
                .values(settings.clone())
                .execute(tx)
                .await?;
            Ok(())
        })
        .await
    }

    async fn get(&self, team: TeamId) -> Result<Option<Team>, StoreError> {
        self.store
            .run(async move |conn| {
                let row: Option<TeamRow> = teams::table
                    .find(team.as_uuid())
                    .select(TeamRow::as_select())
                    .first(conn)
                    .await
                    .optional()
                    .map_err(map_err)?;
                Ok(row.map(Team::from))
            })
            .await
    }

    async fn for_user(&self, user: UserId) -> Result<Vec<TeamView>, StoreError> {
        let rows: Vec<(TeamRow, String)> = self
            .store
            .run(async move |conn| {
                teams::table
                    .inner_join(team_memberships::table)
                    .filter(team_memberships::user_id.eq(user.as_uuid()))
                    .order((team_memberships::joined_at, teams::id))
                    .select((TeamRow::as_select(), team_memberships::role))
                    .load(conn)
                    .await
                    .map_err(map_err)
            })
            .await?;
        rows.into_iter()
            .map(|(team, r)| {
                Ok(TeamView {
                    team: team.into(),
                    my_role: role(&r)?,
                })
            })
            .collect()
    }

    async fn access_state(
        &self,
        team: TeamId,
        user: UserId,
    ) -> Result<Option<AccessState>, StoreError> {
        // One statement, so the role and the permissions are of one snapshot.
        let rows: Vec<AccessRow> = self
            .store
            .run(async move |conn| {
                diesel::sql_query(
                    "SELECT m.role, p.role AS permission_role, p.permissions \
                     FROM teams t \
                     LEFT JOIN team_memberships m ON m.team_id = t.id AND m.user_id = $2 \
                     LEFT JOIN role_permissions p ON p.team_id = t.id \
                     WHERE t.id = $1",
                )
                .bind::<SqlUuid, _>(team.as_uuid())
                .bind::<SqlUuid, _>(user.as_uuid())
                .load(conn)
                .await
                .map_err(map_err)
            })
            .await?;
        let Some(first) = rows.as_slice().first() else {
            return Ok(None);
        };
        let mut state = AccessState {
            role: first.role.as_deref().map(role).transpose()?,
            permissions: PermissionMap::new(),
        };
        for row in &rows {
            if let (Some(r), Some(perms)) = (&row.permission_role, &row.permissions) {
                state.permissions.insert(role(r)?, permission_set(perms)?);
            }
        }
        Ok(Some(state))
    }

    async fn update(&self, team: &Team, change: Change) -> Result<Receipt, StoreError> {
        let (id, name, description) = (
            team.id.as_uuid(),
            team.name.as_str().to_owned(),
            team.description.as_str().to_owned(),
        );
        in_change(&self.store, change, async move |tx| {
            let n = diesel::update(teams::table.find(id))
                .set((
                    teams::name.eq(&name),
                    teams::description.eq(&description),
                    teams::updated_at.eq(Utc::now()),
                ))
                .execute(tx)
                .await?;
            one_row(n, StoreError::NotFound)
        })
        .await
    }

    async fn delete(&self, team: TeamId, change: Change) -> Result<Receipt, StoreError> {
        in_change(&self.store, change, async move |tx| {
            let n = diesel::delete(teams::table.find(team.as_uuid()))
                .execute(tx)
                .await?;
            one_row(n, StoreError::NotFound)
        })
        .await
    }

    async fn members(&self, team: TeamId) -> Result<Vec<MemberView>, StoreError> {
        let rows: Vec<MemberRow> = self
            .store
            .run(async move |conn| {
                team_memberships::table
                    .inner_join(users::table)
                    .filter(team_memberships::team_id.eq(team.as_uuid()))
                    .order((team_memberships::joined_at, users::id))
                    .select(member_columns!())
                    .load(conn)
                    .await
                    .map_err(map_err)
            })
            .await?;
        rows.into_iter().map(member_view).collect()
    }

    async fn member(&self, team: TeamId, user: UserId) -> Result<Option<MemberView>, StoreError> {
        let row: Option<MemberRow> = self
            .store
            .run(async move |conn| {
                team_memberships::table
                    .inner_join(users::table)
                    .filter(team_memberships::team_id.eq(team.as_uuid()))
                    .filter(team_memberships::user_id.eq(user.as_uuid()))
                    .select(member_columns!())
                    .first(conn)
                    .await
                    .optional()
                    .map_err(map_err)
            })
            .await?;
        row.map(member_view).transpose()
    }

    async fn add_member(
        &self,
        team: TeamId,
        user: UserId,
        role: Role,
        joined_at: DateTime<Utc>,
        change: Change,
    ) -> Result<Receipt, StoreError> {
        let row = (
            team_memberships::team_id.eq(team.as_uuid()),
            team_memberships::user_id.eq(user.as_uuid()),
            team_memberships::role.eq(role.as_str().to_owned()),
            team_memberships::joined_at.eq(joined_at),
        );
        in_change(&self.store, change, async move |tx| {
            lock_team(tx, team.as_uuid()).await?;
            diesel::insert_into(team_memberships::table)
                .values(row.clone())
                .execute(tx)
                .await?;
            Ok(())
        })
        .await
    }

    async fn set_role(
        &self,
        team: TeamId,
        user: UserId,
        role: Role,
        change: Change,
    ) -> Result<Receipt, StoreError> {
        let (team, user) = (team.as_uuid(), user.as_uuid());
        in_change(&self.store, change, async move |tx| {
            lock_team(tx, team).await?;
            guard_last_admin(tx, team, user, role == Role::Admin).await?;
            let n = diesel::update(team_memberships::table.find((team, user)))
                .set(team_memberships::role.eq(role.as_str()))
                .execute(tx)
                .await?;
            one_row(n, StoreError::NotFound)
        })
        .await
    }

    async fn remove_member(
        &self,
        team: TeamId,
        user: UserId,
        change: Change,
    ) -> Result<Receipt, StoreError> {
        let (team, user) = (team.as_uuid(), user.as_uuid());
        in_change(&self.store, change, async move |tx| {
            lock_team(tx, team).await?;
            guard_last_admin(tx, team, user, false).await?;
            let n = diesel::delete(team_memberships::table.find((team, user)))
                .execute(tx)
                .await?;
            one_row(n, StoreError::NotFound)
        })
        .await
    }

    async fn permissions(&self, team: TeamId) -> Result<PermissionMap, StoreError> {
        let rows: Vec<(String, Vec<String>)> = self
            .store
            .run(async move |conn| {
                role_permissions::table
                    .filter(role_permissions::team_id.eq(team.as_uuid()))
                    .select((role_permissions::role, role_permissions::permissions))
                    .load(conn)
                    .await
                    .map_err(map_err)
            })
            .await?;
        rows.iter()
            .map(|(r, perms)| Ok((role(r)?, permission_set(perms)?)))
            .collect()
    }

    async fn set_permissions(
        &self,
        team: TeamId,
        role: Role,
        permissions: &BTreeSet<Permission>,
        change: Change,
    ) -> Result<Receipt, StoreError> {
        let names = permission_names(permissions);
        in_change(&self.store, change, async move |tx| {
            lock_team(tx, team.as_uuid()).await?;
            let n = diesel::update(role_permissions::table.find((team.as_uuid(), role.as_str())))
                .set(role_permissions::permissions.eq(&names))
                .execute(tx)
                .await?;
            one_row(n, StoreError::NotFound)
        })
        .await
    }

    async fn follow_level(
        &self,
        team: TeamId,
        user: UserId,
    ) -> Result<Option<FollowLevel>, StoreError> {
        let key = (team.as_uuid(), user.as_uuid());
        let level: Option<String> = self
            .store
            .run(async move |conn| {
                team_memberships::table
                    .find(key)
                    .select(team_memberships::follow)
                    .first(conn)
                    .await
                    .optional()
                    .map_err(map_err)
            })
            .await?;
        level
            .map(|l| FollowLevel::parse("follow", &l).map_err(|_| internal("follow level")))
            .transpose()
    }

    async fn set_follow_level(
        &self,
        team: TeamId,
        user: UserId,
        level: FollowLevel,
        change: Change,
    ) -> Result<Receipt, StoreError> {
        let key = (team.as_uuid(), user.as_uuid());
        in_change(&self.store, change, async move |tx| {
            let n = diesel::update(team_memberships::table.find(key))
                .set(team_memberships::follow.eq(level.as_str()))
                .execute(tx)
                .await?;
            one_row(n, StoreError::NotFound)
        })
        .await
    }

    async fn share_a_team(&self, a: UserId, b: UserId) -> Result<bool, StoreError> {
        let found: Shared = self
            .store
            .run(async move |conn| {
                diesel::sql_query(
                    "SELECT EXISTS (SELECT 1 FROM team_memberships x JOIN team_memberships y \
                     ON x.team_id = y.team_id WHERE x.user_id = $1 AND y.user_id = $2) AS shared",
                )
                .bind::<SqlUuid, _>(a.as_uuid())
                .bind::<SqlUuid, _>(b.as_uuid())
                .get_result(conn)
                .await
                .map_err(map_err)
            })
            .await?;
        Ok(found.shared)
    }
}

#[async_trait]
impl Audience for PgTeamRepository {
    async fn audience(
        &self,
        team: TeamId,
        concerned: &[UserId],
    ) -> Result<Vec<Follower>, StoreError> {
        let team = team.as_uuid();
        let concerned: Vec<Uuid> = concerned.iter().map(UserId::as_uuid).collect();
        let rows: Vec<(Uuid, String)> = self
            .store
            .run(async move |conn| {
                team_memberships::table
                    .filter(team_memberships::team_id.eq(team))
                    .filter(
                        team_memberships::user_id
                            .eq_any(concerned.clone())
                            .or(team_memberships::follow.eq(FollowLevel::Watch.as_str())),
                    )
                    .select((team_memberships::user_id, team_memberships::follow))
                    .load(conn)
                    .await
                    .map_err(map_err)
            })
            .await?;
        rows.into_iter()
            .map(|(user, level)| {
                Ok(Follower {
                    user: UserId::from_uuid(user),
                    level: FollowLevel::parse("follow", &level)
                        .map_err(|_| internal("follow level"))?,
                })
            })
            .collect()
    }
}
