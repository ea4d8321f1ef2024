//! `IdempotencyStore` on the relational fake.

use super::InMemoryRelational;
use crate::fakes::lock;
use async_trait::async_trait;
use taskforge_domain::write_path::*;
use taskforge_domain::StoreError;

#[async_trait]
impl IdempotencyStore for InMemoryRelational {
    async fn claim(&self, key: &IdempotencyKey) -> Result<Claim, StoreError> {
        let mut db = lock(&self.0);
        let id = (key.user, key.key.clone());
        Ok(match db.idempotency.get(&id) {
            None => {
                db.idempotency.insert(id, (key.request_hash.clone(), None));
                Claim::Fresh
            }
            Some((hash, _)) if *hash != key.request_hash => Claim::Mismatch,
            Some((_, Some(response))) => Claim::Replay(response.clone()),
            Some((_, None)) => Claim::InFlight,
        })
    }

    async fn release(&self, key: &IdempotencyKey) -> Result<(), StoreError> {
        let mut db = lock(&self.0);
        let id = (key.user, key.key.clone());
        if matches!(db.idempotency.get(&id), Some((_, None))) {
            db.idempotency.remove(&id);
        }
        Ok(())
    }
}
