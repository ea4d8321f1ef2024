//! `PgDashboards`: a dashboard's counts in one statement (ADR 25): a team's from the tallies its
//! task writes keep, a person's over the tasks assigned to them.

use crate::plans::{self, Explain};
use crate::pool::{map_err, PgStore, Query};
use crate::readable::READABLE_TEAMS;
use async_trait::async_trait;
use chrono::{NaiveDate, Utc};
use diesel::sql_types::{BigInt, Jsonb, Text, Timestamptz, Uuid as SqlUuid};
use diesel::QueryableByName;
use diesel_async::RunQueryDsl;
use serde_json::Value;
use taskforge_domain::dashboards::{DashboardCounts, DashboardReader, DashboardScope, DayWindow};
use taskforge_domain::ids::{TeamId, UserId};
use taskforge_domain::tasks::{Priority, Status};
use taskforge_domain::StoreError;
use uuid::Uuid;

/// A team's (`$1`) figures from its tallies (migration 16), `$2` the caller's zone, `$3` the
/// first day's start, `$4` now. Overdue and due soon sum whole UTC days of open tasks, and
/// count the days cut by `$4` (today, and today in a week) over `tasks_team_open_due`.
const TEAM: &str = "WITH s AS MATERIALIZED (\
       SELECT status, priority, sum(tasks) AS n, sum(cycled) AS cycled, \
              sum(cycle_seconds) AS cycle_seconds \
       FROM team_status_tallies WHERE team_id = $1 GROUP BY 1, 2), \
     slots AS MATERIALIZED (\
       SELECT (slot AT TIME ZONE $2)::date AS day, sum(created) AS created, \
              sum(completed) AS completed \
       FROM team_slot_tallies WHERE team_id = $1 AND slot >= $3 GROUP BY 1), \
     today AS MATERIALIZED (\
       SELECT date_trunc('day', $4, 'UTC') AS starts, ($4 AT TIME ZONE 'UTC')::date AS day), \
     open AS MATERIALIZED (\
       SELECT \
         (SELECT COALESCE(sum(d.open), 0) FROM team_due_tallies d \
          WHERE d.team_id = $1 AND d.day < today.day) AS before_today, \
         (SELECT COALESCE(sum(d.open), 0) FROM team_due_tallies d \
          WHERE d.team_id = $1 AND d.day > today.day AND d.day < today.day + 7) AS within_week, \
         (SELECT count(*) FROM tasks t WHERE t.team_id = $1 AND t.status <> 'done' \
          AND t.due_date >= today.starts AND t.due_date < $4) AS today_before, \
         (SELECT count(*) FROM tasks t WHERE t.team_id = $1 AND t.status <> 'done' \
          AND t.due_date >= $4 AND t.due_date < today.starts + interval '24 hours') AS today_after, \
         (SELECT count(*) FROM tasks t WHERE t.team_id = $1 AND t.status <> 'done' \
          AND t.due_date >= today.starts + interval '168 hours' \
          AND t.due_date < $4 + interval '168 hours') AS week_day_before \
       FROM today) \
     SELECT jsonb_build_object(\
       'status', (SELECT COALESCE(jsonb_object_agg(status, n), '{}') \
                  FROM (SELECT status, sum(n) n FROM s GROUP BY 1 HAVING sum(n) <> 0) x), \
       'priority', (SELECT COALESCE(jsonb_object_agg(priority, n), '{}') \
                    FROM (SELECT priority, sum(n) n FROM s GROUP BY 1 HAVING sum(n) <> 0) x), \
       'overdue', (SELECT before_today + today_before FROM open), \
       'dueSoon', (SELECT today_after + within_week + week_day_before FROM open), \
       'assignees', (SELECT COALESCE(jsonb_agg(jsonb_build_array(assignee_id, open, done)), '[]') \
                     FROM (SELECT assignee_id, sum(open) open, sum(done) done \
                           FROM team_assignee_tallies WHERE team_id = $1 GROUP BY 1 \
                           HAVING sum(open) <> 0 OR sum(done) <> 0) x), \
       'created', (SELECT COALESCE(jsonb_object_agg(day, created), '{}') \
                   FROM slots WHERE created <> 0), \
       'completed', (SELECT COALESCE(jsonb_object_agg(day, completed), '{}') \
                     FROM slots WHERE completed <> 0), \
       'cycleHours', (SELECT sum(cycle_seconds) / NULLIF(sum(cycled), 0) / 3600 FROM s)) \
     AS counts";

/// The tasks assigned to `$1` in the teams where `$1` may read tasks (`tasks_assignee`).
fn assignee() -> String {
    format!("t.assignee_id = $1 AND t.team_id IN ({READABLE_TEAMS})")
}

/// The tasks of a team (`$1`).
const TEAM_TASKS: &str = "t.team_id = $1";

