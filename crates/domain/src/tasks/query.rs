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

impl TaskSort {
    /// The name `parse` reads back.
    pub fn name(&self) -> String {
        let field = match self.field {
            SortField::Created => "created",
            SortField::Due => "due",
            SortField::Priority => "priority",
            SortField::Updated => "updated",
        };
        if self.descending {
            format!("-{field}")
        } else {
            field.to_owned()
        }
    }
}

/// Where the previous page ended: the last task's sort key (as the store renders it) and id.
/// A missing due date is rendered `infinity` (ascending) or `-infinity` (descending).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Cursor {
    pub key: Option<String>,
    pub id: TaskId,
}

/// A cursor as clients carry it: the sort it was made for travels with it.
#[derive(Serialize, Deserialize)]
struct WireCursor {
    sort: String,
    #[serde(flatten)]
    at: Cursor,
}

impl Cursor {
    /// Opaque to clients: hex-encoded JSON.
    pub fn encode(&self, sort: TaskSort) -> String {
        let wire = WireCursor {
            sort: sort.name(),
            at: self.clone(),
        };
        hex::encode(serde_json::to_vec(&wire).unwrap_or_default())
    }

    /// Reads a cursor back for a page in `sort` order: one made for another order, or whose key
    /// is not of the sort's type, is refused.
    pub fn decode(field: &str, raw: &str, sort: TaskSort) -> Result<Self, FieldError> {
        let wire: WireCursor = hex::decode(raw)
            .ok()
            .and_then(|bytes| serde_json::from_slice(&bytes).ok())
            .ok_or_else(|| FieldError::new(field, "is not a cursor this API gave out"))?;
        if wire.sort != sort.name() {
            return Err(FieldError::new(
                field,
                "was given out for another sort order",
            ));
        }
        if !wire
            .at
            .key
            .as_deref()
            .is_none_or(|k| key_fits(k, sort.field))
        {
            return Err(FieldError::new(field, "is not a cursor this API gave out"));
        }
        Ok(wire.at)
    }
}

/// Whether a cursor key has the type of its sort field, so no store is asked to cast junk.
fn key_fits(key: &str, field: SortField) -> bool {
    match field {
        SortField::Priority => key.parse::<i16>().is_ok(),
        SortField::Created | SortField::Updated | SortField::Due => {
            matches!(key, "infinity" | "-infinity")
                || DateTime::parse_from_rfc3339(key).is_ok()
                || DateTime::parse_from_str(key, "%Y-%m-%d %H:%M:%S%.f%#z").is_ok()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sort(raw: &str) -> TaskSort {
        TaskSort::parse("sort", raw).unwrap_or_default()
    }

    #[test]
    fn a_cursor_reads_back_only_in_the_order_it_was_made_for() {
        let at = Cursor {
            key: Some("2026-12-02 10:15:54.07+00".into()),
            id: TaskId::new(),
        };
        let raw = at.encode(sort("-created"));
        assert_eq!(Cursor::decode("cursor", &raw, sort("-created")), Ok(at));
        assert!(Cursor::decode("cursor", &raw, sort("priority")).is_err());
        assert!(Cursor::decode("cursor", &raw, sort("created")).is_err());
    }

    #[test]
    fn a_key_not_of_the_sort_type_is_refused() {
        let forged = |key: &str, order: &str| {
            Cursor {
                key: Some(key.into()),
                id: TaskId::new(),
            }
            .encode(sort(order))
        };
        for (key, order) in [
            ("high", "priority"),
            ("yesterday", "-due"),
            ("9", "created"),
        ] {
            assert!(Cursor::decode("cursor", &forged(key, order), sort(order)).is_err());
        }
        for (key, order) in [
            ("3", "priority"),
            ("infinity", "due"),
            ("-infinity", "-due"),
        ] {
            assert!(Cursor::decode("cursor", &forged(key, order), sort(order)).is_ok());
        }
        assert!(Cursor::decode("cursor", "zz", sort("created")).is_err());
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
