//! `PgCommentRepository`: comments' rows, their search vectors and the pages of a task's
//! comments.

use crate::changes::{in_change, one_row};
use crate::pool::{map_err, PgStore, TxError};
use crate::schema::comments;
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel::sql_types::{Array, BigInt, Nullable, Text, Timestamptz, Uuid as SqlUuid};
use diesel_async::RunQueryDsl;
use taskforge_domain::comments::{Comment, CommentContent, CommentCursor, CommentRepository};
use taskforge_domain::ids::{CommentId, TaskId, TeamId, UserId};
use taskforge_domain::write_path::{Change, Receipt};
use taskforge_domain::StoreError;
use uuid::Uuid;

pub struct PgCommentRepository {
    store: PgStore,
}

impl PgCommentRepository {
    pub fn new(store: PgStore) -> Self {
        Self { store }
    }
}

#[derive(Queryable, Selectable)]
#[diesel(table_name = comments)]
struct CommentRow {
    id: Uuid,
    task_id: Uuid,
    team_id: Uuid,
    author_id: Uuid,
    content: String,
    mentioned_users: Vec<Uuid>,
    created_at: DateTime<Utc>,
    last_edited_at: Option<DateTime<Utc>>,
    version: i64,
}

impl From<CommentRow> for Comment {
    fn from(r: CommentRow) -> Self {
        Self {
            comment_id: CommentId::from_uuid(r.id),
            task_id: TaskId::from_uuid(r.task_id),
            team_id: TeamId::from_uuid(r.team_id),
            author_id: UserId::from_uuid(r.author_id),
            content: CommentContent::from_stored(r.content),
            mentioned_users: r
                .mentioned_users
                .into_iter()
                .map(UserId::from_uuid)
                .collect(),
            created: r.created_at,
            last_edited_at: r.last_edited_at,
            version: r.version,
        }
    }
}

/// The search vector of a comment (`content` an SQL expression), as `search_document()`
/// (migration 14) makes it.
pub(crate) fn search_vector(content: &str) -> String {
    format!("search_document({content})")
}

#[async_trait]
impl CommentRepository for PgCommentRepository {
    async fn create(&self, comment: &Comment, change: Change) -> Result<Receipt, StoreError> {
        let c = comment.clone();
        in_change(&self.store, change, async move |tx| {
            diesel::sql_query(format!(
                "INSERT INTO comments (id, task_id, team_id, author_id, content, mentioned_users, \
                 created_at, last_edited_at, version, search) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, {})",
                search_vector("$5")
            ))
            .bind::<SqlUuid, _>(c.comment_id.as_uuid())
            .bind::<SqlUuid, _>(c.task_id.as_uuid())
            .bind::<SqlUuid, _>(c.team_id.as_uuid())
            .bind::<SqlUuid, _>(c.author_id.as_uuid())
            .bind::<Text, _>(c.content.as_str())
            .bind::<Array<SqlUuid>, _>(
                c.mentioned_users
                    .iter()
                    .map(|u| u.as_uuid())
                    .collect::<Vec<_>>(),
            )
            .bind::<Timestamptz, _>(c.created)
            .bind::<Nullable<Timestamptz>, _>(c.last_edited_at)
            .bind::<BigInt, _>(c.version)
            .execute(tx)
            .await?;
            Ok(())
        })
        .await
    }

    async fn get(&self, id: CommentId) -> Result<Option<Comment>, StoreError> {
        let row: Option<CommentRow> = self
            .store
            .run(async move |conn| {
                comments::table
                    .find(id.as_uuid())
                    .select(CommentRow::as_select())
                    .first(conn)
                    .await
                    .optional()
                    .map_err(map_err)
            })
            .await?;
        Ok(row.map(Comment::from))
    }

    async fn update(&self, next: &Comment, change: Change) -> Result<Receipt, StoreError> {
        let c = next.clone();
        in_change(&self.store, change, async move |tx| {
            let updated = diesel::sql_query(format!(
                "UPDATE comments SET content = $2, search = {}, \
                 last_edited_at = $3, version = $4 WHERE id = $1 AND version = $4 - 1",
                search_vector("$2")
            ))
            .bind::<SqlUuid, _>(c.comment_id.as_uuid())
            .bind::<Text, _>(c.content.as_str())
            .bind::<Nullable<Timestamptz>, _>(c.last_edited_at)
            .bind::<BigInt, _>(c.version)
            .execute(tx)
            .await?;
            if updated == 0 {
                let exists = diesel::select(diesel::dsl::exists(
                    comments::table.find(c.comment_id.as_uuid()),
                ))
                .get_result::<bool>(tx)
                .await?;
                return Err(TxError(if exists {
                    StoreError::StaleVersion
                } else {
                    StoreError::NotFound
                }));
            }
            Ok(())
        })
        .await
    }

    async fn delete(&self, id: CommentId, change: Change) -> Result<Receipt, StoreError> {
        in_change(&self.store, change, async move |tx| {
            let deleted = diesel::delete(comments::table.find(id.as_uuid()))
                .execute(tx)
                .await?;
            one_row(deleted, StoreError::NotFound)
        })
        .await
    }

    async fn scan(&self, after: Option<CommentId>, limit: i64) -> Result<Vec<Comment>, StoreError> {
        let rows: Vec<CommentRow> = self
            .store
            .run(async move |conn| {
                let mut q = comments::table.into_boxed();
                if let Some(after) = after {
                    q = q.filter(comments::id.gt(after.as_uuid()));
                }
                q.order(comments::id)
                    .limit(limit)
                    .select(CommentRow::as_select())
                    .load(conn)
                    .await
                    .map_err(map_err)
            })
            .await?;
        Ok(rows.into_iter().map(Comment::from).collect())
    }

    async fn page(
        &self,
        task: TaskId,
        after: Option<CommentCursor>,
        limit: i64,
    ) -> Result<Vec<Comment>, StoreError> {
        let rows: Vec<CommentRow> = self
            .store
            .run(async move |conn| {
                let mut q = comments::table
                    .filter(comments::task_id.eq(task.as_uuid()))
                    .into_boxed();
                if let Some(c) = after {
                    q = q.filter(
                        comments::created_at.gt(c.created).or(comments::created_at
                            .eq(c.created)
                            .and(comments::id.gt(c.id.as_uuid()))),
                    );
                }
                q.order((comments::created_at, comments::id))
                    .limit(limit)
                    .select(CommentRow::as_select())
                    .load(conn)
                    .await
                    .map_err(map_err)
            })
            .await?;
        Ok(rows.into_iter().map(Comment::from).collect())
    }
}
