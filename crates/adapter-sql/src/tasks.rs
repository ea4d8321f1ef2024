//! `PgTaskRepository`: the relational core of tasks, their search index and their audit trail.

use crate::changes::{commit_all, in_change, one_row};
use crate::plans::{self, Explain};
use crate::pool::{map_err, PgStore, Query, TxError};
use crate::readable::{readable_teams, TeamBinds};
use crate::schema::{tasks, team_memberships};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel::sql_types::{
    Array, BigInt, Int8, Jsonb, Nullable, SmallInt, Text, Timestamptz, Uuid as SqlUuid,
};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use taskforge_domain::audit::AuditRecord;
use taskforge_domain::ids::{AttachmentId, AuditId, TaskId, TeamId, UserId};
use taskforge_domain::tasks::model::TaskMetadata;
use taskforge_domain::tasks::query::{Cursor, SortKey};
use taskforge_domain::tasks::{
    CustomFields, Description, Priority, SortField, Status, Tags, Task, TaskEdit, TaskQuery,
    TaskRepository, TaskTitle,
};
use taskforge_domain::write_path::{AuditAction, AuditEntityType, Change, Receipt};
use taskforge_domain::StoreError;
use uuid::Uuid;

pub struct PgTaskRepository {
    store: PgStore,
}

impl PgTaskRepository {
    pub fn new(store: PgStore) -> Self {
        Self { store }
    }
}

const ASSIGNEE: &str = "assignee";

/// The search vector of a task: its title, description, tags and the names of its files, as
/// `search_document()` (migration 14) makes it (each argument an SQL expression).
pub(crate) fn search_vector(title: &str, description: &str, tags: &str, files: &str) -> String {
    format!(
        "search_document({title} || ' ' || {description} || ' ' || array_to_string({tags}, ' ') \
         || ' ' || COALESCE((SELECT string_agg(a ->> 'name', ' ') \
         FROM jsonb_array_elements({files}) a), ''))"
    )
}

/// When the task first moved to in_progress, and when it was done (`$4` its status, `$13` the
/// time of the write); the dashboards' per-day series and cycle times read them.
const STARTED: &str = "CASE WHEN $4 = 'in_progress' THEN $13 END";
const COMPLETED: &str = "CASE WHEN $4 = 'done' THEN $13 END";

/// Refuses an assignee who is not a member of the team (holding their membership until commit),
/// unless the task already has them: a change that keeps a departed assignee is not refused.
async fn check_assignee(tx: &mut AsyncPgConnection, task: &Task) -> Result<(), TxError> {
    let Some(assignee) = task.assignee_id else {
        return Ok(());
    };
    let member: Option<Uuid> = team_memberships::table
        .find((task.team_id.as_uuid(), assignee.as_uuid()))
        .select(team_memberships::user_id)
        .for_share()
        .first(tx)
        .await
        .optional()?;
    if member.is_some() {
        return Ok(());
    }
    let kept: Option<Uuid> = tasks::table
        .find(task.task_id.as_uuid())
        .filter(tasks::assignee_id.eq(assignee.as_uuid()))
        .select(tasks::id)
        .first(tx)
        .await
        .optional()?;
    kept.map(drop)
        .ok_or(TxError(StoreError::Conflict(ASSIGNEE.into())))
}

/// Binds a task's columns as $1..$15 (the order both writes use).
fn write_query(sql: String, task: &Task) -> Query {
    diesel::sql_query(sql)
        .into_boxed()
        .bind::<SqlUuid, _>(task.task_id.as_uuid())
        .bind::<SqlUuid, _>(task.team_id.as_uuid())
        .bind::<Text, _>(task.title.as_str().to_owned())
        .bind::<Text, _>(task.status.as_str())
        .bind::<SmallInt, _>(task.priority.rank())
        .bind::<Nullable<SqlUuid>, _>(task.assignee_id.map(|a| a.as_uuid()))
        .bind::<SqlUuid, _>(task.creator_id.as_uuid())
        .bind::<Nullable<Timestamptz>, _>(task.due_date)
        .bind::<Array<Text>, _>(task.tags.as_slice().to_vec())
        .bind::<Text, _>(task.description.as_str().to_owned())
        .bind::<Int8, _>(task.version)
        .bind::<Timestamptz, _>(task.metadata.created)
        .bind::<Timestamptz, _>(task.metadata.updated)
        .bind::<Jsonb, _>(serde_json::Value::Object(
            task.custom_fields.as_map().clone(),
        ))
        .bind::<Jsonb, _>(serde_json::Value::Array(task.attachments.clone()))
}

