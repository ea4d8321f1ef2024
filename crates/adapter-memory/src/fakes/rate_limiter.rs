//! Redis's rate limit fake.

use crate::fakes::lock;
use async_trait::async_trait;
use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};
use taskforge_domain::identity::ports::{RateBucket, RateDecision, RateLimiter, RateRule};
use taskforge_domain::identity::throttle::hold_after;
use taskforge_domain::StoreError;

/// Redis's rate limit fake: counts per bucket, windows restart only when told; holds last
/// their time.
#[derive(Default)]
pub struct InMemoryRateLimiter(Mutex<Counters>);

#[derive(Default)]
struct Counters {
    hits: HashMap<RateBucket, u32>,
    failures: HashMap<RateBucket, u32>,
    holds: HashMap<RateBucket, Instant>,
}

#[async_trait]
impl RateLimiter for InMemoryRateLimiter {
    async fn hit(&self, bucket: &RateBucket, rule: RateRule) -> Result<RateDecision, StoreError> {
        let mut counters = lock(&self.0);
        let count = counters.hits.entry(bucket.clone()).or_default();
        *count += 1;
        Ok(if *count <= rule.limit {
            RateDecision::Allowed
        } else {
            RateDecision::Limited {
                retry_after: rule.window,
            }
        })
    }

    async fn held(&self, bucket: &RateBucket) -> Result<Option<Duration>, StoreError> {
        let counters = lock(&self.0);
        Ok(counters
            .holds
            .get(bucket)
            .map(|until| until.saturating_duration_since(Instant::now()))
            .filter(|left| !left.is_zero()))
    }

    async fn fail(&self, bucket: &RateBucket, rule: RateRule) -> Result<(), StoreError> {
        let mut counters = lock(&self.0);
        let count = counters.failures.entry(bucket.clone()).or_default();
        *count += 1;
        let hold = hold_after(*count, rule.limit, rule.window);
        if !hold.is_zero() {
            counters.holds.insert(bucket.clone(), Instant::now() + hold);
        }
        Ok(())
    }

    async fn clear(&self, bucket: &RateBucket) -> Result<(), StoreError> {
        let mut counters = lock(&self.0);
        counters.failures.remove(bucket);
        counters.holds.remove(bucket);
        Ok(())
    }
}
