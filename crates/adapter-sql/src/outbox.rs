//! `PgOutbox`: claiming, applying and retiring outbox rows, for the request's fast path and the
//! relay alike.

use crate::pool::{map_err, PgStore, TxError};
use crate::schema::outbox;
use async_trait::async_trait;
use diesel::prelude::*;
use diesel::sql_types::{Array, BigInt, Int8, Jsonb, Nullable};
use diesel_async::{AsyncConnection, RunQueryDsl};
use std::time::Duration;
use taskforge_domain::write_path::{
    Collection, Effect, EffectApplier, Outbox, RelayReport, VersionedDocument,
};
use taskforge_domain::StoreError;
use uuid::Uuid;

/// Pending rows that are due, the oldest first, at most one per aggregate: a row waits while an
/// older row of its aggregate is unapplied, so each aggregate's effects land in commit order.
const CLAIM: &str = "
SELECT id, effects FROM outbox o
WHERE o.applied_at IS NULL
  AND o.available_at <= now()
  AND ($1::int8[] IS NULL OR o.id = ANY($1))
  AND NOT EXISTS (
      SELECT 1 FROM outbox e
      WHERE e.aggregate = o.aggregate AND e.id < o.id AND e.applied_at IS NULL)
ORDER BY o.id
LIMIT $2
FOR UPDATE";

/// The relay skips rows another process is applying; a request's fast path waits for them
/// instead, so that its caller reads its own write once the response is out.
fn claim_query(fast_path: bool) -> String {
    if fast_path {
        CLAIM.to_owned()
    } else {
        format!("{CLAIM} SKIP LOCKED")
    }
}

/// The newest row that puts a given document.
const LATEST_DOCUMENT: &str = "
SELECT id, effects FROM outbox
WHERE effects @> $1
ORDER BY id DESC
LIMIT 1";

#[derive(QueryableByName)]
struct ClaimedRow {
    #[diesel(sql_type = Int8)]
    id: i64,
    #[diesel(sql_type = Jsonb)]
    effects: serde_json::Value,
}

/// Backoff of a row whose effects failed: 1 s, 2 s, 4 s ... capped at one minute.
fn backoff(attempts: i32) -> Duration {
    Duration::from_secs(1u64 << attempts.clamp(0, 6)).min(Duration::from_secs(60))
}

pub struct PgOutbox {
    store: PgStore,
}

impl PgOutbox {
    pub fn new(store: PgStore) -> Self {
        Self { store }
    }

    /// Deletes applied rows older than `keep`; returns how many went.
    pub async fn prune(&self, keep: Duration) -> Result<usize, StoreError> {
        let cutoff = chrono::Utc::now() - chrono::TimeDelta::from_std(keep).unwrap_or_default();
        self.store
            .run(async move |conn| {
                diesel::delete(outbox::table.filter(outbox::applied_at.lt(cutoff)))
                    .execute(conn)
                    .await
                    .map_err(map_err)
            })
            .await
    }
}

#[async_trait]
impl Outbox for PgOutbox {
    async fn apply_pending(
        &self,
        only: Option<&[i64]>,
        limit: i64,
        applier: &dyn EffectApplier,
    ) -> Result<RelayReport, StoreError> {
        let query = claim_query(only.is_some());
        let only = only.map(<[i64]>::to_vec);
        self.store
            .run(async move |conn| {
                conn.transaction(async move |tx| {
                    let rows: Vec<ClaimedRow> = diesel::sql_query(query)
                        .bind::<Nullable<Array<BigInt>>, _>(only)
                        .bind::<BigInt, _>(limit)
                        .load(tx)
                        .await?;
                    let mut report = RelayReport::default();
                    for row in rows {
                        let outcome = match serde_json::from_value::<Vec<Effect>>(row.effects) {
                            Ok(effects) => applier.apply(&effects).await,
                            Err(e) => Err(StoreError::Internal(e.into())),
                        };
                        let target = outbox::table.find(row.id);
                        match outcome {
                            Ok(()) => {
                                report.applied += 1;
                                diesel::update(target)
                                    .set(outbox::applied_at.eq(diesel::dsl::now))
                                    .execute(tx)
                                    .await?;
                            }
                            Err(e) => {
                                report.failed += 1;
                                let attempts: i32 = diesel::update(target)
                                    .set((
                                        outbox::attempts.eq(outbox::attempts + 1),
                                        outbox::last_error.eq(e.to_string()),
                                    ))
                                    .returning(outbox::attempts)
                                    .get_result(tx)
                                    .await?;
                                let due = chrono::Utc::now()
                                    + chrono::TimeDelta::from_std(backoff(attempts))
                                        .unwrap_or_default();
                                diesel::update(target)
                                    .set(outbox::available_at.eq(due))
                                    .execute(tx)
                                    .await?;
                            }
                        }
                    }
                    Ok::<_, TxError>(report)
                })
                .await
                .map_err(|e| e.0)
            })
            .await
    }

    async fn latest_document(
        &self,
        collection: Collection,
        id: Uuid,
    ) -> Result<Option<(i64, VersionedDocument)>, StoreError> {
        let probe =
            serde_json::json!([{ "type": "put_document", "collection": collection, "id": id }]);
        let row: Option<ClaimedRow> = self
            .store
            .run(async move |conn| {
                diesel::sql_query(LATEST_DOCUMENT)
                    .bind::<Jsonb, _>(probe)
                    .get_result(conn)
                    .await
                    .optional()
                    .map_err(map_err)
            })
            .await?;
        let Some(row) = row else { return Ok(None) };
        let effects: Vec<Effect> =
            serde_json::from_value(row.effects).map_err(|e| StoreError::Internal(e.into()))?;
        Ok(effects.into_iter().rev().find_map(|effect| match effect {
            Effect::PutDocument {
                collection: c,
                id: i,
                version,
                body,
            } if c == collection && i == id => Some((row.id, VersionedDocument { version, body })),
            _ => None,
        }))
    }

    async fn pending_count(&self) -> Result<i64, StoreError> {
        self.store
            .run(async move |conn| {
                outbox::table
                    .filter(outbox::applied_at.is_null())
                    .count()
                    .get_result(conn)
                    .await
                    .map_err(map_err)
            })
            .await
    }
}