/// Every column of a task, as `get`, `list` and `scan` select them.
const TASK_COLUMNS: &str = "t.id, t.team_id, t.title, t.status, t.priority, t.assignee_id, \
    t.creator_id, t.due_date, t.tags, t.description, t.custom_fields, t.attachments, t.version, \
    t.created_at, t.updated_at";

#[derive(QueryableByName)]
struct TaskRow {
    #[diesel(sql_type = SqlUuid)]
    id: Uuid,
    #[diesel(sql_type = SqlUuid)]
    team_id: Uuid,
    #[diesel(sql_type = Text)]
    title: String,
    #[diesel(sql_type = Text)]
    status: String,
    #[diesel(sql_type = SmallInt)]
    priority: i16,
    #[diesel(sql_type = Nullable<SqlUuid>)]
    assignee_id: Option<Uuid>,
    #[diesel(sql_type = SqlUuid)]
    creator_id: Uuid,
    #[diesel(sql_type = Nullable<Timestamptz>)]
    due_date: Option<DateTime<Utc>>,
    #[diesel(sql_type = Array<Text>)]
    tags: Vec<String>,
    #[diesel(sql_type = Text)]
    description: String,
    #[diesel(sql_type = Jsonb)]
    custom_fields: serde_json::Value,
    #[diesel(sql_type = Jsonb)]
    attachments: serde_json::Value,
    #[diesel(sql_type = BigInt)]
    version: i64,
    #[diesel(sql_type = Timestamptz)]
    created_at: DateTime<Utc>,
    #[diesel(sql_type = Timestamptz)]
    updated_at: DateTime<Utc>,
}

impl TaskRow {
    fn into_task(self) -> Result<Task, StoreError> {
        let corrupt =
            |what: &str| StoreError::Internal(anyhow::anyhow!("task {}: stored {what}", self.id));
        let status = Status::parse("status", &self.status).map_err(|_| corrupt("status"))?;
        let priority = Priority::ALL
            .into_iter()
            .find(|p| p.rank() == self.priority)
            .ok_or_else(|| corrupt("priority"))?;
        let serde_json::Value::Object(custom_fields) = self.custom_fields else {
            return Err(corrupt("custom fields"));
        };
        let serde_json::Value::Array(attachments) = self.attachments else {
            return Err(corrupt("attachments"));
        };
        Ok(Task {
            task_id: TaskId::from_uuid(self.id),
            team_id: TeamId::from_uuid(self.team_id),
            title: TaskTitle::from_stored(self.title),
            description: Description::from_stored(self.description),
            status,
            priority,
            assignee_id: self.assignee_id.map(UserId::from_uuid),
            creator_id: UserId::from_uuid(self.creator_id),
            due_date: self.due_date,
            tags: Tags::from_stored(self.tags),
            custom_fields: CustomFields::from_stored(custom_fields),
            attachments,
            version: self.version,
            metadata: TaskMetadata {
                created: self.created_at,
                updated: self.updated_at,
            },
        })
    }
}

#[derive(QueryableByName)]
struct ListedRow {
    #[diesel(embed)]
    task: TaskRow,
    #[diesel(sql_type = Nullable<Timestamptz>)]
    sort_time: Option<DateTime<Utc>>,
    #[diesel(sql_type = Nullable<SmallInt>)]
    sort_rank: Option<i16>,
}

impl ListedRow {
    /// The typed key a cursor carries: a rank, a time, or (due dates only) none.
    fn sort_key(&self) -> SortKey {
        match (self.sort_rank, self.sort_time) {
            (Some(rank), _) => SortKey::Rank(rank),
            (None, Some(time)) => SortKey::Time(time),
            (None, None) => SortKey::NoDueDate,
        }
    }
}

