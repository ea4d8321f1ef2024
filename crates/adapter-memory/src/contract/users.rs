//! The `UserRepository` contract.

use super::*;
use taskforge_domain::identity::{
    Bio, Frequency, NotificationPreferences, PictureUrl, Preferences, QuietHours, Theme, TimeZone,
};

/// Details with every field away from its default.
fn custom_details() -> ProfileDetails {
    ProfileDetails {
        bio: must(Bio::parse("bio", "line one\nline two".into()), "bio"),
        profile_picture: Some(must(
            PictureUrl::parse("profilePicture", "https://example.com/ada.png".into()),
            "picture",
        )),
        preferences: Preferences {
            theme: Theme::Dark,
            notifications: NotificationPreferences {
                email: false,
                push: false,
                frequency: Frequency::Weekly,
                time_zone: must(TimeZone::parse("timeZone", "America/New_York"), "zone"),
                quiet_hours: Some(must(
                    QuietHours::parse("quietHours", "23:00", "07:00"),
                    "quiet hours",
                )),
            },
        },
    }
}

/// `UserRepository` together with the outbox its changes commit into: a profile comes back
/// whole, as created and as updated.
pub async fn user_repository(users: &dyn UserRepository, outbox: &dyn Outbox) {
    let email = unique_email();
    let mut profile = new_profile(&email);
    profile.details = custom_details();
    let user = profile.user.clone();
    let hash = PasswordHash::from_stored("hash-1".into());
    let receipt = must(
        users
            .create(
                &profile,
                &hash,
                change(
                    user.id,
                    AuditAction::Create,
                    vec![effect(user.id.as_uuid(), 1)],
                ),
            )
            .await,
        "create",
    );
    assert!(
        receipt.rows.len() == 1 && receipt.urgent.is_empty(),
        "a change with effects leaves an outbox row"
    );
    assert_eq!(must(outbox.pending_count().await, "pending"), 1);

    let (found, found_hash) = must(users.by_email(&user.email).await, "by_email").expect_found();
    assert_eq!(found, user);
    assert_eq!(found_hash, hash);
    assert_eq!(
        must(users.by_id(user.id).await, "by_id").map(|(u, _)| u),
        Some(user.clone())
    );
    assert!(must(users.by_id(UserId::new()).await, "by_id unknown").is_none());
    assert_eq!(
        must(users.profile(user.id).await, "profile"),
        Some(profile.clone()),
        "every field as created"
    );
    assert!(must(users.profile(UserId::new()).await, "profile unknown").is_none());

    let twin = new_profile(&email.to_uppercase());
    let dup = users
        .create(
            &twin,
            &hash,
            change(twin.user.id, AuditAction::Create, vec![]),
        )
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
    profile.user.last_login = Some(user.created_at);

    let mut next = profile.clone();
    next.user.first_name = PersonName::from_stored("Grace".into());
    next.user.last_name = PersonName::from_stored("Hopper".into());
    next.user.profile_version = 2;
    next.details = ProfileDetails::default();
    let update = |expected| {
        let effects = vec![effect(user.id.as_uuid(), 2)];
        users.update_profile(
            &next,
            expected,
            change(user.id, AuditAction::Update, effects),
        )
    };
    let stale = update(7).await;
    assert!(matches!(stale, Err(StoreError::StaleVersion)), "{stale:?}");
    assert_eq!(
        must(users.profile(user.id).await, "profile"),
        Some(profile),
        "a stale update changes nothing"
    );
    must(update(1).await, "update_profile");
    assert_eq!(
        must(users.profile(user.id).await, "profile"),
        Some(next.clone()),
        "names, details (the picture cleared) and version as updated"
    );
    let again = update(1).await;
    assert!(matches!(again, Err(StoreError::StaleVersion)), "{again:?}");

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
    assert!(must(users.profile(user.id).await, "profile").is_none());
    let again = users
        .delete(user.id, change(user.id, AuditAction::Delete, vec![]))
        .await;
    assert!(matches!(again, Err(StoreError::NotFound)), "{again:?}");
}
