//! Redis's rate limit fake.

use crate::fakes::lock;
use async_trait::async_trait;
use std::collections::HashMap;
use std::sync::Mutex;
use taskforge_domain::identity::ports::{RateBucket, RateDecision, RateLimiter, RateRule};
use taskforge_domain::StoreError;

/// Redis's rate limit fake: counts per bucket, windows restart only when told.
#[derive(Default)]
pub struct InMemoryRateLimiter(Mutex<HashMap<RateBucket, u32>>);

#[async_trait]
impl RateLimiter for InMemoryRateLimiter {
    async fn hit(&self, bucket: &RateBucket, rule: RateRule) -> Result<RateDecision, StoreError> {
        let mut counts = lock(&self.0);
        let count = counts.entry(bucket.clone()).or_default();
        *count += 1;
        Ok(if *count <= rule.limit {
            RateDecision::Allowed
        } else {
            RateDecision::Limited {
                retry_after: rule.window,
            }
        })
    }
}
