//! A comment and its validated content.

use crate::ids::{CommentId, TaskId, TeamId, UserId};
use crate::paging;
use crate::validation::{at_most, validated_serde, FieldError};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// A comment's text: 1 to 10,000 characters, not all blank, line breaks and tabs kept.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct CommentContent(String);

validated_serde!(CommentContent, String, |raw| Self::parse("content", raw));

impl CommentContent {
    pub const MAX: usize = 10_000;

    pub fn parse(field: &str, raw: String) -> Result<Self, FieldError> {
        let text = at_most(field, raw, Self::MAX)?;
        if text.trim().is_empty() {
            return Err(FieldError::new(
                field,
                format!("must be 1 to {} characters", Self::MAX),
            ));
        }
        Ok(Self(text))
    }

    /// A value the store holds, validated when it went in.
    pub fn from_stored(text: String) -> Self {
        Self(text)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A comment as every store keeps it (PostgreSQL's row, MongoDB's document, the audit row's
/// state), at `version`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Comment {
    pub comment_id: CommentId,
    pub task_id: TaskId,
    pub team_id: TeamId,
    pub author_id: UserId,
    pub content: CommentContent,
    /// Members of the task's team named in the comment, each once.
    pub mentioned_users: Vec<UserId>,
    pub created: DateTime<Utc>,
    /// When the author last changed it; `None` while never edited.
    pub last_edited_at: Option<DateTime<Utc>>,
    pub version: i64,
}

impl Comment {
    pub fn edited(&self) -> bool {
        self.last_edited_at.is_some()
    }
}

/// Where a page of a task's comments ended (they are ordered oldest first).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct CommentCursor {
    pub created: DateTime<Utc>,
    pub id: CommentId,
}

impl CommentCursor {
    pub fn of(comment: &Comment) -> Self {
        Self {
            created: comment.created,
            id: comment.comment_id,
        }
    }

    pub fn encode(&self) -> String {
        paging::encode(self)
    }

    pub fn decode(field: &str, raw: &str) -> Result<Self, FieldError> {
        paging::decode(field, raw)
    }
}
