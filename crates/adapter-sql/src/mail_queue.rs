//! `PgMailQueue`: the mail job table (`mail_queue`). Queueing reads each recipient's preferences
//! and lets the domain's schedule place the notification; the mailer leases whole batches, and
//! settles them only under its lease. No transaction is open while mail is sent.

use crate::pool::{later, map_err, PgStore, TxError};
use crate::schema::{mail_queue, users};
use crate::users::NotifyRow;
use async_trait::async_trait;
use chrono::{DateTime, TimeDelta, Utc};
use diesel::prelude::*;
use diesel::sql_types::{Array, BigInt, Bool, Int4, Jsonb, Text, Timestamptz, Uuid as SqlUuid};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use std::collections::{BTreeMap, HashSet};
use std::sync::Arc;
use taskforge_domain::clock::Clock;
use taskforge_domain::identity::{Email, Frequency, PersonName, TimeZone};
use taskforge_domain::ids::UserId;
use taskforge_domain::mail::{schedule, MailBatch, MailJobs, Recipient};
use taskforge_domain::notifications::{MailQueue, Notification};
use taskforge_domain::write_path::Lease;
use taskforge_domain::StoreError;
use uuid::Uuid;

/// How long a batch that cannot be read waits before it is read again (by a fixed version).
const UNREADABLE_WAIT: TimeDelta = TimeDelta::hours(1);

pub struct PgMailQueue {
    store: PgStore,
    clock: Arc<dyn Clock>,
}

impl PgMailQueue {
    /// The queue on `store`; `clock` tells when a notification is queued, which is when its
    /// digest period and quiet hours are reckoned from.
    pub fn new(store: PgStore, clock: Arc<dyn Clock>) -> Self {
        Self { store, clock }
    }
}

#[derive(Insertable)]
#[diesel(table_name = mail_queue)]
struct NewMailRow {
    notification_id: Uuid,
    user_id: Uuid,
    batch_key: String,
    frequency: &'static str,
    notification: serde_json::Value,
    due_at: DateTime<Utc>,
}

#[async_trait]
impl MailQueue for PgMailQueue {
    async fn enqueue(&self, batch: &[Notification]) -> Result<(), StoreError> {
        if batch.is_empty() {
            return Ok(());
        }
        let recipients: Vec<Uuid> = batch
            .iter()
            .map(|n| n.user_id.as_uuid())
            .collect::<HashSet<_>>()
            .into_iter()
            .collect();
        let batch = batch.to_vec();
        let now = self.clock.now();
        self.store
            .run(async move |conn| {
                let preferences: Vec<(Uuid, NotifyRow)> = users::table
                    .filter(users::id.eq_any(&recipients))
                    .select((users::id, NotifyRow::as_select()))
                    .load(conn)
                    .await
                    .map_err(map_err)?;
                let mut rows = Vec::new();
                for n in &batch {
                    // A recipient whose account is gone gets no mail.
                    let Some((id, row)) = preferences
                        .iter()
                        .find(|(id, _)| *id == n.user_id.as_uuid())
                    else {
                        continue;
                    };
                    let Some(slot) = schedule(n, &row.clone().into_domain(*id)?, now) else {
                        continue;
                    };
                    rows.push(NewMailRow {
                        notification_id: n.notification_id.as_uuid(),
                        user_id: *id,
                        batch_key: slot.batch_key,
                        frequency: slot.frequency.as_str(),
                        notification: serde_json::to_value(n)
                            .map_err(|e| StoreError::Internal(e.into()))?,
                        due_at: slot.due_at,
                    });
                }
                if !rows.is_empty() {
                    diesel::insert_into(mail_queue::table)
                        .values(&rows)
                        .on_conflict_do_nothing()
                        .execute(conn)
                        .await
                        .map_err(map_err)?;
                }
                Ok(())
            })
            .await
    }
}

/// The batches a claim may take, earliest due first: those with a notification due at `$1`
/// whose every unsent notification is due and not leased.
const CANDIDATES: &str = "
SELECT q.batch_key FROM mail_queue q
WHERE q.batch_key IN (
    SELECT d.batch_key FROM mail_queue d
    WHERE d.sent_at IS NULL AND d.due_at <= $1
      AND (d.lease_until IS NULL OR d.lease_until < now()))
  AND q.sent_at IS NULL
GROUP BY q.batch_key
HAVING max(q.due_at) <= $1 AND bool_and(q.lease_until IS NULL OR q.lease_until < now())
ORDER BY min(q.due_at), q.batch_key
LIMIT $2";

