//! The audit log's hash chain. Rows commit unchained with their change; the sequencer links the
//! committed rows of each scope shortly after, in commit order, holding only that scope's chain
//! head. Writers never wait on the chain, and any edited, inserted or deleted row breaks it.

use crate::pool::{map_err, PgStore, TxError};
use crate::schema::{audit_chain_heads, audit_log};
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel::sql_types::{Array, BigInt, Bytea, Uuid as SqlUuid};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use sha2::{Digest, Sha256};
use taskforge_domain::audit::ChainCheck;
use taskforge_domain::ids::AuditId;
use taskforge_domain::StoreError;
use uuid::Uuid;

/// Rows chained per scope in one transaction.
const CHAIN_BATCH: i64 = 500;
const GENESIS: [u8; 32] = [0; 32];

#[derive(Queryable, Selectable)]
#[diesel(table_name = audit_log)]
struct AuditRow {
    id: Uuid,
    scope: String,
    entity_type: String,
    entity_id: Uuid,
    action: String,
    actor_id: Option<Uuid>,
    at: DateTime<Utc>,
    previous_state: Option<serde_json::Value>,
    new_state: Option<serde_json::Value>,
    ip: Option<String>,
    user_agent: Option<String>,
    seq: Option<i64>,
    prev_hash: Option<Vec<u8>>,
    hash: Option<Vec<u8>>,
}

impl AuditRow {
    /// SHA-256 over the previous link and every field of the row, each length-prefixed.
    fn link(&self, prev: &[u8]) -> Vec<u8> {
        let json = |v: &Option<serde_json::Value>| v.as_ref().map(ToString::to_string);
        let fields = [
            Some(self.id.to_string()),
            Some(self.scope.clone()),
            Some(self.entity_type.clone()),
            Some(self.entity_id.to_string()),
            Some(self.action.clone()),
            self.actor_id.map(|a| a.to_string()),
            Some(self.at.timestamp_micros().to_string()),
            json(&self.previous_state),
            json(&self.new_state),
            self.ip.clone(),
            self.user_agent.clone(),
        ];
        let mut h = Sha256::new();
        h.update(prev);
        for field in fields {
            match field {
                Some(f) => {
                    h.update((f.len() as u64).to_be_bytes());
                    h.update(f.as_bytes());
                }
                None => h.update(u64::MAX.to_be_bytes()),
            }
        }
        h.finalize().to_vec()
    }
}

pub struct AuditChain {
    store: PgStore,
}

impl AuditChain {
    pub fn new(store: PgStore) -> Self {
        Self { store }
    }

    /// Chains every committed, unchained row; returns how many it chained.
    pub async fn sequence(&self) -> Result<usize, StoreError> {
        let scopes: Vec<String> = self
            .store
            .run(async |conn| {
                audit_log::table
                    .filter(audit_log::seq.is_null())
                    .select(audit_log::scope)
                    .distinct()
                    .limit(1000)
                    .load(conn)
                    .await
                    .map_err(map_err)
            })
            .await?;
        let mut chained = 0;
        for scope in scopes {
            chained += self.sequence_scope(scope).await?;
        }
        Ok(chained)
    }

    /// Every scope with a chain.
    pub async fn scopes(&self) -> Result<Vec<String>, StoreError> {
        self.store
            .run(async |conn| {
                audit_chain_heads::table
                    .select(audit_chain_heads::scope)
                    .order(audit_chain_heads::scope)
                    .load(conn)
                    .await
                    .map_err(map_err)
            })
            .await
    }

    /// Chains `scope`'s committed, unchained rows (none if another sequencer holds it).
    pub async fn sequence_scope(&self, scope: String) -> Result<usize, StoreError> {
        self.store
            .transaction(async move |tx| chain_scope(tx, &scope).await)
            .await
    }

