//! Reading a team's audit log and proving its hash chain (API "Audit"). The write path commits
//! one row per change; the sequencer links each scope's committed rows into a SHA-256 chain
//! (ADR 3). Verifying walks the chain from its first link, so an edited, deleted or inserted
//! row shows as the first link that no longer holds.

mod cursor;

pub use cursor::AuditCursor;

use crate::ids::{AuditId, UserId};
use crate::teams::{Access, Permission, Requirement};
use crate::write_path::{AuditAction, AuditEntityType, Scope};
use crate::{Error, StoreError};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use std::sync::Arc;

/// One audit row as the API shows it.
#[derive(Debug, Clone, PartialEq)]
pub struct AuditRecord {
    pub id: AuditId,
    pub entity_type: AuditEntityType,
    pub entity_id: uuid::Uuid,
    pub action: AuditAction,
    pub actor_id: Option<UserId>,
    pub at: DateTime<Utc>,
    pub previous_state: Option<serde_json::Value>,
    pub new_state: Option<serde_json::Value>,
    pub ip: Option<String>,
    pub user_agent: Option<String>,
}

impl AuditRecord {
    pub fn cursor(&self) -> AuditCursor {
        AuditCursor {
            at: self.at,
            id: self.id,
        }
    }
}

/// Which rows a page holds: every given criterion must match; `from` is inclusive, `to`
/// exclusive.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct AuditFilter {
    pub entity_type: Option<AuditEntityType>,
    pub action: Option<AuditAction>,
    pub actor: Option<UserId>,
    pub from: Option<DateTime<Utc>>,
    pub to: Option<DateTime<Utc>>,
}

impl AuditFilter {
    pub fn matches(&self, r: &AuditRecord) -> bool {
        self.entity_type.is_none_or(|t| t == r.entity_type)
            && self.action.is_none_or(|a| a == r.action)
            && self.actor.is_none_or(|a| Some(a) == r.actor_id)
            && self.from.is_none_or(|from| r.at >= from)
            && self.to.is_none_or(|to| r.at < to)
    }
}

/// What walking a chain found: `checked` links held; `first_bad` is the first that did not.
/// A chain whose rows all hold but whose recorded head is beyond them lost its tail: not ok,
/// with no row to name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChainCheck {
    pub ok: bool,
    pub checked: usize,
    pub first_bad: Option<AuditId>,
}

/// The audit log (PostgreSQL).
#[async_trait]
pub trait AuditLog: Send + Sync {
    /// One page of `scope`'s rows that `filter` keeps, newest first, after `after`.
    async fn page(
        &self,
        scope: Scope,
        filter: &AuditFilter,
        after: Option<&AuditCursor>,
        limit: i64,
    ) -> Result<Vec<AuditRecord>, StoreError>;
    /// Chains `scope`'s committed rows not yet chained, then walks its chain from the first
    /// link.
    async fn verify(&self, scope: Scope) -> Result<ChainCheck, StoreError>;
}

pub struct AuditService {
    log: Arc<dyn AuditLog>,
}

fn readable(access: &Access) -> Result<Scope, Error> {
    access.require(Requirement::Permission(Permission::AuditRead))?;
    Ok(Scope::Team(access.team()))
}

impl AuditService {
    pub fn new(log: Arc<dyn AuditLog>) -> Self {
        Self { log }
    }

    /// A page of the team's audit log, newest first, and the cursor of the next; needs
    /// `audit.read`.
    pub async fn page(
        &self,
        access: &Access,
        filter: &AuditFilter,
        after: Option<&AuditCursor>,
        limit: i64,
    ) -> Result<(Vec<AuditRecord>, Option<AuditCursor>), Error> {
        let scope = readable(access)?;
        let mut rows = self.log.page(scope, filter, after, limit + 1).await?;
        let next = (rows.len() as i64 > limit).then(|| {
            rows.truncate(limit as usize);
            rows.last().map(AuditRecord::cursor)
        });
        Ok((rows, next.flatten()))
    }

    /// Proves the team's chain; needs `audit.read`.
    pub async fn verify(&self, access: &Access) -> Result<ChainCheck, Error> {
        let scope = readable(access)?;
        Ok(self.log.verify(scope).await?)
    }
}
