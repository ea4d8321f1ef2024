//! The projector: the registry of effect kinds and how each is applied. Features register their
//! own kinds; the write path applies stored effects through it without knowing them.

use super::effect::{
    CacheKey, DeleteDocument, DropCache, EffectId, EffectKind, PutDocument, StoredEffect,
};
use super::VersionedDocument;
use crate::StoreError;
use async_trait::async_trait;
use std::collections::HashMap;
use std::marker::PhantomData;
use std::sync::Arc;
use std::time::Duration;
use uuid::Uuid;

/// How one kind of effect is applied.
#[async_trait]
pub trait Apply<E: EffectKind>: Send + Sync + 'static {
    async fn apply(&self, effect: E, id: EffectId) -> Result<(), StoreError>;
}

#[async_trait]
trait AnyApply: Send + Sync {
    async fn apply(&self, effect: &StoredEffect, id: EffectId) -> Result<(), StoreError>;
    fn target(&self, effect: &StoredEffect) -> Option<String>;
}

struct Typed<E, H>(H, PhantomData<fn() -> E>);

#[async_trait]
impl<E: EffectKind, H: Apply<E>> AnyApply for Typed<E, H> {
    async fn apply(&self, effect: &StoredEffect, id: EffectId) -> Result<(), StoreError> {
        self.0.apply(effect.decode::<E>()?, id).await
    }

    fn target(&self, effect: &StoredEffect) -> Option<String> {
        effect.decode::<E>().ok()?.target()
    }
}

#[derive(Default)]
pub struct Projector {
    kinds: HashMap<&'static str, Arc<dyn AnyApply>>,
}

impl Projector {
    /// The projector of the document and cache effects every feature uses.
    pub fn new(documents: Arc<dyn DocumentStore>, cache: Arc<dyn Cache>) -> Self {
        let stores = DocumentEffects { documents, cache };
        Self::default()
            .on::<PutDocument>(stores.clone())
            .on::<DeleteDocument>(stores.clone())
            .on::<DropCache>(stores)
    }

    /// Registers how effects of kind `E` are applied.
    pub fn on<E: EffectKind>(mut self, handler: impl Apply<E>) -> Self {
        self.kinds
            .insert(E::KIND, Arc::new(Typed(handler, PhantomData::<fn() -> E>)));
        self
    }

    /// The state a stored effect sets outright, if it does (see [`EffectKind::target`]).
    pub fn target(&self, effect: &StoredEffect) -> Option<String> {
        self.kinds.get(effect.kind.as_str())?.target(effect)
    }

    /// Applies one stored effect; a kind nobody registered can never succeed.
    pub async fn apply(&self, effect: &StoredEffect, id: EffectId) -> Result<(), StoreError> {
        match self.kinds.get(effect.kind.as_str()) {
            Some(handler) => handler.apply(effect, id).await,
            None => Err(StoreError::Rejected(format!(
                "no handler for effects of kind {}",
                effect.kind
            ))),
        }
    }
}

/// MongoDB's side of the projection: versioned documents by id.
#[async_trait]
pub trait DocumentStore: Send + Sync {
    /// Stores `body` as version `version` unless the stored document is as new or newer.
    async fn put_if_newer(
        &self,
        collection: &str,
        id: Uuid,
        version: i64,
        body: &serde_json::Value,
    ) -> Result<(), StoreError>;
    async fn get(
        &self,
        collection: &str,
        id: Uuid,
    ) -> Result<Option<VersionedDocument>, StoreError>;
    async fn delete(&self, collection: &str, id: Uuid) -> Result<(), StoreError>;
}

/// Redis's cache side: JSON values under typed keys.
#[async_trait]
pub trait Cache: Send + Sync {
    async fn get(&self, key: &CacheKey) -> Result<Option<serde_json::Value>, StoreError>;
    /// Several entries in one round trip, in the order asked.
    async fn get_many(
        &self,
        keys: &[CacheKey],
    ) -> Result<Vec<Option<serde_json::Value>>, StoreError>;
    async fn put(
        &self,
        key: &CacheKey,
        value: &serde_json::Value,
        ttl: Duration,
    ) -> Result<(), StoreError>;
    async fn drop_key(&self, key: &CacheKey) -> Result<(), StoreError>;
}

#[derive(Clone)]
struct DocumentEffects {
    documents: Arc<dyn DocumentStore>,
    cache: Arc<dyn Cache>,
}

#[async_trait]
impl Apply<PutDocument> for DocumentEffects {
    async fn apply(&self, e: PutDocument, _: EffectId) -> Result<(), StoreError> {
        self.documents
            .put_if_newer(&e.collection, e.id, e.version, &e.body)
            .await
    }
}

#[async_trait]
impl Apply<DeleteDocument> for DocumentEffects {
    async fn apply(&self, e: DeleteDocument, _: EffectId) -> Result<(), StoreError> {
        self.documents.delete(&e.collection, e.id).await
    }
}

#[async_trait]
impl Apply<DropCache> for DocumentEffects {
    async fn apply(&self, e: DropCache, _: EffectId) -> Result<(), StoreError> {
        self.cache.drop_key(&e.key).await
    }
}
