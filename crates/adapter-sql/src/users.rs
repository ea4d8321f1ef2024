//! `PgUserRepository`: accounts and credentials in PostgreSQL `users`.

use crate::changes::{in_change, one_row};
use crate::pool::{map_err, PgStore};
use crate::schema::users;
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use taskforge_domain::identity::ports::UserRepository;
use taskforge_domain::identity::{Email, PasswordHash, PersonName, User};
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

#[derive(Queryable, Selectable)]
#[diesel(table_name = users)]
struct UserRow {
    id: uuid::Uuid,
    email: String,
    password_hash: String,
    first_name: String,
    last_name: String,
    created_at: DateTime<Utc>,
    last_login: Option<DateTime<Utc>>,
    profile_version: i64,
}

impl UserRow {
    fn into_domain(self) -> Result<(User, PasswordHash), StoreError> {
        let email = Email::parse("email", &self.email)
            .map_err(|e| StoreError::Internal(anyhow::anyhow!("stored email: {}", e.message)))?;
        Ok((
            User {
                id: UserId::from_uuid(self.id),
                email,
                first_name: PersonName::from_stored(self.first_name),
                last_name: PersonName::from_stored(self.last_name),
                created_at: self.created_at,
                last_login: self.last_login,
                profile_version: self.profile_version,
            },
            PasswordHash::from_stored(self.password_hash),
        ))
    }
}

#[async_trait]
impl UserRepository for PgUserRepository {
    async fn create(
        &self,
        user: &User,
        hash: &PasswordHash,
        change: Change,
    ) -> Result<Receipt, StoreError> {
        let row = (
            users::id.eq(user.id.as_uuid()),
            users::email.eq(user.email.as_str().to_owned()),
            users::password_hash.eq(hash.expose().to_owned()),
            users::first_name.eq(user.first_name.as_str().to_owned()),
            users::last_name.eq(user.last_name.as_str().to_owned()),
            users::created_at.eq(user.created_at),
            users::updated_at.eq(user.created_at),
            users::profile_version.eq(user.profile_version),
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
                    .select(UserRow::as_select())
                    .first(conn)
                    .await
                    .optional()
                    .map_err(map_err)?
                    .map(UserRow::into_domain)
                    .transpose()
            })
            .await
    }

    async fn by_id(&self, id: UserId) -> Result<Option<(User, PasswordHash)>, StoreError> {
        self.store
            .run(async move |conn| {
                users::table
                    .find(id.as_uuid())
                    .select(UserRow::as_select())
                    .first(conn)
                    .await
                    .optional()
                    .map_err(map_err)?
                    .map(UserRow::into_domain)
                    .transpose()
            })
            .await
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
        id: UserId,
        expected_version: i64,
        names: (&PersonName, &PersonName),
        change: Change,
    ) -> Result<Receipt, StoreError> {
        let (first, last) = (names.0.as_str().to_owned(), names.1.as_str().to_owned());
        in_change(&self.store, change, async move |tx| {
            let n = diesel::update(
                users::table
                    .find(id.as_uuid())
                    .filter(users::profile_version.eq(expected_version)),
            )
            .set((
                users::first_name.eq(&first),
                users::last_name.eq(&last),
                users::profile_version.eq(expected_version + 1),
                users::updated_at.eq(Utc::now()),
            ))
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
