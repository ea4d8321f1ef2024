//! Redis adapters of TaskForge (deadpool-redis): sessions, the task, list and access caches,
//! rate limits, unread counters, presence and live channels (pub/sub).
//!
//! Depends on `taskforge-domain` and the Redis client only. Every key name and TTL is defined
//! once, in [`keys`]; every key carries the configured prefix, so several deployments (or test
//! runs) can share one Redis.

pub mod access;
pub mod config;
pub mod keys;
mod leased;
pub mod lists;
pub mod live;
pub mod notifications;
pub mod rate_limit;
pub mod sessions;
pub mod store;
pub mod tasks;

pub use access::RedisAccessCache;
pub use config::RedisConfig;
pub use leased::CacheTimes;
pub use lists::RedisTaskLists;
pub use live::RedisLiveFeed;
pub use notifications::{RedisPresence, RedisUnreadCounter};
pub use rate_limit::RedisRateLimiter;
pub use sessions::RedisSessionStore;
pub use store::RedisStore;
pub use tasks::RedisTaskCache;
