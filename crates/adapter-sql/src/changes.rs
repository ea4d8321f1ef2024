//! The commit half of the write path: a change's audit row and outbox row, written inside the
//! transaction that holds its relational rows. Feature repositories call [`commit`] last in their
//! transaction, after the rows that change, so outbox ids of one aggregate follow commit order.

use crate::pool::{PgStore, TxError};
use crate::schema::{audit_log, idempotency_keys};
use chrono::Utc;
use diesel::data_types::PgInterval;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Bool, Interval, Jsonb, Text, Uuid as SqlUuid};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use std::time::Duration;
use taskforge_domain::ids::AuditId;
use taskforge_domain::write_path::{Change, Lease, Receipt, URGENT_FIRST};
use taskforge_domain::StoreError;
use uuid::Uuid;

#[derive(Insertable)]
#[diesel(table_name = audit_log)]
struct NewAuditRow<'a> {
    id: uuid::Uuid,
    scope: String,
    entity_type: &'a str,
    entity_id: uuid::Uuid,
    action: &'a str,
    actor_id: Option<uuid::Uuid>,
    at: chrono::DateTime<Utc>,
    previous_state: Option<&'a serde_json::Value>,
    new_state: Option<&'a serde_json::Value>,
    ip: Option<&'a str>,
    user_agent: Option<&'a str>,
}

/// Inserts an outbox row, leased at once to the committing request (as a claim would lease it)
/// when nothing older blocks it: no pending row of its aggregate, no pending barrier of its
/// scope, and for a barrier no pending row of its scope at all. A concurrent change of the same
/// aggregate waits for this one's row lock, so its check sees this row once committed.
const INSERT_LEASED: &str = "
INSERT INTO outbox (aggregate, scope, barrier, effects, available_at, lease_owner, lease_until)
SELECT $1, $2, $3, $4, now() + $5,
    CASE WHEN free THEN $6::uuid END, CASE WHEN free THEN now() + $7 END
FROM (SELECT NOT EXISTS (SELECT 1 FROM outbox e
                         WHERE e.aggregate = $1 AND e.applied_at IS NULL AND e.dead_at IS NULL)
         AND NOT EXISTS (SELECT 1 FROM outbox e
                         WHERE e.scope = $2 AND (e.barrier OR $3)
                           AND e.applied_at IS NULL AND e.dead_at IS NULL) AS free) f
RETURNING id, lease_owner IS NOT NULL AS leased";

#[derive(QueryableByName)]
struct InsertedRow {
    #[diesel(sql_type = BigInt)]
    id: i64,
    #[diesel(sql_type = Bool)]
    leased: bool,
}

fn interval(d: Duration) -> PgInterval {
    PgInterval::from_microseconds(i64::try_from(d.as_micros()).unwrap_or(i64::MAX))
}

/// Writes `change`'s audit row and outbox rows; the rows nothing older blocks are leased to
/// the request for `lease_length`.
pub(crate) async fn commit(
    conn: &mut AsyncPgConnection,
    change: &Change,
    lease_length: Duration,
) -> Result<Receipt, TxError> {
    let audit = &change.audit;
    diesel::insert_into(audit_log::table)
        .values(NewAuditRow {
            id: AuditId::new().as_uuid(),
            scope: change.scope().to_string(),
            entity_type: audit.entity_type.as_str(),
            entity_id: audit.entity_id,
            action: audit.action.as_str(),
            actor_id: audit.actor.user_id.map(|u| u.as_uuid()),
            at: Utc::now(),
            previous_state: audit.previous_state.as_ref(),
            new_state: audit.new_state.as_ref(),
            ip: audit.actor.ip.as_deref(),
            user_agent: audit.actor.user_agent.as_deref(),
        })
        .execute(conn)
        .await?;
    if let Some(done) = &change.idempotency {
        diesel::update(idempotency_keys::table.find((done.user.as_uuid(), &done.key)))
            .set(idempotency_keys::response.eq(&done.response))
            .execute(conn)
            .await?;
    }
    let lease = Lease {
        owner: Uuid::new_v4(),
        length: lease_length,
    };
    let mut receipt = Receipt::default();
    for entry in &change.entries {
        let aggregate = entry.aggregate.key();
        let scope = entry.aggregate.scope().to_string();
        let barrier = entry.aggregate.is_barrier();
        let effects = serde_json::to_value(&entry.effects)
            .map_err(|e| TxError(StoreError::Internal(e.into())))?;
        let urgent_first = if entry.urgent {
            URGENT_FIRST
        } else {
            Duration::ZERO
        };
        let row: InsertedRow = diesel::sql_query(INSERT_LEASED)
            .bind::<Text, _>(&aggregate)
            .bind::<Text, _>(&scope)
            .bind::<Bool, _>(barrier)
            .bind::<Jsonb, _>(effects)
            .bind::<Interval, _>(interval(urgent_first))
            .bind::<SqlUuid, _>(lease.owner)
            .bind::<Interval, _>(interval(lease.length))
            .get_result(conn)
            .await?;
        receipt.record(row.id, entry, row.leased.then_some(lease));
    }
    Ok(receipt)
}

/// Commits `changes` (after the rows they change): the receipt holds the outbox rows of all.
pub(crate) async fn commit_all(
    conn: &mut AsyncPgConnection,
    changes: &[Change],
    lease_length: Duration,
) -> Result<Receipt, TxError> {
    let mut receipt = Receipt::default();
    for change in changes {
        receipt.append(commit(conn, change, lease_length).await?);
    }
    Ok(receipt)
}

/// Runs `rows` (the relational part of a change) and commits `change` with it, in one
/// transaction on one pooled connection, under the store timeout.
pub(crate) async fn in_change(
    store: &PgStore,
    change: Change,
    rows: impl AsyncFn(&mut AsyncPgConnection) -> Result<(), TxError>,
) -> Result<Receipt, StoreError> {
    let lease_length = store.outbox_lease();
    store
        .transaction(async move |tx| {
            rows(tx).await?;
            commit(tx, &change, lease_length).await
        })
        .await
}

/// `Err(none)` unless an UPDATE or DELETE touched exactly one row.
pub(crate) fn one_row(affected: usize, none: StoreError) -> Result<(), TxError> {
    if affected == 1 {
        Ok(())
    } else {
        Err(TxError(none))
    }
}