/// Every unsent notification of the batches `$1`, read after they were locked, with their
/// recipient as the account says now.
const MEMBERS: &str = "
SELECT q.notification_id, q.batch_key, q.frequency, q.notification, q.attempts,
    (q.lease_until IS NULL OR q.lease_until < now()) AND q.due_at <= $2 AS free,
    u.id AS user_id, u.email, u.first_name, u.notify_email, u.notify_time_zone
FROM mail_queue q JOIN users u ON u.id = q.user_id
WHERE q.batch_key = ANY ($1) AND q.sent_at IS NULL";

#[derive(QueryableByName)]
struct KeyRow {
    #[diesel(sql_type = Text)]
    batch_key: String,
}

#[derive(QueryableByName)]
struct IdRow {
    #[diesel(sql_type = SqlUuid)]
    notification_id: Uuid,
}

#[derive(QueryableByName)]
struct MemberRow {
    #[diesel(sql_type = SqlUuid)]
    notification_id: Uuid,
    #[diesel(sql_type = Text)]
    batch_key: String,
    #[diesel(sql_type = Text)]
    frequency: String,
    #[diesel(sql_type = Jsonb)]
    notification: serde_json::Value,
    #[diesel(sql_type = Int4)]
    attempts: i32,
    #[diesel(sql_type = Bool)]
    free: bool,
    #[diesel(sql_type = SqlUuid)]
    user_id: Uuid,
    #[diesel(sql_type = Text)]
    email: String,
    #[diesel(sql_type = Text)]
    first_name: String,
    #[diesel(sql_type = Bool)]
    notify_email: bool,
    #[diesel(sql_type = Text)]
    notify_time_zone: String,
}

/// A batch built from its rows; why it cannot be, if it cannot.
fn assemble(key: String, rows: Vec<MemberRow>) -> Result<MailBatch, String> {
    let first = <[MemberRow]>::first(&rows).ok_or("no rows")?;
    let recipient = Recipient {
        user_id: UserId::from_uuid(first.user_id),
        email: Email::parse("email", &first.email).map_err(|e| e.to_string())?,
        first_name: PersonName::from_stored(first.first_name.clone()),
        // Only shown in the rendering of times.
        time_zone: TimeZone::parse("timeZone", &first.notify_time_zone).unwrap_or_default(),
    };
    let frequency = Frequency::parse("frequency", &first.frequency).map_err(|e| e.to_string())?;
    let attempts = rows.iter().map(|r| r.attempts).max().unwrap_or_default();
    let mut notifications = rows
        .into_iter()
        .map(|r| serde_json::from_value::<Notification>(r.notification))
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| format!("a notification cannot be read: {e}"))?;
    notifications.sort_by_key(|n| (n.created_at, n.notification_id));
    Ok(MailBatch {
        key,
        recipient,
        frequency,
        notifications,
        attempts,
    })
}

async fn claim_in(
    tx: &mut AsyncPgConnection,
    now: DateTime<Utc>,
    limit: i64,
    lease: Lease,
) -> Result<Vec<MailBatch>, TxError> {
    let keys: Vec<String> = diesel::sql_query(CANDIDATES)
        .bind::<Timestamptz, _>(now)
        .bind::<BigInt, _>(limit)
        .load::<KeyRow>(tx)
        .await?
        .into_iter()
        .map(|k| k.batch_key)
        .collect();
    if keys.is_empty() {
        return Ok(vec![]);
    }
    let locked: HashSet<Uuid> = diesel::sql_query(
        "SELECT notification_id FROM mail_queue \
         WHERE batch_key = ANY ($1) AND sent_at IS NULL FOR UPDATE SKIP LOCKED",
    )
    .bind::<Array<Text>, _>(&keys)
    .load::<IdRow>(tx)
    .await?
    .into_iter()
    .map(|r| r.notification_id)
    .collect();
    // Read again, under the locks: a batch is taken whole, or not at all (a part of it may be
    // locked or leased by another claim, or be new since the candidates were read).
    let members: Vec<MemberRow> = diesel::sql_query(MEMBERS)
        .bind::<Array<Text>, _>(&keys)
        .bind::<Timestamptz, _>(now)
        .load(tx)
        .await?;
    let mut by_key: BTreeMap<String, Vec<MemberRow>> = BTreeMap::new();
    for row in members {
        by_key.entry(row.batch_key.clone()).or_default().push(row);
    }
    let mut claimed = Vec::new();
    let mut unwanted: Vec<Uuid> = Vec::new();
    let mut unreadable: Vec<(Vec<Uuid>, String)> = Vec::new();
    for key in keys {
        let Some(rows) = by_key.remove(&key) else {
            continue;
        };
        let whole = rows
            .iter()
            .all(|r| r.free && locked.contains(&r.notification_id));
        if !whole {
            continue;
        }
        let ids: Vec<Uuid> = rows.iter().map(|r| r.notification_id).collect();
        if rows.iter().any(|r| !r.notify_email) {
            unwanted.extend(ids);
            continue;
        }
        match assemble(key, rows) {
            Ok(batch) => claimed.push(batch),
            Err(e) => unreadable.push((ids, e)),
        }
    }
    // Mail that falls due while its user wants none is dropped.
    if !unwanted.is_empty() {
        diesel::delete(mail_queue::table.filter(mail_queue::notification_id.eq_any(&unwanted)))
            .execute(tx)
            .await?;
    }
    for (ids, error) in unreadable {
        tracing::error!(notifications = ?ids, %error, "a mail batch cannot be read; put back");
        diesel::update(mail_queue::table.filter(mail_queue::notification_id.eq_any(&ids)))
            .set((
                mail_queue::due_at.eq(now + UNREADABLE_WAIT),
                mail_queue::last_error.eq(error),
            ))
            .execute(tx)
            .await?;
    }
    let ids: Vec<Uuid> = claimed.iter().flat_map(batch_ids).collect();
    if !ids.is_empty() {
        diesel::update(mail_queue::table.filter(mail_queue::notification_id.eq_any(&ids)))
            .set((
                mail_queue::lease_owner.eq(lease.owner),
                mail_queue::lease_until.eq(later(lease.length)),
            ))
            .execute(tx)
            .await?;
    }
    Ok(claimed)
}

