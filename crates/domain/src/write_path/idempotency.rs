//! Idempotency keys: a client retrying a POST with the same `Idempotency-Key` gets the first
//! request's outcome, and the change happens once. The outcome is recorded in the change's own
//! commit, so "done" and "happened" cannot disagree.

use crate::ids::UserId;
use crate::validation::FieldError;
use crate::StoreError;
use async_trait::async_trait;
use sha2::{Digest, Sha256};

/// A client's key for one request, with a digest of the request it came with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdempotencyKey {
    pub user: UserId,
    pub key: String,
    pub request_hash: String,
}

impl IdempotencyKey {
    /// `key` is 1 to 255 visible ASCII characters; `request` is the request body as JSON
    /// (objects' keys sorted, so equal bodies digest alike).
    pub fn new(user: UserId, key: &str, request: &serde_json::Value) -> Result<Self, FieldError> {
        if !(1..=255).contains(&key.len()) || !key.bytes().all(|b| b.is_ascii_graphic()) {
            return Err(FieldError::new(
                "Idempotency-Key",
                "must be 1 to 255 visible ASCII characters",
            ));
        }
        Ok(Self {
            user,
            key: key.to_owned(),
            request_hash: hex::encode(Sha256::digest(request.to_string().as_bytes())),
        })
    }

    /// What the change commits alongside itself: the response to replay.
    pub fn completion(&self, response: serde_json::Value) -> IdempotencyCompletion {
        IdempotencyCompletion {
            user: self.user,
            key: self.key.clone(),
            response,
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct IdempotencyCompletion {
    pub user: UserId,
    pub key: String,
    pub response: serde_json::Value,
}

/// Where a request with a key stands.
#[derive(Debug, Clone, PartialEq)]
pub enum Claim {
    /// First time (or a previous attempt was abandoned): go ahead.
    Fresh,
    /// Done before: answer this again.
    Replay(serde_json::Value),
    /// The first request with this key is still running.
    InFlight,
    /// The key was used with another request.
    Mismatch,
}

#[async_trait]
pub trait IdempotencyStore: Send + Sync {
    async fn claim(&self, key: &IdempotencyKey) -> Result<Claim, StoreError>;
    /// Releases a claim whose request failed, so that a retry can run.
    async fn release(&self, key: &IdempotencyKey) -> Result<(), StoreError>;
}
