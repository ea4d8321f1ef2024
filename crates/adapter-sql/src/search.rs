//! `PgSearch`: full-text search over tasks' and comments' search vectors (GIN indexes
//! `tasks_search` and `comments_search`), ranked by `ts_rank`, snippets by `ts_headline`, which
//! runs only for the rows of the page.

use crate::pool::{map_err, PgStore};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use diesel::pg::Pg;
use diesel::query_builder::BoxedSqlQuery;
use diesel::sql_types::{BigInt, Float4, Text, Timestamptz, Uuid as SqlUuid};
use diesel::QueryableByName;
use diesel_async::RunQueryDsl;
use taskforge_domain::ids::{TaskId, TeamId, UserId};
use taskforge_domain::search::{
    SearchHit, SearchIndex, SearchKind, SearchQuery, MARK_END, MARK_START,
};
use taskforge_domain::StoreError;
use uuid::Uuid;

/// The teams whose tasks `$1` may read.
const READABLE: &str = "SELECT m.team_id FROM team_memberships m JOIN role_permissions p \
    ON p.team_id = m.team_id AND p.role = m.role \
    WHERE m.user_id = $1 AND 'task.read' = ANY (p.permissions)";

/// What a task's snippet is cut from: the text its search vector holds.
const TASK_TEXT: &str = "t.title || ' ' || t.description || ' ' || array_to_string(t.tags, ' ') \
    || ' ' || COALESCE((SELECT string_agg(a ->> 'name', ' ') FROM jsonb_array_elements(t.attachments) a), '')";

type Query = BoxedSqlQuery<'static, Pg, diesel::query_builder::SqlQuery>;

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

/// The statement of `query` (`tsquery` its text as a `tsquery`) and its binds, in order.
fn statement(user: UserId, tsquery: String, query: &SearchQuery) -> Query {
    // $1 user, $2 tsquery, $3 headline options, $4 limit, then the optional ones.
    let mut n = 4;
    let mut next = || {
        n += 1;
        format!("${n}")
    };
    let team = query.team.map(|_| next());
    let cursor = query.after.map(|_| (next(), next(), next()));
    let in_team = |alias: &str| {
        team.as_ref()
            .map(|p| format!(" AND {alias}.team_id = {p}"))
            .unwrap_or_default()
    };
    let mut branches = Vec::new();
    if query.kinds.contains(&SearchKind::Task) {
        branches.push(format!(
            "SELECT 'task' AS kind, t.id, t.id AS task_id, t.team_id, \
             ts_rank(t.search, q.query) AS score, t.created_at \
             FROM tasks t, q WHERE t.search @@ q.query AND t.team_id IN ({READABLE}){}",
            in_team("t")
        ));
    }
    if query.kinds.contains(&SearchKind::Comment) {
        branches.push(format!(
            "SELECT 'comment' AS kind, c.id, c.task_id, c.team_id, \
             ts_rank(c.search, q.query) AS score, c.created_at \
             FROM comments c, q WHERE c.search @@ q.query \
             AND c.team_id IN ({READABLE}){}",
            in_team("c")
        ));
    }
    let after = cursor
        .as_ref()
        .map(|(s, c, i)| format!(" WHERE (score, created_at, id) < ({s}, {c}, {i})"))
        .unwrap_or_default();
    let sql = format!(
        "WITH q AS (SELECT to_tsquery('simple', $2) AS query), \
         hits AS ({}), \
         page AS (SELECT * FROM hits{after} \
                  ORDER BY score DESC, created_at DESC, id DESC LIMIT $4) \
         SELECT page.kind, page.id, page.task_id, page.team_id, t.title, \
                CASE WHEN page.kind = 'task' THEN ts_headline('simple', {TASK_TEXT}, q.query, $3) \
                     ELSE ts_headline('simple', c.content, q.query, $3) END AS snippet, \
                page.score, page.created_at \
         FROM page JOIN tasks t ON t.id = page.task_id \
         LEFT JOIN comments c ON page.kind = 'comment' AND c.id = page.id CROSS JOIN q \
         ORDER BY page.score DESC, page.created_at DESC, page.id DESC",
        branches.join(" UNION ALL ")
    );
    let options = format!(
        "StartSel=\"{MARK_START}\", StopSel=\"{MARK_END}\", MinWords=8, MaxWords=24, \
         MaxFragments=2, FragmentDelimiter=\" … \""
    );
    let mut q = diesel::sql_query(sql)
        .into_boxed()
        .bind::<SqlUuid, _>(user.as_uuid())
        .bind::<Text, _>(tsquery)
        .bind::<Text, _>(options)
        .bind::<BigInt, _>(i64::try_from(query.limit).unwrap_or(i64::MAX));
    if let Some(team) = query.team {
        q = q.bind::<SqlUuid, _>(team.as_uuid());
    }
    if let Some(after) = query.after {
        q = q
            .bind::<Float4, _>(after.score)
            .bind::<Timestamptz, _>(after.created)
            .bind::<SqlUuid, _>(after.id);
    }
    q
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
                statement(user, tsquery.clone(), &query)
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
