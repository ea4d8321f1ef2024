//! Where a page of the audit log ended.

use crate::ids::AuditId;
use crate::validation::FieldError;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// The last row of a page: its time and id (rows are ordered by both, newest first).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditCursor {
    pub at: DateTime<Utc>,
    pub id: AuditId,
}

impl AuditCursor {
    /// Opaque to clients: hex-encoded JSON.
    pub fn encode(&self) -> String {
        hex::encode(serde_json::to_vec(self).unwrap_or_default())
    }

    pub fn decode(field: &str, raw: &str) -> Result<Self, FieldError> {
        hex::decode(raw)
            .ok()
            .and_then(|bytes| serde_json::from_slice(&bytes).ok())
            .ok_or_else(|| FieldError::new(field, "is not a cursor this API gave out"))
    }
}
