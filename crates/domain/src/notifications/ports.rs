//! What notifications need from the stores.

use super::model::{FollowLevel, Notification, NotificationCursor};
use crate::ids::{NotificationId, TaskId, TeamId, UserId};
use crate::StoreError;
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use futures::stream::BoxStream;
use std::time::Duration;

/// The durable notifications (MongoDB `notifications`).
#[async_trait]
pub trait NotificationStore: Send + Sync {
    /// Stores those of `batch` not stored yet, stamped `stored_at`; answers the ids it stored
    /// now (a notification already there is kept as it is).
    async fn insert(
        &self,
        batch: &[Notification],
        stored_at: DateTime<Utc>,
    ) -> Result<Vec<NotificationId>, StoreError>;

    /// A page of the user's notifications, newest first, after `cursor`.
    async fn page(
        &self,
        user: UserId,
        unread_only: bool,
        cursor: Option<NotificationCursor>,
        limit: usize,
    ) -> Result<Vec<Notification>, StoreError>;

    /// Marks one of the user's notifications read; `NotFound` when the user has none by that id.
    async fn mark_read(&self, user: UserId, id: NotificationId) -> Result<Marked, StoreError>;

    /// Marks every notification of the user read; answers how many were unread.
    async fn mark_all_read(&self, user: UserId) -> Result<u64, StoreError>;

    async fn count_unread(&self, user: UserId) -> Result<u64, StoreError>;

    /// What a stream that delivered `last` has not seen: the user's notifications stored after
    /// it, in the order they were stored, at most `limit`.
    async fn stored_after(
        &self,
        user: UserId,
        last: NotificationId,
        limit: usize,
    ) -> Result<Vec<Notification>, StoreError>;

    /// Removes the notifications `what` names; answers the users who had unread ones among them
    /// (their counters are wrong now).
    async fn erase(&self, what: Erase) -> Result<Vec<UserId>, StoreError>;
}

/// What [`NotificationStore::mark_read`] found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Marked {
    Now,
    Already,
}

/// Notifications removed together.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Erase {
    Task(TaskId),
    Team(TeamId),
    User(UserId),
    /// Retention: everything created before this time.
    CreatedBefore(DateTime<Utc>),
}

/// The unread counters (Redis `user:notifications:count:{userId}`): a copy of MongoDB's count,
/// filled from it when missing.
#[async_trait]
pub trait UnreadCounter: Send + Sync {
    async fn get(&self, user: UserId) -> Result<Option<u64>, StoreError>;
    /// Fills the counter from a count of the store (it expires, so drift cannot last).
    async fn fill(&self, user: UserId, count: u64) -> Result<(), StoreError>;
    /// Moves a counter that is present by `delta` (never below zero); a missing one stays
    /// missing, to be filled from the store.
    async fn add(&self, user: UserId, delta: i64) -> Result<(), StoreError>;
    /// Drops counters that may be wrong; the next read fills them.
    async fn forget(&self, users: &[UserId]) -> Result<(), StoreError>;
}

/// A channel of live messages (Redis pub/sub), which every server instance can publish to and
/// subscribe to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Channel {
    /// A user's new notifications.
    User(UserId),
    /// A team's changes and who views its boards and tasks.
    Team(TeamId),
}

#[async_trait]
pub trait LiveFeed: Send + Sync {
    async fn publish(&self, channel: Channel, message: String) -> Result<(), StoreError>;

    /// The messages published to `channel` from now on. The subscription is in place when this
    /// answers; the stream ends when the feed loses its connection (messages may have been
    /// missed: a client reconnects and catches up from the durable store).
    async fn subscribe(&self, channel: Channel) -> Result<BoxStream<'static, String>, StoreError>;
}

/// A member of a team and how they follow it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Follower {
    pub user: UserId,
    pub level: FollowLevel,
}

/// Who may be told of a team's changes (PostgreSQL memberships).
#[async_trait]
pub trait Audience: Send + Sync {
    /// The members of `team` among `concerned`, and every member who watches the team, each
    /// with their level.
    async fn audience(
        &self,
        team: TeamId,
        concerned: &[UserId],
    ) -> Result<Vec<Follower>, StoreError>;
}

/// Mail to send about notifications (a job queue the mailer works through).
#[async_trait]
pub trait MailQueue: Send + Sync {
    /// Queues mail about `batch` as each recipient's preferences ask; a notification queued
    /// before is not queued again.
    async fn enqueue(&self, batch: &[Notification]) -> Result<(), StoreError>;
}

/// Who is viewing what (Redis sorted sets; an entry expires unless its viewer renews it).
#[async_trait]
pub trait Presence: Send + Sync {
    /// Records that `user` views `view` of `team` for `ttl` from now; answers every viewer.
    async fn touch(
        &self,
        team: TeamId,
        view: &str,
        user: UserId,
        ttl: Duration,
    ) -> Result<Vec<UserId>, StoreError>;

    /// Records that `user` left; answers who remains.
    async fn leave(
        &self,
        team: TeamId,
        view: &str,
        user: UserId,
    ) -> Result<Vec<UserId>, StoreError>;
}

/// The due-date reminders armed for tasks (PostgreSQL): one per task, threshold and due date,
/// so each fires once and moving the due date arms them again.
#[async_trait]
pub trait ReminderRepository: Send + Sync {
    /// Arms, at `now`, a reminder for every assigned, unfinished task due within `window` of
    /// `now` (`DueSoon`) or already past due (`Overdue`) that has none for that threshold and
    /// due date; answers how many it armed.
    async fn arm(&self, now: DateTime<Utc>, window: Duration) -> Result<usize, StoreError>;
    /// Armed reminders not delivered yet, oldest first, at most `limit`.
    async fn undelivered(&self, limit: usize) -> Result<Vec<Reminder>, StoreError>;
    async fn delivered(&self, reminders: &[Reminder]) -> Result<(), StoreError>;
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Threshold {
    DueSoon,
    Overdue,
}

impl Threshold {
    pub fn as_str(&self) -> &'static str {
        match self {
            Self::DueSoon => "due_soon",
            Self::Overdue => "overdue",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        [Self::DueSoon, Self::Overdue]
            .into_iter()
            .find(|t| t.as_str() == raw)
    }
}

/// One armed reminder.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Reminder {
    pub task_id: TaskId,
    pub threshold: Threshold,
    pub due_date: DateTime<Utc>,
    pub armed_at: DateTime<Utc>,
}
