//! The filters, sort orders and cursors of `GET /api/tasks`.

use super::model::{Priority, Status};
use crate::ids::{TaskId, TeamId, UserId};
use crate::paging;
use crate::validation::date_time_in_range;
use crate::validation::FieldError;
use chrono::{DateTime, SecondsFormat, Utc};
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

/// The sort key of the task a page ended on, typed as its sort field is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SortKey {
    Time(DateTime<Utc>),
    /// A task without a due date: it sorts after every dated one, either way.
    NoDueDate,
    Rank(i16),
}

impl SortKey {
    fn render(&self) -> String {
        match self {
            SortKey::Time(t) => t.to_rfc3339_opts(SecondsFormat::Micros, true),
            SortKey::NoDueDate => NO_DUE_DATE.to_owned(),
            SortKey::Rank(rank) => rank.to_string(),
        }
    }

    /// Reads a key of `field`'s type back; anything else (another type, a time outside years 1
    /// to 9999, a rank no priority has) is refused before a store sees it.
    fn read(raw: &str, field: SortField) -> Option<Self> {
        match field {
            SortField::Priority => raw
                .parse::<i16>()
                .ok()
                .filter(|r| Priority::ALL.iter().any(|p| p.rank() == *r))
                .map(SortKey::Rank),
            SortField::Due if matches!(raw, NO_DUE_DATE | "-infinity") => Some(SortKey::NoDueDate),
            SortField::Created | SortField::Updated | SortField::Due => {
                DateTime::parse_from_rfc3339(raw)
                    // The text form PostgreSQL rendered keys in before they were typed.
                    .or_else(|_| DateTime::parse_from_str(raw, "%Y-%m-%d %H:%M:%S%.f%#z"))
                    .ok()
                    .map(|t| t.with_timezone(&Utc))
                    .filter(date_time_in_range)
                    .map(SortKey::Time)
            }
        }
    }
}

const NO_DUE_DATE: &str = "infinity";

/// Where the previous page ended: the last task's sort key and id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cursor {
    pub key: SortKey,
    pub id: TaskId,
}

/// A cursor as clients carry it: the sort it was made for travels with it.
#[derive(Serialize, Deserialize)]
struct WireCursor {
    sort: String,
    key: Option<String>,
    id: TaskId,
}

impl Cursor {
    /// Opaque to clients: hex-encoded JSON.
    pub fn encode(&self, sort: TaskSort) -> String {
        let wire = WireCursor {
            sort: sort.name(),
            key: Some(self.key.render()),
            id: self.id,
        };
        paging::encode(&wire)
    }

    /// Reads a cursor back for a page in `sort` order: one made for another order, or whose key
    /// is not of the sort's type, is refused.
    pub fn decode(field: &str, raw: &str, sort: TaskSort) -> Result<Self, FieldError> {
        let forged = || FieldError::new(field, "is not a cursor this API gave out");
        let wire: WireCursor = paging::decode(field, raw)?;
        if wire.sort != sort.name() {
            return Err(FieldError::new(
                field,
                "was given out for another sort order",
            ));
        }
        let key = wire
            .key
            .as_deref()
            .and_then(|k| SortKey::read(k, sort.field))
            .ok_or_else(forged)?;
        Ok(Self { key, id: wire.id })
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
            key: SortKey::Time(Utc::now()),
            id: TaskId::new(),
        };
        let raw = at.encode(sort("-created"));
        let back = Cursor::decode("cursor", &raw, sort("-created"));
        assert_eq!(
            back.map(|c| c.key.render()),
            Ok(at.key.render()),
            "microseconds, as the store keeps them"
        );
        assert!(Cursor::decode("cursor", &raw, sort("priority")).is_err());
        assert!(Cursor::decode("cursor", &raw, sort("created")).is_err());
    }

    #[test]
    fn a_key_not_of_the_sort_type_is_refused() {
        let forged = |key: &str, order: &str| {
            let wire = WireCursor {
                sort: sort(order).name(),
                key: Some(key.into()),
                id: TaskId::new(),
            };
            hex::encode(serde_json::to_vec(&wire).unwrap_or_default())
        };
        for (key, order) in [
            ("high", "priority"),
            ("9", "priority"),
            ("yesterday", "-due"),
            ("9", "created"),
            ("0000-01-01T00:00:00Z", "-created"),
            ("10000-01-01T00:00:00Z", "due"),
            ("infinity", "created"),
        ] {
            assert!(Cursor::decode("cursor", &forged(key, order), sort(order)).is_err());
        }
        for (key, order) in [
            ("3", "priority"),
            ("infinity", "due"),
            ("-infinity", "-due"),
            ("2026-12-02 10:15:54.07+00", "updated"),
            ("9999-12-31T23:59:59Z", "-due"),
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

impl TaskQuery {
    /// The whole query as one canonical text, equal for equal queries only: the list cache
    /// keys pages by it.
    pub fn fingerprint(&self) -> String {
        serde_json::json!({
            "team": self.team,
            "statuses": self.statuses.iter().map(Status::as_str).collect::<Vec<_>>(),
            "priorities": self.priorities.iter().map(Priority::as_str).collect::<Vec<_>>(),
            "assignee": self.assignee,
            "tags": self.tags,
            "dueBefore": self.due_before,
            "dueAfter": self.due_after,
            "text": self.text,
            "sort": self.sort.name(),
            "after": self.after.as_ref().map(|c| c.encode(self.sort)),
            "limit": self.limit,
        })
        .to_string()
    }
}
