//! `MongoDocumentStore`: versioned documents keyed by their UUID (as a string `_id`).

use crate::store::MongoStore;
use async_trait::async_trait;
use mongodb::bson::{self, doc, Document};
use taskforge_domain::write_path::{DocumentStore, VersionedDocument};
use taskforge_domain::StoreError;
use uuid::Uuid;

pub struct MongoDocumentStore {
    store: MongoStore,
}

impl MongoDocumentStore {
    pub fn new(store: MongoStore) -> Self {
        Self { store }
    }

    fn collection(&self, name: &str) -> mongodb::Collection<Document> {
        self.store.database().collection(name)
    }
}

fn internal(e: impl Into<anyhow::Error>) -> StoreError {
    StoreError::Internal(e.into())
}

/// A value BSON cannot hold (an integer past the signed 64-bit range, say) never will.
fn unstorable(e: impl std::fmt::Display) -> StoreError {
    StoreError::Rejected(format!("not storable as BSON: {e}"))
}

#[async_trait]
impl DocumentStore for MongoDocumentStore {
    async fn put_if_newer(
        &self,
        collection: &str,
        id: Uuid,
        version: i64,
        body: &serde_json::Value,
    ) -> Result<(), StoreError> {
        let mut replacement = bson::serialize_to_document(body).map_err(unstorable)?;
        replacement.insert("_id", id.to_string());
        replacement.insert("version", version);
        let guard = doc! { "_id": id.to_string(), "version": { "$lt": version } };
        let coll = self.collection(collection);
        match self
            .store
            .call(coll.replace_one(guard, replacement).upsert(true))
            .await
        {
            // The guard missed because the stored document is as new or newer: nothing to do.
            Err(StoreError::Conflict(_)) => Ok(()),
            other => other.map(drop),
        }
    }

    async fn get(
        &self,
        collection: &str,
        id: Uuid,
    ) -> Result<Option<VersionedDocument>, StoreError> {
        let coll = self.collection(collection);
        let found = coll.find_one(doc! { "_id": id.to_string() });
        let Some(mut document) = self.store.call(found).await? else {
            return Ok(None);
        };
        document.remove("_id");
        let version = document
            .remove("version")
            .and_then(|v| v.as_i64().or_else(|| v.as_i32().map(i64::from)))
            .ok_or_else(|| internal(anyhow::anyhow!("document {id} has no version")))?;
        let body = bson::deserialize_from_document(document).map_err(internal)?;
        Ok(Some(VersionedDocument { version, body }))
    }

    async fn delete(&self, collection: &str, id: Uuid) -> Result<(), StoreError> {
        let coll = self.collection(collection);
        self.store
            .call(coll.delete_one(doc! { "_id": id.to_string() }))
            .await
            .map(drop)
    }
}
