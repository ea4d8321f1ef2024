//! A runtime for tests on the fakes: work runs inline, to its end, with no time limit.

use async_trait::async_trait;
use futures::future::BoxFuture;
use std::time::Duration;
use taskforge_domain::write_path::Runtime;
use taskforge_domain::StoreError;

#[derive(Default)]
pub struct InlineRuntime;

#[async_trait]
impl Runtime for InlineRuntime {
    async fn run_detached(&self, _budget: Duration, work: BoxFuture<'static, ()>) {
        work.await
    }

    async fn time_limit(
        &self,
        _limit: Duration,
        work: BoxFuture<'_, Result<(), StoreError>>,
    ) -> Result<(), StoreError> {
        work.await
    }
}
