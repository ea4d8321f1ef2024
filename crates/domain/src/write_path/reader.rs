//! Reading a projected document at least as new as the version PostgreSQL says is committed:
//! the cache, else MongoDB (filling the cache), else the outbox row that committed it (projected
//! at once). An older copy is never served, so every caller reads its own writes; a newer one
//! (committed meanwhile by someone else) is.

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

fn decode_from(cached: &serde_json::Value, version: i64) -> Option<VersionedDocument> {
    let stored = cached.get("version")?.as_i64()?;
    (stored >= version).then(|| VersionedDocument {
        version: stored,
        body: cached.get("body").cloned().unwrap_or_default(),
    })
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

    /// Several documents, each at its version or newer: the cache in one round trip, the rest
    /// one by one as `read_at` does.
    pub async fn read_many(
        &self,
        collection: Collection,
        wanted: &[(Uuid, CacheKey, i64)],
    ) -> Result<Vec<VersionedDocument>, Error> {
        let keys: Vec<CacheKey> = wanted.iter().map(|(_, key, _)| *key).collect();
        let cached = self.cache.get_many(&keys).await.unwrap_or_default();
        let reads = wanted.iter().enumerate().map(|(i, (id, key, version))| {
            let hit = cached
                .get(i)
                .and_then(Option::as_ref)
                .and_then(|c| decode_from(c, *version));
            async move {
                match hit {
                    Some(doc) => Ok(doc),
                    None => self.read_at(collection, *id, *key, *version).await,
                }
            }
        });
        futures::future::try_join_all(reads).await
    }

    /// Document `id` at `version` or newer.
    pub async fn read_at(
        &self,
        collection: Collection,
        id: Uuid,
        key: CacheKey,
        version: i64,
    ) -> Result<VersionedDocument, Error> {
        if let Ok(Some(cached)) = self.cache.get(key).await {
            if let Some(doc) = decode_from(&cached, version) {
                return Ok(doc);
            }
        }
        let stored = self.documents.get(collection, id).await;
        if let Ok(Some(doc)) = &stored {
            if doc.version >= version {
                let _ = self.cache.put(key, &encode(doc)).await;
                return Ok(doc.clone());
            }
        }
        let committed = self
            .fast_path
            .outbox()
            .latest_document(collection, id)
            .await?;
        match committed {
            Some((row, doc)) if doc.version >= version => {
                self.fast_path
                    .project(Receipt {
                        outbox_id: Some(row),
                    })
                    .await;
                let _ = self.cache.put(key, &encode(&doc)).await;
                Ok(doc)
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
