//! Applies outbox effects through the document, cache and session ports.

use super::{CacheKey, Effect};
use crate::identity::ports::SessionStore;
use crate::ids::TeamId;
use crate::write_path::Collection;
use crate::StoreError;
use async_trait::async_trait;
use std::sync::Arc;
use uuid::Uuid;

/// Applies the effects of one outbox row, in order. Must be idempotent.
#[async_trait]
pub trait EffectApplier: Send + Sync {
    async fn apply(&self, effects: &[Effect]) -> Result<(), StoreError>;
}

/// MongoDB's side of the projection: versioned documents by id.
#[async_trait]
pub trait DocumentStore: Send + Sync {
    /// Stores `body` as version `version` unless the stored document is as new or newer.
    async fn put_if_newer(
        &self,
        collection: Collection,
        id: Uuid,
        version: i64,
        body: &serde_json::Value,
    ) -> Result<(), StoreError>;
    async fn get(
        &self,
        collection: Collection,
        id: Uuid,
    ) -> Result<Option<super::VersionedDocument>, StoreError>;
    async fn delete(&self, collection: Collection, id: Uuid) -> Result<(), StoreError>;
    /// The ids of every document in `collection` (for reconcile).
    async fn ids(&self, collection: Collection) -> Result<Vec<Uuid>, StoreError>;
    /// The ids of a team's documents in `collection` (their `teamId` is `team`).
    async fn team_ids(&self, collection: Collection, team: TeamId)
        -> Result<Vec<Uuid>, StoreError>;
    /// Deletes every document whose `teamId` is `team`.
    async fn delete_team(&self, collection: Collection, team: TeamId) -> Result<(), StoreError>;
}

/// Redis's cache side: JSON values under typed keys, each kind with its own TTL.
#[async_trait]
pub trait Cache: Send + Sync {
    async fn get(&self, key: CacheKey) -> Result<Option<serde_json::Value>, StoreError>;
    /// Several entries in one round trip, in the order asked.
    async fn get_many(
        &self,
        keys: &[CacheKey],
    ) -> Result<Vec<Option<serde_json::Value>>, StoreError>;
    async fn put(&self, key: CacheKey, value: &serde_json::Value) -> Result<(), StoreError>;
    async fn drop_key(&self, key: CacheKey) -> Result<(), StoreError>;
}

pub struct Projector {
    documents: Arc<dyn DocumentStore>,
    cache: Arc<dyn Cache>,
    sessions: Arc<dyn SessionStore>,
}

impl Projector {
    pub fn new(
        documents: Arc<dyn DocumentStore>,
        cache: Arc<dyn Cache>,
        sessions: Arc<dyn SessionStore>,
    ) -> Self {
        Self {
            documents,
            cache,
            sessions,
        }
    }
}

#[async_trait]
impl EffectApplier for Projector {
    async fn apply(&self, effects: &[Effect]) -> Result<(), StoreError> {
        for effect in effects {
            match effect {
                Effect::PutDocument {
                    collection,
                    id,
                    version,
                    body,
                } => {
                    self.documents
                        .put_if_newer(*collection, *id, *version, body)
                        .await?
                }
                Effect::DeleteDocument { collection, id } => {
                    self.documents.delete(*collection, *id).await?
                }
                Effect::DeleteTeamDocuments {
                    collection,
                    team_id,
                } => {
                    // Cache entries go first: a retry after the delete finds no documents,
                    // so no entry may outlive them.
                    for id in self.documents.team_ids(*collection, *team_id).await? {
                        self.cache.drop_key(collection.cache_key(id)).await?;
                    }
                    self.documents.delete_team(*collection, *team_id).await?
                }
                Effect::DropCache { key } => self.cache.drop_key(*key).await?,
                Effect::RevokeSessions { user_id, keep } => {
                    self.sessions.revoke_all(*user_id, *keep).await?
                }
            }
        }
        Ok(())
    }
}