#[derive(QueryableByName)]
struct HistoryRow {
    #[diesel(sql_type = SqlUuid)]
    id: Uuid,
    #[diesel(sql_type = SqlUuid)]
    entity_id: Uuid,
    #[diesel(sql_type = Text)]
    action: String,
    #[diesel(sql_type = Nullable<SqlUuid>)]
    actor_id: Option<Uuid>,
    #[diesel(sql_type = Timestamptz)]
    at: DateTime<Utc>,
    #[diesel(sql_type = Nullable<Jsonb>)]
    previous_state: Option<serde_json::Value>,
    #[diesel(sql_type = Nullable<Jsonb>)]
    new_state: Option<serde_json::Value>,
    #[diesel(sql_type = Nullable<Text>)]
    ip: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    user_agent: Option<String>,
}

/// How a list query sorts: the expression it orders by, the typed key columns it selects (a
/// time and a rank, one of them NULL), the bound cursor key as the expression compares it, and
/// the expression over the selected keys (`x.sort_time`, `x.sort_rank`) that merges the teams'
/// pages. A missing due date sorts last either way.
struct SortSql {
    expr: &'static str,
    time: &'static str,
    rank: &'static str,
    cursor: &'static str,
    merged: &'static str,
}

fn sort_sql(field: SortField, descending: bool) -> SortSql {
    let (expr, cursor, merged) = match (field, descending) {
        (SortField::Created, _) => ("t.created_at", "?", "x.sort_time"),
        (SortField::Updated, _) => ("t.updated_at", "?", "x.sort_time"),
        (SortField::Due, false) => (
            "COALESCE(t.due_date, 'infinity'::timestamptz)",
            "COALESCE(?, 'infinity'::timestamptz)",
            "COALESCE(x.sort_time, 'infinity'::timestamptz)",
        ),
        (SortField::Due, true) => (
            "COALESCE(t.due_date, '-infinity'::timestamptz)",
            "COALESCE(?, '-infinity'::timestamptz)",
            "COALESCE(x.sort_time, '-infinity'::timestamptz)",
        ),
        (SortField::Priority, _) => ("t.priority", "?", "x.sort_rank"),
    };
    let (time, rank) = match field {
        SortField::Created => ("t.created_at", "NULL::smallint"),
        SortField::Updated => ("t.updated_at", "NULL::smallint"),
        SortField::Due => ("t.due_date", "NULL::smallint"),
        SortField::Priority => ("NULL::timestamptz", "t.priority"),
    };
    SortSql {
        expr,
        time,
        rank,
        cursor,
        merged,
    }
}

