//! `AuditLog` on the relational fake: its rows cannot be tampered with, so every chain holds.

use super::{audit_record, InMemoryRelational};
use crate::fakes::lock;
use async_trait::async_trait;
use taskforge_domain::audit::{AuditCursor, AuditFilter, AuditLog, AuditRecord, ChainCheck};
use taskforge_domain::write_path::Scope;
use taskforge_domain::StoreError;

#[async_trait]
impl AuditLog for InMemoryRelational {
    async fn page(
        &self,
        scope: Scope,
        filter: &AuditFilter,
        after: Option<&AuditCursor>,
        limit: i64,
    ) -> Result<Vec<AuditRecord>, StoreError> {
        let db = lock(&self.0);
        let mut rows: Vec<AuditRecord> = db
            .audit
            .iter()
            .filter(|(_, _, change)| change.scope() == scope)
            .map(|(id, at, change)| audit_record(*id, *at, change))
            .filter(|r| filter.matches(r))
            .filter(|r| after.is_none_or(|c| (r.at, r.id) < (c.at, c.id)))
            .collect();
        rows.sort_by_key(|r| std::cmp::Reverse((r.at, r.id)));
        rows.truncate(usize::try_from(limit).unwrap_or(0));
        Ok(rows)
    }

    async fn verify(&self, scope: Scope) -> Result<ChainCheck, StoreError> {
        let db = lock(&self.0);
        let checked = db
            .audit
            .iter()
            .filter(|(_, _, c)| c.scope() == scope)
            .count();
        Ok(ChainCheck {
            ok: true,
            checked,
            first_bad: None,
        })
    }
}
