//! Field-level validation errors, reported to clients as the `details` of a 400.

use serde::Serialize;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FieldError {
    pub field: String,
    pub message: String,
}

impl FieldError {
    pub fn new(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            field: field.into(),
            message: message.into(),
        }
    }
}

/// Turns the failed fields of one request into a single `Validation` error, so that a client
/// sees every problem at once.
pub fn rejected(results: impl IntoIterator<Item = Option<FieldError>>) -> crate::Error {
    crate::Error::Validation(results.into_iter().flatten().collect())
}