/// One page of the tasks of `teams` (those the caller may read), as `q` asks, with each task's
/// sort key; `head` precedes the statement (an `EXPLAIN`, or nothing).
///
/// Each team's page is read on its own (its id bound, up to `NAMED_TEAMS` teams, so that it is
/// planned with that team's statistics): walking the team's index in the page's order and stopping at `limit` rows, or
/// reading a filter's index when few of its rows match. The pages are then merged. A text filter
/// reads two pages per team, one matched by the task's own words and one by its comments', so
/// each can use its own full-text index.
fn list_query(head: &str, teams: &[Uuid], q: &TaskQuery) -> Query {
    let SortSql {
        expr,
        time,
        rank,
        cursor,
        merged,
    } = sort_sql(q.sort.field, q.sort.descending);
    let mut n = 0;
    let mut next = || {
        n += 1;
        format!("${n}")
    };
    // Each placeholder's bind is added below in the same order: the teams first.
    let teams = TeamBinds::new(teams, &mut next);
    let mut filters = String::new();
    if !q.statuses.is_empty() {
        filters += &format!(" AND t.status = ANY ({})", next());
    }
    if !q.priorities.is_empty() {
        filters += &format!(" AND t.priority = ANY ({})", next());
    }
    if q.assignee.is_some() {
        filters += &format!(" AND t.assignee_id = {}", next());
    }
    if !q.tags.is_empty() {
        filters += &format!(" AND t.tags @> {}", next());
    }
    if q.due_before.is_some() {
        filters += &format!(" AND t.due_date < {}", next());
    }
    if q.due_after.is_some() {
        filters += &format!(" AND t.due_date > {}", next());
    }
    let text = q.text.as_ref().map(|_| next());
    let (cmp, order) = if q.sort.descending {
        ("<", "DESC")
    } else {
        (">", "ASC")
    };
    if q.after.is_some() {
        let key = cursor.replace('?', &next());
        filters += &format!(" AND (({expr}), t.id) {cmp} ({key}, {})", next());
    }
    let limit = next();
    let page = |team: &str, matched: &str| {
        format!(
            "(SELECT {TASK_COLUMNS}, {time} AS sort_time, {rank} AS sort_rank FROM tasks t \
             WHERE t.team_id = {team}{filters}{matched} \
             ORDER BY {expr} {order}, t.id {order} LIMIT {limit})"
        )
    };
    let pages = match &text {
        None => teams.each("UNION ALL", |team| page(team, "")),
        Some(p) => teams.each("UNION", |team| {
            let own = page(
                team,
                &format!(" AND t.search @@ websearch_to_tsquery('simple', {p})"),
            );
            let comments = page(
                team,
                &format!(
                    " AND EXISTS (SELECT 1 FROM comments c WHERE c.task_id = t.id \
                     AND c.team_id = {team} \
                     AND c.search @@ websearch_to_tsquery('simple', {p}))"
                ),
            );
            format!("{own} UNION {comments}")
        }),
    };
    let sql = format!(
        "{head}SELECT x.* FROM {pages} x ORDER BY {merged} {order}, x.id {order} LIMIT {limit}"
    );

    let mut query = teams.bind(diesel::sql_query(sql).into_boxed());
    if !q.statuses.is_empty() {
        query =
            query.bind::<Array<Text>, _>(q.statuses.iter().map(|s| s.as_str()).collect::<Vec<_>>());
    }
    if !q.priorities.is_empty() {
        query = query
            .bind::<Array<SmallInt>, _>(q.priorities.iter().map(|p| p.rank()).collect::<Vec<_>>());
    }
    if let Some(assignee) = q.assignee {
        query = query.bind::<SqlUuid, _>(assignee.as_uuid());
    }
    if !q.tags.is_empty() {
        query = query.bind::<Array<Text>, _>(q.tags.clone());
    }
    if let Some(before) = q.due_before {
        query = query.bind::<Timestamptz, _>(before);
    }
    if let Some(after) = q.due_after {
        query = query.bind::<Timestamptz, _>(after);
    }
    if let Some(text) = &q.text {
        query = query.bind::<Text, _>(text.clone());
    }
    if let Some(after) = &q.after {
        query = match after.key {
            SortKey::Time(t) => query.bind::<Nullable<Timestamptz>, _>(Some(t)),
            SortKey::NoDueDate => query.bind::<Nullable<Timestamptz>, _>(None::<DateTime<Utc>>),
            SortKey::Rank(rank) => query.bind::<SmallInt, _>(rank),
        }
        .bind::<SqlUuid, _>(after.id.as_uuid());
    }
    query.bind::<BigInt, _>(q.limit)
}

/// The tasks an edit applies to.
#[derive(Clone, Copy)]
enum Edited {
    One(TaskId),
    AssignedTo(TeamId, UserId),
}

impl Edited {
    /// Selects the tasks and locks them until the transaction ends, in id order (so two edits
    /// of the same tasks never deadlock).
    fn lock(self) -> Query {
        let all = format!("SELECT {TASK_COLUMNS} FROM tasks t");
        match self {
            Edited::One(id) => diesel::sql_query(format!("{all} WHERE t.id = $1 FOR UPDATE"))
                .into_boxed()
                .bind::<SqlUuid, _>(id.as_uuid()),
            Edited::AssignedTo(team, user) => diesel::sql_query(format!(
                "{all} WHERE t.team_id = $1 AND t.assignee_id = $2 ORDER BY t.id FOR UPDATE"
            ))
            .into_boxed()
            .bind::<SqlUuid, _>(team.as_uuid())
            .bind::<SqlUuid, _>(user.as_uuid()),
        }
    }
}

