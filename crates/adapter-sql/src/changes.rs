//! The commit half of the write path: a change's audit row and outbox row, written inside the
//! transaction that holds its relational rows. Feature repositories call [`commit`] last in their
//! transaction, after the rows that change, so outbox ids of one aggregate follow commit order.

use crate::pool::{later, PgStore, TxError};
use crate::schema::{audit_log, idempotency_keys, outbox};
use chrono::Utc;
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use std::time::Duration;
use taskforge_domain::ids::AuditId;
use taskforge_domain::write_path::{Change, Receipt, URGENT_FIRST};
use taskforge_domain::StoreError;

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

pub(crate) async fn commit(
    conn: &mut AsyncPgConnection,
    change: &Change,
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
    let mut receipt = Receipt::default();
    for entry in &change.entries {
        let effects = serde_json::to_value(&entry.effects)
            .map_err(|e| TxError(StoreError::Internal(e.into())))?;
        let id: i64 = diesel::insert_into(outbox::table)
            .values((
                outbox::aggregate.eq(entry.aggregate.key()),
                outbox::scope.eq(entry.aggregate.scope().to_string()),
                outbox::barrier.eq(entry.aggregate.is_barrier()),
                outbox::effects.eq(effects),
                outbox::available_at.eq(later(if entry.urgent {
                    URGENT_FIRST
                } else {
                    Duration::ZERO
                })),
            ))
            .returning(outbox::id)
            .get_result(conn)
            .await?;
        if entry.urgent {
            receipt.urgent.push(id);
        } else {
            receipt.rows.push(id);
        }
    }
    Ok(receipt)
}

/// Commits `changes` (after the rows they change): the receipt holds the outbox rows of all.
pub(crate) async fn commit_all(
    conn: &mut AsyncPgConnection,
    changes: &[Change],
) -> Result<Receipt, TxError> {
    let mut receipt = Receipt::default();
    for change in changes {
        receipt.append(commit(conn, change).await?);
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
    store
        .transaction(async move |tx| {
            rows(tx).await?;
            commit(tx, &change).await
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
