//! `RedisRateLimiter`: fixed-window counters, one pipelined round trip per hit, and failure
//! counts with their holds, shared by every instance.

use crate::store::RedisStore;
use async_trait::async_trait;
use deadpool_redis::redis::{self, Cmd};
use std::time::Duration;
use taskforge_domain::identity::ports::{RateBucket, RateDecision, RateLimiter, RateRule};
use taskforge_domain::identity::throttle::hold_after;
use taskforge_domain::StoreError;

/// A fixed window's milliseconds, as Redis takes them.
pub(crate) fn window_ms(rule: RateRule) -> u64 {
    rule.window.as_millis().max(1) as u64
}

/// What a window's `count` of hits (the window ending in `ttl_ms`) decides under `rule`.
pub(crate) fn decision(count: u64, ttl_ms: i64, rule: RateRule) -> RateDecision {
    if count <= u64::from(rule.limit) {
        RateDecision::Allowed
    } else {
        let wait = u64::try_from(ttl_ms).unwrap_or(window_ms(rule)).max(1);
        RateDecision::Limited {
            retry_after: Duration::from_millis(wait),
        }
    }
}

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
        let window_ms = window_ms(rule);
        let (count, ttl_ms): (u64, i64) = self
            .store
            .call(
                redis::pipe()
                    .atomic()
                    .incr(&key, 1)
                    .cmd("PEXPIRE")
                    .arg(&key)
                    .arg(window_ms)
                    .arg("NX")
                    .ignore()
                    .pttl(&key),
            )
            .await?;
        Ok(decision(count, ttl_ms, rule))
    }

    async fn held(&self, bucket: &RateBucket) -> Result<Option<Duration>, StoreError> {
        let key = self.store.keys().hold(bucket);
        let ttl_ms: i64 = self.store.call(&Cmd::pttl(&key)).await?;
        Ok(u64::try_from(ttl_ms)
            .ok()
            .filter(|ms| *ms > 0)
            .map(Duration::from_millis))
    }

    async fn fail(&self, bucket: &RateBucket, rule: RateRule) -> Result<(), StoreError> {
        let (key, hold) = (
            self.store.keys().rate(bucket),
            self.store.keys().hold(bucket),
        );
        let window_ms = window_ms(rule);
        let (count,): (u32,) = self
            .store
            .call(
                redis::pipe()
                    .atomic()
                    .incr(&key, 1)
                    .pexpire(&key, window_ms as i64)
                    .ignore(),
            )
            .await?;
        let wait = hold_after(count, rule.limit, rule.window);
        if wait.is_zero() {
            return Ok(());
        }
        let wait_ms = wait.as_millis().max(1) as u64;
        self.store
            .call(redis::cmd("SET").arg(&hold).arg(1).arg("PX").arg(wait_ms))
            .await
    }

    async fn clear(&self, bucket: &RateBucket) -> Result<(), StoreError> {
        let keys = [
            self.store.keys().rate(bucket),
            self.store.keys().hold(bucket),
        ];
        self.store.call(&Cmd::del(&keys)).await
    }
}
