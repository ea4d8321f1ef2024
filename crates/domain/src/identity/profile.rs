//! Reading and changing profiles: cache-aside over the profile document, with the users row's
//! `profile_version` deciding which copy is current.

use super::auth::account_change;
use super::effects::PROFILES;
use super::model::{Profile, ProfileDocument, ProfilePatch, User};
use super::ports::UserRepository;
use crate::ids::UserId;
use crate::write_path::{Actor, AuditAction, DocumentReader, WritePath};
use crate::{Error, StoreError};
use std::sync::Arc;

/// How often a patch retries when another patch of the same profile committed first.
const PATCH_ATTEMPTS: usize = 5;

pub struct ProfileService {
    users: Arc<dyn UserRepository>,
    reader: DocumentReader,
    write_path: WritePath,
}

impl ProfileService {
    pub fn new(
        users: Arc<dyn UserRepository>,
        reader: DocumentReader,
        write_path: WritePath,
    ) -> Self {
        Self {
            users,
            reader,
            write_path,
        }
    }

    pub async fn get(&self, id: UserId) -> Result<Profile, Error> {
        let (user, _) = self.users.by_id(id).await?.ok_or(Error::NotFound)?;
        let document = self.current_document(&user).await?;
        Ok(Profile { user, document })
    }

    async fn current_document(&self, user: &User) -> Result<ProfileDocument, Error> {
        let doc = self
            .reader
            .read_at(&PROFILES, user.id.as_uuid(), user.profile_version, None)
            .await?;
        serde_json::from_value(doc.body).map_err(|e| Error::Internal(e.into()))
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
            let body =
                serde_json::to_value(&next.document).map_err(|e| Error::Internal(e.into()))?;
            let change = account_change(
                id,
                AuditAction::Update,
                actor,
                (Some(audit_state(&current)), Some(audit_state(&next))),
                vec![
                    PROFILES.put(id.as_uuid(), next.user.profile_version, body),
                    PROFILES.drop_cache(id.as_uuid()),
                ],
            );
            let names = (&next.user.first_name, &next.user.last_name);
            let update = self
                .users
                .update_profile(id, current.user.profile_version, names, change);
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
}

fn audit_state(profile: &Profile) -> serde_json::Value {
    let mut state = profile.user.audit_state();
    if let (Some(obj), Ok(serde_json::Value::Object(doc))) = (
        state.as_object_mut(),
        serde_json::to_value(&profile.document),
    ) {
        obj.extend(doc);
    }
    state
}
