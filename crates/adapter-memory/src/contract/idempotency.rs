//! The `IdempotencyStore` contract.

use super::*;

/// `IdempotencyStore`: a key is fresh once, in flight until a change records its response, then
/// replayed; another request under the same key is a mismatch; a released key is fresh again.
/// Needs the `UserRepository` of the same store to commit the recording change.
pub async fn idempotency(store: &dyn IdempotencyStore, users: &dyn UserRepository) {
    use taskforge_domain::write_path::{Claim, IdempotencyKey};
    let profile = new_profile(&unique_email());
    let user = &profile.user;
    let body = serde_json::json!({ "title": "t", "teamId": "x" });
    let key = must(IdempotencyKey::new(user.id, "key-1", &body), "key");
    assert_eq!(must(store.claim(&key).await, "claim"), Claim::Fresh);
    assert_eq!(must(store.claim(&key).await, "again"), Claim::InFlight);
    let other = must(
        IdempotencyKey::new(user.id, "key-1", &serde_json::json!({ "title": "u" })),
        "key",
    );
    assert_eq!(
        must(store.claim(&other).await, "other body"),
        Claim::Mismatch
    );

    let response = serde_json::json!({ "taskId": "t-1" });
    let mut done = change(user.id, AuditAction::Create, vec![]);
    done.idempotency = Some(key.completion(response.clone()));
    must(
        users
            .create(&profile, &PasswordHash::from_stored("h".into()), done)
            .await,
        "commit",
    );
    assert_eq!(
        must(store.claim(&key).await, "after"),
        Claim::Replay(response)
    );
    must(store.release(&key).await, "release done");
    assert!(
        matches!(must(store.claim(&key).await, "still"), Claim::Replay(_)),
        "a recorded key is never released"
    );

    let failed = must(IdempotencyKey::new(user.id, "key-2", &body), "key");
    assert_eq!(must(store.claim(&failed).await, "claim"), Claim::Fresh);
    must(store.release(&failed).await, "release");
    assert_eq!(must(store.claim(&failed).await, "retry"), Claim::Fresh);
    let someone_else = must(IdempotencyKey::new(UserId::new(), "key-1", &body), "key");
    assert_eq!(
        must(store.claim(&someone_else).await, "per user"),
        Claim::Fresh
    );
}
