//! `MongoCommentDocuments`: the `comments` collection, one document per comment, in the
//! seed's model (`taskId`, `authorId`, `content`, `attachments`, `mentionedUsers`, `created`,
//! `edited`, `lastEditedAt`), with the version the write path guards it by.

use crate::fields::{corrupt, date, id, time};
use crate::store::MongoStore;
use async_trait::async_trait;
use mongodb::bson::{self, doc, Document};
use serde::{Deserialize, Serialize};
use taskforge_domain::comments::{Comment, CommentContent, CommentDocuments};
use taskforge_domain::ids::{CommentId, TaskId, TeamId, UserId};
use taskforge_domain::StoreError;

pub(crate) const COLLECTION: &str = "comments";

#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct CommentDocument {
    #[serde(rename = "_id")]
    id: String,
    task_id: String,
    team_id: String,
    author_id: String,
    content: String,
    /// Files attached to the comment itself; none yet (attachments belong to tasks).
    attachments: Vec<bson::Bson>,
    mentioned_users: Vec<String>,
    created: bson::DateTime,
    edited: bool,
    last_edited_at: Option<bson::DateTime>,
    version: i64,
}

impl From<&Comment> for CommentDocument {
    fn from(c: &Comment) -> Self {
        Self {
            id: c.comment_id.to_string(),
            task_id: c.task_id.to_string(),
            team_id: c.team_id.to_string(),
            author_id: c.author_id.to_string(),
            content: c.content.as_str().to_owned(),
            attachments: vec![],
            mentioned_users: c.mentioned_users.iter().map(ToString::to_string).collect(),
            created: date(c.created),
            edited: c.edited(),
            last_edited_at: c.last_edited_at.map(date),
            version: c.version,
        }
    }
}

impl TryFrom<CommentDocument> for Comment {
    type Error = StoreError;

    fn try_from(d: CommentDocument) -> Result<Self, StoreError> {
        Ok(Comment {
            comment_id: id::<CommentId>("_id", &d.id)?,
            task_id: id::<TaskId>("taskId", &d.task_id)?,
            team_id: id::<TeamId>("teamId", &d.team_id)?,
            author_id: id::<UserId>("authorId", &d.author_id)?,
            content: CommentContent::parse("content", d.content)
                .map_err(|e| corrupt("content", e))?,
            mentioned_users: d
                .mentioned_users
                .iter()
                .map(|u| id::<UserId>("mentionedUsers", u))
                .collect::<Result<_, _>>()?,
            created: time("created", d.created)?,
            last_edited_at: d
                .last_edited_at
                .map(|at| time("lastEditedAt", at))
                .transpose()?,
            version: d.version,
        })
    }
}

pub struct MongoCommentDocuments {
    store: MongoStore,
}

impl MongoCommentDocuments {
    pub fn new(store: MongoStore) -> Self {
        Self { store }
    }

    fn collection(&self) -> mongodb::Collection<Document> {
        self.store.database().collection(COLLECTION)
    }

    async fn delete_matching(&self, filter: Document) -> Result<(), StoreError> {
        let collection = self.collection();
        self.store
            .call(collection.delete_many(filter))
            .await
            .map(drop)
    }

    /// Creates the indexes the collection's queries need (a task's comments in order, a team's
    /// comments); repeating it changes nothing.
    pub async fn ensure_indexes(&self) -> Result<(), StoreError> {
        let indexes = [
            (doc! { "taskId": 1, "created": 1 }, "taskId_1_created_1"),
            (doc! { "teamId": 1 }, "teamId_1"),
        ];
        self.store.ensure_indexes(COLLECTION, &indexes).await
    }
}

#[async_trait]
impl CommentDocuments for MongoCommentDocuments {
    async fn put(&self, comment: &Comment) -> Result<(), StoreError> {
        let document = CommentDocument::from(comment);
        self.store
            .put_versioned(
                COLLECTION,
                comment.comment_id.to_string(),
                comment.version,
                &document,
            )
            .await
    }

    async fn get(&self, comment: CommentId) -> Result<Option<Comment>, StoreError> {
        let collection = self
            .store
            .database()
            .collection::<CommentDocument>(COLLECTION);
        let find = collection.find_one(doc! { "_id": comment.to_string() });
        match self.store.call(find).await? {
            Some(document) => Comment::try_from(document).map(Some),
            None => Ok(None),
        }
    }

    async fn delete(&self, comment: CommentId) -> Result<(), StoreError> {
        self.delete_matching(doc! { "_id": comment.to_string() })
            .await
    }

    async fn ids(&self) -> Result<Vec<CommentId>, StoreError> {
        self.store.ids(COLLECTION, doc! {}).await
    }

    async fn delete_task(&self, task: TaskId) -> Result<(), StoreError> {
        self.delete_matching(doc! { "taskId": task.to_string() })
            .await
    }

    async fn delete_team(&self, team: TeamId) -> Result<(), StoreError> {
        self.delete_matching(doc! { "teamId": team.to_string() })
            .await
    }
}