    /// Walks one scope's chain from its first link and recomputes every hash.
    pub async fn verify(&self, scope: &str) -> Result<ChainCheck, StoreError> {
        let scope = scope.to_owned();
        let (rows, head): (Vec<AuditRow>, Option<(i64, Vec<u8>)>) = self
            .store
            .run(async move |conn| {
                let rows = audit_log::table
                    .filter(audit_log::scope.eq(&scope))
                    .filter(audit_log::seq.is_not_null())
                    .order((audit_log::seq, audit_log::id))
                    .select(AuditRow::as_select())
                    .load(conn)
                    .await
                    .map_err(map_err)?;
                let head = audit_chain_heads::table
                    .find(&scope)
                    .select((audit_chain_heads::seq, audit_chain_heads::hash))
                    .first(conn)
                    .await
                    .optional()
                    .map_err(map_err)?;
                Ok((rows, head))
            })
            .await?;
        let mut prev = GENESIS.to_vec();
        for (i, row) in rows.iter().enumerate() {
            let expected_seq = i as i64 + 1;
            let intact = row.seq == Some(expected_seq)
                && row.prev_hash.as_deref() == Some(prev.as_slice())
                && row.hash.as_deref() == Some(row.link(&prev).as_slice());
            if !intact {
                return Ok(ChainCheck {
                    ok: false,
                    checked: i,
                    first_bad: Some(AuditId::from_uuid(row.id)),
                });
            }
            prev = row.link(&prev);
        }
        // A deleted tail shows as a head beyond the last row.
        let tail_intact = match head {
            Some((seq, hash)) => seq == rows.len() as i64 && hash == prev,
            None => rows.is_empty(),
        };
        Ok(ChainCheck {
            ok: tail_intact,
            checked: rows.len(),
            first_bad: None,
        })
    }
}

async fn chain_scope(tx: &mut AsyncPgConnection, scope: &str) -> Result<usize, TxError> {
    diesel::insert_into(audit_chain_heads::table)
        .values((
            audit_chain_heads::scope.eq(scope),
            audit_chain_heads::seq.eq(0),
            audit_chain_heads::hash.eq(GENESIS.to_vec()),
        ))
        .on_conflict_do_nothing()
        .execute(tx)
        .await?;
    let head: Option<(i64, Vec<u8>)> = audit_chain_heads::table
        .find(scope)
        .select((audit_chain_heads::seq, audit_chain_heads::hash))
        .for_update()
        .skip_locked()
        .first(tx)
        .await
        .optional()?;
    // Another sequencer holds this scope.
    let Some((mut seq, mut prev)) = head else {
        return Ok(0);
    };
    let rows: Vec<AuditRow> = audit_log::table
        .filter(audit_log::scope.eq(scope))
        .filter(audit_log::seq.is_null())
        .order((audit_log::at, audit_log::id))
        .limit(CHAIN_BATCH)
        .select(AuditRow::as_select())
        .load(tx)
        .await?;
    if rows.is_empty() {
        return Ok(0);
    }
    let (mut ids, mut seqs, mut prevs, mut hashes) = (vec![], vec![], vec![], vec![]);
    for row in &rows {
        seq += 1;
        let hash = row.link(&prev);
        ids.push(row.id);
        seqs.push(seq);
        prevs.push(std::mem::replace(&mut prev, hash.clone()));
        hashes.push(hash);
    }
    // The whole batch in one statement: the chain costs a round trip per batch, not per row.
    diesel::sql_query(
        "UPDATE audit_log a SET seq = v.seq, prev_hash = v.prev, hash = v.hash \
         FROM unnest($1::uuid[], $2::int8[], $3::bytea[], $4::bytea[]) AS v(id, seq, prev, hash) \
         WHERE a.id = v.id",
    )
    .bind::<Array<SqlUuid>, _>(ids)
    .bind::<Array<BigInt>, _>(seqs)
    .bind::<Array<Bytea>, _>(prevs)
    .bind::<Array<Bytea>, _>(hashes)
    .execute(tx)
    .await?;
    diesel::update(audit_chain_heads::table.find(scope))
        .set((
            audit_chain_heads::seq.eq(seq),
            audit_chain_heads::hash.eq(&prev),
        ))
        .execute(tx)
        .await?;
    Ok(rows.len())
}
