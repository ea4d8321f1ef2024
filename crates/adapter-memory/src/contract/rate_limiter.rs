//! The `RateLimiter` contract.

use super::*;

/// `RateLimiter`: a fixed window of `limit` hits per bucket.
pub async fn rate_limiter(limiter: &dyn RateLimiter) {
    let rule = RateRule {
        limit: 3,
        window: Duration::from_secs(60),
    };
    let bucket = RateBucket::Api(UserId::new());
    for i in 0..3 {
        assert_eq!(
            must(limiter.hit(&bucket, rule).await, "hit"),
            RateDecision::Allowed,
            "hit {i}"
        );
    }
    match must(limiter.hit(&bucket, rule).await, "hit over") {
        RateDecision::Limited { retry_after } => {
            assert!(
                retry_after > Duration::ZERO && retry_after <= rule.window,
                "{retry_after:?}"
            )
        }
        RateDecision::Allowed => panic!("the fourth hit in the window must be limited"),
    }
    let other = RateBucket::Api(UserId::new());
    assert_eq!(
        must(limiter.hit(&other, rule).await, "other"),
        RateDecision::Allowed,
        "buckets are independent"
    );
}
