//! The `UserRepository` contract.

use super::*;

/// `UserRepository` together with the outbox its changes commit into.
pub async fn user_repository(users: &dyn UserRepository, outbox: &dyn Outbox) {
    let email = unique_email();
    let user = new_user(&email);
    let hash = PasswordHash::from_stored("hash-1".into());
    let receipt = must(
        users
            .create(
                &user,
                &hash,
                change(
                    user.id,
                    AuditAction::Create,
                    vec![put(user.id.as_uuid(), 1)],
                ),
            )
            .await,
        "create",
    );
    assert!(
        receipt.rows.len() == 1 && receipt.urgent.is_empty(),
        "a change with effects leaves an outbox row"
    );

    let (found, found_hash) = must(users.by_email(&user.email).await, "by_email").expect_found();
    assert_eq!(found, user);
    assert_eq!(found_hash, hash);
    assert_eq!(
        must(users.by_id(user.id).await, "by_id").map(|(u, _)| u),
        Some(user.clone())
    );
    assert!(must(users.by_id(UserId::new()).await, "by_id unknown").is_none());

    let twin = new_user(&email.to_uppercase());
    let dup = users
        .create(&twin, &hash, change(twin.id, AuditAction::Create, vec![]))
        .await;
    assert!(
        matches!(dup, Err(StoreError::Conflict(_))),
        "emails are unique case-insensitively: {dup:?}"
    );

    let login = must(
        users
            .record_login(
                user.id,
                user.created_at,
                change(user.id, AuditAction::Login, vec![]),
            )
            .await,
        "login",
    );
    assert_eq!(
        login,
        Default::default(),
        "a change without effects leaves no outbox row"
    );
    let after_login = must(users.by_id(user.id).await, "by_id").expect_found().0;
    assert_eq!(after_login.last_login, Some(user.created_at));

    let names = (
        &PersonName::from_stored("Grace".into()),
        &PersonName::from_stored("Hopper".into()),
    );
    let stale = users
        .update_profile(
            user.id,
            7,
            names,
            change(
                user.id,
                AuditAction::Update,
                vec![put(user.id.as_uuid(), 8)],
            ),
        )
        .await;
    assert!(matches!(stale, Err(StoreError::StaleVersion)), "{stale:?}");
    must(
        users
            .update_profile(
                user.id,
                1,
                names,
                change(
                    user.id,
                    AuditAction::Update,
                    vec![put(user.id.as_uuid(), 2)],
                ),
            )
            .await,
        "update_profile",
    );
    let updated = must(users.by_id(user.id).await, "by_id").expect_found().0;
    assert_eq!(
        (updated.first_name.as_str(), updated.profile_version),
        ("Grace", 2)
    );
    let latest = must(
        outbox
            .latest_document(PROFILES.name, user.id.as_uuid())
            .await,
        "latest_document",
    );
    assert_eq!(
        latest.map(|(_, d)| d.version),
        Some(2),
        "the newest committed document is found in the outbox"
    );

    let new_hash = PasswordHash::from_stored("hash-2".into());
    must(
        users
            .set_password(
                user.id,
                &new_hash,
                change(user.id, AuditAction::Update, vec![]),
            )
            .await,
        "set_password",
    );
    assert_eq!(
        must(users.by_id(user.id).await, "by_id").expect_found().1,
        new_hash
    );

    must(
        users
            .delete(user.id, change(user.id, AuditAction::Delete, vec![]))
            .await,
        "delete",
    );
    assert!(must(users.by_id(user.id).await, "by_id").is_none());
    let again = users
        .delete(user.id, change(user.id, AuditAction::Delete, vec![]))
        .await;
    assert!(matches!(again, Err(StoreError::NotFound)), "{again:?}");
}
