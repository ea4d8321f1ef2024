//! The fakes. State sits behind a `std::sync::Mutex` that is never held across an await.

mod access;
mod attachments;
mod clock;
mod comments;
mod hasher;
mod leased;
mod mailer;
mod notifications;
mod profiles;
mod rate_limiter;
mod relational;
mod runtime;
mod sessions;
mod tasks;

pub use access::InMemoryAccessCache;
pub use attachments::InMemoryAttachmentBytes;
pub use clock::ManualClock;
pub use comments::InMemoryCommentDocuments;
pub use hasher::FakeHasher;
pub use mailer::InMemoryMailer;
pub use notifications::{
    InMemoryLiveFeed, InMemoryNotifications, InMemoryPresence, InMemoryUnreadCounter,
};
pub use profiles::InMemoryProfileDocuments;
pub use rate_limiter::InMemoryRateLimiter;
pub use relational::{InMemoryMailQueue, InMemoryRelational};
pub use runtime::InlineRuntime;
pub use sessions::InMemorySessions;
pub use tasks::{InMemoryTaskCache, InMemoryTaskDocuments, InMemoryTaskLists};

use std::sync::{Mutex, MutexGuard};
use taskforge_domain::StoreError;

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

/// A switch that makes a fake answer `Unavailable`, to play a store outage.
#[derive(Default)]
struct Outage(Mutex<bool>);

impl Outage {
    fn check(&self, store: &'static str) -> Result<(), StoreError> {
        if *lock(&self.0) {
            Err(StoreError::unavailable(store, "down (fake)"))
        } else {
            Ok(())
        }
    }
}
