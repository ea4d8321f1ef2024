//! The write path's runtime on tokio: detached projection work and per-effect time limits.

use async_trait::async_trait;
use futures::future::BoxFuture;
use std::time::Duration;
use taskforge_domain::write_path::Runtime;
use taskforge_domain::StoreError;

pub struct TokioRuntime;

#[async_trait]
impl Runtime for TokioRuntime {
    async fn run_detached(&self, budget: Duration, work: BoxFuture<'static, ()>) {
        // Past the budget the response goes out; the task finishes its rows (or its lease
        // expires and the relay does).
        let _ = tokio::time::timeout(budget, tokio::spawn(work)).await;
    }

    async fn time_limit(
        &self,
        limit: Duration,
        work: BoxFuture<'_, Result<(), StoreError>>,
    ) -> Result<(), StoreError> {
        tokio::time::timeout(limit, work)
            .await
            .unwrap_or_else(|_| Err(StoreError::unavailable("projection", "effect timed out")))
    }
}
