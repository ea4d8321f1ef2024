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

/// A one-line text: trimmed, 1 to `max` characters, no control characters.
pub fn line(field: &str, raw: &str, max: usize) -> Result<String, FieldError> {
    let text = raw.trim();
    if (1..=max).contains(&text.chars().count()) && !text.chars().any(char::is_control) {
        Ok(text.to_owned())
    } else {
        Err(FieldError::new(
            field,
            format!("must be 1 to {max} characters"),
        ))
    }
}

/// A free text of at most `max` characters (empty allowed, kept as written).
pub fn at_most(field: &str, raw: String, max: usize) -> Result<String, FieldError> {
    if raw.chars().count() <= max {
        Ok(raw)
    } else {
        Err(FieldError::new(
            field,
            format!("must be at most {max} characters"),
        ))
    }
}
