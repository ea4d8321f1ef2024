//! MongoDB's fake.

use crate::fakes::{lock, Outage};
use async_trait::async_trait;
use std::collections::HashMap;
use std::sync::Mutex;
use taskforge_domain::write_path::*;
use taskforge_domain::StoreError;
use uuid::Uuid;

/// MongoDB's fake.
#[derive(Default)]
pub struct InMemoryDocuments {
    docs: Mutex<HashMap<(String, Uuid), VersionedDocument>>,
    outage: Outage,
}

impl InMemoryDocuments {
    pub fn set_down(&self, down: bool) {
        *lock(&self.outage.0) = down;
    }
}

#[async_trait]
impl DocumentStore for InMemoryDocuments {
    async fn put_if_newer(
        &self,
        collection: &str,
        id: Uuid,
        version: i64,
        body: &serde_json::Value,
    ) -> Result<(), StoreError> {
        self.outage.check("mongo")?;
        let mut docs = lock(&self.docs);
        let newer = docs
            .get(&(collection.to_owned(), id))
            .is_none_or(|d| d.version < version);
        if newer {
            docs.insert(
                (collection.to_owned(), id),
                VersionedDocument {
                    version,
                    body: body.clone(),
                },
            );
        }
        Ok(())
    }

    async fn get(
        &self,
        collection: &str,
        id: Uuid,
    ) -> Result<Option<VersionedDocument>, StoreError> {
        self.outage.check("mongo")?;
        Ok(lock(&self.docs).get(&(collection.to_owned(), id)).cloned())
    }

    async fn delete(&self, collection: &str, id: Uuid) -> Result<(), StoreError> {
        self.outage.check("mongo")?;
        lock(&self.docs).remove(&(collection.to_owned(), id));
        Ok(())
    }
}
