//! `PgIdempotency`: idempotency keys per user. A claim inserts the key; the change that answers
//! the request records its response in the same commit (see `changes::commit`).

use crate::pool::{map_err, PgStore};
use crate::schema::idempotency_keys;
use async_trait::async_trait;
use chrono::{DateTime, TimeDelta, Utc};
use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use std::time::Duration;
use taskforge_domain::write_path::{Claim, IdempotencyKey, IdempotencyStore};
use taskforge_domain::StoreError;

/// A claim with no response after this long belongs to a request that died; a retry takes over.
const ABANDONED_AFTER: TimeDelta = TimeDelta::seconds(60);

pub struct PgIdempotency {
    store: PgStore,
}

impl PgIdempotency {
    pub fn new(store: PgStore) -> Self {
        Self { store }
    }

    /// Forgets keys older than `keep`.
    pub async fn prune(&self, keep: Duration) -> Result<usize, StoreError> {
        let cutoff = Utc::now() - TimeDelta::from_std(keep).unwrap_or_default();
        self.store
            .run(async move |conn| {
                diesel::delete(
                    idempotency_keys::table.filter(idempotency_keys::created_at.lt(cutoff)),
                )
                .execute(conn)
                .await
                .map_err(map_err)
            })
            .await
    }
}

#[async_trait]
impl IdempotencyStore for PgIdempotency {
    async fn claim(&self, key: &IdempotencyKey) -> Result<Claim, StoreError> {
        let (user, name, hash) = (
            key.user.as_uuid(),
            key.key.clone(),
            key.request_hash.clone(),
        );
        self.store
            .run(async move |conn| {
                let inserted = diesel::insert_into(idempotency_keys::table)
                    .values((
                        idempotency_keys::user_id.eq(user),
                        idempotency_keys::key.eq(&name),
                        idempotency_keys::request_hash.eq(&hash),
                    ))
                    .on_conflict_do_nothing()
                    .execute(conn)
                    .await
                    .map_err(map_err)?;
                if inserted == 1 {
                    return Ok(Claim::Fresh);
                }
                let (stored_hash, response, created): (
                    String,
                    Option<serde_json::Value>,
                    DateTime<Utc>,
                ) = idempotency_keys::table
                    .find((user, &name))
                    .select((
                        idempotency_keys::request_hash,
                        idempotency_keys::response,
                        idempotency_keys::created_at,
                    ))
                    .first(conn)
                    .await
                    .map_err(map_err)?;
                if stored_hash != hash {
                    return Ok(Claim::Mismatch);
                }
                if let Some(response) = response {
                    return Ok(Claim::Replay(response));
                }
                if Utc::now() - created < ABANDONED_AFTER {
                    return Ok(Claim::InFlight);
                }
                let taken = diesel::update(
                    idempotency_keys::table
                        .find((user, &name))
                        .filter(idempotency_keys::response.is_null())
                        .filter(idempotency_keys::created_at.eq(created)),
                )
                .set(idempotency_keys::created_at.eq(Utc::now()))
                .execute(conn)
                .await
                .map_err(map_err)?;
                Ok(if taken == 1 {
                    Claim::Fresh
                } else {
                    Claim::InFlight
                })
            })
            .await
    }

    async fn release(&self, key: &IdempotencyKey) -> Result<(), StoreError> {
        let (user, name) = (key.user.as_uuid(), key.key.clone());
        self.store
            .run(async move |conn| {
                diesel::delete(
                    idempotency_keys::table
                        .find((user, &name))
                        .filter(idempotency_keys::response.is_null()),
                )
                .execute(conn)
                .await
                .map(drop)
                .map_err(map_err)
            })
            .await
    }
}
