//! `PgReminders`: the due-date reminders armed for tasks (`task_reminders`).

use crate::pool::{map_err, PgStore};
use crate::schema::task_reminders;
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel::sql_types::{Array, Interval, Text, Timestamptz, Uuid as SqlUuid};
use diesel_async::RunQueryDsl;
use std::time::Duration;
use taskforge_domain::ids::TaskId;
use taskforge_domain::notifications::{Reminder, ReminderRepository, Threshold};
use taskforge_domain::StoreError;
use uuid::Uuid;

/// Arms what is due: `$1` now, `$2` the "due soon" window. The partial index of assigned,
/// unfinished tasks by due date serves it.
const ARM: &str = "\
    INSERT INTO task_reminders (task_id, threshold, due_date, armed_at) \
    SELECT id, CASE WHEN due_date <= $1 THEN 'overdue' ELSE 'due_soon' END, due_date, $1 \
    FROM tasks \
    WHERE assignee_id IS NOT NULL AND status <> 'done' AND due_date IS NOT NULL \
      AND due_date <= $1 + $2 \
    ON CONFLICT DO NOTHING";

/// Marks reminders delivered: `$1`, `$2`, `$3` their keys' columns.
const DELIVERED: &str = "\
    UPDATE task_reminders r SET delivered_at = now() \
    FROM unnest($1::uuid[], $2::text[], $3::timestamptz[]) AS d(task_id, threshold, due_date) \
    WHERE r.task_id = d.task_id AND r.threshold = d.threshold AND r.due_date = d.due_date";

pub struct PgReminders {
    store: PgStore,
}

impl PgReminders {
    pub fn new(store: PgStore) -> Self {
        Self { store }
    }
}

#[derive(Queryable)]
struct ReminderRow {
    task_id: Uuid,
    threshold: String,
    due_date: DateTime<Utc>,
    armed_at: DateTime<Utc>,
}

impl TryFrom<ReminderRow> for Reminder {
    type Error = StoreError;

    fn try_from(row: ReminderRow) -> Result<Self, StoreError> {
        Ok(Reminder {
            task_id: TaskId::from_uuid(row.task_id),
            threshold: Threshold::parse(&row.threshold).ok_or_else(|| {
                StoreError::Internal(anyhow::anyhow!("stored reminder threshold is not valid"))
            })?,
            due_date: row.due_date,
            armed_at: row.armed_at,
        })
    }
}

#[async_trait]
impl ReminderRepository for PgReminders {
    async fn arm(&self, now: DateTime<Utc>, window: Duration) -> Result<usize, StoreError> {
        let window = diesel::data_types::PgInterval::from_microseconds(
            i64::try_from(window.as_micros()).unwrap_or(i64::MAX),
        );
        self.store
            .run(async move |conn| {
                diesel::sql_query(ARM)
                    .bind::<Timestamptz, _>(now)
                    .bind::<Interval, _>(window)
                    .execute(conn)
                    .await
                    .map_err(map_err)
            })
            .await
    }

    async fn undelivered(&self, limit: usize) -> Result<Vec<Reminder>, StoreError> {
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        let rows: Vec<ReminderRow> = self
            .store
            .run(async move |conn| {
                task_reminders::table
                    .filter(task_reminders::delivered_at.is_null())
                    .order((task_reminders::armed_at, task_reminders::task_id))
                    .select((
                        task_reminders::task_id,
                        task_reminders::threshold,
                        task_reminders::due_date,
                        task_reminders::armed_at,
                    ))
                    .limit(limit)
                    .load(conn)
                    .await
                    .map_err(map_err)
            })
            .await?;
        rows.into_iter().map(Reminder::try_from).collect()
    }

    async fn delivered(&self, reminders: &[Reminder]) -> Result<(), StoreError> {
        let tasks: Vec<Uuid> = reminders.iter().map(|r| r.task_id.as_uuid()).collect();
        let thresholds: Vec<String> = reminders
            .iter()
            .map(|r| r.threshold.as_str().to_owned())
            .collect();
        let due: Vec<DateTime<Utc>> = reminders.iter().map(|r| r.due_date).collect();
        self.store
            .run(async move |conn| {
                diesel::sql_query(DELIVERED)
                    .bind::<Array<SqlUuid>, _>(&tasks)
                    .bind::<Array<Text>, _>(&thresholds)
                    .bind::<Array<Timestamptz>, _>(&due)
                    .execute(conn)
                    .await
                    .map_err(map_err)
            })
            .await
            .map(drop)
    }
}
