//! `MongoNotifications`: the `notifications` collection, one document per notification of one
//! user (`userId`, `type`, `data`, `read`, `createdAt`), with `storedAt`, the order a resumed
//! live stream replays them in.

use crate::fields::{corrupt, date, id, time};
use crate::store::MongoStore;
use async_trait::async_trait;
use futures::TryStreamExt;
use mongodb::bson::{doc, Bson, Document};
use mongodb::error::ErrorKind;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::HashSet;
use taskforge_domain::ids::{NotificationId, UserId};
use taskforge_domain::notifications::{
    Erase, Marked, Notification, NotificationCursor, NotificationKind, NotificationStore,
};
use taskforge_domain::StoreError;

const COLLECTION: &str = "notifications";
const DUPLICATE_KEY: i32 = 11000;

#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct NotificationDocument {
    #[serde(rename = "_id")]
    id: String,
    user_id: String,
    team_id: String,
    task_id: String,
    #[serde(rename = "type")]
    kind: String,
    data: Value,
    read: bool,
    created_at: mongodb::bson::DateTime,
    stored_at: mongodb::bson::DateTime,
}

impl NotificationDocument {
    fn new(n: &Notification, stored_at: chrono::DateTime<chrono::Utc>) -> Self {
        Self {
            id: n.notification_id.to_string(),
            user_id: n.user_id.to_string(),
            team_id: n.data.team_id.to_string(),
            task_id: n.data.task_id.to_string(),
            kind: n.kind.as_str().to_owned(),
            data: serde_json::to_value(&n.data).unwrap_or_default(),
            read: n.read,
            created_at: date(n.created_at),
            stored_at: date(stored_at),
        }
    }
}

impl TryFrom<NotificationDocument> for Notification {
    type Error = StoreError;

    fn try_from(d: NotificationDocument) -> Result<Self, StoreError> {
        Ok(Notification {
            notification_id: id::<NotificationId>("_id", &d.id)?,
            user_id: id::<UserId>("userId", &d.user_id)?,
            kind: NotificationKind::parse(&d.kind).ok_or_else(|| corrupt("type", &d.kind))?,
            data: serde_json::from_value(d.data).map_err(|e| corrupt("data", e))?,
            read: d.read,
            created_at: time("createdAt", d.created_at)?,
        })
    }
}

pub struct MongoNotifications {
    store: MongoStore,
}

impl MongoNotifications {
    pub fn new(store: MongoStore) -> Self {
        Self { store }
    }

    fn collection(&self) -> mongodb::Collection<NotificationDocument> {
        self.store.database().collection(COLLECTION)
    }

    /// The indexes of the list (newest first, all or unread), the replay order, the erasures
    /// and the retention job.
    pub async fn ensure_indexes(&self) -> Result<(), StoreError> {
        let indexes = [
            (doc! { "userId": 1, "_id": -1 }, "userId_1__id_-1"),
            (
                doc! { "userId": 1, "read": 1, "_id": -1 },
                "userId_1_read_1__id_-1",
            ),
            (
                doc! { "userId": 1, "storedAt": 1, "_id": 1 },
                "userId_1_storedAt_1__id_1",
            ),
            (doc! { "taskId": 1 }, "taskId_1"),
            (doc! { "teamId": 1 }, "teamId_1"),
            (doc! { "createdAt": 1 }, "createdAt_1"),
        ];
        self.store.ensure_indexes(COLLECTION, &indexes).await
    }

    async fn find(
        &self,
        filter: Document,
        sort: Document,
        limit: usize,
    ) -> Result<Vec<Notification>, StoreError> {
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        let collection = self.collection();
        let find = collection.find(filter).sort(sort).limit(limit);
        let cursor = self.store.call(find).await?;
        let docs: Vec<NotificationDocument> = self.store.call(cursor.try_collect()).await?;
        docs.into_iter().map(Notification::try_from).collect()
    }
}

