//! `PgUserRepository`: accounts, credentials and profiles in PostgreSQL `users`.

use crate::changes::{in_change, one_row};
use crate::pool::{map_err, PgStore};
use crate::schema::users;
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use taskforge_domain::identity::ports::UserRepository;
use taskforge_domain::identity::{
    Bio, Email, Frequency, NotificationPreferences, PasswordHash, PersonName, PictureUrl,
    Preferences, Profile, ProfileDetails, QuietHours, Theme, TimeZone, User,
};
use taskforge_domain::ids::UserId;
use taskforge_domain::write_path::{Change, Receipt};
use taskforge_domain::StoreError;

pub struct PgUserRepository {
    store: PgStore,
}

impl PgUserRepository {
    pub fn new(store: PgStore) -> Self {
        Self { store }
    }
}

fn corrupt(id: uuid::Uuid, what: &str) -> StoreError {
    StoreError::Internal(anyhow::anyhow!("user {id}: stored {what} is not valid"))
}

/// The account columns of `users`.
#[derive(Queryable, Selectable)]
#[diesel(table_name = users)]
struct UserRow {
    id: uuid::Uuid,
    email: String,
    first_name: String,
    last_name: String,
    created_at: DateTime<Utc>,
    last_login: Option<DateTime<Utc>>,
    profile_version: i64,
}

impl UserRow {
    fn into_domain(self) -> Result<User, StoreError> {
        Ok(User {
            id: UserId::from_uuid(self.id),
            email: Email::parse("email", &self.email).map_err(|_| corrupt(self.id, "email"))?,
            first_name: PersonName::from_stored(self.first_name),
            last_name: PersonName::from_stored(self.last_name),
            created_at: self.created_at,
            last_login: self.last_login,
            profile_version: self.profile_version,
        })
    }
}

/// The profile details columns of `users` but the notification preferences, as read and as
/// written.
#[derive(Clone, Queryable, Selectable, Insertable, AsChangeset, serde::Serialize)]
#[diesel(table_name = users, treat_none_as_null = true)]
pub(crate) struct DetailsRow {
    bio: String,
    profile_picture: Option<String>,
    theme: String,
}

/// The notification preference columns of `users`, as read and as written.
#[derive(Clone, Queryable, Selectable, Insertable, AsChangeset, serde::Serialize)]
#[diesel(table_name = users, treat_none_as_null = true)]
pub(crate) struct NotifyRow {
    notify_email: bool,
    notify_push: bool,
    notify_frequency: String,
    notify_time_zone: String,
    notify_quiet_start: Option<chrono::NaiveTime>,
    notify_quiet_end: Option<chrono::NaiveTime>,
}

impl From<&ProfileDetails> for DetailsRow {
    fn from(d: &ProfileDetails) -> Self {
        Self {
            bio: d.bio.as_str().to_owned(),
            profile_picture: d.profile_picture.as_ref().map(|u| u.as_str().to_owned()),
            theme: d.preferences.theme.as_str().to_owned(),
        }
    }
}

impl From<&NotificationPreferences> for NotifyRow {
    fn from(n: &NotificationPreferences) -> Self {
        Self {
            notify_email: n.email,
            notify_push: n.push,
            notify_frequency: n.frequency.as_str().to_owned(),
            notify_time_zone: n.time_zone.as_str().to_owned(),
            notify_quiet_start: n.quiet_hours.map(|q| q.start()),
            notify_quiet_end: n.quiet_hours.map(|q| q.end()),
        }
    }
}

impl DetailsRow {
    fn into_domain(self, id: uuid::Uuid, notify: NotifyRow) -> Result<ProfileDetails, StoreError> {
        Ok(ProfileDetails {
            bio: Bio::from_stored(self.bio),
            profile_picture: self.profile_picture.map(PictureUrl::from_stored),
            preferences: Preferences {
                theme: Theme::parse("theme", &self.theme).map_err(|_| corrupt(id, "theme"))?,
                notifications: notify.into_domain(id)?,
            },
        })
    }
}

impl NotifyRow {
    pub(crate) fn into_domain(self, id: uuid::Uuid) -> Result<NotificationPreferences, StoreError> {
        let quiet_hours = match (self.notify_quiet_start, self.notify_quiet_end) {
            (Some(start), Some(end)) => Some(
                QuietHours::new("quietHours", start, end)
                    .map_err(|_| corrupt(id, "quiet hours"))?,
            ),
            _ => None,
        };
        Ok(NotificationPreferences {
            email: self.notify_email,
            push: self.notify_push,
            frequency: Frequency::parse("frequency", &self.notify_frequency)
                .map_err(|_| corrupt(id, "notification frequency"))?,
            time_zone: TimeZone::parse("timeZone", &self.notify_time_zone)
                .map_err(|_| corrupt(id, "time zone"))?,
            quiet_hours,
        })
    }
}

type CredentialsRow = (UserRow, String);

fn credentials((user, hash): CredentialsRow) -> Result<(User, PasswordHash), StoreError> {
    Ok((user.into_domain()?, PasswordHash::from_stored(hash)))
}

