//! Email about notifications (ADR 24): the delivery of a notification queues it for mail as its
//! recipient's preferences ask ([`schedule`]); the mailer claims what is due in batches (one
//! notification, or a user's digest), renders each, sends it and marks it sent, or puts it back
//! with a backoff, so an SMTP outage delays mail and loses none.

pub mod ports;
pub mod render;
pub mod schedule;
pub mod service;
pub mod unsubscribe;

pub use ports::{MailBatch, MailJobs, Mailer, OutgoingMail, Recipient};
pub use render::{render, Links};
pub use schedule::{schedule, Slot};
pub use service::{MailPolicy, MailReport, MailService};
pub use unsubscribe::UnsubscribeKey;