fn batch_ids(batch: &MailBatch) -> Vec<Uuid> {
    batch
        .notifications
        .iter()
        .map(|n| n.notification_id.as_uuid())
        .collect()
}

#[async_trait]
impl MailJobs for PgMailQueue {
    async fn claim(
        &self,
        now: DateTime<Utc>,
        limit: usize,
        lease: &Lease,
    ) -> Result<Vec<MailBatch>, StoreError> {
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        let lease = *lease;
        self.store
            .transaction(async move |tx| claim_in(tx, now, limit, lease).await)
            .await
    }

    async fn sent(
        &self,
        batch: &MailBatch,
        lease: &Lease,
        at: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let (ids, owner) = (batch_ids(batch), lease.owner);
        self.store
            .run(async move |conn| {
                diesel::update(
                    mail_queue::table
                        .filter(mail_queue::notification_id.eq_any(&ids))
                        .filter(mail_queue::lease_owner.eq(owner)),
                )
                .set((
                    mail_queue::sent_at.eq(at),
                    mail_queue::lease_owner.eq(None::<Uuid>),
                    mail_queue::lease_until.eq(None::<DateTime<Utc>>),
                ))
                .execute(conn)
                .await
                .map_err(map_err)
                .map(drop)
            })
            .await
    }

    async fn failed(
        &self,
        batch: &MailBatch,
        lease: &Lease,
        retry_at: DateTime<Utc>,
        error: &str,
    ) -> Result<(), StoreError> {
        let (ids, owner, error) = (batch_ids(batch), lease.owner, error.to_owned());
        self.store
            .run(async move |conn| {
                diesel::update(
                    mail_queue::table
                        .filter(mail_queue::notification_id.eq_any(&ids))
                        .filter(mail_queue::lease_owner.eq(owner)),
                )
                .set((
                    mail_queue::attempts.eq(mail_queue::attempts + 1),
                    mail_queue::due_at.eq(retry_at),
                    mail_queue::last_error.eq(&error),
                    mail_queue::lease_owner.eq(None::<Uuid>),
                    mail_queue::lease_until.eq(None::<DateTime<Utc>>),
                ))
                .execute(conn)
                .await
                .map_err(map_err)
                .map(drop)
            })
            .await
    }

    async fn prune(&self, sent_before: DateTime<Utc>) -> Result<usize, StoreError> {
        self.store
            .run(async move |conn| {
                let sent =
                    diesel::delete(mail_queue::table.filter(mail_queue::sent_at.lt(sent_before)))
                        .execute(conn)
                        .await
                        .map_err(map_err)?;
                let unwanted = diesel::sql_query(
                    "DELETE FROM mail_queue q USING users u \
                     WHERE u.id = q.user_id AND NOT u.notify_email AND q.sent_at IS NULL \
                       AND (q.lease_until IS NULL OR q.lease_until < now())",
                )
                .execute(conn)
                .await
                .map_err(map_err)?;
                Ok(sent + unwanted)
            })
            .await
    }
}
