//! The task entity and its validated values.

use crate::ids::{TaskId, TeamId, UserId};
use crate::validation::{layout_only, plain, validated_serde, FieldError};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

crate::validation::text_type!(
    /// A task's title: trimmed, 1 to 200 characters.
    TaskTitle,
    line,
    200
);

crate::validation::text_type!(
    /// A task's description: at most 20,000 characters.
    Description,
    free,
    20_000
);

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Backlog,
    #[default]
    Todo,
    InProgress,
    InReview,
    Done,
}

impl Status {
    pub const ALL: [Status; 5] = [
        Status::Backlog,
        Status::Todo,
        Status::InProgress,
        Status::InReview,
        Status::Done,
    ];

    pub fn as_str(&self) -> &'static str {
        match self {
            Status::Backlog => "backlog",
            Status::Todo => "todo",
            Status::InProgress => "in_progress",
            Status::InReview => "in_review",
            Status::Done => "done",
        }
    }

    pub fn parse(field: &str, raw: &str) -> Result<Self, FieldError> {
        Self::ALL
            .into_iter()
            .find(|s| s.as_str() == raw)
            .ok_or_else(|| {
                FieldError::new(
                    field,
                    "must be one of backlog, todo, in_progress, in_review, done",
                )
            })
    }
}

#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize,
)]
#[serde(rename_all = "lowercase")]
pub enum Priority {
    Low,
    #[default]
    Medium,
    High,
    Urgent,
}

impl Priority {
    pub const ALL: [Priority; 4] = [
        Priority::Low,
        Priority::Medium,
        Priority::High,
        Priority::Urgent,
    ];

    pub fn as_str(&self) -> &'static str {
        match self {
            Priority::Low => "low",
            Priority::Medium => "medium",
            Priority::High => "high",
            Priority::Urgent => "urgent",
        }
    }

    /// Its place in the order low < medium < high < urgent (what `sort=priority` uses).
    pub fn rank(&self) -> i16 {
        match self {
            Priority::Low => 0,
            Priority::Medium => 1,
            Priority::High => 2,
            Priority::Urgent => 3,
        }
    }

    pub fn parse(field: &str, raw: &str) -> Result<Self, FieldError> {
        Self::ALL
            .into_iter()
            .find(|p| p.as_str() == raw)
            .ok_or_else(|| FieldError::new(field, "must be one of low, medium, high, urgent"))
    }
}

/// At most 20 tags of 1 to 50 characters, one line each; duplicates are dropped, first one kept.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "Vec<String>", into = "Vec<String>")]
pub struct Tags(Vec<String>);

validated_serde!(Tags, Vec<String>, |raw| Self::parse("tags", raw));

impl Tags {
    pub fn parse(field: &str, raw: Vec<String>) -> Result<Self, FieldError> {
        let mut tags: Vec<String> = Vec::with_capacity(raw.len());
        for tag in raw {
            let tag = tag.trim().to_owned();
            plain(field, &tag)?;
            if !(1..=50).contains(&tag.chars().count()) {
                return Err(FieldError::new(
                    field,
                    "each tag must be 1 to 50 characters",
                ));
            }
            if !tags.contains(&tag) {
                tags.push(tag);
            }
        }
        if tags.len() > 20 {
            return Err(FieldError::new(field, "at most 20 tags"));
        }
        Ok(Self(tags))
    }

    pub fn as_slice(&self) -> &[String] {
        &self.0
    }

    /// Tags the store holds, validated when they went in.
    pub fn from_stored(tags: Vec<String>) -> Self {
        Self(tags)
    }
}

/// A JSON object of at most 50 keys (letters, digits, `_`, `-`, space; 1 to 64 characters),
/// each value a scalar (strings up to 1,000 characters, no control characters but line breaks
/// and tabs) or an array of at most 50 scalars.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "Map<String, Value>", into = "Map<String, Value>")]
pub struct CustomFields(Map<String, Value>);

validated_serde!(CustomFields, Map<String, Value>, |raw| Self::parse(
    "customFields",
    Value::Object(raw)
));

impl CustomFields {
    /// Fields the store holds, validated when they went in.
    pub fn from_stored(fields: Map<String, Value>) -> Self {
        Self(fields)
    }

    pub fn as_map(&self) -> &Map<String, Value> {
        &self.0
    }

    pub fn parse(field: &str, raw: Value) -> Result<Self, FieldError> {
        let bad = |m: &str| FieldError::new(field, m);
        let Value::Object(map) = raw else {
            return Err(bad("must be a JSON object"));
        };
        if map.len() > 50 {
            return Err(bad("at most 50 keys"));
        }
        // Numbers are what every store holds: signed 64-bit integers or doubles.
        let scalar_ok = |v: &Value| match v {
            Value::String(s) => s.chars().count() <= 1000 && layout_only(field, s).is_ok(),
            Value::Number(n) => n.is_i64() || n.is_f64(),
            Value::Null | Value::Bool(_) => true,
            _ => false,
        };
        for (key, value) in &map {
            let key_ok = (1..=64).contains(&key.chars().count())
                && key
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | ' '));
            if !key_ok {
                return Err(bad("keys are 1 to 64 letters, digits, '_', '-' or spaces"));
            }
            let value_ok = match value {
                Value::Array(items) => items.len() <= 50 && items.iter().all(scalar_ok),
                other => scalar_ok(other),
            };
            if !value_ok {
                return Err(bad("values are scalars (strings up to 1000 characters with no control characters, integers in the signed 64-bit range) or arrays of at most 50 scalars"));
            }
        }
        Ok(Self(map))
    }
}

