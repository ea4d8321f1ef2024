//! `PgSearch`: full-text search over tasks' and comments' search vectors (GIN indexes
//! `tasks_team_search` and `comments_team_search`), ranked by `ts_rank` among the newest matches of each
//! kind, snippets by `ts_headline`, which runs only for the rows of the page.

use crate::plans::{self, Explain};
use crate::pool::{map_err, PgStore, Query};
use crate::readable::{readable_teams, TeamBinds};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use diesel::sql_types::{BigInt, Float4, Text, Timestamptz, Uuid as SqlUuid};
use diesel::QueryableByName;
use diesel_async::RunQueryDsl;
use taskforge_domain::ids::{TaskId, TeamId, UserId};
use taskforge_domain::search::{
    SearchHit, SearchIndex, SearchKind, SearchQuery, MARK_END, MARK_START,
};
use taskforge_domain::StoreError;
use uuid::Uuid;

/// The query, written out in each predicate (not joined from a CTE) so that each team's part is
/// planned knowing how many rows its words match.
const QUERY: &str = "to_tsquery('simple', $1)";

/// What a task's snippet is cut from: the text its search vector holds.
const TASK_TEXT: &str = "t.title || ' ' || t.description || ' ' || array_to_string(t.tags, ' ') \
    || ' ' || COALESCE((SELECT string_agg(a ->> 'name', ' ') FROM jsonb_array_elements(t.attachments) a), '')";

pub struct PgSearch {
    store: PgStore,
}

impl PgSearch {
    pub fn new(store: PgStore) -> Self {
        Self { store }
    }
}

#[derive(QueryableByName)]
struct HitRow {
    #[diesel(sql_type = Text)]
    kind: String,
    #[diesel(sql_type = SqlUuid)]
    id: Uuid,
    #[diesel(sql_type = SqlUuid)]
    task_id: Uuid,
    #[diesel(sql_type = SqlUuid)]
    team_id: Uuid,
    #[diesel(sql_type = Text)]
    title: String,
    #[diesel(sql_type = Text)]
    snippet: String,
    #[diesel(sql_type = Float4)]
    score: f32,
    #[diesel(sql_type = Timestamptz)]
    created_at: DateTime<Utc>,
}

/// How many matches of each kind are ranked at most: the newest ones. Ranking reads each
/// candidate's vector, so a common word costs this many rows however many tasks there are.
const CANDIDATES: u32 = 1000;

/// The newest `CANDIDATES` rows of `table` (aliased `alias`, selecting `columns`) in the teams
/// `teams` whose vector matches: each team's read on its own, along its
/// `(team_id, created_at DESC, id DESC)` index, or its `(team_id, search)` index when the
/// planner expects few of that team's rows to match.
fn newest_matches(table: &str, alias: &str, columns: &str, teams: &TeamBinds) -> String {
    let per_team = teams.each("UNION ALL", |team| {
        format!(
            "(SELECT {columns}, {alias}.search, {alias}.created_at FROM {table} {alias} \
             WHERE {alias}.team_id = {team} AND {alias}.search @@ {QUERY} \
             ORDER BY {alias}.created_at DESC, {alias}.id DESC LIMIT {CANDIDATES})"
        )
    });
    format!(
        "(SELECT n.* FROM {per_team} n ORDER BY n.created_at DESC, n.id DESC LIMIT {CANDIDATES})"
    )
}

