//! A profile's state as the write path records it: in audit rows (`previousState`, `newState`)
//! and in the effect that projects it. Decoding it runs every value's validation again. Its
//! shape is what profile audit rows have always held, with the version it was committed at.

use super::model::{
    Frequency, NotificationPreferences, Preferences, Profile, ProfileDetails, Theme,
};
use super::projection::VersionedProfile;
use super::values::{Bio, Email, PersonName, PictureUrl, QuietHours, TimeZone};
use crate::ids::UserId;
use serde::{Deserialize, Serialize};
use serde_json::Value;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ProfileState {
    user_id: UserId,
    email: Email,
    first_name: PersonName,
    last_name: PersonName,
    bio: Bio,
    profile_picture: Option<PictureUrl>,
    preferences: PreferencesState,
    version: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct PreferencesState {
    theme: Theme,
    notifications: NotificationsState,
}

/// Rows and effects written before time zones and quiet hours existed decode with the defaults.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct NotificationsState {
    email: bool,
    push: bool,
    frequency: Frequency,
    #[serde(default)]
    time_zone: TimeZone,
    #[serde(default)]
    quiet_hours: Option<QuietHours>,
}

impl From<&Profile> for ProfileState {
    fn from(p: &Profile) -> Self {
        let (user, details) = (&p.user, &p.details);
        let preferences = &details.preferences;
        Self {
            user_id: user.id,
            email: user.email.clone(),
            first_name: user.first_name.clone(),
            last_name: user.last_name.clone(),
            bio: details.bio.clone(),
            profile_picture: details.profile_picture.clone(),
            preferences: PreferencesState {
                theme: preferences.theme,
                notifications: NotificationsState {
                    email: preferences.notifications.email,
                    push: preferences.notifications.push,
                    frequency: preferences.notifications.frequency,
                    time_zone: preferences.notifications.time_zone,
                    quiet_hours: preferences.notifications.quiet_hours,
                },
            },
            version: user.profile_version,
        }
    }
}

impl From<ProfileState> for VersionedProfile {
    fn from(s: ProfileState) -> Self {
        let notifications = s.preferences.notifications;
        Self {
            user_id: s.user_id,
            version: s.version,
            details: ProfileDetails {
                bio: s.bio,
                profile_picture: s.profile_picture,
                preferences: Preferences {
                    theme: s.preferences.theme,
                    notifications: NotificationPreferences {
                        email: notifications.email,
                        push: notifications.push,
                        frequency: notifications.frequency,
                        time_zone: notifications.time_zone,
                        quiet_hours: notifications.quiet_hours,
                    },
                },
            },
        }
    }
}

impl ProfileState {
    pub fn user_id(&self) -> UserId {
        self.user_id
    }

    pub fn to_json(&self) -> Value {
        // A struct of strings, booleans and numbers always serializes.
        serde_json::to_value(self).unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::identity::model::User;
    use chrono::Utc;

    fn profile() -> Result<Profile, crate::Error> {
        Ok(Profile {
            user: User {
                id: UserId::new(),
                email: Email::parse("email", "ada@example.com")?,
                first_name: PersonName::parse("firstName", "Ada")?,
                last_name: PersonName::parse("lastName", "Lovelace")?,
                created_at: Utc::now(),
                last_login: None,
                profile_version: 3,
            },
            details: ProfileDetails {
                bio: Bio::parse("bio", "Analyst".into())?,
                profile_picture: Some(PictureUrl::parse(
                    "profilePicture",
                    "https://example.com/a.png".into(),
                )?),
                preferences: Preferences {
                    theme: Theme::Dark,
                    notifications: NotificationPreferences {
                        email: false,
                        push: true,
                        frequency: Frequency::Weekly,
                        time_zone: TimeZone::parse("timeZone", "Europe/Paris")?,
                        quiet_hours: Some(QuietHours::parse("quietHours", "22:00", "07:00")?),
                    },
                },
            },
        })
    }

    #[test]
    fn audit_rows_keep_their_shape_and_the_effect_decodes_back(
    ) -> Result<(), Box<dyn std::error::Error>> {
        let profile = profile()?;
        let state = ProfileState::from(&profile);
        let json = state.to_json();
        assert_eq!(
            json,
            serde_json::json!({
                "userId": profile.user.id,
                "email": "ada@example.com",
                "firstName": "Ada",
                "lastName": "Lovelace",
                "bio": "Analyst",
                "profilePicture": "https://example.com/a.png",
                "preferences": {
                    "theme": "dark",
                    "notifications": {
                        "email": false, "push": true, "frequency": "weekly",
                        "timeZone": "Europe/Paris",
                        "quietHours": { "start": "22:00", "end": "07:00" }
                    }
                },
                "version": 3
            })
        );
        let back: ProfileState = serde_json::from_value(json)?;
        let document = VersionedProfile::from(back);
        assert_eq!(
            (document.user_id, document.version, document.details),
            (profile.user.id, 3, profile.details)
        );
        Ok(())
    }

    #[test]
    fn states_recorded_before_time_zones_decode_with_the_defaults(
    ) -> Result<(), Box<dyn std::error::Error>> {
        let mut json = ProfileState::from(&profile()?).to_json();
        json["preferences"]["notifications"] =
            serde_json::json!({ "email": true, "push": false, "frequency": "daily" });
        let notifications = VersionedProfile::from(serde_json::from_value::<ProfileState>(json)?)
            .details
            .preferences
            .notifications;
        assert_eq!(
            (notifications.time_zone, notifications.quiet_hours),
            (TimeZone::default(), None)
        );
        Ok(())
    }

    #[test]
    fn decoding_refuses_what_the_edge_would() -> Result<(), Box<dyn std::error::Error>> {
        let mut json = ProfileState::from(&profile()?).to_json();
        json["profilePicture"] = "javascript:alert(1)".into();
        assert!(serde_json::from_value::<ProfileState>(json.clone()).is_err());
        json["profilePicture"] = serde_json::Value::Null;
        json["preferences"]["notifications"]["timeZone"] = "Mars/Olympus".into();
        assert!(serde_json::from_value::<ProfileState>(json).is_err());
        Ok(())
    }
}
