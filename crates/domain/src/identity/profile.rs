//! Reading and changing profiles: cache-aside over the profile document, with the users row's
//! `profile_version` deciding which copy is current.

use super::auth::account_change;
use super::model::{Profile, ProfileDocument, ProfilePatch, User};
use super::ports::UserRepository;
use crate::ids::UserId;
use crate::write_path::{
    Actor, AuditAction, Cache, CacheKey, Collection, DocumentStore, Effect, FastPath, Receipt,
    VersionedDocument,
};
use crate::{Error, StoreError};
use std::sync::Arc;

/// How often a patch retries when another patch of the same profile committed first.
const PATCH_ATTEMPTS: usize = 5;

pub struct ProfileService {
    users: Arc<dyn UserRepository>,
    documents: Arc<dyn DocumentStore>,
    cache: Arc<dyn Cache>,
    fast_path: FastPath,
}

impl ProfileService {
    pub fn new(
        users: Arc<dyn UserRepository>,
        documents: Arc<dyn DocumentStore>,
        cache: Arc<dyn Cache>,
        fast_path: FastPath,
    ) -> Self {
        Self {
            users,
            documents,
            cache,
            fast_path,
        }
    }

    pub async fn get(&self, id: UserId) -> Result<Profile, Error> {
        let (user, _) = self.users.by_id(id).await?.ok_or(Error::NotFound)?;
        let document = self.current_document(&user).await?;
        Ok(Profile { user, document })
    }

    /// The document at the user's committed `profile_version`: from the cache, else MongoDB,
    /// else the outbox row that committed it (which is then projected at once). Older copies are
    /// never served.
    async fn current_document(&self, user: &User) -> Result<ProfileDocument, Error> {
        let want = user.profile_version;
        let key = CacheKey::UserProfile(user.id);
        if let Ok(Some(cached)) = self.cache.get(key).await {
            if let Some(doc) = decode_at(&cached, want) {
                return Ok(doc);
            }
        }
        let from_mongo = self
            .documents
            .get(Collection::Profiles, user.id.as_uuid())
            .await;
        if let Ok(Some(stored)) = &from_mongo {
            if stored.version == want {
                let _ = self.cache.put(key, &encode(stored)).await;
                return parse(&stored.body);
            }
        }
        let committed = self
            .fast_path
            .outbox()
            .latest_document(Collection::Profiles, user.id.as_uuid())
            .await?;
        match committed {
            Some((row, doc)) if doc.version == want => {
                self.fast_path
                    .project(Receipt {
                        outbox_id: Some(row),
                    })
                    .await;
                let _ = self.cache.put(key, &encode(&doc)).await;
                parse(&doc.body)
            }
            _ => match from_mongo {
                Err(e) => Err(e.into()),
                Ok(_) => Err(Error::Internal(anyhow::anyhow!(
                    "profile {} at version {want} is neither in MongoDB nor in the outbox",
                    user.id
                ))),
            },
        }
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
                    Effect::PutDocument {
                        collection: Collection::Profiles,
                        id: id.as_uuid(),
                        version: next.user.profile_version,
                        body,
                    },
                    Effect::DropCache {
                        key: CacheKey::UserProfile(id),
                    },
                ],
            );
            let names = (&next.user.first_name, &next.user.last_name);
            match self
                .users
                .update_profile(id, current.user.profile_version, names, change)
                .await
            {
                Ok(receipt) => {
                    self.fast_path.project(receipt).await;
                    return Ok(next);
                }
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

fn encode(doc: &VersionedDocument) -> serde_json::Value {
    serde_json::json!({ "version": doc.version, "body": doc.body })
}

fn decode_at(cached: &serde_json::Value, version: i64) -> Option<ProfileDocument> {
    (cached.get("version")?.as_i64()? == version)
        .then(|| parse(cached.get("body")?).ok())
        .flatten()
}

fn parse(body: &serde_json::Value) -> Result<ProfileDocument, Error> {
    serde_json::from_value(body.clone()).map_err(|e| Error::Internal(e.into()))
}
