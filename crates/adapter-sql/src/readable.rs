//! The teams whose tasks a user may read: those of their memberships whose role has
//! `task.read`. Lists and search read each such team on its own with its id bound, so that
//! PostgreSQL plans each team's part with that team's statistics: a team of 200,000 tasks is
//! planned as one, not as the average team.

use crate::pool::{map_err, Query};
use diesel::sql_types::{Array, Nullable, Uuid as SqlUuid};
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

/// Up to this many teams, a statement names each team's id: PostgreSQL then plans each team's
/// part with that team's own statistics. Past it, planning one part per team costs more than it
/// saves (200 ms for 100 teams at a million tasks), so the ids go as one array and one part is
/// planned for all.
const NAMED_TEAMS: usize = 16;

/// The caller's teams as a statement binds them: one placeholder per team, or one array.
pub(crate) struct TeamBinds {
    teams: Vec<Uuid>,
    placeholders: Vec<String>,
}

impl TeamBinds {
    /// Takes the placeholders of `teams` from `next`.
    pub(crate) fn new(teams: &[Uuid], next: &mut impl FnMut() -> String) -> Self {
        let count = if teams.len() <= NAMED_TEAMS {
            teams.len()
        } else {
            1
        };
        Self {
            teams: teams.to_vec(),
            placeholders: (0..count).map(|_| next()).collect(),
        }
    }

    fn named(&self) -> bool {
        self.teams.len() <= NAMED_TEAMS
    }

    /// A relation of every team's `part` (given the SQL of its team's id), the parts joined by
    /// `join` (`UNION ALL`, or `UNION`).
    pub(crate) fn each(&self, join: &str, part: impl Fn(&str) -> String) -> String {
        if self.named() {
            let parts: Vec<String> = self.placeholders.iter().map(|t| part(t)).collect();
            format!("({})", parts.join(&format!(" {join} ")))
        } else {
            format!(
                "(SELECT z.* FROM unnest({}::uuid[]) r(team_id) CROSS JOIN LATERAL ({}) z)",
                self.placeholders[0],
                part("r.team_id")
            )
        }
    }

    /// `query` with the teams bound, where `new` took their placeholders.
    pub(crate) fn bind(&self, query: Query) -> Query {
        if self.named() {
            self.teams
                .iter()
                .fold(query, |q, team| q.bind::<SqlUuid, _>(*team))
        } else {
            query.bind::<Array<SqlUuid>, _>(self.teams.clone())
        }
    }
}
