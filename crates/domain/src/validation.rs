//! Field-level validation errors, reported to clients as the `details` of a 400.

use chrono::{DateTime, Datelike, Utc};
use serde::Serialize;
use std::fmt;

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

impl fmt::Display for FieldError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.field, self.message)
    }
}

/// Turns the failed fields of one request into a single `Validation` error, so that a client
/// sees every problem at once.
pub fn rejected(results: impl IntoIterator<Item = Option<FieldError>>) -> crate::Error {
    crate::Error::Validation(results.into_iter().flatten().collect())
}

/// What a refused control character is told.
const NO_CONTROL: &str = "must not contain control characters";

/// Refuses every control character (NUL included): the text is one line.
pub fn plain(field: &str, raw: &str) -> Result<(), FieldError> {
    if raw.chars().any(char::is_control) {
        Err(FieldError::new(field, NO_CONTROL))
    } else {
        Ok(())
    }
}

/// Refuses control characters but the line breaks and tabs a free text may hold.
pub fn layout_only(field: &str, raw: &str) -> Result<(), FieldError> {
    if raw
        .chars()
        .any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t'))
    {
        Err(FieldError::new(field, NO_CONTROL))
    } else {
        Ok(())
    }
}

/// A one-line text: trimmed, 1 to `max` characters, no control characters.
pub fn line(field: &str, raw: &str, max: usize) -> Result<String, FieldError> {
    plain(field, raw)?;
    let text = raw.trim();
    if (1..=max).contains(&text.chars().count()) {
        Ok(text.to_owned())
    } else {
        Err(FieldError::new(
            field,
            format!("must be 1 to {max} characters"),
        ))
    }
}

/// A free text of at most `max` characters (empty allowed, kept as written); of the control
/// characters only line breaks and tabs.
pub fn at_most(field: &str, raw: String, max: usize) -> Result<String, FieldError> {
    layout_only(field, &raw)?;
    if raw.chars().count() <= max {
        Ok(raw)
    } else {
        Err(FieldError::new(
            field,
            format!("must be at most {max} characters"),
        ))
    }
}

/// The earliest and latest instants (UTC) a date-time may name: years 1 to 9999, the range
/// every store and every RFC 3339 rendering of ours holds.
pub fn date_time_in_range(t: &DateTime<Utc>) -> bool {
    (1..=9999).contains(&t.year())
}

/// An RFC 3339 date-time, as every time in the contract is, within years 1 to 9999 once in UTC.
pub fn date_time(field: &str, raw: &str) -> Result<DateTime<Utc>, FieldError> {
    DateTime::parse_from_rfc3339(raw)
        .ok()
        .map(|t| t.with_timezone(&Utc))
        .filter(date_time_in_range)
        .ok_or_else(|| {
            FieldError::new(
                field,
                "must be an RFC 3339 date-time between years 1 and 9999, e.g. 2026-12-01T17:00:00Z",
            )
        })
}

/// Makes a validated type deserialize through its checks (`try_from`) and serialize as the
/// value it wraps (`into`): no stored document or request body can build one around them.
macro_rules! validated_serde {
    ($name:ident, $raw:ty, |$value:ident| $parse:expr) => {
        impl TryFrom<$raw> for $name {
            type Error = $crate::validation::FieldError;

            fn try_from($value: $raw) -> Result<Self, Self::Error> {
                $parse
            }
        }

        impl From<$name> for $raw {
            fn from(v: $name) -> Self {
                v.0
            }
        }
    };
}
pub(crate) use validated_serde;

/// Declares a validated text type: `line` ones are trimmed, 1 to `max` characters, one line;
/// `free` ones hold up to `max` characters as written (and default to empty).
macro_rules! text_type {
    ($(#[$doc:meta])* $name:ident, line, $max:expr) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
        #[serde(try_from = "String", into = "String")]
        pub struct $name(String);

        $crate::validation::validated_serde!($name, String, |raw| Self::parse(stringify!($name), &raw));

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
        #[serde(try_from = "String", into = "String")]
        pub struct $name(String);

        $crate::validation::validated_serde!($name, String, |raw| Self::parse(stringify!($name), raw));

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

#[cfg(test)]
mod tests {
    use super::*;

    text_type!(Line, line, 5);
    text_type!(Free, free, 5);

    #[test]
    fn control_characters_are_refused_but_a_free_text_keeps_its_layout() {
        for bad in ["a\0b", "a\u{7}", "\u{1b}[0m", "a\u{85}"] {
            assert!(Line::parse("f", bad).is_err(), "{bad:?}");
            assert!(Free::parse("f", bad.into()).is_err(), "{bad:?}");
        }
        assert!(Line::parse("f", "a\nb").is_err());
        assert!(Free::parse("f", "a\r\n\tb".into()).is_ok());
    }

    #[test]
    fn deserializing_goes_through_the_checks() {
        assert!(serde_json::from_str::<Line>("\"a\\u0000\"").is_err());
        assert!(serde_json::from_str::<Free>("\"toolong\"").is_err());
        assert_eq!(
            serde_json::from_str::<Line>("\" ok \"")
                .ok()
                .map(|l| l.as_str().to_owned()),
            Some("ok".to_owned())
        );
        assert_eq!(
            serde_json::to_string(&Line::parse("f", "ok").ok()).ok(),
            Some("\"ok\"".to_owned())
        );
    }

    #[test]
    fn date_times_stay_within_years_1_to_9999_in_utc() {
        assert!(date_time("d", "9999-12-31T23:00:00-05:00").is_err());
        assert!(date_time("d", "0001-01-01T00:30:00+01:00").is_err());
        assert!(date_time("d", "9999-12-31T23:59:59Z").is_ok());
        assert!(date_time("d", "2026-12-01").is_err());
    }
}
