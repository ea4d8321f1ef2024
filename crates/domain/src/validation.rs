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

/// Declares a validated text type: `line` ones are trimmed, 1 to `max` characters, one line;
/// `free` ones hold up to `max` characters as written (and default to empty).
macro_rules! text_type {
    ($(#[$doc:meta])* $name:ident, line, $max:expr) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
        #[serde(transparent)]
        pub struct $name(String);

        impl $name {
            pub fn parse(field: &str, raw: &str) -> Result<Self, $crate::validation::FieldError> {
                $crate::validation::line(field, raw, $max).map(Self)
            }

            /// A value the store holds, validated when it went in.
            pub fn from_stored(text: String) -> Self {
                Self(text)
            }

            pub fn as_str(&self) -> &str {
                &self.0
            }
        }
    };
    ($(#[$doc:meta])* $name:ident, free, $max:expr) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
        #[serde(transparent)]
        pub struct $name(String);

        impl $name {
            pub fn parse(field: &str, raw: String) -> Result<Self, $crate::validation::FieldError> {
                $crate::validation::at_most(field, raw, $max).map(Self)
            }

            /// A value the store holds, validated when it went in.
            pub fn from_stored(text: String) -> Self {
                Self(text)
            }

            pub fn as_str(&self) -> &str {
                &self.0
            }
        }
    };
}
pub(crate) use text_type;
