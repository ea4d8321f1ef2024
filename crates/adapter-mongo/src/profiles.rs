//! `MongoProfileDocuments`: the `profiles` collection, one document per user, in MongoDB's own
//! representation (`ProfileDocument`: the user id as a string `_id`, enums as their names).

use crate::fields::corrupt;
use crate::store::MongoStore;
use async_trait::async_trait;
use mongodb::bson::{doc, Document};
use serde::{Deserialize, Serialize};
use taskforge_domain::identity::{
    Bio, Frequency, NotificationPreferences, PictureUrl, Preferences, ProfileDetails,
    ProfileDocuments, QuietHours, Theme, TimeZone, VersionedProfile,
};
use taskforge_domain::ids::UserId;
use taskforge_domain::StoreError;

pub(crate) const COLLECTION: &str = "profiles";

#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct ProfileDocument {
    #[serde(rename = "_id")]
    id: String,
    version: i64,
    bio: String,
    profile_picture: Option<String>,
    preferences: PreferencesDocument,
}

#[derive(Debug, Serialize, Deserialize)]
struct PreferencesDocument {
    theme: String,
    notifications: NotificationsDocument,
}

/// Documents written before time zones and quiet hours existed read as UTC, never quiet.
#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct NotificationsDocument {
    email: bool,
    push: bool,
    frequency: String,
    #[serde(default = "utc")]
    time_zone: String,
    #[serde(default)]
    quiet_hours: Option<QuietHoursDocument>,
}

/// `HH:MM` on the user's clock.
#[derive(Debug, Serialize, Deserialize)]
struct QuietHoursDocument {
    start: String,
    end: String,
}

fn utc() -> String {
    TimeZone::default().as_str().to_owned()
}

impl From<&VersionedProfile> for ProfileDocument {
    fn from(p: &VersionedProfile) -> Self {
        let preferences = &p.details.preferences;
        Self {
            id: p.user_id.to_string(),
            version: p.version,
            bio: p.details.bio.as_str().to_owned(),
            profile_picture: p
                .details
                .profile_picture
                .as_ref()
                .map(|url| url.as_str().to_owned()),
            preferences: PreferencesDocument {
                theme: preferences.theme.as_str().to_owned(),
                notifications: NotificationsDocument {
                    email: preferences.notifications.email,
                    push: preferences.notifications.push,
                    frequency: preferences.notifications.frequency.as_str().to_owned(),
                    time_zone: preferences.notifications.time_zone.as_str().to_owned(),
                    quiet_hours: preferences.notifications.quiet_hours.map(|q| {
                        let (start, end) = q.written();
                        QuietHoursDocument { start, end }
                    }),
                },
            },
        }
    }
}

impl TryFrom<ProfileDocument> for VersionedProfile {
    type Error = StoreError;

    fn try_from(d: ProfileDocument) -> Result<Self, StoreError> {
        let notifications = d.preferences.notifications;
        Ok(Self {
            user_id: d.id.parse().map_err(|e| corrupt("_id", e))?,
            version: d.version,
            details: ProfileDetails {
                bio: Bio::from_stored(d.bio),
                profile_picture: d.profile_picture.map(PictureUrl::from_stored),
                preferences: Preferences {
                    theme: Theme::parse("theme", &d.preferences.theme)
                        .map_err(|e| corrupt("theme", e))?,
                    notifications: NotificationPreferences {
                        email: notifications.email,
                        push: notifications.push,
                        frequency: Frequency::parse("frequency", &notifications.frequency)
                            .map_err(|e| corrupt("frequency", e))?,
                        time_zone: TimeZone::parse("timeZone", &notifications.time_zone)
                            .map_err(|e| corrupt("timeZone", e))?,
                        quiet_hours: notifications
                            .quiet_hours
                            .map(|q| QuietHours::parse("quietHours", &q.start, &q.end))
                            .transpose()
                            .map_err(|e| corrupt("quietHours", e))?,
                    },
                },
            },
        })
    }
}

pub struct MongoProfileDocuments {
    store: MongoStore,
}

impl MongoProfileDocuments {
    pub fn new(store: MongoStore) -> Self {
        Self { store }
    }

    fn collection(&self) -> mongodb::Collection<Document> {
        self.store.database().collection(COLLECTION)
    }
}

#[async_trait]
impl ProfileDocuments for MongoProfileDocuments {
    async fn put(&self, profile: &VersionedProfile) -> Result<(), StoreError> {
        let document = ProfileDocument::from(profile);
        self.store
            .put_versioned(COLLECTION, document.id.clone(), profile.version, &document)
            .await
    }

    async fn get(&self, user: UserId) -> Result<Option<VersionedProfile>, StoreError> {
        let collection = self
            .store
            .database()
            .collection::<ProfileDocument>(COLLECTION);
        let find = collection.find_one(doc! { "_id": user.to_string() });
        match self.store.call(find).await? {
            Some(document) => VersionedProfile::try_from(document).map(Some),
            None => Ok(None),
        }
    }

    async fn delete(&self, user: UserId) -> Result<(), StoreError> {
        let collection = self.collection();
        let delete = collection.delete_one(doc! { "_id": user.to_string() });
        self.store.call(delete).await.map(drop)
    }
}
