//! Reading a projected document at least as new as the version PostgreSQL says is committed:
//! the cache, else MongoDB (filling the cache), else the committed copy (given by the caller,
//! or the outbox row that committed it, projected at once). An older copy is never served, so
//! every caller reads its own writes; a newer one (committed meanwhile by someone else) is.

use super::{Cache, Collection, DocumentStore, Receipt, VersionedDocument, WritePath};
use crate::Error;
use std::sync::Arc;
use uuid::Uuid;

#[derive(Clone)]
pub struct DocumentReader {
    documents: Arc<dyn DocumentStore>,
    cache: Arc<dyn Cache>,
    write_path: WritePath,
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
        write_path: WritePath,
    ) -> Self {
        Self {
            documents,
            cache,
            write_path,
        }
    }

    /// The cached copy of a document, if at `version` or newer.
    pub async fn cached(
        &self,
        collection: &Collection,
        id: Uuid,
        version: i64,
    ) -> Option<VersionedDocument> {
        let cached = self.cache.get(&collection.cache.key(id)).await.ok()??;
        decode_from(&cached, version)
    }

    /// Document `id` at `version` or newer. `committed` is the caller's own copy of the
    /// committed document, if it has one (served when MongoDB is down or behind); without it,
    /// the outbox row that committed the version is.
    pub async fn read_at(
        &self,
        collection: &Collection,
        id: Uuid,
        version: i64,
        committed: Option<VersionedDocument>,
    ) -> Result<VersionedDocument, Error> {
        if let Some(doc) = self.cached(collection, id, version).await {
            return Ok(doc);
        }
        let stored = self.documents.get(collection.name, id).await;
        let doc = match (&stored, committed) {
            (Ok(Some(doc)), _) if doc.version >= version => doc.clone(),
            (_, Some(doc)) => doc,
            (_, None) => {
                self.committed_in_outbox(collection, id, version, stored)
                    .await?
            }
        };
        let _ = self
            .cache
            .put(
                &collection.cache.key(id),
                &encode(&doc),
                collection.cache.ttl,
            )
            .await;
        Ok(doc)
    }

    async fn committed_in_outbox(
        &self,
        collection: &Collection,
        id: Uuid,
        version: i64,
        stored: Result<Option<VersionedDocument>, crate::StoreError>,
    ) -> Result<VersionedDocument, Error> {
        let committed = self
            .write_path
            .outbox()
            .latest_document(collection.name, id)
            .await?;
        match committed {
            Some((row, doc)) if doc.version >= version => {
                let receipt = Receipt {
                    rows: vec![row],
                    urgent: vec![],
                };
                let _ = self.write_path.project(&receipt).await;
                Ok(doc)
            }
            _ => match stored {
                Err(e) => Err(e.into()),
                Ok(_) => Err(Error::Internal(anyhow::anyhow!(
                    "{} {id} at version {version} is neither in MongoDB nor in the outbox",
                    collection.name
                ))),
            },
        }
    }
}
