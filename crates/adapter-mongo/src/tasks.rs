//! `MongoTaskDocuments`: the `tasks` collection, one document per task, in MongoDB's own
//! representation (`TaskDocument`: ids as strings, dates as BSON dates, so that queries and
//! indexes on them work as MongoDB users expect).

use crate::fields::{corrupt, date, id, time};
use crate::store::MongoStore;
use async_trait::async_trait;
use mongodb::bson::{self, doc, Document};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use taskforge_domain::ids::{TaskId, TeamId, UserId};
use taskforge_domain::tasks::model::TaskMetadata;
use taskforge_domain::tasks::{
    CustomFields, Description, Priority, Status, Tags, Task, TaskDocuments, TaskTitle,
};
use taskforge_domain::StoreError;

pub(crate) const COLLECTION: &str = "tasks";

#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct TaskDocument {
    #[serde(rename = "_id")]
    id: String,
    team_id: String,
    title: String,
    description: String,
    status: String,
    priority: String,
    assignee_id: Option<String>,
    creator_id: String,
    due_date: Option<bson::DateTime>,
    tags: Vec<String>,
    custom_fields: Map<String, Value>,
    attachments: Vec<Value>,
    version: i64,
    metadata: Metadata,
}

#[derive(Debug, Serialize, Deserialize)]
struct Metadata {
    created: bson::DateTime,
    updated: bson::DateTime,
}

impl From<&Task> for TaskDocument {
    fn from(t: &Task) -> Self {
        Self {
            id: t.task_id.to_string(),
            team_id: t.team_id.to_string(),
            title: t.title.as_str().to_owned(),
            description: t.description.as_str().to_owned(),
            status: t.status.as_str().to_owned(),
            priority: t.priority.as_str().to_owned(),
            assignee_id: t.assignee_id.map(|a| a.to_string()),
            creator_id: t.creator_id.to_string(),
            due_date: t.due_date.map(date),
            tags: t.tags.as_slice().to_vec(),
            custom_fields: t.custom_fields.as_map().clone(),
            attachments: t.attachments.clone(),
            version: t.version,
            metadata: Metadata {
                created: date(t.metadata.created),
                updated: date(t.metadata.updated),
            },
        }
    }
}

impl TryFrom<TaskDocument> for Task {
    type Error = StoreError;

    fn try_from(d: TaskDocument) -> Result<Self, StoreError> {
        Ok(Self {
            task_id: id::<TaskId>("_id", &d.id)?,
            team_id: id::<TeamId>("teamId", &d.team_id)?,
            title: TaskTitle::from_stored(d.title),
            description: Description::from_stored(d.description),
            status: Status::parse("status", &d.status).map_err(|e| corrupt("status", e))?,
            priority: Priority::parse("priority", &d.priority)
                .map_err(|e| corrupt("priority", e))?,
            assignee_id: d
                .assignee_id
                .map(|a| id::<UserId>("assigneeId", &a))
                .transpose()?,
            creator_id: id::<UserId>("creatorId", &d.creator_id)?,
            due_date: d.due_date.map(|at| time("dueDate", at)).transpose()?,
            tags: Tags::from_stored(d.tags),
            custom_fields: CustomFields::from_stored(d.custom_fields),
            attachments: d.attachments,
            version: d.version,
            metadata: TaskMetadata {
                created: time("created", d.metadata.created)?,
                updated: time("updated", d.metadata.updated)?,
            },
        })
    }
}

pub struct MongoTaskDocuments {
    store: MongoStore,
}

impl MongoTaskDocuments {
    pub fn new(store: MongoStore) -> Self {
        Self { store }
    }

    fn collection(&self) -> mongodb::Collection<Document> {
        self.store.database().collection(COLLECTION)
    }

    /// Creates the indexes the collection's queries need (a team's tasks); repeating it
    /// changes nothing.
    pub async fn ensure_indexes(&self) -> Result<(), StoreError> {
        self.store
            .ensure_indexes(COLLECTION, &[(doc! { "teamId": 1 }, "teamId_1")])
            .await
    }
}

#[async_trait]
impl TaskDocuments for MongoTaskDocuments {
    async fn put(&self, task: &Task) -> Result<(), StoreError> {
        let document = TaskDocument::from(task);
        self.store
            .put_versioned(
                COLLECTION,
                task.task_id.to_string(),
                task.version,
                &document,
            )
            .await
    }

    async fn get(&self, task: TaskId) -> Result<Option<Task>, StoreError> {
        let collection = self.store.database().collection::<TaskDocument>(COLLECTION);
        let find = collection.find_one(doc! { "_id": task.to_string() });
        match self.store.call(find).await? {
            Some(document) => Task::try_from(document).map(Some),
            None => Ok(None),
        }
    }

    async fn delete(&self, task: TaskId) -> Result<(), StoreError> {
        let collection = self.collection();
        let delete = collection.delete_one(doc! { "_id": task.to_string() });
        self.store.call(delete).await.map(drop)
    }

    async fn ids(&self) -> Result<Vec<TaskId>, StoreError> {
        self.store.ids(COLLECTION, doc! {}).await
    }

    async fn team_ids(&self, team: TeamId) -> Result<Vec<TaskId>, StoreError> {
        self.store
            .ids(COLLECTION, doc! { "teamId": team.to_string() })
            .await
    }

    async fn delete_team(&self, team: TeamId) -> Result<(), StoreError> {
        let collection = self.collection();
        let delete = collection.delete_many(doc! { "teamId": team.to_string() });
        self.store.call(delete).await.map(drop)
    }
}
