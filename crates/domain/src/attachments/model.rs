//! An attachment's metadata, as the task document holds it.

use crate::ids::{AttachmentId, TaskId, TeamId, UserId};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// A file attached to a task: its bytes are in GridFS under `attachment_id`, this in the
/// task's `attachments`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Attachment {
    pub attachment_id: AttachmentId,
    pub task_id: TaskId,
    pub team_id: TeamId,
    pub name: String,
    pub size: u64,
    pub mimetype: String,
    pub uploaded_at: DateTime<Utc>,
    pub uploaded_by: UserId,
}

impl Attachment {
    /// The entry of the task's `attachments`: the API's fields and where to download it.
    pub fn to_json(&self) -> serde_json::Value {
        serde_json::json!({
            "attachmentId": self.attachment_id,
            "taskId": self.task_id,
            "name": self.name,
            "size": self.size,
            "mimetype": self.mimetype,
            "uploadedAt": self.uploaded_at,
            "uploadedBy": self.uploaded_by,
            "url": format!("/api/attachments/{}", self.attachment_id),
        })
    }

    /// The attachment `id` among a task's `attachments`, if it is there.
    pub fn find(task: &crate::tasks::Task, id: AttachmentId) -> Option<Self> {
        task.attachments.iter().find_map(|entry| {
            let attachment_id: AttachmentId = entry["attachmentId"].as_str()?.parse().ok()?;
            (attachment_id == id).then(|| Self {
                attachment_id,
                task_id: task.task_id,
                team_id: task.team_id,
                name: entry["name"].as_str().unwrap_or_default().to_owned(),
                size: entry["size"].as_u64().unwrap_or_default(),
                mimetype: entry["mimetype"].as_str().unwrap_or_default().to_owned(),
                uploaded_at: entry["uploadedAt"]
                    .as_str()
                    .and_then(|t| DateTime::parse_from_rfc3339(t).ok())
                    .map_or(task.metadata.created, |t| t.with_timezone(&Utc)),
                uploaded_by: entry["uploadedBy"]
                    .as_str()
                    .and_then(|u| u.parse().ok())
                    .unwrap_or(task.creator_id),
            })
        })
    }
}

/// A file name safe to store and to send back: the last path segment, no control characters,
/// at most 255 characters; "file" when nothing is left.
pub fn file_name(raw: &str) -> String {
    let last = raw.rsplit(['/', '\\']).next().unwrap_or_default();
    let clean: String = last.chars().filter(|c| !c.is_control()).take(255).collect();
    let clean = clean.trim().trim_matches('.').trim();
    if clean.is_empty() {
        "file".to_owned()
    } else {
        clean.to_owned()
    }
}

/// A media type as sent (`type/subtype`, parameters dropped), or `application/octet-stream`
/// when it is not one.
pub fn media_type(raw: Option<&str>) -> String {
    let token = |s: &str| {
        !s.is_empty()
            && s.chars()
                .all(|c| c.is_ascii_alphanumeric() || "!#$&^_.+-".contains(c))
    };
    raw.and_then(|r| r.split(';').next())
        .map(str::trim)
        .filter(|t| {
            t.split_once('/')
                .is_some_and(|(kind, sub)| token(kind) && token(sub))
        })
        .map_or_else(
            || "application/octet-stream".to_owned(),
            str::to_ascii_lowercase,
        )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_lose_paths_and_control_characters() {
        assert_eq!(file_name("../../etc/passwd"), "passwd");
        assert_eq!(file_name("C:\\Users\\a\\report.pdf"), "report.pdf");
        assert_eq!(file_name("a\r\nX-Evil: 1.txt"), "aX-Evil: 1.txt");
        assert_eq!(file_name(".."), "file");
        assert_eq!(file_name("été.txt"), "été.txt");
    }

    #[test]
    fn media_types_are_tokens_or_octet_stream() {
        assert_eq!(media_type(Some("Image/PNG; q=1")), "image/png");
        assert_eq!(
            media_type(Some("text/html\r\nX: y")),
            "application/octet-stream"
        );
        assert_eq!(media_type(None), "application/octet-stream");
    }
}
