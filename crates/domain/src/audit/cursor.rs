//! Where a page of the audit log ended.

use crate::ids::AuditId;
use crate::paging;
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
    pub fn encode(&self) -> String {
        paging::encode(self)
    }

    pub fn decode(field: &str, raw: &str) -> Result<Self, FieldError> {
        paging::decode(field, raw)
    }
}
