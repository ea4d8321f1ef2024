//! `PgDashboards`: a dashboard's counts in one statement over the scope's tasks (ADR 25).

use crate::pool::{map_err, PgStore};
use async_trait::async_trait;
use chrono::NaiveDate;
use diesel::sql_types::{Jsonb, Text, Timestamptz, Uuid as SqlUuid};
use diesel::QueryableByName;
use diesel_async::RunQueryDsl;
use serde_json::Value;
use taskforge_domain::dashboards::{DashboardCounts, DashboardReader, DashboardScope, DayWindow};
use taskforge_domain::ids::UserId;
use taskforge_domain::tasks::{Priority, Status};
use taskforge_domain::StoreError;

/// The tasks of a team (`$1`), read through `tasks_team_status`.
const TEAM: &str = "t.team_id = $1";

/// The tasks assigned to `$1` in the teams where `$1` may read tasks (`tasks_assignee`).
const ASSIGNEE: &str = "t.assignee_id = $1 AND t.team_id IN (SELECT m.team_id \
    FROM team_memberships m JOIN role_permissions p ON p.team_id = m.team_id AND p.role = m.role \
    WHERE m.user_id = $1 AND 'task.read' = ANY (p.permissions))";

/// Every figure at once: `$2` the caller's zone, `$3` the first day's start, `$4` now. The
/// scope's rows are read once; each figure is an aggregate over them.
fn statement(scope: &str) -> String {
    format!(
        "WITH s AS MATERIALIZED (\
           SELECT t.status, t.priority, t.assignee_id, t.due_date, t.created_at, t.started_at, \
                  t.completed_at FROM tasks t WHERE {scope}) \
         SELECT jsonb_build_object(\
           'status', (SELECT COALESCE(jsonb_object_agg(status, n), '{{}}') \
                      FROM (SELECT status, count(*) n FROM s GROUP BY status) x), \
           'priority', (SELECT COALESCE(jsonb_object_agg(priority, n), '{{}}') \
                        FROM (SELECT priority, count(*) n FROM s GROUP BY priority) x), \
           'overdue', (SELECT count(*) FROM s WHERE status <> 'done' AND due_date < $4), \
           'dueSoon', (SELECT count(*) FROM s WHERE status <> 'done' AND due_date >= $4 \
                       AND due_date < $4 + interval '7 days'), \
           'assignees', (SELECT COALESCE(jsonb_agg(jsonb_build_array(assignee_id, open, done)), '[]') \
                         FROM (SELECT assignee_id, count(*) FILTER (WHERE status <> 'done') open, \
                               count(*) FILTER (WHERE status = 'done') done \
                               FROM s WHERE assignee_id IS NOT NULL GROUP BY assignee_id) x), \
           'created', (SELECT COALESCE(jsonb_object_agg(day, n), '{{}}') FROM \
                       (SELECT (created_at AT TIME ZONE $2)::date AS day, count(*) n FROM s \
                        WHERE created_at >= $3 GROUP BY 1) x), \
           'completed', (SELECT COALESCE(jsonb_object_agg(day, n), '{{}}') FROM \
                         (SELECT (completed_at AT TIME ZONE $2)::date AS day, count(*) n FROM s \
                          WHERE completed_at >= $3 GROUP BY 1) x), \
           'cycleHours', (SELECT avg(extract(epoch FROM completed_at - started_at)) / 3600 \
                          FROM s WHERE completed_at IS NOT NULL AND started_at IS NOT NULL \
                          AND completed_at >= started_at)) AS counts"
    )
}

pub struct PgDashboards {
    store: PgStore,
}

impl PgDashboards {
    pub fn new(store: PgStore) -> Self {
        Self { store }
    }
}

#[derive(QueryableByName)]
struct Row {
    #[diesel(sql_type = Jsonb)]
    counts: Value,
}

fn corrupt(what: &str) -> StoreError {
    StoreError::Internal(anyhow::anyhow!("dashboard counts: {what}"))
}

fn count(v: &Value) -> u64 {
    v.as_u64().unwrap_or_default()
}

/// `{key: count}` as pairs, each key parsed by `parse`.
fn pairs<K>(v: &Value, parse: impl Fn(&str) -> Option<K>) -> Result<Vec<(K, u64)>, StoreError> {
    let Value::Object(map) = v else {
        return Err(corrupt("not an object"));
    };
    map.iter()
        .map(|(k, n)| parse(k).map(|k| (k, count(n))).ok_or_else(|| corrupt(k)))
        .collect()
}

fn decode(c: &Value) -> Result<DashboardCounts, StoreError> {
    let day = |k: &str| NaiveDate::parse_from_str(k, "%Y-%m-%d").ok();
    let assignees = c["assignees"]
        .as_array()
        .ok_or_else(|| corrupt("assignees"))?
        .iter()
        .map(|a| {
            let user: UserId = a[0]
                .as_str()
                .and_then(|u| u.parse().ok())
                .ok_or_else(|| corrupt("assignee"))?;
            Ok((user, count(&a[1]), count(&a[2])))
        })
        .collect::<Result<_, StoreError>>()?;
    Ok(DashboardCounts {
        by_status: pairs(&c["status"], |k| Status::parse("status", k).ok())?,
        by_priority: pairs(&c["priority"], |k| {
            let rank: i16 = k.parse().ok()?;
            Priority::ALL.into_iter().find(|p| p.rank() == rank)
        })?,
        overdue: count(&c["overdue"]),
        due_next_7_days: count(&c["dueSoon"]),
        by_assignee: assignees,
        created_per_day: pairs(&c["created"], day)?,
        completed_per_day: pairs(&c["completed"], day)?,
        avg_cycle_time_hours: c["cycleHours"].as_f64(),
    })
}

#[async_trait]
impl DashboardReader for PgDashboards {
    async fn counts(
        &self,
        scope: DashboardScope,
        window: &DayWindow,
    ) -> Result<DashboardCounts, StoreError> {
        let (sql, id) = match scope {
            DashboardScope::Team(team) => (statement(TEAM), team.as_uuid()),
            DashboardScope::Assignee(user) => (statement(ASSIGNEE), user.as_uuid()),
        };
        let window = window.clone();
        let row: Row = self
            .store
            .run(async move |conn| {
                diesel::sql_query(sql.clone())
                    .bind::<SqlUuid, _>(id)
                    .bind::<Text, _>(window.zone.clone())
                    .bind::<Timestamptz, _>(window.since)
                    .bind::<Timestamptz, _>(window.now)
                    .get_result(conn)
                    .await
                    .map_err(map_err)
            })
            .await?;
        decode(&row.counts)
    }
}
