//! What mail needs: the job table the mailer works through, and a way to send one message.

use crate::identity::{Email, Frequency, PersonName, TimeZone};
use crate::ids::UserId;
use crate::notifications::Notification;
use crate::write_path::Lease;
use crate::StoreError;
use async_trait::async_trait;
use chrono::{DateTime, Utc};

/// Who a batch is mailed to, as their account says when it is claimed.
#[derive(Debug, Clone, PartialEq)]
pub struct Recipient {
    pub user_id: UserId,
    pub email: Email,
    pub first_name: PersonName,
    pub time_zone: TimeZone,
}

/// Notifications mailed together: one for immediate mail, a digest otherwise.
#[derive(Debug, Clone, PartialEq)]
pub struct MailBatch {
    pub key: String,
    pub recipient: Recipient,
    pub frequency: Frequency,
    /// Oldest first.
    pub notifications: Vec<Notification>,
    /// Failed attempts so far.
    pub attempts: i32,
}

/// The mail job table (PostgreSQL `mail_queue`), as the mailer sees it. Enqueueing is
/// [`crate::notifications::MailQueue`]'s.
#[async_trait]
pub trait MailJobs: Send + Sync {
    /// Leases at most `limit` batches, earliest due first, each taken whole: every unsent
    /// notification of the batch is due at `now` and none is held by another lease. A batch
    /// that falls due while its user wants no email is dropped.
    async fn claim(
        &self,
        now: DateTime<Utc>,
        limit: usize,
        lease: &Lease,
    ) -> Result<Vec<MailBatch>, StoreError>;

    /// Marks the batch sent at `at`, as far as `lease` still holds it.
    async fn sent(
        &self,
        batch: &MailBatch,
        lease: &Lease,
        at: DateTime<Utc>,
    ) -> Result<(), StoreError>;

    /// Records a failed attempt at the batch, due again at `retry_at`, as far as `lease`
    /// still holds it.
    async fn failed(
        &self,
        batch: &MailBatch,
        lease: &Lease,
        retry_at: DateTime<Utc>,
        error: &str,
    ) -> Result<(), StoreError>;

    /// Forgets what was sent before `sent_before`; answers how many notifications went.
    async fn prune(&self, sent_before: DateTime<Utc>) -> Result<usize, StoreError>;
}

/// One rendered message.
#[derive(Debug, Clone, PartialEq)]
pub struct OutgoingMail {
    /// Unique to the batch and the same on every attempt: the mailer makes the `Message-ID`
    /// of it, which lets receivers drop a copy sent again.
    pub id: String,
    pub to: Email,
    pub subject: String,
    pub text: String,
    pub html: String,
    /// The one-click unsubscribe link (RFC 8058).
    pub unsubscribe_url: String,
}

/// Sends mail (SMTP). An error leaves the message to be sent again later.
#[async_trait]
pub trait Mailer: Send + Sync {
    async fn send(&self, mail: &OutgoingMail) -> Result<(), StoreError>;
}