#[async_trait]
impl NotificationStore for MongoNotifications {
    async fn insert(
        &self,
        batch: &[Notification],
        stored_at: chrono::DateTime<chrono::Utc>,
    ) -> Result<Vec<NotificationId>, StoreError> {
        if batch.is_empty() {
            return Ok(vec![]);
        }
        let docs: Vec<NotificationDocument> = batch
            .iter()
            .map(|n| NotificationDocument::new(n, stored_at))
            .collect();
        let collection = self.collection();
        let insert = collection.insert_many(docs).ordered(false);
        // Called directly, not through `call`'s error mapping: which of the batch were
        // duplicates is in the error itself.
        let outcome = self.store.call_raw(insert).await?;
        let duplicates: HashSet<usize> = match outcome {
            Ok(_) => HashSet::new(),
            Err(e) => match e.kind.as_ref() {
                ErrorKind::InsertMany(failure)
                    if failure.write_concern_error.is_none()
                        && failure
                            .write_errors
                            .iter()
                            .flatten()
                            .all(|w| w.code == DUPLICATE_KEY) =>
                {
                    failure
                        .write_errors
                        .iter()
                        .flatten()
                        .map(|w| w.index)
                        .collect()
                }
                _ => return Err(crate::store::map_err(e)),
            },
        };
        Ok(batch
            .iter()
            .enumerate()
            .filter(|(at, _)| !duplicates.contains(at))
            .map(|(_, n)| n.notification_id)
            .collect())
    }

    async fn page(
        &self,
        user: UserId,
        unread_only: bool,
        cursor: Option<NotificationCursor>,
        limit: usize,
    ) -> Result<Vec<Notification>, StoreError> {
        let mut filter = doc! { "userId": user.to_string() };
        if unread_only {
            filter.insert("read", false);
        }
        if let Some(cursor) = cursor {
            filter.insert("_id", doc! { "$lt": cursor.id.to_string() });
        }
        self.find(filter, doc! { "_id": -1 }, limit).await
    }

    async fn mark_read(&self, user: UserId, id: NotificationId) -> Result<Marked, StoreError> {
        let filter = doc! { "_id": id.to_string(), "userId": user.to_string() };
        let update = doc! { "$set": { "read": true } };
        let outcome = self
            .store
            .call(self.collection().update_one(filter, update))
            .await?;
        match (outcome.matched_count, outcome.modified_count) {
            (0, _) => Err(StoreError::NotFound),
            (_, 0) => Ok(Marked::Already),
            _ => Ok(Marked::Now),
        }
    }

    async fn mark_all_read(&self, user: UserId) -> Result<u64, StoreError> {
        let filter = doc! { "userId": user.to_string(), "read": false };
        let update = doc! { "$set": { "read": true } };
        let outcome = self
            .store
            .call(self.collection().update_many(filter, update))
            .await?;
        Ok(outcome.modified_count)
    }

    async fn count_unread(&self, user: UserId) -> Result<u64, StoreError> {
        let filter = doc! { "userId": user.to_string(), "read": false };
        self.store
            .call(self.collection().count_documents(filter))
            .await
    }

    async fn stored_after(
        &self,
        user: UserId,
        last: NotificationId,
        limit: usize,
    ) -> Result<Vec<Notification>, StoreError> {
        let (user, last) = (user.to_string(), last.to_string());
        let anchor = self
            .store
            .call(
                self.collection()
                    .find_one(doc! { "_id": &last, "userId": &user }),
            )
            .await?;
        // A notification erased since it was delivered: what came after it by time.
        let filter = match anchor {
            Some(a) => doc! { "userId": &user, "$or": [
                { "storedAt": { "$gt": a.stored_at } },
                { "storedAt": a.stored_at, "_id": { "$gt": &last } },
            ] },
            None => doc! { "userId": &user, "_id": { "$gt": &last } },
        };
        self.find(filter, doc! { "storedAt": 1, "_id": 1 }, limit)
            .await
    }

    async fn erase(&self, what: Erase) -> Result<Vec<UserId>, StoreError> {
        let filter = match what {
            Erase::Task(task) => doc! { "taskId": task.to_string() },
            Erase::Team(team) => doc! { "teamId": team.to_string() },
            Erase::User(user) => doc! { "userId": user.to_string() },
            Erase::CreatedBefore(at) => doc! { "createdAt": { "$lt": date(at) } },
        };
        let mut unread = filter.clone();
        unread.insert("read", false);
        let users = self
            .store
            .call(self.collection().distinct("userId", unread))
            .await?;
        self.store
            .call(self.collection().delete_many(filter))
            .await?;
        users
            .iter()
            .map(|u| match u {
                Bson::String(raw) => id::<UserId>("userId", raw),
                other => Err(corrupt("userId", other)),
            })
            .collect()
    }
}
