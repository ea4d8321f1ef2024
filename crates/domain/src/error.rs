//! The two error types of the domain: what a port reports, and what a use case answers.

use crate::validation::FieldError;
use std::time::Duration;

/// Why a store is unavailable: the driver's error with its whole source chain, or a plain reason.
pub type Cause = Box<dyn std::error::Error + Send + Sync>;

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
    #[error("{store} unavailable")]
    Unavailable {
        store: &'static str,
        #[source]
        cause: Cause,
    },
    /// The store refuses the value for good (it cannot hold it); retrying cannot help.
    #[error("rejected by the store: {0}")]
    Rejected(String),
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

impl StoreError {
    pub fn unavailable(store: &'static str, cause: impl Into<Cause>) -> Self {
        Self::Unavailable {
            store,
            cause: cause.into(),
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
    /// A body (an upload) over its limit, in bytes.
    #[error("larger than {limit} bytes")]
    TooLarge { limit: u64 },
    #[error("{store} unavailable")]
    Unavailable {
        store: &'static str,
        #[source]
        cause: Cause,
    },
    #[error(transparent)]
    Internal(anyhow::Error),
}

impl From<StoreError> for Error {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound => Error::NotFound,
            StoreError::Conflict(m) => Error::Conflict(m),
            StoreError::StaleVersion => Error::PreconditionFailed,
            StoreError::Unavailable { store, cause } => Error::Unavailable { store, cause },
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

/// An error and its sources, outermost first, joined by `: ` (for logs, never for responses).
pub fn chain(error: &(dyn std::error::Error + 'static)) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_unavailable_store_keeps_its_cause_chain() {
        let io = std::io::Error::new(std::io::ErrorKind::ConnectionRefused, "refused");
        let error = Error::from(StoreError::unavailable("redis", io));
        assert_eq!(chain(&error), "redis unavailable: refused");
        let plain = Error::from(StoreError::unavailable("mongo", "circuit open"));
        assert_eq!(chain(&plain), "mongo unavailable: circuit open");
    }
}
