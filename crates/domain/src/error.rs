//! The two error types of the domain: what a port reports, and what a use case answers.

use crate::validation::FieldError;
use std::time::Duration;

/// What any port (store adapter or fake) can fail with. Adapters map driver errors onto it;
/// constraint violations become `Conflict`, timeouts and refused connections `Unavailable`.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("not found")]
    NotFound,
    #[error("conflict: {0}")]
    Conflict(String),
    #[error("stale version")]
    StaleVersion,
    #[error("{store} unavailable: {reason}")]
    Unavailable { store: &'static str, reason: String },
    /// The store refuses the value for good (it cannot hold it); retrying cannot help.
    #[error("rejected by the store: {0}")]
    Rejected(String),
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

impl StoreError {
    pub fn unavailable(store: &'static str, reason: impl ToString) -> Self {
        Self::Unavailable {
            store,
            reason: reason.to_string(),
        }
    }
}

/// What a use case answers. `app-http` maps each variant once onto the contract's status codes.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("validation failed")]
    Validation(Vec<FieldError>),
    #[error("authentication required")]
    Unauthenticated,
    #[error("invalid email or password")]
    InvalidCredentials,
    #[error("forbidden")]
    Forbidden,
    #[error("not found")]
    NotFound,
    #[error("{0}")]
    Conflict(String),
    #[error("precondition failed")]
    PreconditionFailed,
    #[error("the idempotency key was used with another request")]
    IdempotencyKeyReused,
    #[error("rate limited")]
    RateLimited { retry_after: Duration },
    #[error("{0} unavailable")]
    Unavailable(&'static str),
    #[error(transparent)]
    Internal(anyhow::Error),
}

impl From<StoreError> for Error {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound => Error::NotFound,
            StoreError::Conflict(m) => Error::Conflict(m),
            StoreError::StaleVersion => Error::PreconditionFailed,
            StoreError::Unavailable { store, .. } => Error::Unavailable(store),
            StoreError::Rejected(reason) => {
                Error::Internal(anyhow::anyhow!("rejected by the store: {reason}"))
            }
            StoreError::Internal(e) => Error::Internal(e),
        }
    }
}

impl From<FieldError> for Error {
    fn from(e: FieldError) -> Self {
        Error::Validation(vec![e])
    }
}
