//! Users and profiles.

mod me_delete;
mod me_get;
mod me_patch;
mod password;
mod public_get;

use serde::Serialize;
use taskforge_domain::identity::{Profile, QuietHours};

// `public_get` after every /users/me route, which it would otherwise shadow.
super::routes!(me_get, me_patch, password, me_delete, public_get);

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Metadata {
    created: chrono::DateTime<chrono::Utc>,
    last_login: Option<chrono::DateTime<chrono::Utc>>,
}

/// The caller's own profile.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ProfileResponse {
    user_id: String,
    email: String,
    first_name: String,
    last_name: String,
    bio: String,
    profile_picture: Option<String>,
    preferences: PreferencesResponse,
    metadata: Metadata,
}

#[derive(Serialize)]
struct PreferencesResponse {
    theme: &'static str,
    notifications: NotificationsResponse,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct NotificationsResponse {
    email: bool,
    push: bool,
    frequency: &'static str,
    time_zone: &'static str,
    quiet_hours: Option<QuietHoursResponse>,
}

#[derive(Serialize)]
struct QuietHoursResponse {
    start: String,
    end: String,
}

impl From<QuietHours> for QuietHoursResponse {
    fn from(q: QuietHours) -> Self {
        let (start, end) = q.written();
        Self { start, end }
    }
}

impl From<&Profile> for ProfileResponse {
    fn from(p: &Profile) -> Self {
        let (u, d) = (&p.user, &p.details);
        let notifications = &d.preferences.notifications;
        Self {
            user_id: u.id.to_string(),
            email: u.email.as_str().to_owned(),
            first_name: u.first_name.as_str().to_owned(),
            last_name: u.last_name.as_str().to_owned(),
            bio: d.bio.as_str().to_owned(),
            profile_picture: d
                .profile_picture
                .as_ref()
                .map(|url| url.as_str().to_owned()),
            preferences: PreferencesResponse {
                theme: d.preferences.theme.as_str(),
                notifications: NotificationsResponse {
                    email: notifications.email,
                    push: notifications.push,
                    frequency: notifications.frequency.as_str(),
                    time_zone: notifications.time_zone.as_str(),
                    quiet_hours: notifications.quiet_hours.map(QuietHoursResponse::from),
                },
            },
            metadata: Metadata {
                created: u.created_at,
                last_login: u.last_login,
            },
        }
    }
}
