//! A password hasher for tests.

use async_trait::async_trait;
use taskforge_domain::identity::ports::PasswordHasher;
use taskforge_domain::identity::{Password, PasswordHash};
use taskforge_domain::StoreError;

/// A hasher that is fast and obviously not bcrypt: fine for tests, never for production.
pub struct FakeHasher;

#[async_trait]
impl PasswordHasher for FakeHasher {
    async fn hash(&self, password: &Password) -> Result<PasswordHash, StoreError> {
        Ok(PasswordHash::from_stored(
            format!("fake${}", password.expose().len()) + password.expose(),
        ))
    }

    async fn verify(&self, password: &Password, hash: &PasswordHash) -> Result<bool, StoreError> {
        Ok(self.hash(password).await?.expose() == hash.expose())
    }
}
