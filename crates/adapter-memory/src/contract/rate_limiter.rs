//! The `RateLimiter` contract.

use super::*;

/// `RateLimiter`: a fixed window of `limit` hits per bucket; failures hold a bucket back once
/// past the free ones, until cleared.
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

    let failures = |client: &str| RateBucket::LoginFailures {
        account: must(
            Email::parse("email", &format!("{}@example.com", Uuid::new_v4())),
            "email",
        ),
        client: client.to_owned(),
    };
    let (guessed, elsewhere) = (failures("203.0.113.9"), failures("198.51.100.1"));
    for _ in 0..rule.limit {
        must(limiter.fail(&guessed, rule).await, "free failure");
    }
    assert_eq!(
        must(limiter.held(&guessed).await, "held"),
        None,
        "the free failures hold nothing back"
    );
    must(
        limiter.fail(&guessed, rule).await,
        "failure past the free ones",
    );
    let hold = must(limiter.held(&guessed).await, "held after");
    assert!(
        hold.is_some_and(|h| h > Duration::ZERO && h <= Duration::from_secs(1)),
        "the first hold is a second: {hold:?}"
    );
    assert_eq!(must(limiter.held(&elsewhere).await, "other"), None);
    must(limiter.clear(&guessed).await, "clear");
    assert_eq!(must(limiter.held(&guessed).await, "cleared"), None);
}
