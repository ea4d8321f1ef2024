//! The harness of the black-box tests: each test gets its own server, PostgreSQL database
//! (cloned from a migrated template), MongoDB database and Redis key prefix, so tests run in
//! parallel without sharing state. Failure tests start private Redis and FerretDB processes
//! they may stop and restart.

pub mod app;
pub mod events;
pub mod mail;
pub mod processes;
pub mod proxy;

pub use app::{Crew, Reply, TestApp, TestUser};
pub use events::{Event, EventStream};

/// Waits for a condition that becomes true asynchronously (a relay applying a row, a process
/// starting), polling every 50 ms up to `limit`. Returns whether it held in time.
pub async fn eventually<F, Fut>(limit: std::time::Duration, mut check: F) -> bool
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let deadline = tokio::time::Instant::now() + limit;
    loop {
        if check().await {
            return true;
        }
        if tokio::time::Instant::now() >= deadline {
            return false;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
}
