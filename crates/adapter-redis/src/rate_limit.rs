//! `RedisRateLimiter`: fixed-window counters, one pipelined round trip per hit, shared by every
//! instance.

use crate::store::RedisStore;
use async_trait::async_trait;
use deadpool_redis::redis;
use std::time::Duration;
use taskforge_domain::identity::ports::{RateBucket, RateDecision, RateLimiter, RateRule};
use taskforge_domain::StoreError;

pub struct RedisRateLimiter {
    store: RedisStore,
}

impl RedisRateLimiter {
    pub fn new(store: RedisStore) -> Self {
        Self { store }
    }
}

#[async_trait]
impl RateLimiter for RedisRateLimiter {
    async fn hit(&self, bucket: &RateBucket, rule: RateRule) -> Result<RateDecision, StoreError> {
        let key = self.store.keys().rate(bucket);
        let window_ms = rule.window.as_millis().max(1) as u64;
        let (count, ttl_ms): (u64, i64) = self
            .store
            .call(async |c| {
                redis::pipe()
                    .atomic()
                    .incr(&key, 1)
                    .cmd("PEXPIRE")
                    .arg(&key)
                    .arg(window_ms)
                    .arg("NX")
                    .ignore()
                    .pttl(&key)
                    .query_async(c)
                    .await
            })
            .await?;
        if count <= u64::from(rule.limit) {
            Ok(RateDecision::Allowed)
        } else {
            let wait = u64::try_from(ttl_ms).unwrap_or(window_ms).max(1);
            Ok(RateDecision::Limited {
                retry_after: Duration::from_millis(wait),
            })
        }
    }
}
