//! Notifications and live collaboration: every task, comment and attachment change of a team
//! commits a [`TeamActivity`] event; its projection derives the notifications (stored in
//! MongoDB, counted in Redis, queued for mail) and publishes the change on the team's live
//! channel.

pub mod activity;
pub mod erasure;
pub mod fanout;
pub mod live;
pub mod model;
pub mod ports;
pub mod reminders;
pub mod service;
pub mod signal;

pub use activity::{CommentFacts, TaskFacts, TeamActivity};
pub use erasure::{EraseNotifications, Eraser, TaskNotifications, TeamNotifications};
pub use fanout::{Delivery, Fanout};
pub use live::{LiveTeams, View};
pub use model::{
    FollowLevel, Notification, NotificationCursor, NotificationData, NotificationKind,
};
pub use ports::{
    Audience, Channel, Erase, Follower, LiveFeed, MailQueue, Marked, NotificationStore, Presence,
    Reminder, ReminderRepository, Threshold, UnreadCounter,
};
pub use reminders::Reminders;
pub use service::NotificationService;
pub use signal::TeamSignal;
