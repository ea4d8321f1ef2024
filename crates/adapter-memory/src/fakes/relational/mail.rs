//! `MailQueue` and `MailJobs` on the relational fake: the same batches, claims and leases as
//! PostgreSQL's `mail_queue`, reading the fake's users.

use super::InMemoryRelational;
use crate::fakes::lock;
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::Instant;
use taskforge_domain::clock::Clock;
use taskforge_domain::identity::{Frequency, NotificationPreferences};
use taskforge_domain::ids::{NotificationId, UserId};
use taskforge_domain::mail::{schedule, MailBatch, MailJobs, Recipient};
use taskforge_domain::notifications::{MailQueue, Notification};
use taskforge_domain::write_path::Lease;
use taskforge_domain::StoreError;
use uuid::Uuid;

struct MailRow {
    user: UserId,
    batch_key: String,
    frequency: Frequency,
    notification: Notification,
    due_at: DateTime<Utc>,
    attempts: i32,
    lease: Option<(Uuid, Instant)>,
    sent_at: Option<DateTime<Utc>>,
}

impl MailRow {
    fn free(&self, now: Instant) -> bool {
        self.lease.is_none_or(|(_, until)| until < now)
    }

    fn held_by(&self, lease: &Lease) -> bool {
        self.lease.is_some_and(|(owner, _)| owner == lease.owner)
    }
}

/// The mail queue of the relational fake; `clock` tells when a notification is queued.
#[derive(Clone)]
pub struct InMemoryMailQueue {
    db: InMemoryRelational,
    clock: Arc<dyn Clock>,
    rows: Arc<Mutex<BTreeMap<NotificationId, MailRow>>>,
}

impl InMemoryMailQueue {
    pub fn new(db: InMemoryRelational, clock: Arc<dyn Clock>) -> Self {
        Self {
            db,
            clock,
            rows: Arc::default(),
        }
    }

    /// The user's recipient details and preferences, while the account exists.
    fn account(&self, user: UserId) -> Option<(Recipient, NotificationPreferences)> {
        let db = lock(&self.db.0);
        let (profile, _) = db.users.get(&user)?;
        let notifications = profile.details.preferences.notifications.clone();
        let recipient = Recipient {
            user_id: user,
            email: profile.user.email.clone(),
            first_name: profile.user.first_name.clone(),
            time_zone: notifications.time_zone,
        };
        Some((recipient, notifications))
    }

    fn settle(&self, batch: &MailBatch, lease: &Lease, apply: impl Fn(&mut MailRow)) {
        let mut rows = lock(&self.rows);
        for n in &batch.notifications {
            if let Some(row) = rows
                .get_mut(&n.notification_id)
                .filter(|r| r.held_by(lease))
            {
                row.lease = None;
                apply(row);
            }
        }
    }
}

#[async_trait]
impl MailQueue for InMemoryMailQueue {
    async fn enqueue(&self, batch: &[Notification]) -> Result<(), StoreError> {
        let now = self.clock.now();
        for n in batch {
            let Some((_, preferences)) = self.account(n.user_id) else {
                continue;
            };
            let Some(slot) = schedule(n, &preferences, now) else {
                continue;
            };
            lock(&self.rows)
                .entry(n.notification_id)
                .or_insert_with(|| MailRow {
                    user: n.user_id,
                    batch_key: slot.batch_key,
                    frequency: slot.frequency,
                    notification: n.clone(),
                    due_at: slot.due_at,
                    attempts: 0,
                    lease: None,
                    sent_at: None,
                });
        }
        Ok(())
    }
}

#[async_trait]
impl MailJobs for InMemoryMailQueue {
    async fn claim(
        &self,
        now: DateTime<Utc>,
        limit: usize,
        lease: &Lease,
    ) -> Result<Vec<MailBatch>, StoreError> {
        let instant = Instant::now();
        let mut rows = lock(&self.rows);
        let mut batches: BTreeMap<&str, Vec<&MailRow>> = BTreeMap::new();
        for row in rows.values().filter(|r| r.sent_at.is_none()) {
            batches.entry(&row.batch_key).or_default().push(row);
        }
        let mut due: Vec<(DateTime<Utc>, MailBatch)> = Vec::new();
        let mut unwanted: Vec<NotificationId> = Vec::new();
        for (key, members) in batches {
            let whole = members.iter().all(|r| r.free(instant) && r.due_at <= now);
            let Some(first) = members.first().filter(|_| whole) else {
                continue;
            };
            let Some((recipient, preferences)) = self.account(first.user) else {
                continue;
            };
            if !preferences.email {
                unwanted.extend(members.iter().map(|r| r.notification.notification_id));
                continue;
            }
            let mut notifications: Vec<Notification> =
                members.iter().map(|r| r.notification.clone()).collect();
            notifications.sort_by_key(|n| (n.created_at, n.notification_id));
            let earliest = members.iter().map(|r| r.due_at).min().unwrap_or(now);
            due.push((
                earliest,
                MailBatch {
                    key: key.to_owned(),
                    recipient,
                    frequency: first.frequency,
                    notifications,
                    attempts: members.iter().map(|r| r.attempts).max().unwrap_or_default(),
                },
            ));
        }
        for id in unwanted {
            rows.remove(&id);
        }
        due.sort_by(|(a, x), (b, y)| (a, &x.key).cmp(&(b, &y.key)));
        let claimed: Vec<MailBatch> = due.into_iter().take(limit).map(|(_, b)| b).collect();
        for n in claimed.iter().flat_map(|b| &b.notifications) {
            if let Some(row) = rows.get_mut(&n.notification_id) {
                row.lease = Some((lease.owner, instant + lease.length));
            }
        }
        Ok(claimed)
    }

    async fn sent(
        &self,
        batch: &MailBatch,
        lease: &Lease,
        at: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        self.settle(batch, lease, |row| row.sent_at = Some(at));
        Ok(())
    }

    async fn failed(
        &self,
        batch: &MailBatch,
        lease: &Lease,
        retry_at: DateTime<Utc>,
        _error: &str,
    ) -> Result<(), StoreError> {
        self.settle(batch, lease, |row| {
            row.attempts += 1;
            row.due_at = retry_at;
        });
        Ok(())
    }

    async fn prune(&self, sent_before: DateTime<Utc>) -> Result<usize, StoreError> {
        let mut rows = lock(&self.rows);
        let before = rows.len();
        rows.retain(|_, r| r.sent_at.is_none_or(|sent| sent >= sent_before));
        Ok(before - rows.len())
    }
}
