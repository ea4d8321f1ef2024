//! The write path of DESIGN.md: every change commits once in PostgreSQL with one audit row and
//! one outbox row; the outbox row's effects are then projected onto MongoDB and Redis, at once by
//! the request (fast path) and, for whatever is left, by the relay. Applying a row twice changes
//! nothing.
//!
//! A feature declares what its change writes as a [`Change`]; the relational part stays in the
//! feature's own repository method, which commits the change in the same transaction.

mod audit;
mod effect;
mod idempotency;
mod projector;
mod reader;

pub use audit::{Actor, AuditAction, AuditDraft, AuditEntityType, AuditScope};
pub use effect::{CacheKey, Collection, Effect};
pub use idempotency::{Claim, IdempotencyCompletion, IdempotencyKey, IdempotencyStore};
pub use projector::{Cache, DocumentStore, EffectApplier, Projector};
pub use reader::DocumentReader;

use crate::StoreError;
use async_trait::async_trait;
use std::sync::Arc;

/// Everything one state change writes besides its relational rows.
#[derive(Debug, Clone)]
pub struct Change {
    pub audit: AuditDraft,
    /// Effects of one aggregate are applied in commit order; this names the aggregate.
    pub aggregate: String,
    pub effects: Vec<Effect>,
    /// The response to record under the request's idempotency key, if it had one.
    pub idempotency: Option<IdempotencyCompletion>,
}

/// The outbox row that a committed change left behind.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Receipt {
    /// `None` when the change had no effects to project.
    pub outbox_id: Option<i64>,
}

/// What one pass over pending outbox rows did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RelayReport {
    pub applied: usize,
    pub failed: usize,
}

/// A document as the newest committed change described it.
#[derive(Debug, Clone, PartialEq)]
pub struct VersionedDocument {
    pub version: i64,
    pub body: serde_json::Value,
}

/// The outbox side of the write path (owned by PostgreSQL).
#[async_trait]
pub trait Outbox: Send + Sync {
    /// Applies pending rows and marks them done; effects of one aggregate land in commit order,
    /// and after a failure the rest of that aggregate waits. With `only` as `None` (a relay
    /// pass) it takes the first due row of each aggregate, skipping rows another process holds,
    /// so any number of relays may run; failed rows wait out a growing backoff. Naming rows (a
    /// request's fast path) applies them together with the older pending rows of their
    /// aggregates, waiting for rows another process holds, so the caller reads its own write.
    async fn apply_pending(
        &self,
        only: Option<&[i64]>,
        limit: i64,
        applier: &dyn EffectApplier,
    ) -> Result<RelayReport, StoreError>;

    /// The newest committed version of a document with the id of the outbox row that carries
    /// it, if a retained row still describes it.
    async fn latest_document(
        &self,
        collection: Collection,
        id: uuid::Uuid,
    ) -> Result<Option<(i64, VersionedDocument)>, StoreError>;

    /// Rows not applied yet.
    async fn pending_count(&self) -> Result<i64, StoreError>;
}

/// The most rows one fast path applies: its own and what its aggregate still owed before it.
const FAST_PATH_LIMIT: i64 = 100;

/// Projects committed changes right after their commit; what fails here the relay retries.
#[derive(Clone)]
pub struct FastPath {
    outbox: Arc<dyn Outbox>,
    projector: Arc<Projector>,
}

impl FastPath {
    pub fn new(outbox: Arc<dyn Outbox>, projector: Arc<Projector>) -> Self {
        Self { outbox, projector }
    }

    /// Applies the rows of a just-committed change. Never fails the request: the change is
    /// committed, and the relay owns whatever could not be applied now.
    pub async fn project(&self, receipt: Receipt) {
        let Some(id) = receipt.outbox_id else {
            return;
        };
        let ids = [id];
        if let Err(e) = self
            .outbox
            .apply_pending(Some(&ids), FAST_PATH_LIMIT, self.projector.as_ref())
            .await
        {
            tracing::warn!(error = %e, outbox_id = id, "fast path deferred to the relay");
        }
    }

    /// One relay pass over every due row.
    pub async fn relay_once(&self, batch: i64) -> Result<RelayReport, StoreError> {
        self.outbox
            .apply_pending(None, batch, self.projector.as_ref())
            .await
    }

    pub fn outbox(&self) -> &Arc<dyn Outbox> {
        &self.outbox
    }
}
