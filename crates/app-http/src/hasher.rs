//! bcrypt behind the domain's `PasswordHasher`, run on the blocking pool so a 250 ms hash never
//! stalls an actix worker.

use async_trait::async_trait;
use taskforge_domain::identity::ports::PasswordHasher;
use taskforge_domain::identity::{Password, PasswordHash};
use taskforge_domain::StoreError;

pub struct BcryptHasher {
    cost: u32,
}

impl BcryptHasher {
    pub fn new(cost: u32) -> Self {
        Self { cost }
    }
}

async fn blocking<T: Send + 'static>(
    work: impl FnOnce() -> Result<T, bcrypt::BcryptError> + Send + 'static,
) -> Result<T, StoreError> {
    match tokio::task::spawn_blocking(work).await {
        Ok(result) => result.map_err(|e| StoreError::Internal(e.into())),
        Err(e) => Err(StoreError::Internal(e.into())),
    }
}

#[async_trait]
impl PasswordHasher for BcryptHasher {
    async fn hash(&self, password: &Password) -> Result<PasswordHash, StoreError> {
        let (plain, cost) = (password.expose().to_owned(), self.cost);
        blocking(move || bcrypt::hash(plain, cost).map(PasswordHash::from_stored)).await
    }

    async fn verify(&self, password: &Password, hash: &PasswordHash) -> Result<bool, StoreError> {
        let (plain, hash) = (password.expose().to_owned(), hash.expose().to_owned());
        blocking(move || bcrypt::verify(plain, &hash)).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn hashes_with_the_configured_cost_and_verifies() -> Result<(), StoreError> {
        let hasher = BcryptHasher::new(12);
        let pw = Password::parse("p", "correct horse".into())
            .map_err(|e| StoreError::Internal(anyhow::anyhow!(e.message)))?;
        let hash = hasher.hash(&pw).await?;
        assert!(hash.expose().starts_with("$2b$12$"), "bcrypt at cost 12");
        assert!(hasher.verify(&pw, &hash).await?);
        let wrong = Password::parse("p", "wrong horse".into())
            .map_err(|e| StoreError::Internal(anyhow::anyhow!(e.message)))?;
        assert!(!hasher.verify(&wrong, &hash).await?);
        Ok(())
    }
}
