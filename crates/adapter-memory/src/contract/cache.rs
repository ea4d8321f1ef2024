//! The `Cache` contract.

use super::*;

/// `Cache`: put, get, drop.
pub async fn cache(cache: &dyn Cache) {
    let kind = CacheKind {
        name: "contract",
        ttl: Duration::from_secs(60),
    };
    let key = kind.key(Uuid::now_v7());
    let value = serde_json::json!({ "version": 3, "body": { "bio": "hi" } });
    assert_eq!(must(cache.get(&key).await, "get absent"), None);
    must(cache.put(&key, &value, kind.ttl).await, "put");
    assert_eq!(must(cache.get(&key).await, "get"), Some(value.clone()));
    let absent = kind.key(Uuid::now_v7());
    let many = must(cache.get_many(&[absent, key.clone()]).await, "get_many");
    assert_eq!(many, vec![None, Some(value)], "in the order asked");
    assert_eq!(must(cache.get_many(&[]).await, "get_many none"), vec![]);
    must(cache.drop_key(&key).await, "drop");
    must(cache.drop_key(&key).await, "drop again");
    assert_eq!(must(cache.get(&key).await, "get dropped"), None);
}
