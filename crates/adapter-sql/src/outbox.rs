//! `PgOutbox`: claiming outbox rows under a lease, settling them, dead letters. No transaction
//! is open while the rows are applied: a claim commits its lease, and settling is a statement
//! of its own.

use crate::pool::{later, map_err, PgStore, TxError};
use crate::schema::outbox;
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel::sql_types::{Array, BigInt, Bool, Int4, Int8, Jsonb, Nullable, Text};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use std::time::Duration;
use taskforge_domain::write_path::{
    claimable, Candidate, ClaimedRow, DeadLetter, Lease, Outbox, Outcome, Pick, StoredEffect,
};
use taskforge_domain::StoreError;
use uuid::Uuid;

/// The rows a claim may take, locked so that concurrent claims split them, each with whether
/// an older pending row outside this batch blocks it: one of its aggregate, a barrier of its
/// scope, or, for a barrier, any row of its scope. Those rows may be leased elsewhere, waiting
/// out a backoff, or locked by another claim. `{pick}` narrows the candidates.
const CLAIM: &str = "
WITH batch AS (
    SELECT id, aggregate, scope, barrier, effects, attempts FROM outbox
    WHERE applied_at IS NULL AND dead_at IS NULL
      AND (lease_until IS NULL OR lease_until < now())
      AND {pick}
    ORDER BY id
    LIMIT $2
    FOR UPDATE SKIP LOCKED)
SELECT b.id, b.aggregate, b.scope, b.barrier, b.effects, b.attempts,
    (EXISTS (SELECT 1 FROM outbox e
             WHERE e.aggregate = b.aggregate AND e.id < b.id
               AND e.applied_at IS NULL AND e.dead_at IS NULL
               AND e.id NOT IN (SELECT id FROM batch))
     OR EXISTS (SELECT 1 FROM outbox e
                WHERE e.scope = b.scope AND e.id < b.id AND (e.barrier OR b.barrier)
                  AND e.applied_at IS NULL AND e.dead_at IS NULL
                  AND e.id NOT IN (SELECT id FROM batch))) AS blocked
FROM batch b
ORDER BY b.id";

/// A relay pass: rows that are due.
const DUE: &str = "available_at <= now() AND $1::int8[] IS NULL";
/// A fast path: the named rows and the older pending rows of their aggregates, due or not.
const NAMED: &str = "aggregate IN (SELECT aggregate FROM outbox WHERE id = ANY ($1)) \
    AND id <= (SELECT max(x) FROM unnest($1::int8[]) x)";

#[derive(QueryableByName)]
struct CandidateRow {
    #[diesel(sql_type = Int8)]
    id: i64,
    #[diesel(sql_type = Text)]
    aggregate: String,
    #[diesel(sql_type = Text)]
    scope: String,
    #[diesel(sql_type = Bool)]
    barrier: bool,
    #[diesel(sql_type = Jsonb)]
    effects: serde_json::Value,
    #[diesel(sql_type = Int4)]
    attempts: i32,
    #[diesel(sql_type = Bool)]
    blocked: bool,
}

/// The candidates a claim takes (see [`claimable`]).
fn unblocked(candidates: Vec<CandidateRow>) -> Vec<CandidateRow> {
    let keep = claimable(candidates.iter().map(|r| Candidate {
        aggregate: &r.aggregate,
        scope: &r.scope,
        barrier: r.barrier,
        blocked_outside: r.blocked,
    }));
    candidates
        .into_iter()
        .zip(keep)
        .filter_map(|(row, keep)| keep.then_some(row))
        .collect()
}

fn interval(d: Duration) -> chrono::TimeDelta {
    chrono::TimeDelta::from_std(d).unwrap_or(chrono::TimeDelta::MAX)
}