#[async_trait]
impl UserRepository for PgUserRepository {
    async fn create(
        &self,
        profile: &Profile,
        hash: &PasswordHash,
        change: Change,
    ) -> Result<Receipt, StoreError> {
        let user = &profile.user;
        let row = (
            (
                users::id.eq(user.id.as_uuid()),
                users::email.eq(user.email.as_str().to_owned()),
                users::password_hash.eq(hash.expose().to_owned()),
                users::first_name.eq(user.first_name.as_str().to_owned()),
                users::last_name.eq(user.last_name.as_str().to_owned()),
                users::created_at.eq(user.created_at),
                users::updated_at.eq(user.created_at),
                users::profile_version.eq(user.profile_version),
            ),
            DetailsRow::from(&profile.details),
            NotifyRow::from(&profile.details.preferences.notifications),
        );
        in_change(&self.store, change, async move |tx| {
            diesel::insert_into(users::table)
                .values(row.clone())
                .execute(tx)
                .await?;
            Ok(())
        })
        .await
    }

    async fn by_email(&self, email: &Email) -> Result<Option<(User, PasswordHash)>, StoreError> {
        let email = email.as_str().to_owned();
        self.store
            .run(async move |conn| {
                users::table
                    .filter(
                        diesel::dsl::sql::<diesel::sql_types::Bool>("lower(email) = ")
                            .bind::<diesel::sql_types::Text, _>(&email),
                    )
                    .select((UserRow::as_select(), users::password_hash))
                    .first::<CredentialsRow>(conn)
                    .await
                    .optional()
                    .map_err(map_err)?
                    .map(credentials)
                    .transpose()
            })
            .await
    }

    async fn by_id(&self, id: UserId) -> Result<Option<(User, PasswordHash)>, StoreError> {
        self.store
            .run(async move |conn| {
                users::table
                    .find(id.as_uuid())
                    .select((UserRow::as_select(), users::password_hash))
                    .first::<CredentialsRow>(conn)
                    .await
                    .optional()
                    .map_err(map_err)?
                    .map(credentials)
                    .transpose()
            })
            .await
    }

    async fn profile(&self, id: UserId) -> Result<Option<Profile>, StoreError> {
        let found: Option<(UserRow, DetailsRow, NotifyRow)> = self
            .store
            .run(async move |conn| {
                users::table
                    .find(id.as_uuid())
                    .select((
                        UserRow::as_select(),
                        DetailsRow::as_select(),
                        NotifyRow::as_select(),
                    ))
                    .first(conn)
                    .await
                    .optional()
                    .map_err(map_err)
            })
            .await?;
        let Some((user, details, notify)) = found else {
            return Ok(None);
        };
        Ok(Some(Profile {
            details: details.into_domain(user.id, notify)?,
            user: user.into_domain()?,
        }))
    }

    async fn record_login(
        &self,
        id: UserId,
        at: DateTime<Utc>,
        change: Change,
    ) -> Result<Receipt, StoreError> {
        in_change(&self.store, change, async move |tx| {
            let n = diesel::update(users::table.find(id.as_uuid()))
                .set(users::last_login.eq(at))
                .execute(tx)
                .await?;
            one_row(n, StoreError::NotFound)
        })
        .await
    }

    async fn update_profile(
        &self,
        profile: &Profile,
        expected: i64,
        change: Change,
    ) -> Result<Receipt, StoreError> {
        let user = &profile.user;
        let id = user.id.as_uuid();
        let changes = (
            users::first_name.eq(user.first_name.as_str().to_owned()),
            users::last_name.eq(user.last_name.as_str().to_owned()),
            users::profile_version.eq(user.profile_version),
            users::updated_at.eq(Utc::now()),
            DetailsRow::from(&profile.details),
            NotifyRow::from(&profile.details.preferences.notifications),
        );
        in_change(&self.store, change, async move |tx| {
            let n = diesel::update(
                users::table
                    .find(id)
                    .filter(users::profile_version.eq(expected)),
            )
            .set(changes.clone())
            .execute(tx)
            .await?;
            one_row(n, StoreError::StaleVersion)
        })
        .await
    }

    async fn set_password(
        &self,
        id: UserId,
        hash: &PasswordHash,
        change: Change,
    ) -> Result<Receipt, StoreError> {
        let hash = hash.expose().to_owned();
        in_change(&self.store, change, async move |tx| {
            let n = diesel::update(users::table.find(id.as_uuid()))
                .set((
                    users::password_hash.eq(&hash),
                    users::updated_at.eq(Utc::now()),
                ))
                .execute(tx)
                .await?;
            one_row(n, StoreError::NotFound)
        })
        .await
    }

    async fn delete(&self, id: UserId, change: Change) -> Result<Receipt, StoreError> {
        in_change(&self.store, change, async move |tx| {
            crate::teams::refuse_if_last_admin(tx, id.as_uuid()).await?;
            let n = diesel::delete(users::table.find(id.as_uuid()))
                .execute(tx)
                .await?;
            one_row(n, StoreError::NotFound)
        })
        .await
    }
}
