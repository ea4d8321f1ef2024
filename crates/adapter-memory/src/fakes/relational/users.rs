//! `UserRepository` on the relational fake.

use super::InMemoryRelational;
use crate::fakes::lock;
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use taskforge_domain::identity::ports::UserRepository;
use taskforge_domain::identity::{Email, PasswordHash, PersonName, User};
use taskforge_domain::ids::{TeamId, UserId};
use taskforge_domain::write_path::*;
use taskforge_domain::StoreError;

#[async_trait]
impl UserRepository for InMemoryRelational {
    async fn create(
        &self,
        user: &User,
        hash: &PasswordHash,
        change: Change,
    ) -> Result<Receipt, StoreError> {
        let mut db = lock(&self.0);
        if db.users.values().any(|(u, _)| u.email == user.email) {
            return Err(StoreError::Conflict("users_email_key".into()));
        }
        db.users.insert(user.id, (user.clone(), hash.clone()));
        Ok(db.commit(change))
    }

    async fn by_email(&self, email: &Email) -> Result<Option<(User, PasswordHash)>, StoreError> {
        Ok(lock(&self.0)
            .users
            .values()
            .find(|(u, _)| &u.email == email)
            .cloned())
    }

    async fn by_id(&self, id: UserId) -> Result<Option<(User, PasswordHash)>, StoreError> {
        Ok(lock(&self.0).users.get(&id).cloned())
    }

    async fn record_login(
        &self,
        id: UserId,
        at: DateTime<Utc>,
        change: Change,
    ) -> Result<Receipt, StoreError> {
        let mut db = lock(&self.0);
        db.user_mut(id)?.0.last_login = Some(at);
        Ok(db.commit(change))
    }

    async fn update_profile(
        &self,
        id: UserId,
        expected_version: i64,
        names: (&PersonName, &PersonName),
        change: Change,
    ) -> Result<Receipt, StoreError> {
        let mut db = lock(&self.0);
        let (user, _) = db.user_mut(id).map_err(|_| StoreError::StaleVersion)?;
        if user.profile_version != expected_version {
            return Err(StoreError::StaleVersion);
        }
        user.first_name = names.0.clone();
        user.last_name = names.1.clone();
        user.profile_version += 1;
        Ok(db.commit(change))
    }

    async fn set_password(
        &self,
        id: UserId,
        hash: &PasswordHash,
        change: Change,
    ) -> Result<Receipt, StoreError> {
        let mut db = lock(&self.0);
        db.user_mut(id)?.1 = hash.clone();
        Ok(db.commit(change))
    }

    async fn delete(&self, id: UserId, change: Change) -> Result<Receipt, StoreError> {
        let mut db = lock(&self.0);
        if !db.users.contains_key(&id) {
            return Err(StoreError::NotFound);
        }
        let teams: Vec<TeamId> = db
            .memberships
            .keys()
            .filter(|(_, u)| *u == id)
            .map(|(t, _)| *t)
            .collect();
        for team in teams {
            db.guard_last_admin(team, id, false)?;
        }
        db.users.remove(&id);
        db.memberships.retain(|(_, u), _| *u != id);
        Ok(db.commit(change))
    }
}