/// A task. Each store and the HTTP API hold it in a representation of their own.
#[derive(Debug, Clone, PartialEq)]
pub struct Task {
    pub task_id: TaskId,
    pub team_id: TeamId,
    pub title: TaskTitle,
    pub description: Description,
    pub status: Status,
    pub priority: Priority,
    pub assignee_id: Option<UserId>,
    pub creator_id: UserId,
    pub due_date: Option<DateTime<Utc>>,
    pub tags: Tags,
    pub custom_fields: CustomFields,
    pub attachments: Vec<Value>,
    pub version: i64,
    pub metadata: TaskMetadata,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TaskMetadata {
    pub created: DateTime<Utc>,
    pub updated: DateTime<Utc>,
}

/// The fields a PATCH may change; `None` leaves a field as it is. `Some(None)` clears the
/// assignee or the due date.
#[derive(Debug, Clone, Default)]
pub struct TaskPatch {
    pub title: Option<TaskTitle>,
    pub description: Option<Description>,
    pub status: Option<Status>,
    pub priority: Option<Priority>,
    pub assignee_id: Option<Option<UserId>>,
    pub due_date: Option<Option<DateTime<Utc>>>,
    pub tags: Option<Tags>,
    pub custom_fields: Option<CustomFields>,
}

impl TaskPatch {
    pub fn apply(&self, task: &Task) -> Task {
        let mut next = task.clone();
        if let Some(v) = &self.title {
            next.title = v.clone();
        }
        if let Some(v) = &self.description {
            next.description = v.clone();
        }
        if let Some(v) = self.status {
            next.status = v;
        }
        if let Some(v) = self.priority {
            next.priority = v;
        }
        if let Some(v) = self.assignee_id {
            next.assignee_id = v;
        }
        if let Some(v) = self.due_date {
            next.due_date = v;
        }
        if let Some(v) = &self.tags {
            next.tags = v.clone();
        }
        if let Some(v) = &self.custom_fields {
            next.custom_fields = v.clone();
        }
        next
    }
}

impl TaskPatch {
    /// Whether the patch changes any field.
    pub fn touches_anything(&self) -> bool {
        self.title.is_some()
            || self.description.is_some()
            || self.status.is_some()
            || self.priority.is_some()
            || self.assignee_id.is_some()
            || self.due_date.is_some()
            || self.tags.is_some()
            || self.custom_fields.is_some()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn custom_fields_follow_the_contract() {
        let ok = json!({ "Story points": 3, "sprint-id": "s1", "flags": [true, null, "x"], "done_by": null,
            "min": i64::MIN, "max": i64::MAX, "ratio": 0.5 });
        assert!(CustomFields::parse("customFields", ok).is_ok());
        for bad in [
            json!([1]),
            json!({ "a.b": 1 }),
            json!({ "$where": 1 }),
            json!({ "": 1 }),
            json!({ "nested": { "a": 1 } }),
            json!({ "deep": [[1]] }),
            json!({ "long": "x".repeat(1001) }),
            json!({ "many": vec![1; 51] }),
            json!({ "huge": u64::MAX }),
            json!({ "huge": [1, i64::MAX as u64 + 1] }),
            json!({ "nul": "a\u{0}b" }),
            json!({ "escape": ["\u{1b}[2J"] }),
        ] {
            assert!(
                CustomFields::parse("customFields", bad.clone()).is_err(),
                "{bad}"
            );
        }
        let fifty_one: Map<String, Value> = (0..51).map(|i| (format!("k{i}"), json!(i))).collect();
        assert!(CustomFields::parse("customFields", Value::Object(fifty_one)).is_err());
    }

    #[test]
    fn tags_and_titles_are_bounded() {
        assert!(
            Tags::parse("tags", vec!["a".into(); 25]).is_ok(),
            "duplicates collapse"
        );
        assert!(Tags::parse("tags", (0..21).map(|i| i.to_string()).collect()).is_err());
        assert!(Tags::parse("tags", vec!["".into()]).is_err());
        assert!(Tags::parse("tags", vec!["x".repeat(51)]).is_err());
        assert!(Tags::parse("tags", vec!["a\u{0}".into()]).is_err());
        assert!(serde_json::from_value::<Tags>(json!(["ok", "a\u{0}"])).is_err());
        assert!(serde_json::from_value::<CustomFields>(json!({ "a.b": 1 })).is_err());
        assert!(CustomFields::parse("customFields", json!({ "notes": "a\r\n\tb" })).is_ok());
        assert!(TaskTitle::parse("title", &"x".repeat(201)).is_err());
        assert!(TaskTitle::parse("title", " ").is_err());
    }
}
