//! The relay: applies outbox rows the fast path left behind, chains committed audit rows,
//! sends due-date reminders, folds the team dashboards' tallies,
//! prunes applied outbox rows and notifications past their retention and sweeps the bytes of
//! uploads whose change never committed; beside that, its mailer sends due notification mail.
//! Any number of relays may run (rows and mail batches are leased). It also keeps the outbox
//! gauges of /metrics current.

use crate::settings::WorkerSettings;
use std::sync::Arc;
use std::time::{Duration, Instant};
use taskforge_adapter_sql::{AuditChain, PgDashboards, PgIdempotency, PgOutbox};
use taskforge_domain::attachments::AttachmentService;
use taskforge_domain::mail::MailService;
use taskforge_domain::notifications::{Eraser, Reminders};
use taskforge_domain::write_path::{RelayReport, WritePath};
use tokio::sync::watch;

const PRUNE_EVERY: Duration = Duration::from_secs(600);
const GAUGES_EVERY: Duration = Duration::from_secs(5);
/// Reminders fire within this of their threshold.
const REMIND_EVERY: Duration = Duration::from_secs(30);
/// Readers sum the rows written since a team's last fold: a few seconds' worth.
const FOLD_EVERY: Duration = Duration::from_secs(10);
/// Per-day series reach 30 days back, in any time zone.
const SLOT_DAYS_KEPT: u32 = 32;
/// Clients retry with the same key within minutes; a day is generous.
const IDEMPOTENCY_RETENTION: Duration = Duration::from_secs(24 * 3600);

pub struct Relay {
    pub(crate) write_path: WritePath,
    pub(crate) chain: AuditChain,
    pub(crate) outbox: PgOutbox,
    pub(crate) idempotency: PgIdempotency,
    pub(crate) dashboards: PgDashboards,
    pub(crate) attachments: Arc<AttachmentService>,
    pub(crate) mail: Arc<MailService>,
    pub(crate) mail_every: Duration,
    pub(crate) notifications: Eraser,
    pub(crate) reminders: Reminders,
    pub(crate) settings: WorkerSettings,
    /// How long notifications are kept.
    pub(crate) retention: Duration,
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
        let outbox = self.write_path.relay_once(self.settings.batch_size).await?;
        if outbox.dead > 0 {
            metrics::counter!("outbox_dead_letters_total").increment(outbox.dead as u64);
        }
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

    /// Arms the due-date reminders that are due and delivers the armed ones; answers how many
    /// notifications that made.
    pub async fn remind(&self) -> anyhow::Result<usize> {
        Ok(self.reminders.run().await?)
    }

    /// Sets the `outbox_pending_rows` and `outbox_dead_letters` gauges.
    async fn observe(&self) -> anyhow::Result<()> {
        let outbox = self.write_path.outbox();
        metrics::gauge!("outbox_pending_rows").set(outbox.pending_count().await? as f64);
        metrics::gauge!("outbox_dead_letters").set(outbox.dead_count().await? as f64);
        Ok(())
    }

    /// Passes until `stop` turns true; a pass that applied something is followed at once, an
    /// idle one waits the poll interval.
    pub async fn run(self, mut stop: watch::Receiver<bool>) {
        let mail = tokio::spawn(send_mail(self.mail.clone(), self.mail_every, stop.clone()));
        let idle = Duration::from_millis(self.settings.poll_interval_ms);
        let retention = Duration::from_secs(self.settings.retention_hours * 3600);
        let mut last_prune = Instant::now();
        let mut last_gauges: Option<Instant> = None;
        let mut last_reminders: Option<Instant> = None;
        let mut last_fold: Option<Instant> = None;
        while !*stop.borrow() {
            let busy = match self.pass().await {
                Ok(pass) => pass.outbox.applied > 0,
                Err(e) => {
                    tracing::warn!(error = %e, "relay pass failed");
                    false
                }
            };
            if last_gauges.is_none_or(|at| at.elapsed() >= GAUGES_EVERY) {
                last_gauges = Some(Instant::now());
                if let Err(e) = self.observe().await {
                    tracing::warn!(error = %e, "outbox gauges not updated");
                }
            }
            if last_reminders.is_none_or(|at| at.elapsed() >= REMIND_EVERY) {
                last_reminders = Some(Instant::now());
                if let Err(e) = self.remind().await {
                    tracing::warn!(error = %e, "due-date reminders failed");
                }
            }
            if last_fold.is_none_or(|at| at.elapsed() >= FOLD_EVERY) {
                last_fold = Some(Instant::now());
                if let Err(e) = self.dashboards.fold(SLOT_DAYS_KEPT).await {
                    tracing::warn!(error = %e, "dashboard tallies not folded");
                }
            }
            if last_prune.elapsed() >= PRUNE_EVERY {
                last_prune = Instant::now();
                if let Err(e) = self.outbox.prune(retention).await {
                    tracing::warn!(error = %e, "outbox prune failed");
                }
                if let Err(e) = self.idempotency.prune(IDEMPOTENCY_RETENTION).await {
                    tracing::warn!(error = %e, "idempotency key prune failed");
                }
                if let Err(e) = self.mail.prune(retention).await {
                    tracing::warn!(error = %e, "mail queue prune failed");
                }
                let grace = Duration::from_secs(self.settings.upload_grace_secs);
                match self.attachments.sweep(grace).await {
                    Ok(0) => {}
                    Ok(n) => {
                        tracing::info!(swept = n, "attachment bytes of uncommitted uploads deleted")
                    }
                    Err(e) => tracing::warn!(error = %e, "attachment sweep failed"),
                }
                let before = chrono::Utc::now() - self.retention;
                if let Err(e) = self.notifications.expire(before).await {
                    tracing::warn!(error = %e, "notification retention failed");
                }
            }
            if !busy {
                let _ = tokio::time::timeout(idle, stop.changed()).await;
            }
        }
        let _ = mail.await;
    }
}

/// Sends due mail every `every` until `stop` turns true (at once again after a pass that sent
/// something: more may be due).
async fn send_mail(mail: Arc<MailService>, every: Duration, mut stop: watch::Receiver<bool>) {
    while !*stop.borrow() {
        match mail.send_due().await {
            Ok(report) => {
                metrics::counter!("mail_sent_total").increment(report.sent as u64);
                metrics::counter!("mail_failures_total").increment(report.failed as u64);
                if report.sent > 0 {
                    continue;
                }
            }
            Err(e) => tracing::warn!(error = %e, "mail pass failed"),
        }
        let _ = tokio::time::timeout(every, stop.changed()).await;
    }
}