impl PgTaskRepository {
    /// The plan of `list(user, q)`'s statement (`None` when `user` may read no team's tasks).
    pub async fn explain_list(
        &self,
        user: UserId,
        q: &TaskQuery,
        how: Explain,
    ) -> Result<Option<String>, StoreError> {
        let teams = self
            .store
            .run(async |conn| readable_teams(conn, user, q.team).await)
            .await?;
        if teams.is_empty() {
            return Ok(None);
        }
        let explained = |head: &str| list_query(head, &teams, q);
        plans::explain(&self.store, how, explained).await.map(Some)
    }

    /// Applies `edit` to the tasks `which` selects, holding them locked, and commits them with
    /// their changes in one transaction.
    async fn edit(
        &self,
        which: Edited,
        edit: &TaskEdit,
    ) -> Result<(Vec<Task>, Receipt), StoreError> {
        let edit = edit.clone();
        let lease_length = self.store.outbox_lease();
        self.store
            .transaction(async move |tx| {
                let rows: Vec<TaskRow> = which.lock().load(tx).await?;
                let mut edited = Vec::with_capacity(rows.len());
                let mut changes = Vec::with_capacity(rows.len());
                for row in rows {
                    let (next, change) = edit.apply(&row.into_task()?)?;
                    check_assignee(tx, &next).await?;
                    // One binding order serves both writes; $2, $7 and $12 (team, creator,
                    // creation time) never change and are left unused here.
                    let search = search_vector("$3", "$10", "$9", "$15");
                    let sql = format!(
                        "UPDATE tasks SET title = $3, status = $4, priority = $5, \
                         assignee_id = $6, due_date = $8, tags = $9, search = {search}, \
                         description = $10, version = $11, updated_at = $13, \
                         custom_fields = $14, attachments = $15, \
                         started_at = COALESCE(started_at, {STARTED}), \
                         completed_at = CASE WHEN $4 = 'done' \
                             THEN COALESCE(completed_at, $13) END \
                         WHERE id = $1"
                    );
                    write_query(sql, &next).execute(tx).await?;
                    edited.push(next);
                    changes.push(change);
                }
                let receipt = commit_all(tx, &changes, lease_length).await?;
                Ok((edited, receipt))
            })
            .await
    }
}

#[async_trait]
impl TaskRepository for PgTaskRepository {
    async fn create(&self, task: &Task, change: Change) -> Result<Receipt, StoreError> {
        let task = task.clone();
        in_change(&self.store, change, async move |tx| {
                check_assignee(tx, &task).await?;
                let search = search_vector("$3", "$10", "$9", "$15");
                let sql = format!(
                    "INSERT INTO tasks (id, team_id, title, status, priority, assignee_id, creator_id, \
                     due_date, tags, search, description, version, created_at, updated_at, \
                     custom_fields, attachments, started_at, completed_at) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, {search}, $10, $11, $12, $13, $14, \
                     $15, {STARTED}, {COMPLETED})"
                );
                write_query(sql, &task).execute(tx).await?;
                Ok(())
        })
        .await
    }

    async fn get(&self, id: TaskId) -> Result<Option<Task>, StoreError> {
        let row: Option<TaskRow> = self
            .store
            .run(async move |conn| {
                diesel::sql_query(format!(
                    "SELECT {TASK_COLUMNS} FROM tasks t WHERE t.id = $1"
                ))
                .bind::<SqlUuid, _>(id.as_uuid())
                .get_result(conn)
                .await
                .optional()
                .map_err(map_err)
            })
            .await?;
        row.map(TaskRow::into_task).transpose()
    }

    async fn with_attachment(&self, attachment: AttachmentId) -> Result<Option<Task>, StoreError> {
        let held = serde_json::json!([{ "attachmentId": attachment }]);
        let row: Option<TaskRow> = self
            .store
            .run(async move |conn| {
                diesel::sql_query(format!(
                    "SELECT {TASK_COLUMNS} FROM tasks t WHERE t.attachments @> $1"
                ))
                .bind::<Jsonb, _>(held.clone())
                .get_result(conn)
                .await
                .optional()
                .map_err(map_err)
            })
            .await?;
        row.map(TaskRow::into_task).transpose()
    }

