//! The `SessionStore` contract.

use super::*;

fn session(user: UserId) -> Session {
    let now = Utc::now().trunc_subsecs(0);
    Session {
        id: SessionId::new(),
        user_id: user,
        created_at: now,
        last_seen_at: now,
        expires_at: now + chrono::TimeDelta::hours(1),
        user_agent: Some("contract".into()),
        ip: Some("127.0.0.1".into()),
    }
}

/// `SessionStore`: sessions by token hash, listed and revoked per user; an admission counts the
/// user's API hit as `limiter` (the rate limiter of the same store) counts it.
pub async fn sessions(store: &dyn SessionStore, limiter: &dyn RateLimiter) {
    let ttl = Duration::from_secs(600);
    let user = UserId::new();
    let (ta, tb, tc) = (
        SessionToken::generate().hash(),
        SessionToken::generate().hash(),
        SessionToken::generate().hash(),
    );
    let (a, b, c) = (session(user), session(user), session(user));
    for (t, s) in [(&ta, &a), (&tb, &b), (&tc, &c)] {
        must(store.create(t, s, ttl).await, "create");
    }
    assert_eq!(must(store.find(&ta).await, "find"), Some(a.clone()));
    assert_eq!(
        must(
            store.find(&SessionToken::generate().hash()).await,
            "find unknown"
        ),
        None
    );

    let rule = RateRule {
        limit: 2,
        window: Duration::from_secs(60),
    };
    let unknown = SessionToken::generate().hash();
    let admitted = must(store.admit(&unknown, limiter, rule).await, "admit unknown");
    assert!(admitted.is_none(), "no session, nothing counted");
    for (token, session) in [(&ta, &a), (&tb, &b)] {
        assert_eq!(
            must(store.admit(token, limiter, rule).await, "admit"),
            Some((session.clone(), RateDecision::Allowed))
        );
    }
    let third = must(store.admit(&tc, limiter, rule).await, "admit");
    assert!(
        matches!(third, Some((ref s, RateDecision::Limited { .. })) if *s == c),
        "the user's third hit in the window, whichever session: {third:?}"
    );
    let hit = must(limiter.hit(&RateBucket::Api(user), rule).await, "hit");
    assert!(
        matches!(hit, RateDecision::Limited { .. }),
        "the limiter holds the same count"
    );
    let online = must(store.online(Duration::from_secs(60)).await, "online");
    assert_eq!(
        online.iter().filter(|u| **u == user).count(),
        1,
        "admitted users are online, once"
    );
    assert!(!online.contains(&UserId::new()));

    let mut touched = a.clone();
    touched.last_seen_at += chrono::TimeDelta::seconds(30);
    must(store.touch(&ta, &touched, ttl).await, "touch");
    assert_eq!(must(store.find(&ta).await, "find touched"), Some(touched));

    let mut listed: Vec<SessionId> = must(store.list(user).await, "list")
        .into_iter()
        .map(|s| s.id)
        .collect();
    listed.sort();
    let mut expected = vec![a.id, b.id, c.id];
    expected.sort();
    assert_eq!(listed, expected);

    assert!(must(store.revoke(user, b.id).await, "revoke"));
    assert!(
        !must(store.revoke(user, b.id).await, "revoke again"),
        "a revoked session is gone"
    );
    assert!(
        !must(store.revoke(UserId::new(), a.id).await, "revoke other's"),
        "only the owner's sessions"
    );
    assert_eq!(must(store.find(&tb).await, "find revoked"), None);
    must(store.touch(&tb, &b, ttl).await, "touch revoked");
    assert_eq!(
        must(store.find(&tb).await, "find after touch"),
        None,
        "a touch never revives a session"
    );

    let (td, mut d) = (SessionToken::generate().hash(), session(user));
    d.created_at += chrono::TimeDelta::seconds(5);
    must(store.create(&td, &d, ttl).await, "create later");
    must(
        store.revoke_all(user, Some(a.id), Some(d.created_at)).await,
        "revoke_all keep, opened before d",
    );
    assert_eq!(must(store.find(&tc).await, "find c"), None);
    assert!(must(store.find(&ta).await, "find kept").is_some());
    assert!(
        must(store.find(&td).await, "find d").is_some(),
        "a session opened after the cut-off survives"
    );
    must(store.revoke_all(user, None, None).await, "revoke_all");
    assert_eq!(must(store.list(user).await, "list after"), vec![]);
}
