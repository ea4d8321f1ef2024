//! The `ProfileDocuments` contract.

use super::*;
use taskforge_domain::identity::{
    Bio, Frequency, NotificationPreferences, PictureUrl, Preferences, ProfileDocuments, QuietHours,
    Theme, TimeZone, VersionedProfile,
};

/// `user`'s profile at `version`, every field set (the picture only at odd versions).
fn profile(user: UserId, version: i64) -> VersionedProfile {
    let picture = format!("https://example.com/v{version}.png");
    VersionedProfile {
        user_id: user,
        version,
        details: ProfileDetails {
            bio: must(Bio::parse("bio", format!("v{version}\nsecond line")), "bio"),
            profile_picture: (version % 2 == 1)
                .then(|| must(PictureUrl::parse("profilePicture", picture), "picture")),
            preferences: Preferences {
                theme: Theme::Light,
                notifications: NotificationPreferences {
                    email: false,
                    push: true,
                    frequency: Frequency::Hourly,
                    time_zone: must(TimeZone::parse("timeZone", "Asia/Kolkata"), "zone"),
                    quiet_hours: Some(must(
                        QuietHours::parse("quietHours", "22:30", "06:15"),
                        "quiet hours",
                    )),
                },
            },
        },
    }
}

/// `ProfileDocuments`: every field comes back as put; versions only move forward; deletes are
/// idempotent.
pub async fn profile_documents(store: &dyn ProfileDocuments) {
    let user = UserId::new();
    assert_eq!(must(store.get(user).await, "get absent"), None);
    must(store.delete(user).await, "delete absent");
    must(store.put(&profile(user, 2)).await, "put v2");
    must(store.put(&profile(user, 2)).await, "put v2 again");
    must(store.put(&profile(user, 1)).await, "put older v1");
    assert_eq!(
        must(store.get(user).await, "get"),
        Some(profile(user, 2)),
        "every field as put; an older version never overwrites"
    );
    must(store.put(&profile(user, 3)).await, "put v3");
    assert_eq!(must(store.get(user).await, "get"), Some(profile(user, 3)));
    let other = UserId::new();
    must(store.put(&profile(other, 1)).await, "put another user's");
    must(store.delete(user).await, "delete");
    must(store.delete(user).await, "delete again");
    assert_eq!(must(store.get(user).await, "get deleted"), None);
    assert_eq!(
        must(store.get(other).await, "get other"),
        Some(profile(other, 1)),
        "other users' documents stay"
    );
}
