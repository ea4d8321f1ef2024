//! `PgOutbox`: claiming, applying and retiring outbox rows, for the request's fast path and the
//! relay alike.

use crate::pool::{map_err, PgStore, TxError};
use crate::schema::outbox;
use async_trait::async_trait;
use diesel::prelude::*;
use diesel::sql_types::{Array, BigInt, Int8, Jsonb, Nullable, Text};
use diesel_async::{AsyncConnection, RunQueryDsl};
use std::collections::HashSet;
use std::time::Duration;
use taskforge_domain::write_path::{
    Collection, Effect, EffectApplier, Outbox, RelayReport, VersionedDocument,
};
use taskforge_domain::StoreError;
use uuid::Uuid;

/// A relay pass: the oldest due rows that no one else holds, minus any row whose aggregate has
/// an older unapplied row outside this batch (held elsewhere, or waiting out its backoff): each
/// aggregate's effects land in commit order, and any number of relays may run.
/// ($1 is unused here; both claims bind the same parameters.)
const RELAY_CLAIM: &str = "
WITH batch AS (
    SELECT id, aggregate, effects FROM outbox
    WHERE applied_at IS NULL AND available_at <= now() AND $1::int8[] IS NULL
    ORDER BY id
    LIMIT $2
    FOR UPDATE SKIP LOCKED)
SELECT b.id, b.aggregate, b.effects FROM batch b
WHERE NOT EXISTS (
    SELECT 1 FROM outbox e
    WHERE e.aggregate = b.aggregate AND e.id < b.id AND e.applied_at IS NULL
      AND e.id NOT IN (SELECT id FROM batch))
ORDER BY b.id";

/// A request's fast path: its rows and every older pending row of their aggregates, in order,
/// waiting for rows another process is applying, so that the caller's change is projected
/// (with whatever its aggregate still owed) before the response goes out.
const FAST_CLAIM: &str = "
SELECT id, aggregate, effects FROM outbox o
WHERE o.applied_at IS NULL
  AND o.aggregate IN (SELECT aggregate FROM outbox WHERE id = ANY ($1))
  AND o.id <= (SELECT max(x) FROM unnest($1::int8[]) x)
ORDER BY o.id
LIMIT $2
FOR UPDATE";

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
    #[diesel(sql_type = Text)]
    aggregate: String,
    #[diesel(sql_type = Jsonb)]
    effects: serde_json::Value,
}

#[derive(QueryableByName)]
struct DocumentRow {
    #[diesel(sql_type = Int8)]
    id: i64,
    #[diesel(sql_type = Jsonb)]
    effects: serde_json::Value,
}

/// Backoff of a row whose effects failed: 0.5 s, 1 s, then every 2 s, so that the stores agree
/// again within seconds of an outage's end (a failing store costs the relay one fast-failing
/// call per aggregate and pass: MongoDB's breaker answers at once).
fn backoff(attempts: i32) -> Duration {
    Duration::from_millis(250u64 << attempts.clamp(1, 3)).min(Duration::from_secs(2))
}

pub struct PgOutbox {
    store: PgStore,
}

impl PgOutbox {
    pub fn new(store: PgStore) -> Self {
        Self { store }
    }

    /// Marks every retained row unapplied again, so the relay projects everything once more
    /// (recovery after restoring MongoDB or Redis from an old backup); returns how many.
    pub async fn redeliver(&self) -> Result<usize, StoreError> {
        self.store
            .run(async move |conn| {
                diesel::update(outbox::table.filter(outbox::applied_at.is_not_null()))
                    .set((
                        outbox::applied_at.eq(None::<chrono::DateTime<chrono::Utc>>),
                        outbox::attempts.eq(0),
                    ))
                    .execute(conn)
                    .await
                    .map_err(map_err)
            })
            .await
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
        let query = if only.is_some() {
            FAST_CLAIM
        } else {
            RELAY_CLAIM
        };
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
                    // After a failure, the rest of that aggregate waits: order before progress.
                    let mut stalled: HashSet<String> = HashSet::new();
                    for row in rows {
                        if stalled.contains(&row.aggregate) {
                            continue;
                        }
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
                                stalled.insert(row.aggregate);
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
        let row: Option<DocumentRow> = self
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