    async fn modify(&self, id: TaskId, edit: &TaskEdit) -> Result<(Task, Receipt), StoreError> {
        let (tasks, receipt) = self.edit(Edited::One(id), edit).await?;
        let task = tasks.into_iter().next().ok_or(StoreError::NotFound)?;
        Ok((task, receipt))
    }

    async fn modify_assigned(
        &self,
        team: TeamId,
        user: UserId,
        edit: &TaskEdit,
    ) -> Result<Receipt, StoreError> {
        let (_, receipt) = self.edit(Edited::AssignedTo(team, user), edit).await?;
        Ok(receipt)
    }

    async fn delete(&self, id: TaskId, change: Change) -> Result<Receipt, StoreError> {
        in_change(&self.store, change, async move |tx| {
            let n = diesel::delete(tasks::table.find(id.as_uuid()))
                .execute(tx)
                .await?;
            one_row(n, StoreError::NotFound)
        })
        .await
    }

    async fn list(&self, user: UserId, q: &TaskQuery) -> Result<Vec<(Task, Cursor)>, StoreError> {
        let q = q.clone();
        let rows: Vec<ListedRow> = self
            .store
            .run(async move |conn| {
                let teams = readable_teams(conn, user, q.team).await?;
                if teams.is_empty() {
                    return Ok(vec![]);
                }
                list_query("", &teams, &q).load(conn).await.map_err(map_err)
            })
            .await?;
        rows.into_iter()
            .map(|r| {
                let key = r.sort_key();
                let task = r.task.into_task()?;
                let cursor = Cursor {
                    key,
                    id: task.task_id,
                };
                Ok((task, cursor))
            })
            .collect()
    }

    async fn history(
        &self,
        id: TaskId,
        before: Option<AuditId>,
        limit: i64,
    ) -> Result<Vec<AuditRecord>, StoreError> {
        let rows: Vec<HistoryRow> = self
            .store
            .run(async move |conn| {
                diesel::sql_query(
                    "SELECT id, entity_id, action, actor_id, at, previous_state, new_state, ip, user_agent \
                     FROM audit_log a WHERE entity_type = 'task' AND entity_id = $1 \
                     AND ($2::uuid IS NULL OR (a.at, a.id) < (SELECT b.at, b.id FROM audit_log b WHERE b.id = $2)) \
                     ORDER BY at DESC, id DESC LIMIT $3",
                )
                .bind::<SqlUuid, _>(id.as_uuid())
                .bind::<Nullable<SqlUuid>, _>(before.map(|b| b.as_uuid()))
                .bind::<BigInt, _>(limit)
                .load(conn)
                .await
                .map_err(map_err)
            })
            .await?;
        rows.into_iter()
            .map(|r| {
                Ok(AuditRecord {
                    id: AuditId::from_uuid(r.id),
                    entity_type: AuditEntityType::Task,
                    entity_id: r.entity_id,
                    action: AuditAction::parse(&r.action).ok_or_else(|| {
                        StoreError::Internal(anyhow::anyhow!("stored audit action {}", r.action))
                    })?,
                    actor_id: r.actor_id.map(UserId::from_uuid),
                    at: r.at,
                    previous_state: r.previous_state,
                    new_state: r.new_state,
                    ip: r.ip,
                    user_agent: r.user_agent,
                })
            })
            .collect()
    }

    async fn scan(&self, after: Option<TaskId>, limit: i64) -> Result<Vec<Task>, StoreError> {
        let after = after.map_or(Uuid::nil(), |a| a.as_uuid());
        let rows: Vec<TaskRow> = self
            .store
            .run(async move |conn| {
                diesel::sql_query(format!(
                    "SELECT {TASK_COLUMNS} FROM tasks t WHERE t.id > $1 ORDER BY t.id LIMIT $2"
                ))
                .bind::<SqlUuid, _>(after)
                .bind::<BigInt, _>(limit)
                .load(conn)
                .await
                .map_err(map_err)
            })
            .await?;
        rows.into_iter().map(TaskRow::into_task).collect()
    }
}
