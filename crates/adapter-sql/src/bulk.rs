//! `PgBulkRows`: a seed's rows, many per statement. Each batch is one JSON array that
//! `jsonb_to_recordset` turns into rows, and search documents are computed by the same
//! expressions as the repositories' writes.

use crate::comments::search_vector as comment_search;
use crate::pool::{map_err, PgStore};
use crate::tasks::search_vector as task_search;
use crate::teams::permission_names;
use crate::users::{DetailsRow, NotifyRow};
use async_trait::async_trait;
use diesel::sql_types::Jsonb;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use serde_json::{json, Value};
use taskforge_domain::comments::Comment;
use taskforge_domain::identity::{PasswordHash, Profile};
use taskforge_domain::seed::{BulkRows, SeededTeam};
use taskforge_domain::tasks::Task;
use taskforge_domain::teams::default_permissions;
use taskforge_domain::StoreError;

pub struct PgBulkRows {
    store: PgStore,
}

impl PgBulkRows {
    pub fn new(store: PgStore) -> Self {
        Self { store }
    }

    /// Runs each statement with its rows as `$1`, all in one transaction.
    async fn insert(&self, statements: Vec<(String, Value)>) -> Result<(), StoreError> {
        self.store
            .transaction(async move |tx: &mut AsyncPgConnection| {
                for (sql, rows) in &statements {
                    diesel::sql_query(sql.as_str())
                        .bind::<Jsonb, _>(rows)
                        .execute(tx)
                        .await
                        .map_err(map_err)?;
                }
                Ok(())
            })
            .await
    }
}

/// `INSERT INTO {table} ({columns}) SELECT {select} FROM jsonb_to_recordset($1) AS r({record})`.
fn statement(table: &str, columns: &str, select: &str, record: &str) -> String {
    format!("INSERT INTO {table} ({columns}) SELECT {select} FROM jsonb_to_recordset($1) AS r({record})")
}

fn object(parts: [Value; 3]) -> Value {
    let mut merged = serde_json::Map::new();
    for part in parts {
        if let Value::Object(fields) = part {
            merged.extend(fields);
        }
    }
    Value::Object(merged)
}

#[async_trait]
impl BulkRows for PgBulkRows {
    async fn users(&self, users: &[Profile], hash: &PasswordHash) -> Result<(), StoreError> {
        let columns = "id, email, password_hash, first_name, last_name, created_at, updated_at, \
            profile_version, bio, profile_picture, theme, notify_email, notify_push, \
            notify_frequency, notify_time_zone, notify_quiet_start, notify_quiet_end";
        let record = "id uuid, email text, password_hash text, first_name text, last_name text, \
            created_at timestamptz, updated_at timestamptz, profile_version bigint, bio text, \
            profile_picture text, theme text, notify_email boolean, notify_push boolean, \
            notify_frequency text, notify_time_zone text, notify_quiet_start time, \
            notify_quiet_end time";
        let rows = users
            .iter()
            .map(|p| {
                let u = &p.user;
                Ok(object([
                    json!({
                        "id": u.id, "email": u.email.as_str(), "password_hash": hash.expose(),
                        "first_name": u.first_name.as_str(), "last_name": u.last_name.as_str(),
                        "created_at": u.created_at, "updated_at": u.created_at,
                        "profile_version": u.profile_version,
                    }),
                    serde_json::to_value(DetailsRow::from(&p.details))?,
                    serde_json::to_value(NotifyRow::from(&p.details.preferences.notifications))?,
                ]))
            })
            .collect::<Result<Vec<_>, serde_json::Error>>()
            .map_err(|e| StoreError::Internal(e.into()))?;
        let sql = statement("users", columns, columns, record);
        self.insert(vec![(sql, Value::Array(rows))]).await
    }

