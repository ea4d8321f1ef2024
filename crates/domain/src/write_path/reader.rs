//! Reading a projected document at the version PostgreSQL says is committed: the cache, else
//! MongoDB (filling the cache), else the outbox row that committed it (projected at once).
//! An older copy is never served, so every caller reads its own writes.

use super::{Cache, CacheKey, Collection, DocumentStore, FastPath, Receipt, VersionedDocument};
use crate::Error;
use std::sync::Arc;
use uuid::Uuid;

#[derive(Clone)]
pub struct DocumentReader {
    documents: Arc<dyn DocumentStore>,
    cache: Arc<dyn Cache>,
    fast_path: FastPath,
}

fn encode(doc: &VersionedDocument) -> serde_json::Value {
    serde_json::json!({ "version": doc.version, "body": doc.body })
}

fn decode_at(cached: &serde_json::Value, version: i64) -> Option<serde_json::Value> {
    (cached.get("version")?.as_i64()? == version).then(|| cached.get("body").cloned())?
}

impl DocumentReader {
    pub fn new(
        documents: Arc<dyn DocumentStore>,
        cache: Arc<dyn Cache>,
        fast_path: FastPath,
    ) -> Self {
        Self {
            documents,
            cache,
            fast_path,
        }
    }

    /// The body of document `id` at exactly `version`.
    pub async fn read_at(
        &self,
        collection: Collection,
        id: Uuid,
        key: CacheKey,
        version: i64,
    ) -> Result<serde_json::Value, Error> {
        if let Ok(Some(cached)) = self.cache.get(key).await {
            if let Some(body) = decode_at(&cached, version) {
                return Ok(body);
            }
        }
        let stored = self.documents.get(collection, id).await;
        if let Ok(Some(doc)) = &stored {
            if doc.version == version {
                let _ = self.cache.put(key, &encode(doc)).await;
                return Ok(doc.body.clone());
            }
        }
        match self
            .fast_path
            .outbox()
            .latest_document(collection, id)
            .await?
        {
            Some((row, doc)) if doc.version == version => {
                self.fast_path
                    .project(Receipt {
                        outbox_id: Some(row),
                    })
                    .await;
                let _ = self.cache.put(key, &encode(&doc)).await;
                Ok(doc.body)
            }
            _ => match stored {
                Err(e) => Err(e.into()),
                Ok(_) => Err(Error::Internal(anyhow::anyhow!(
                    "{} {id} at version {version} is neither in MongoDB nor in the outbox",
                    collection.name()
                ))),
            },
        }
    }
}
