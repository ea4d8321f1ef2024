//! A profile's state as the write path records it: in audit rows (`previousState`, `newState`)
//! and in the effect that projects it. Decoding it runs every value's validation again. Its
//! shape is what profile audit rows have always held, with the version it was committed at.

use super::model::{
    Frequency, NotificationPreferences, Preferences, Profile, ProfileDetails, Theme,
};
use super::projection::VersionedProfile;
use super::values::{Bio, Email, PersonName, PictureUrl};
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

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct NotificationsState {
    email: bool,
    push: bool,
    frequency: Frequency,
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
                    "notifications": { "email": false, "push": true, "frequency": "weekly" }
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
    fn decoding_refuses_what_the_edge_would() -> Result<(), Box<dyn std::error::Error>> {
        let mut json = ProfileState::from(&profile()?).to_json();
        json["profilePicture"] = "javascript:alert(1)".into();
        assert!(serde_json::from_value::<ProfileState>(json).is_err());
        Ok(())
    }
}
