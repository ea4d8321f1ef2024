//! In-memory fakes of every TaskForge port, for the domain's unit tests and demo mode, and the
//! port contract suites that both the fakes and the real adapters must pass.
//!
//! Depends on `taskforge-domain` only.

pub mod contract;
mod fakes;
mod world;

pub use fakes::{
    FakeHasher, InMemoryAccessCache, InMemoryAttachmentBytes, InMemoryCommentDocuments,
    InMemoryLiveFeed, InMemoryMailQueue, InMemoryMailer, InMemoryNotifications, InMemoryPresence,
    InMemoryProfileDocuments, InMemoryRateLimiter, InMemoryRelational, InMemorySessions,
    InMemoryTaskCache, InMemoryTaskDocuments, InMemoryTaskLists, InMemoryUnreadCounter,
    InlineRuntime, ManualClock,
};
pub use world::{FakeWorld, ABSOLUTE, IDLE};