/// Every figure at once, counted over the tasks `scope` selects: `$2` the caller's zone, `$3`
/// the first day's start, `$4` now. The scope's rows are read once; each figure is an
/// aggregate over them.
fn recount(scope: &str) -> String {
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
                       AND due_date < $4 + interval '168 hours'), \
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

/// How many teams one fold statement takes.
const FOLD_TEAMS: i64 = 100;

/// Replaces the rows of up to `FOLD_TEAMS` teams that have unfolded ones by one row per key
/// (`$1` those teams' limit, `$2` the oldest slot worth keeping), as `columns` of `table` key
/// and `sums` sum them. Rows written meanwhile are not in the statement's snapshot: they stay,
/// and two folds of one team never count a row twice (the second skips what the first deleted).
fn fold_statement(table: &str, keys: &str, sums: &[&str], keep: &str) -> String {
    let summed = sums
        .iter()
        .map(|c| format!("sum({c})"))
        .collect::<Vec<_>>()
        .join(", ");
    let nonzero = sums
        .iter()
        .map(|c| format!("sum({c}) <> 0"))
        .collect::<Vec<_>>()
        .join(" OR ");
    format!(
        "WITH teams AS (SELECT DISTINCT team_id FROM {table} WHERE NOT folded LIMIT $1), \
         gone AS (DELETE FROM {table} x USING teams WHERE x.team_id = teams.team_id RETURNING x.*) \
         INSERT INTO {table} (team_id, {keys}, {}, folded) \
         SELECT team_id, {keys}, {summed}, true FROM gone WHERE {keep} \
         GROUP BY team_id, {keys} HAVING {nonzero}",
        sums.join(", ")
    )
}

impl PgDashboards {
    /// The team's figures counted over its tasks, which its tallies must equal at any moment.
    pub async fn recount_team(
        &self,
        team: TeamId,
        window: &DayWindow,
    ) -> Result<DashboardCounts, StoreError> {
        self.read(recount(TEAM_TASKS), team.as_uuid(), window).await
    }

    /// Folds the tallies of the teams written since the last fold; slots older than
    /// `keep_days` (past any window a dashboard shows) are dropped. Returns the rows written.
    pub async fn fold(&self, keep_days: u32) -> Result<usize, StoreError> {
        let statements = [
            fold_statement(
                "team_status_tallies",
                "status, priority",
                &["tasks", "cycled", "cycle_seconds"],
                "true",
            ),
            fold_statement(
                "team_assignee_tallies",
                "assignee_id",
                &["open", "done"],
                "true",
            ),
            fold_statement("team_due_tallies", "day", &["open"], "true"),
            fold_statement(
                "team_slot_tallies",
                "slot",
                &["created", "completed"],
                "slot >= $2",
            ),
        ];
        let oldest = Utc::now() - chrono::TimeDelta::days(i64::from(keep_days));
        let mut written = 0;
        for sql in statements {
            written += self
                .store
                .run(async move |conn| {
                    diesel::sql_query(sql.clone())
                        .bind::<BigInt, _>(FOLD_TEAMS)
                        .bind::<Timestamptz, _>(oldest)
                        .execute(conn)
                        .await
                        .map_err(map_err)
                })
                .await?;
        }
        Ok(written)
    }

    /// The plan of the statement of `scope`'s dashboard.
    pub async fn explain(
        &self,
        scope: DashboardScope,
        window: &DayWindow,
        how: Explain,
    ) -> Result<String, StoreError> {
        let (sql, id) = statement(scope);
        plans::explain(&self.store, how, |head| bound(head, &sql, id, window)).await
    }

    async fn read(
        &self,
        sql: String,
        id: Uuid,
        window: &DayWindow,
    ) -> Result<DashboardCounts, StoreError> {
        let window = window.clone();
        let row: Row = self
            .store
            .run(async move |conn| {
                bound("", &sql, id, &window)
                    .get_result(conn)
                    .await
                    .map_err(map_err)
            })
            .await?;
        decode(&row.counts)
    }
}

/// The statement of `scope`'s dashboard and the id it binds first.
fn statement(scope: DashboardScope) -> (String, Uuid) {
    match scope {
        DashboardScope::Team(team) => (TEAM.to_owned(), team.as_uuid()),
        DashboardScope::Assignee(user) => (recount(&assignee()), user.as_uuid()),
    }
}

/// `sql` after `head`, with its binds: the scope's id, then the window.
fn bound(head: &str, sql: &str, id: Uuid, window: &DayWindow) -> Query {
    diesel::sql_query(format!("{head}{sql}"))
        .into_boxed()
        .bind::<SqlUuid, _>(id)
        .bind::<Text, _>(window.zone.clone())
        .bind::<Timestamptz, _>(window.since)
        .bind::<Timestamptz, _>(window.now)
}

#[async_trait]
impl DashboardReader for PgDashboards {
    async fn counts(
        &self,
        scope: DashboardScope,
        window: &DayWindow,
    ) -> Result<DashboardCounts, StoreError> {
        let (sql, id) = statement(scope);
        self.read(sql, id, window).await
    }
}