    async fn teams(&self, teams: &[SeededTeam]) -> Result<(), StoreError> {
        let permissions = default_permissions();
        let (mut team_rows, mut members, mut roles) = (vec![], vec![], vec![]);
        for SeededTeam { team, members: m } in teams {
            team_rows.push(json!({
                "id": team.id, "name": team.name.as_str(),
                "description": team.description.as_str(), "created_by": team.created_by,
                "created_at": team.created_at, "updated_at": team.created_at,
            }));
            members.extend(m.iter().map(|(user, role, joined)| {
                json!({ "team_id": team.id, "user_id": user, "role": role.as_str(), "joined_at": joined })
            }));
            roles.extend(permissions.iter().map(|(role, set)| {
                json!({ "team_id": team.id, "role": role.as_str(), "permissions": permission_names(set) })
            }));
        }
        let team_columns = "id, name, description, created_by, created_at, updated_at";
        let member_columns = "team_id, user_id, role, joined_at";
        let role_columns = "team_id, role, permissions";
        self.insert(vec![
            (
                statement("teams", team_columns, team_columns, "id uuid, name text, \
                    description text, created_by uuid, created_at timestamptz, updated_at timestamptz"),
                Value::Array(team_rows),
            ),
            (
                statement("team_memberships", member_columns, member_columns,
                    "team_id uuid, user_id uuid, role text, joined_at timestamptz"),
                Value::Array(members),
            ),
            (
                statement("role_permissions", role_columns, role_columns,
                    "team_id uuid, role text, permissions text[]"),
                Value::Array(roles),
            ),
        ])
        .await
    }

    async fn tasks(&self, tasks: &[Task]) -> Result<(), StoreError> {
        let rows = tasks
            .iter()
            .map(|t| {
                json!({
                    "id": t.task_id, "team_id": t.team_id, "title": t.title.as_str(),
                    "status": t.status.as_str(), "priority": t.priority.rank(),
                    "assignee_id": t.assignee_id, "creator_id": t.creator_id,
                    "due_date": t.due_date, "tags": t.tags.as_slice(),
                    "description": t.description.as_str(), "version": t.version,
                    "created_at": t.metadata.created, "updated_at": t.metadata.updated,
                    "custom_fields": t.custom_fields.as_map(), "attachments": t.attachments,
                })
            })
            .collect();
        let columns = "id, team_id, title, status, priority, assignee_id, creator_id, due_date, \
            tags, description, version, created_at, updated_at, custom_fields, attachments";
        // A seeded task in progress or done started when it was made; one done, finished when
        // it was last changed.
        let select = format!(
            "{columns}, {}, \
             CASE WHEN r.status IN ('in_progress', 'in_review', 'done') THEN r.created_at END, \
             CASE WHEN r.status = 'done' THEN r.updated_at END",
            task_search("r.title", "r.description", "r.tags", "r.attachments")
        );
        let record = "id uuid, team_id uuid, title text, status text, priority smallint, \
            assignee_id uuid, creator_id uuid, due_date timestamptz, tags text[], description text, \
            version bigint, created_at timestamptz, updated_at timestamptz, custom_fields jsonb, \
            attachments jsonb";
        let sql = statement(
            "tasks",
            &format!("{columns}, search, started_at, completed_at"),
            &select,
            record,
        );
        self.insert(vec![(sql, Value::Array(rows))]).await
    }

    async fn comments(&self, comments: &[Comment]) -> Result<(), StoreError> {
        let rows = comments
            .iter()
            .map(|c| {
                json!({
                    "id": c.comment_id, "task_id": c.task_id, "team_id": c.team_id,
                    "author_id": c.author_id, "content": c.content.as_str(),
                    "mentioned_users": c.mentioned_users, "created_at": c.created,
                    "last_edited_at": c.last_edited_at, "version": c.version,
                })
            })
            .collect();
        let columns = "id, task_id, team_id, author_id, content, mentioned_users, created_at, \
            last_edited_at, version";
        let select = format!("{columns}, {}", comment_search("r.content"));
        let record = "id uuid, task_id uuid, team_id uuid, author_id uuid, content text, \
            mentioned_users uuid[], created_at timestamptz, last_edited_at timestamptz, \
            version bigint";
        let sql = statement("comments", &format!("{columns}, search"), &select, record);
        self.insert(vec![(sql, Value::Array(rows))]).await
    }
}
