//! The teams whose tasks a user may read: those of their memberships whose role has
//! `task.read`. Lists and search read each such team on its own with its id bound, so that
//! PostgreSQL plans each team's part with that team's statistics: a team of 200,000 tasks is
//! planned as one, not as the average team.

use crate::pool::map_err;
use diesel::sql_types::{Nullable, Uuid as SqlUuid};
use diesel::QueryableByName;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use taskforge_domain::ids::{TeamId, UserId};
use taskforge_domain::StoreError;
use uuid::Uuid;

/// The ids of the teams where `$1` may read tasks.
pub(crate) const READABLE_TEAMS: &str = "SELECT m.team_id FROM team_memberships m \
    JOIN role_permissions p ON p.team_id = m.team_id AND p.role = m.role \
    WHERE m.user_id = $1 AND 'task.read' = ANY (p.permissions)";

#[derive(QueryableByName)]
struct TeamRow {
    #[diesel(sql_type = SqlUuid)]
    team_id: Uuid,
}

/// The teams where `user` may read tasks (only `only`, if given and readable), in id order.
pub(crate) async fn readable_teams(
    conn: &mut AsyncPgConnection,
    user: UserId,
    only: Option<TeamId>,
) -> Result<Vec<Uuid>, StoreError> {
    let rows: Vec<TeamRow> = diesel::sql_query(format!(
        "{READABLE_TEAMS} AND ($2::uuid IS NULL OR m.team_id = $2) ORDER BY m.team_id"
    ))
    .bind::<SqlUuid, _>(user.as_uuid())
    .bind::<Nullable<SqlUuid>, _>(only.map(|t| t.as_uuid()))
    .load(conn)
    .await
    .map_err(map_err)?;
    Ok(rows.into_iter().map(|r| r.team_id).collect())
}
