//! The relay: applies outbox rows the fast path left behind, chains committed audit rows, and
//! prunes applied outbox rows past their retention. Any number of relays may run (SKIP LOCKED).

use crate::settings::WorkerSettings;
use std::time::{Duration, Instant};
use taskforge_adapter_sql::{AuditChain, PgIdempotency, PgOutbox};
use taskforge_domain::write_path::{FastPath, RelayReport};
use tokio::sync::watch;

const PRUNE_EVERY: Duration = Duration::from_secs(600);
/// Clients retry with the same key within minutes; a day is generous.
const IDEMPOTENCY_RETENTION: Duration = Duration::from_secs(24 * 3600);

pub struct Relay {
    pub(crate) fast_path: FastPath,
    pub(crate) chain: AuditChain,
    pub(crate) outbox: PgOutbox,
    pub(crate) idempotency: PgIdempotency,
    pub(crate) settings: WorkerSettings,
}

/// What one pass did.
#[derive(Debug, Default, Clone, Copy)]
pub struct Pass {
    pub outbox: RelayReport,
    pub audit_chained: usize,
}

impl Relay {
    /// One pass over every due outbox row and unchained audit row.
    pub async fn pass(&self) -> anyhow::Result<Pass> {
        let outbox = self.fast_path.relay_once(self.settings.batch_size).await?;
        let audit_chained = self.chain.sequence().await?;
        Ok(Pass {
            outbox,
            audit_chained,
        })
    }

    /// Passes until one applies nothing (at most `limit` passes); returns the rows applied.
    pub async fn drain(&self, limit: usize) -> anyhow::Result<usize> {
        let mut applied = 0;
        for _ in 0..limit {
            let pass = self.pass().await?;
            if pass.outbox.applied == 0 {
                break;
            }
            applied += pass.outbox.applied;
        }
        Ok(applied)
    }

    /// Passes until `stop` turns true; a pass that applied something is followed at once, an
    /// idle one waits the poll interval.
    pub async fn run(self, mut stop: watch::Receiver<bool>) {
        let idle = Duration::from_millis(self.settings.poll_interval_ms);
        let retention = Duration::from_secs(self.settings.retention_hours * 3600);
        let mut last_prune = Instant::now();
        while !*stop.borrow() {
            let busy = match self.pass().await {
                Ok(pass) => pass.outbox.applied > 0,
                Err(e) => {
                    tracing::warn!(error = %e, "relay pass failed");
                    false
                }
            };
            if last_prune.elapsed() >= PRUNE_EVERY {
                last_prune = Instant::now();
                if let Err(e) = self.outbox.prune(retention).await {
                    tracing::warn!(error = %e, "outbox prune failed");
                }
                if let Err(e) = self.idempotency.prune(IDEMPOTENCY_RETENTION).await {
                    tracing::warn!(error = %e, "idempotency key prune failed");
                }
            }
            if !busy {
                let _ = tokio::time::timeout(idle, stop.changed()).await;
            }
        }
    }
}
