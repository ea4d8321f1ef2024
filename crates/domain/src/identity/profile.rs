//! Reading and changing profiles. A profile is one `users` row: reads never wait for MongoDB,
//! and a change commits the row with the effect that brings MongoDB's document level.

use super::auth::account_change;
use super::model::{Profile, ProfilePatch};
use super::ports::UserRepository;
use super::projection::PutProfile;
use super::state::ProfileState;
use crate::ids::UserId;
use crate::write_path::{Actor, AuditAction, StoredEffect, WritePath};
use crate::{Error, StoreError};
use std::sync::Arc;

/// How often a patch retries when another patch of the same profile committed first.
const PATCH_ATTEMPTS: usize = 5;

pub struct ProfileService {
    users: Arc<dyn UserRepository>,
    write_path: WritePath,
}

impl ProfileService {
    pub fn new(users: Arc<dyn UserRepository>, write_path: WritePath) -> Self {
        Self { users, write_path }
    }

    pub async fn get(&self, id: UserId) -> Result<Profile, Error> {
        self.users.profile(id).await?.ok_or(Error::NotFound)
    }

    pub async fn patch(
        &self,
        id: UserId,
        patch: &ProfilePatch,
        actor: &Actor,
    ) -> Result<Profile, Error> {
        for _ in 0..PATCH_ATTEMPTS {
            let current = self.get(id).await?;
            let mut next = patch.apply(&current);
            next.user.profile_version += 1;
            let state = ProfileState::from(&next);
            let change = account_change(
                id,
                AuditAction::Update,
                actor,
                (
                    Some(ProfileState::from(&current).to_json()),
                    Some(state.to_json()),
                ),
                vec![StoredEffect::of(&PutProfile { profile: state })],
            );
            let update = self
                .users
                .update_profile(&next, current.user.profile_version, change);
            match self.write_path.commit(update).await {
                Ok(_) => return Ok(next),
                Err(StoreError::StaleVersion) => continue,
                Err(e) => return Err(e.into()),
            }
        }
        Err(Error::Conflict(
            "the profile is being changed concurrently; try again".into(),
        ))
    }

    /// Turns the user's email off (their unsubscribe link); with it off already, nothing
    /// changes and nothing is recorded.
    pub async fn stop_email(&self, id: UserId, actor: &Actor) -> Result<(), Error> {
        if self.get(id).await?.details.preferences.notifications.email {
            let patch = ProfilePatch {
                notify_email: Some(false),
                ..ProfilePatch::default()
            };
            self.patch(id, &patch, actor).await?;
        }
        Ok(())
    }
}
