//! `UserRepository` on the relational fake.

use super::InMemoryRelational;
use crate::fakes::lock;
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use taskforge_domain::identity::ports::UserRepository;
use taskforge_domain::identity::{Email, PasswordHash, Profile, User};
use taskforge_domain::ids::{TeamId, UserId};
use taskforge_domain::write_path::*;
use taskforge_domain::StoreError;

#[async_trait]
impl UserRepository for InMemoryRelational {
    async fn create(
        &self,
        profile: &Profile,
        hash: &PasswordHash,
        change: Change,
    ) -> Result<Receipt, StoreError> {
        let mut db = lock(&self.0);
        if db
            .users
            .values()
            .any(|(p, _)| p.user.email == profile.user.email)
        {
            return Err(StoreError::Conflict("users_email_key".into()));
        }
        db.users
            .insert(profile.user.id, (profile.clone(), hash.clone()));
        Ok(db.commit(change))
    }

    async fn by_email(&self, email: &Email) -> Result<Option<(User, PasswordHash)>, StoreError> {
        Ok(lock(&self.0)
            .users
            .values()
            .find(|(p, _)| &p.user.email == email)
            .map(|(p, hash)| (p.user.clone(), hash.clone())))
    }

    async fn by_id(&self, id: UserId) -> Result<Option<(User, PasswordHash)>, StoreError> {
        Ok(lock(&self.0)
            .users
            .get(&id)
            .map(|(p, hash)| (p.user.clone(), hash.clone())))
    }

    async fn profile(&self, id: UserId) -> Result<Option<Profile>, StoreError> {
        Ok(lock(&self.0).users.get(&id).map(|(p, _)| p.clone()))
    }

    async fn record_login(
        &self,
        id: UserId,
        at: DateTime<Utc>,
        change: Change,
    ) -> Result<Receipt, StoreError> {
        let mut db = lock(&self.0);
        db.user_mut(id)?.0.user.last_login = Some(at);
        Ok(db.commit(change))
    }

    async fn update_profile(
        &self,
        profile: &Profile,
        expected: i64,
        change: Change,
    ) -> Result<Receipt, StoreError> {
        let mut db = lock(&self.0);
        let (stored, _) = db
            .user_mut(profile.user.id)
            .map_err(|_| StoreError::StaleVersion)?;
        if stored.user.profile_version != expected {
            return Err(StoreError::StaleVersion);
        }
        stored.user.first_name = profile.user.first_name.clone();
        stored.user.last_name = profile.user.last_name.clone();
        stored.user.profile_version = profile.user.profile_version;
        stored.details = profile.details.clone();
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
        db.follows.retain(|(_, u), _| *u != id);
        Ok(db.commit(change))
    }
}
