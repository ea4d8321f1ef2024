//! Identity entities.

use super::values::{Bio, Email, PersonName, PictureUrl, QuietHours, TimeZone};
use crate::ids::{SessionId, UserId};
use crate::validation::FieldError;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// The relational core of an account (PostgreSQL `users`), without its password hash.
#[derive(Debug, Clone, PartialEq)]
pub struct User {
    pub id: UserId,
    pub email: Email,
    pub first_name: PersonName,
    pub last_name: PersonName,
    pub created_at: DateTime<Utc>,
    pub last_login: Option<DateTime<Utc>>,
    /// Version of the profile; bumped by every profile change.
    pub profile_version: i64,
}

impl User {
    /// What the audit log records of a user: never credentials.
    pub fn audit_state(&self) -> serde_json::Value {
        serde_json::json!({
            "userId": self.id,
            "email": self.email.as_str(),
            "firstName": self.first_name.as_str(),
            "lastName": self.last_name.as_str(),
        })
    }
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Theme {
    Light,
    Dark,
    #[default]
    System,
}

impl Theme {
    pub const ALL: [Theme; 3] = [Theme::Light, Theme::Dark, Theme::System];

    pub fn as_str(&self) -> &'static str {
        match self {
            Theme::Light => "light",
            Theme::Dark => "dark",
            Theme::System => "system",
        }
    }

    pub fn parse(field: &str, raw: &str) -> Result<Self, FieldError> {
        Self::ALL
            .into_iter()
            .find(|t| t.as_str() == raw)
            .ok_or_else(|| FieldError::new(field, "must be one of light, dark, system"))
    }
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Frequency {
    #[default]
    Immediate,
    Hourly,
    Daily,
    Weekly,
}

impl Frequency {
    pub const ALL: [Frequency; 4] = [
        Frequency::Immediate,
        Frequency::Hourly,
        Frequency::Daily,
        Frequency::Weekly,
    ];

    pub fn as_str(&self) -> &'static str {
        match self {
            Frequency::Immediate => "immediate",
            Frequency::Hourly => "hourly",
            Frequency::Daily => "daily",
            Frequency::Weekly => "weekly",
        }
    }

    pub fn parse(field: &str, raw: &str) -> Result<Self, FieldError> {
        Self::ALL
            .into_iter()
            .find(|f| f.as_str() == raw)
            .ok_or_else(|| {
                FieldError::new(field, "must be one of immediate, hourly, daily, weekly")
            })
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NotificationPreferences {
    pub email: bool,
    pub push: bool,
    pub frequency: Frequency,
    /// The zone digest periods and quiet hours are reckoned in.
    pub time_zone: TimeZone,
    /// When email waits (live delivery does not).
    pub quiet_hours: Option<QuietHours>,
}

impl Default for NotificationPreferences {
    fn default() -> Self {
        Self {
            email: true,
            push: true,
            frequency: Frequency::Immediate,
            time_zone: TimeZone::default(),
            quiet_hours: None,
        }
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Preferences {
    pub theme: Theme,
    pub notifications: NotificationPreferences,
}

/// What a user says about themself; a new account has the defaults.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ProfileDetails {
    pub bio: Bio,
    pub profile_picture: Option<PictureUrl>,
    pub preferences: Preferences,
}

/// A profile as clients see it: the account's relational core plus its details, all of it in
/// one `users` row.
#[derive(Debug, Clone, PartialEq)]
pub struct Profile {
    pub user: User,
    pub details: ProfileDetails,
}

/// The fields a user may change on their profile; `None` leaves a field as it is.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ProfilePatch {
    pub first_name: Option<PersonName>,
    pub last_name: Option<PersonName>,
    pub bio: Option<Bio>,
    /// `Some(None)` clears the picture.
    pub profile_picture: Option<Option<PictureUrl>>,
    pub theme: Option<Theme>,
    pub notify_email: Option<bool>,
    pub notify_push: Option<bool>,
    pub notify_frequency: Option<Frequency>,
    pub notify_time_zone: Option<TimeZone>,
    /// `Some(None)` clears the quiet hours.
    pub notify_quiet_hours: Option<Option<QuietHours>>,
}

impl ProfilePatch {
    pub fn apply(&self, profile: &Profile) -> Profile {
        let mut next = profile.clone();
        let details = &mut next.details;
        let notifications = &mut details.preferences.notifications;
        if let Some(v) = &self.first_name {
            next.user.first_name = v.clone();
        }
        if let Some(v) = &self.last_name {
            next.user.last_name = v.clone();
        }
        if let Some(v) = &self.bio {
            details.bio = v.clone();
        }
        if let Some(v) = &self.profile_picture {
            details.profile_picture = v.clone();
        }
        if let Some(v) = self.theme {
            details.preferences.theme = v;
        }
        if let Some(v) = self.notify_email {
            notifications.email = v;
        }
        if let Some(v) = self.notify_push {
            notifications.push = v;
        }
        if let Some(v) = self.notify_frequency {
            notifications.frequency = v;
        }
        if let Some(v) = self.notify_time_zone {
            notifications.time_zone = v;
        }
        if let Some(v) = self.notify_quiet_hours {
            notifications.quiet_hours = v;
        }
        next
    }
}

/// A login session (Redis). Keyed by the hash of its token; the token itself is never stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Session {
    pub id: SessionId,
    pub user_id: UserId,
    pub created_at: DateTime<Utc>,
    pub last_seen_at: DateTime<Utc>,
    /// Absolute expiry: no activity extends a session past it.
    pub expires_at: DateTime<Utc>,
    pub user_agent: Option<String>,
    pub ip: Option<String>,
}
