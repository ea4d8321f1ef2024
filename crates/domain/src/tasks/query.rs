//! The filters, sort orders and cursors of `GET /api/tasks`.

use super::model::{Priority, Status};
use crate::ids::{TaskId, TeamId, UserId};
use crate::validation::FieldError;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SortField {
    Created,
    Due,
    Priority,
    Updated,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TaskSort {
    pub field: SortField,
    pub descending: bool,
}

impl Default for TaskSort {
    /// Newest first.
    fn default() -> Self {
        Self {
            field: SortField::Created,
            descending: true,
        }
    }
}

impl TaskSort {
    pub fn parse(field: &str, raw: &str) -> Result<Self, FieldError> {
        let (descending, name) = raw.strip_prefix('-').map_or((false, raw), |n| (true, n));
        let field_name =
            match name {
                "created" => SortField::Created,
                "due" => SortField::Due,
                "priority" => SortField::Priority,
                "updated" => SortField::Updated,
                _ => return Err(FieldError::new(
                    field,
                    "must be one of created, due, priority, updated, optionally prefixed with -",
                )),
            };
        Ok(Self {
            field: field_name,
            descending,
        })
    }
}

/// Where the previous page ended: the last task's sort key (as the store renders it) and id.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Cursor {
    pub key: Option<String>,
    pub id: TaskId,
}

impl Cursor {
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

#[derive(Debug, Clone, Default)]
pub struct TaskQuery {
    pub team: Option<TeamId>,
    pub statuses: Vec<Status>,
    pub priorities: Vec<Priority>,
    pub assignee: Option<UserId>,
    /// Every tag must match.
    pub tags: Vec<String>,
    pub due_before: Option<DateTime<Utc>>,
    pub due_after: Option<DateTime<Utc>>,
    /// Full text over title, description and tags.
    pub text: Option<String>,
    pub sort: TaskSort,
    pub after: Option<Cursor>,
    /// 1 to 100.
    pub limit: i64,
}
