//! The mailer's use case: claim what is due, render it, send it, mark it sent; a batch that
//! could not be sent is due again after a backoff, for as long as it takes.

use super::ports::{MailJobs, Mailer};
use super::render::{render, Links};
use crate::clock::Clock;
use crate::write_path::Lease;
use crate::StoreError;
use chrono::{DateTime, TimeDelta, Utc};
use std::sync::Arc;
use std::time::Duration;
use uuid::Uuid;

#[derive(Debug, Clone, Copy)]
pub struct MailPolicy {
    /// Batches one pass claims. Sending them all must take less than `lease`.
    pub batch_size: usize,
    pub lease: Duration,
    /// The wait after a first failure; it doubles with each failure after it, up to
    /// `max_retry`. There is no last attempt.
    pub first_retry: Duration,
    pub max_retry: Duration,
}

impl MailPolicy {
    /// When a batch that failed `attempts` times before, and now once more, is tried again.
    pub fn retry_at(&self, attempts: i32, now: DateTime<Utc>) -> DateTime<Utc> {
        let doublings = u32::try_from(attempts.clamp(0, 20)).unwrap_or_default();
        let wait = self
            .first_retry
            .saturating_mul(2u32.saturating_pow(doublings))
            .min(self.max_retry);
        now + TimeDelta::from_std(wait).unwrap_or_default()
    }
}

/// What one pass did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct MailReport {
    pub sent: usize,
    pub failed: usize,
}

pub struct MailService {
    jobs: Arc<dyn MailJobs>,
    mailer: Arc<dyn Mailer>,
    clock: Arc<dyn Clock>,
    links: Links,
    policy: MailPolicy,
}

impl MailService {
    pub fn new(
        jobs: Arc<dyn MailJobs>,
        mailer: Arc<dyn Mailer>,
        clock: Arc<dyn Clock>,
        links: Links,
        policy: MailPolicy,
    ) -> Self {
        Self {
            jobs,
            mailer,
            clock,
            links,
            policy,
        }
    }

    /// Sends the batches due now, each marked sent as soon as the server has taken it. A crash
    /// between the two sends that batch again when its lease ends, with the same `Message-ID`.
    pub async fn send_due(&self) -> Result<MailReport, StoreError> {
        let lease = Lease {
            owner: Uuid::new_v4(),
            length: self.policy.lease,
        };
        let batches = self
            .jobs
            .claim(self.clock.now(), self.policy.batch_size, &lease)
            .await?;
        let mut report = MailReport::default();
        for batch in &batches {
            let mail = render(batch, &self.links);
            match self.mailer.send(&mail).await {
                Ok(()) => {
                    self.jobs.sent(batch, &lease, self.clock.now()).await?;
                    report.sent += 1;
                }
                Err(e) => {
                    let retry_at = self.policy.retry_at(batch.attempts, self.clock.now());
                    let error = crate::error::chain(&e);
                    tracing::warn!(batch = %batch.key, attempts = batch.attempts + 1, %retry_at,
                        error = %error, "mail not sent; it will be tried again");
                    self.jobs.failed(batch, &lease, retry_at, &error).await?;
                    report.failed += 1;
                }
            }
        }
        Ok(report)
    }

    /// Forgets mail sent more than `keep` ago.
    pub async fn prune(&self, keep: Duration) -> Result<usize, StoreError> {
        let before = self.clock.now() - TimeDelta::from_std(keep).unwrap_or_default();
        self.jobs.prune(before).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retries_back_off_to_a_ceiling_and_never_stop() {
        let policy = MailPolicy {
            batch_size: 10,
            lease: Duration::from_secs(300),
            first_retry: Duration::from_secs(30),
            max_retry: Duration::from_secs(900),
        };
        let now = Utc::now();
        let waits: Vec<i64> = [0, 1, 2, 4, 5, 1000, i32::MAX]
            .into_iter()
            .map(|attempts| (policy.retry_at(attempts, now) - now).num_seconds())
            .collect();
        assert_eq!(waits, vec![30, 60, 120, 480, 900, 900, 900]);
    }
}