fn decode_effects(raw: serde_json::Value) -> Result<Vec<StoredEffect>, StoreError> {
    serde_json::from_value(raw).map_err(|e| StoreError::Rejected(format!("outbox effects: {e}")))
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
                        outbox::applied_at.eq(None::<DateTime<Utc>>),
                        outbox::attempts.eq(0),
                        outbox::available_at.eq(diesel::dsl::now),
                    ))
                    .execute(conn)
                    .await
                    .map_err(map_err)
            })
            .await
    }

    /// Deletes applied rows older than `keep`; returns how many went.
    pub async fn prune(&self, keep: Duration) -> Result<usize, StoreError> {
        let cutoff = Utc::now() - interval(keep);
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

async fn claim_in(
    tx: &mut AsyncPgConnection,
    pick: Option<Vec<i64>>,
    limit: i64,
    lease: Lease,
) -> Result<Vec<ClaimedRow>, TxError> {
    let sql = CLAIM.replace("{pick}", if pick.is_some() { NAMED } else { DUE });
    let candidates: Vec<CandidateRow> = diesel::sql_query(sql)
        .bind::<Nullable<Array<BigInt>>, _>(pick)
        .bind::<BigInt, _>(limit)
        .load(tx)
        .await?;
    let taken = unblocked(candidates);
    if taken.is_empty() {
        return Ok(vec![]);
    }
    let mut claimed = Vec::with_capacity(taken.len());
    for row in taken {
        match decode_effects(row.effects) {
            Ok(effects) => claimed.push(ClaimedRow {
                id: row.id,
                aggregate: row.aggregate,
                scope: row.scope,
                barrier: row.barrier,
                effects,
                attempts: row.attempts,
            }),
            // Effects that do not parse can never be applied: a dead letter at once.
            Err(e) => {
                tracing::error!(outbox_id = row.id, error = %e, "outbox row is a dead letter");
                diesel::update(outbox::table.find(row.id))
                    .set((
                        outbox::dead_at.eq(diesel::dsl::now),
                        outbox::last_error.eq(e.to_string()),
                    ))
                    .execute(tx)
                    .await?;
            }
        }
    }
    let ids: Vec<i64> = claimed.iter().map(|r| r.id).collect();
    diesel::update(outbox::table.filter(outbox::id.eq_any(&ids)))
        .set((
            outbox::lease_owner.eq(lease.owner),
            outbox::lease_until.eq(later(lease.length)),
        ))
        .execute(tx)
        .await?;
    Ok(claimed)
}

#[async_trait]
impl Outbox for PgOutbox {
    async fn claim(&self, pick: Pick<'_>, lease: &Lease) -> Result<Vec<ClaimedRow>, StoreError> {
        let (named, limit) = match pick {
            Pick::Due { limit } => (None, limit),
            Pick::Rows(ids) => (Some(ids.to_vec()), 1000),
        };
        let lease = *lease;
        self.store
            .transaction(async move |tx| claim_in(tx, named.clone(), limit, lease).await)
            .await
    }

    async fn settle(&self, lease: &Lease, outcomes: &[(i64, Outcome)]) -> Result<(), StoreError> {
        let owner = lease.owner;
        let outcomes = outcomes.to_vec();
        self.store
            .run(async move |conn| {
                let held = outbox::lease_owner.eq(owner);
                let ids_with = |wanted: fn(&Outcome) -> bool| -> Vec<i64> {
                    outcomes
                        .iter()
                        .filter(|(_, o)| wanted(o))
                        .map(|(id, _)| *id)
                        .collect()
                };
                let applied = ids_with(|o| *o == Outcome::Applied);
                let released = ids_with(|o| *o == Outcome::Released);
                let free = (
                    outbox::lease_owner.eq(None::<Uuid>),
                    outbox::lease_until.eq(None::<DateTime<Utc>>),
                );
                if !applied.is_empty() {
                    diesel::update(
                        outbox::table
                            .filter(outbox::id.eq_any(&applied))
                            .filter(held),
                    )
                    .set((outbox::applied_at.eq(diesel::dsl::now), free))
                    .execute(conn)
                    .await
                    .map_err(map_err)?;
                }
                if !released.is_empty() {
                    diesel::update(
                        outbox::table
                            .filter(outbox::id.eq_any(&released))
                            .filter(held),
                    )
                    .set(free)
                    .execute(conn)
                    .await
                    .map_err(map_err)?;
                }
                for (id, outcome) in &outcomes {
                    let row = outbox::table.find(*id).filter(held);
                    let failed = (outbox::attempts.eq(outbox::attempts + 1), free);
                    let done = match outcome {
                        Outcome::Retry { after, error } => {
                            diesel::update(row)
                                .set((
                                    failed,
                                    outbox::last_error.eq(error),
                                    outbox::available_at.eq(later(*after)),
                                ))
                                .execute(conn)
                                .await
                        }
                        Outcome::Dead { error } => {
                            diesel::update(row)
                                .set((
                                    failed,
                                    outbox::last_error.eq(error),
                                    outbox::dead_at.eq(diesel::dsl::now),
                                ))
                                .execute(conn)
                                .await
                        }
                        Outcome::Applied | Outcome::Released => continue,
                    };
                    done.map_err(map_err)?;
                }
                Ok(())
            })
            .await
    }

    async fn pending_count(&self) -> Result<i64, StoreError> {
        self.store
            .run(async move |conn| {
                outbox::table
                    .filter(outbox::applied_at.is_null())
                    .filter(outbox::dead_at.is_null())
                    .count()
                    .get_result(conn)
                    .await
                    .map_err(map_err)
            })
            .await
    }

    async fn dead_letters(&self, limit: i64) -> Result<Vec<DeadLetter>, StoreError> {
        type Row = (
            i64,
            String,
            i32,
            Option<String>,
            DateTime<Utc>,
            Option<DateTime<Utc>>,
        );
        let rows: Vec<Row> = self
            .store
            .run(async move |conn| {
                outbox::table
                    .filter(outbox::dead_at.is_not_null())
                    .order(outbox::id)
                    .limit(limit)
                    .select((
                        outbox::id,
                        outbox::aggregate,
                        outbox::attempts,
                        outbox::last_error,
                        outbox::created_at,
                        outbox::dead_at,
                    ))
                    .load(conn)
                    .await
                    .map_err(map_err)
            })
            .await?;
        Ok(rows
            .into_iter()
            .map(
                |(id, aggregate, attempts, last_error, created_at, dead_at)| DeadLetter {
                    id,
                    aggregate,
                    attempts,
                    last_error,
                    created_at,
                    dead_at: dead_at.unwrap_or(created_at),
                },
            )
            .collect())
    }

    async fn dead_count(&self) -> Result<i64, StoreError> {
        self.store
            .run(async move |conn| {
                outbox::table
                    .filter(outbox::dead_at.is_not_null())
                    .count()
                    .get_result(conn)
                    .await
                    .map_err(map_err)
            })
            .await
    }

    async fn requeue(&self, id: i64) -> Result<bool, StoreError> {
        let n = self
            .store
            .run(async move |conn| {
                diesel::sql_query(
                    "UPDATE outbox o SET dead_at = NULL, attempts = 0, last_error = NULL, \
                     available_at = now() \
                     WHERE o.id = $1 AND o.dead_at IS NOT NULL AND NOT EXISTS ( \
                         SELECT 1 FROM outbox b WHERE b.scope = o.scope AND b.barrier \
                         AND b.id > o.id AND b.applied_at IS NOT NULL)",
                )
                .bind::<BigInt, _>(id)
                .execute(conn)
                .await
                .map_err(map_err)
            })
            .await?;
        Ok(n == 1)
    }
}
