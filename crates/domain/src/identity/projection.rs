//! What profile changes project: the profile's document in MongoDB, in a representation of its
//! own (see [`ProfileDocuments`]). Nothing reads a profile from it: PostgreSQL's `users` row
//! answers every profile read.

use super::model::ProfileDetails;
use super::state::ProfileState;
use crate::ids::UserId;
use crate::write_path::{Apply, EffectId, EffectKind, Projector};
use crate::StoreError;
use async_trait::async_trait;
use serde::{Deserialize, Serialize};
use std::sync::Arc;

/// What a profile's document holds: the user's details at a profile version.
#[derive(Debug, Clone, PartialEq)]
pub struct VersionedProfile {
    pub user_id: UserId,
    pub version: i64,
    pub details: ProfileDetails,
}

/// Profiles' documents (MongoDB), each at the newest version projected.
#[async_trait]
pub trait ProfileDocuments: Send + Sync {
    /// Stores the profile's document unless a newer version is stored.
    async fn put(&self, profile: &VersionedProfile) -> Result<(), StoreError>;
    async fn get(&self, user: UserId) -> Result<Option<VersionedProfile>, StoreError>;
    async fn delete(&self, user: UserId) -> Result<(), StoreError>;
}

/// The profile's document at the state a change committed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PutProfile {
    pub profile: ProfileState,
}

/// The profile's document removed (the account was deleted).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DeleteProfile {
    pub user_id: UserId,
}

fn document_target(user: UserId) -> Option<String> {
    Some(format!("profile document {user}"))
}

impl EffectKind for PutProfile {
    const KIND: &'static str = "put_profile";

    fn target(&self) -> Option<String> {
        document_target(self.profile.user_id())
    }
}

impl EffectKind for DeleteProfile {
    const KIND: &'static str = "delete_profile";

    fn target(&self) -> Option<String> {
        document_target(self.user_id)
    }
}

/// Applies the profile effects to MongoDB.
#[derive(Clone)]
pub struct ProfileProjection {
    documents: Arc<dyn ProfileDocuments>,
}

impl ProfileProjection {
    /// Registers the profile effects with `projector`.
    pub fn register(projector: Projector, documents: Arc<dyn ProfileDocuments>) -> Projector {
        let this = Self { documents };
        projector
            .on::<PutProfile>(this.clone())
            .on::<DeleteProfile>(this)
    }
}

#[async_trait]
impl Apply<PutProfile> for ProfileProjection {
    async fn apply(&self, e: PutProfile, _: EffectId) -> Result<(), StoreError> {
        self.documents.put(&VersionedProfile::from(e.profile)).await
    }
}

#[async_trait]
impl Apply<DeleteProfile> for ProfileProjection {
    async fn apply(&self, e: DeleteProfile, _: EffectId) -> Result<(), StoreError> {
        self.documents.delete(e.user_id).await
    }
}
