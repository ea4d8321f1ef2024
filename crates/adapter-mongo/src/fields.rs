//! Converting the fields of stored documents: ids as strings, times as BSON dates
//! (milliseconds), and the error of a document no writer of ours could have stored.

use chrono::{DateTime, Utc};
use mongodb::bson;
use taskforge_domain::StoreError;

pub(crate) fn corrupt(what: &str, e: impl std::fmt::Display) -> StoreError {
    StoreError::Internal(anyhow::anyhow!("stored document: {what}: {e}"))
}

pub(crate) fn id<T: std::str::FromStr<Err = uuid::Error>>(
    what: &str,
    raw: &str,
) -> Result<T, StoreError> {
    raw.parse().map_err(|e| corrupt(what, e))
}

pub(crate) fn date(at: DateTime<Utc>) -> bson::DateTime {
    bson::DateTime::from_millis(at.timestamp_millis())
}

pub(crate) fn time(what: &str, at: bson::DateTime) -> Result<DateTime<Utc>, StoreError> {
    DateTime::from_timestamp_millis(at.timestamp_millis())
        .ok_or_else(|| corrupt(what, "a date out of range"))
}
