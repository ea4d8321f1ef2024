//! MongoDB's profile documents' fake.

use crate::fakes::{lock, Outage};
use async_trait::async_trait;
use std::collections::HashMap;
use std::sync::Mutex;
use taskforge_domain::identity::{ProfileDocuments, VersionedProfile};
use taskforge_domain::ids::UserId;
use taskforge_domain::StoreError;

#[derive(Default)]
pub struct InMemoryProfileDocuments {
    docs: Mutex<HashMap<UserId, VersionedProfile>>,
    outage: Outage,
}

impl InMemoryProfileDocuments {
    pub fn set_down(&self, down: bool) {
        *lock(&self.outage.0) = down;
    }
}

#[async_trait]
impl ProfileDocuments for InMemoryProfileDocuments {
    async fn put(&self, profile: &VersionedProfile) -> Result<(), StoreError> {
        self.outage.check("mongo")?;
        let mut docs = lock(&self.docs);
        if docs
            .get(&profile.user_id)
            .is_none_or(|d| d.version <= profile.version)
        {
            docs.insert(profile.user_id, profile.clone());
        }
        Ok(())
    }

    async fn get(&self, user: UserId) -> Result<Option<VersionedProfile>, StoreError> {
        self.outage.check("mongo")?;
        Ok(lock(&self.docs).get(&user).cloned())
    }

    async fn delete(&self, user: UserId) -> Result<(), StoreError> {
        self.outage.check("mongo")?;
        lock(&self.docs).remove(&user);
        Ok(())
    }
}