/// The statement of `query` (`tsquery` its text as a `tsquery`) over `teams` (those the caller
/// may read) and its binds, in order; `head` precedes it (an `EXPLAIN`, or nothing).
fn statement(head: &str, teams: &[Uuid], tsquery: String, query: &SearchQuery) -> Query {
    // $1 tsquery, $2 headline options, $3 limit, then the teams and the cursor.
    let mut n = 3;
    let mut next = || {
        n += 1;
        format!("${n}")
    };
    let teams = TeamBinds::new(teams, &mut next);
    let cursor = query.after.map(|_| (next(), next(), next()));
    let mut branches = Vec::new();
    if query.kinds.contains(&SearchKind::Task) {
        branches.push(format!(
            "SELECT 'task' AS kind, t.id, t.id AS task_id, t.team_id, \
             ts_rank(t.search, {QUERY}) AS score, t.created_at FROM {} t",
            newest_matches("tasks", "t", "t.id, t.team_id", &teams)
        ));
    }
    if query.kinds.contains(&SearchKind::Comment) {
        branches.push(format!(
            "SELECT 'comment' AS kind, c.id, c.task_id, c.team_id, \
             ts_rank(c.search, {QUERY}) AS score, c.created_at FROM {} c",
            newest_matches("comments", "c", "c.id, c.task_id, c.team_id", &teams)
        ));
    }
    let after = cursor
        .as_ref()
        .map(|(s, c, i)| format!(" WHERE (score, created_at, id) < ({s}, {c}, {i})"))
        .unwrap_or_default();
    let sql = format!(
        "{head}WITH hits AS ({}), \
         page AS (SELECT * FROM hits{after} \
                  ORDER BY score DESC, created_at DESC, id DESC LIMIT $3) \
         SELECT page.kind, page.id, page.task_id, page.team_id, t.title, \
                CASE WHEN page.kind = 'task' THEN ts_headline('simple', {TASK_TEXT}, {QUERY}, $2) \
                     ELSE ts_headline('simple', c.content, {QUERY}, $2) END AS snippet, \
                page.score, page.created_at \
         FROM page JOIN tasks t ON t.id = page.task_id \
         LEFT JOIN comments c ON page.kind = 'comment' AND c.id = page.id \
         ORDER BY page.score DESC, page.created_at DESC, page.id DESC",
        branches.join(" UNION ALL ")
    );
    let options = format!(
        "StartSel=\"{MARK_START}\", StopSel=\"{MARK_END}\", MinWords=8, MaxWords=24, \
         MaxFragments=2, FragmentDelimiter=\" … \""
    );
    let q = diesel::sql_query(sql)
        .into_boxed()
        .bind::<Text, _>(tsquery)
        .bind::<Text, _>(options)
        .bind::<BigInt, _>(i64::try_from(query.limit).unwrap_or(i64::MAX));
    let mut q = teams.bind(q);
    if let Some(after) = query.after {
        q = q
            .bind::<Float4, _>(after.score)
            .bind::<Timestamptz, _>(after.created)
            .bind::<SqlUuid, _>(after.id);
    }
    q
}

impl PgSearch {
    /// The plan of `search(user, query)`'s statement (`None` for a query that reads nothing).
    pub async fn explain_search(
        &self,
        user: UserId,
        query: &SearchQuery,
        how: Explain,
    ) -> Result<Option<String>, StoreError> {
        let Some(tsquery) = query.text.to_tsquery() else {
            return Ok(None);
        };
        let teams = self
            .store
            .run(async |conn| readable_teams(conn, user, query.team).await)
            .await?;
        if teams.is_empty() || query.kinds.is_empty() {
            return Ok(None);
        }
        let explained = |head: &str| statement(head, &teams, tsquery.clone(), query);
        plans::explain(&self.store, how, explained).await.map(Some)
    }
}

#[async_trait]
impl SearchIndex for PgSearch {
    async fn search(
        &self,
        user: UserId,
        query: &SearchQuery,
    ) -> Result<Vec<SearchHit>, StoreError> {
        let Some(tsquery) = query.text.to_tsquery() else {
            return Ok(vec![]);
        };
        if query.kinds.is_empty() {
            return Ok(vec![]);
        }
        let query = query.clone();
        let rows: Vec<HitRow> = self
            .store
            .run(async move |conn| {
                let teams = readable_teams(conn, user, query.team).await?;
                if teams.is_empty() {
                    return Ok(vec![]);
                }
                statement("", &teams, tsquery.clone(), &query)
                    .load(conn)
                    .await
                    .map_err(map_err)
            })
            .await?;
        Ok(rows
            .into_iter()
            .map(|r| SearchHit {
                kind: if r.kind == "task" {
                    SearchKind::Task
                } else {
                    SearchKind::Comment
                },
                id: r.id,
                task_id: TaskId::from_uuid(r.task_id),
                team_id: TeamId::from_uuid(r.team_id),
                title: r.title,
                snippet: r.snippet,
                score: r.score,
                created: r.created_at,
            })
            .collect())
    }
}
