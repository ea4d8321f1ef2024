//! `PgAuditLog`: pages of a scope's audit rows, newest first, and the proof of its chain.

use crate::audit_chain::AuditChain;
use crate::pool::{map_err, PgStore};
use crate::schema::audit_log;
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use taskforge_domain::audit::{AuditCursor, AuditFilter, AuditLog, AuditRecord, ChainCheck};
use taskforge_domain::ids::{AuditId, UserId};
use taskforge_domain::write_path::{AuditAction, AuditEntityType, Scope};
use taskforge_domain::StoreError;
use uuid::Uuid;

pub struct PgAuditLog {
    store: PgStore,
    chain: AuditChain,
}

impl PgAuditLog {
    pub fn new(store: PgStore) -> Self {
        Self {
            chain: AuditChain::new(store.clone()),
            store,
        }
    }
}

type Row = (
    Uuid,
    String,
    Uuid,
    String,
    Option<Uuid>,
    DateTime<Utc>,
    Option<serde_json::Value>,
    Option<serde_json::Value>,
    Option<String>,
    Option<String>,
);

fn record(row: Row) -> Result<AuditRecord, StoreError> {
    let (id, entity_type, entity_id, action, actor_id, at, previous_state, new_state, ip, ua) = row;
    let corrupt =
        |what: &str| StoreError::Internal(anyhow::anyhow!("audit row {id}: stored {what}"));
    Ok(AuditRecord {
        id: AuditId::from_uuid(id),
        entity_type: AuditEntityType::parse(&entity_type).ok_or_else(|| corrupt("entity type"))?,
        entity_id,
        action: AuditAction::parse(&action).ok_or_else(|| corrupt("action"))?,
        actor_id: actor_id.map(UserId::from_uuid),
        at,
        previous_state,
        new_state,
        ip,
        user_agent: ua,
    })
}

#[async_trait]
impl AuditLog for PgAuditLog {
    async fn page(
        &self,
        scope: Scope,
        filter: &AuditFilter,
        after: Option<&AuditCursor>,
        limit: i64,
    ) -> Result<Vec<AuditRecord>, StoreError> {
        let (scope, filter, after) = (scope.to_string(), filter.clone(), after.copied());
        let rows: Vec<Row> = self
            .store
            .run(async move |conn| {
                let mut q = audit_log::table
                    .filter(audit_log::scope.eq(&scope))
                    .into_boxed();
                if let Some(t) = filter.entity_type {
                    q = q.filter(audit_log::entity_type.eq(t.as_str()));
                }
                if let Some(a) = filter.action {
                    q = q.filter(audit_log::action.eq(a.as_str()));
                }
                if let Some(actor) = filter.actor {
                    q = q.filter(audit_log::actor_id.eq(actor.as_uuid()));
                }
                if let Some(from) = filter.from {
                    q = q.filter(audit_log::at.ge(from));
                }
                if let Some(to) = filter.to {
                    q = q.filter(audit_log::at.lt(to));
                }
                if let Some(c) = after {
                    q = q.filter(
                        audit_log::at
                            .lt(c.at)
                            .or(audit_log::at.eq(c.at).and(audit_log::id.lt(c.id.as_uuid()))),
                    );
                }
                q.order((audit_log::at.desc(), audit_log::id.desc()))
                    .limit(limit)
                    .select((
                        audit_log::id,
                        audit_log::entity_type,
                        audit_log::entity_id,
                        audit_log::action,
                        audit_log::actor_id,
                        audit_log::at,
                        audit_log::previous_state,
                        audit_log::new_state,
                        audit_log::ip,
                        audit_log::user_agent,
                    ))
                    .load(conn)
                    .await
                    .map_err(map_err)
            })
            .await?;
        rows.into_iter().map(record).collect()
    }

    async fn verify(&self, scope: Scope) -> Result<ChainCheck, StoreError> {
        let scope = scope.to_string();
        self.chain.sequence_scope(scope.clone()).await?;
        self.chain.verify(&scope).await
    }
}
