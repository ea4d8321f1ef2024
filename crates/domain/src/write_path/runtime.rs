//! What the write path needs of an async runtime, which the domain does not pick: running work
//! past the request that started it, and bounding how long a step may take.

use crate::StoreError;
use async_trait::async_trait;
use futures::future::BoxFuture;
use std::time::Duration;

#[async_trait]
pub trait Runtime: Send + Sync {
    /// Starts `work` on its own and waits for it at most `budget`; it runs to its end either
    /// way.
    async fn run_detached(&self, budget: Duration, work: BoxFuture<'static, ()>);

    /// `work`'s outcome, or `Unavailable` when it took longer than `limit`.
    async fn time_limit(
        &self,
        limit: Duration,
        work: BoxFuture<'_, Result<(), StoreError>>,
    ) -> Result<(), StoreError>;
}
