//! Cursors as clients carry them: where a page ended, as opaque hex-encoded JSON.

use crate::validation::FieldError;
use serde::de::DeserializeOwned;
use serde::Serialize;

pub fn encode<T: Serialize>(position: &T) -> String {
    hex::encode(serde_json::to_vec(position).unwrap_or_default())
}

/// A cursor back, or the error of one this API never gave out.
pub fn decode<T: DeserializeOwned>(field: &str, raw: &str) -> Result<T, FieldError> {
    hex::decode(raw)
        .ok()
        .and_then(|bytes| serde_json::from_slice(&bytes).ok())
        .ok_or_else(|| FieldError::new(field, "is not a cursor this API gave out"))
}
