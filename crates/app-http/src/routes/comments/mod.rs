//! Comments on tasks, with @mentions.

mod create;
mod delete;
mod list;
mod update;

use serde::Serialize;
use taskforge_domain::comments::Comment;

super::routes!(create, list, update, delete);

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct CommentResponse {
    comment_id: String,
    task_id: String,
    author_id: String,
    content: String,
    mentioned_users: Vec<String>,
    /// Files of the comment itself: none (attachments belong to the task).
    attachments: [(); 0],
    created: chrono::DateTime<chrono::Utc>,
    edited: bool,
    last_edited_at: Option<chrono::DateTime<chrono::Utc>>,
}

impl From<&Comment> for CommentResponse {
    fn from(c: &Comment) -> Self {
        Self {
            comment_id: c.comment_id.to_string(),
            task_id: c.task_id.to_string(),
            author_id: c.author_id.to_string(),
            content: c.content.as_str().to_owned(),
            mentioned_users: c.mentioned_users.iter().map(ToString::to_string).collect(),
            attachments: [],
            created: c.created,
            edited: c.edited(),
            last_edited_at: c.last_edited_at,
        }
    }
}
