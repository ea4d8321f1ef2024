//! Due-date reminders: a task due within a day, and a task past due, each tell its assignee
//! once per due date (moving the due date arms them again). Reminders are armed in PostgreSQL
//! first, then delivered; a delivery that fails is retried on the next run, and delivering one
//! twice stores it once (its id derives from the reminder).

use super::fanout::Delivery;
use super::model::{FollowLevel, Notification, NotificationData, NotificationKind};
use super::ports::{Audience, Reminder, ReminderRepository, Threshold};
use crate::tasks::{Status, TaskRepository};
use crate::write_path::AuditEntityType;
use crate::StoreError;
use std::sync::Arc;
use std::time::Duration;

/// How long before its due date a task is "due soon".
pub const DUE_SOON: Duration = Duration::from_secs(24 * 3600);

/// Reminders delivered by one run at most.
const BATCH: usize = 200;

pub struct Reminders {
    pub reminders: Arc<dyn ReminderRepository>,
    pub tasks: Arc<dyn TaskRepository>,
    pub audience: Arc<dyn Audience>,
    pub delivery: Delivery,
}

impl Reminders {
    /// Arms what is due and delivers what is armed; answers how many notifications it made.
    pub async fn run(&self) -> Result<usize, StoreError> {
        let now = self.delivery.clock.now();
        self.reminders.arm(now, DUE_SOON).await?;
        let pending = self.reminders.undelivered(BATCH).await?;
        let mut batch = Vec::with_capacity(pending.len());
        for reminder in &pending {
            if let Some(n) = self.notification(reminder).await? {
                batch.push(n);
            }
        }
        self.delivery.deliver(&batch).await?;
        self.reminders.delivered(&pending).await?;
        Ok(batch.len())
    }

    /// The reminder's notification, unless its task has moved on since it was armed (done,
    /// unassigned, due another time, gone) or its assignee muted the team or left it.
    async fn notification(&self, r: &Reminder) -> Result<Option<Notification>, StoreError> {
        let Some(task) = self.tasks.get(r.task_id).await? else {
            return Ok(None);
        };
        let Some(assignee) = task.assignee_id else {
            return Ok(None);
        };
        if task.status == Status::Done || task.due_date != Some(r.due_date) {
            return Ok(None);
        }
        let followers = self.audience.audience(task.team_id, &[assignee]).await?;
        let listening = followers
            .iter()
            .any(|f| f.user == assignee && f.level != FollowLevel::Mute);
        if !listening {
            return Ok(None);
        }
        let kind = match r.threshold {
            Threshold::DueSoon => NotificationKind::TaskDueSoon,
            Threshold::Overdue => NotificationKind::TaskOverdue,
        };
        let data = NotificationData {
            team_id: task.team_id,
            task_id: task.task_id,
            task_title: task.title.as_str().to_owned(),
            actor_id: None,
            entity_type: AuditEntityType::Task,
            entity_id: task.task_id.as_uuid(),
            action: None,
            status: None,
            previous_status: None,
            due_date: task.due_date,
            excerpt: None,
        };
        let event = format!(
            "reminder {} {} {}",
            r.task_id,
            r.threshold.as_str(),
            r.due_date.timestamp_micros()
        );
        Ok(Some(Notification::derived(
            &event, assignee, kind, data, r.armed_at,
        )))
    }
}
