//! `ReminderRepository` on the relational fake.

use super::InMemoryRelational;
use crate::fakes::lock;
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use std::time::Duration;
use taskforge_domain::notifications::{Reminder, ReminderRepository, Threshold};
use taskforge_domain::tasks::Status;
use taskforge_domain::StoreError;

#[async_trait]
impl ReminderRepository for InMemoryRelational {
    async fn arm(&self, now: DateTime<Utc>, window: Duration) -> Result<usize, StoreError> {
        let mut db = lock(&self.0);
        let horizon = now + window;
        let due: Vec<Reminder> = db
            .tasks
            .values()
            .filter(|t| t.assignee_id.is_some() && t.status != Status::Done)
            .filter_map(|t| {
                let due_date = t.due_date.filter(|d| *d <= horizon)?;
                let threshold = if due_date <= now {
                    Threshold::Overdue
                } else {
                    Threshold::DueSoon
                };
                Some(Reminder {
                    task_id: t.task_id,
                    threshold,
                    due_date,
                    armed_at: now,
                })
            })
            .collect();
        let mut armed = 0;
        for r in due {
            let key = (r.task_id, r.threshold.as_str(), r.due_date);
            if let std::collections::btree_map::Entry::Vacant(slot) = db.reminders.entry(key) {
                slot.insert((r, false));
                armed += 1;
            }
        }
        Ok(armed)
    }

    async fn undelivered(&self, limit: usize) -> Result<Vec<Reminder>, StoreError> {
        let db = lock(&self.0);
        let mut pending: Vec<Reminder> = db
            .reminders
            .values()
            .filter(|(_, delivered)| !delivered)
            .map(|(r, _)| *r)
            .collect();
        pending.sort_by_key(|r| (r.armed_at, r.task_id));
        pending.truncate(limit);
        Ok(pending)
    }

    async fn delivered(&self, reminders: &[Reminder]) -> Result<(), StoreError> {
        let mut db = lock(&self.0);
        for r in reminders {
            if let Some(entry) =
                db.reminders
                    .get_mut(&(r.task_id, r.threshold.as_str(), r.due_date))
            {
                entry.1 = true;
            }
        }
        Ok(())
    }
}
