//! A task as the contract answers it.

use chrono::{DateTime, Utc};
use serde::Serialize;
use serde_json::{Map, Value};
use taskforge_domain::ids::{TaskId, TeamId, UserId};
use taskforge_domain::tasks::Task;

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct TaskResponse<'a> {
    task_id: TaskId,
    team_id: TeamId,
    title: &'a str,
    description: &'a str,
    status: &'static str,
    priority: &'static str,
    assignee_id: Option<UserId>,
    creator_id: UserId,
    due_date: Option<DateTime<Utc>>,
    tags: &'a [String],
    custom_fields: &'a Map<String, Value>,
    attachments: &'a [Value],
    version: i64,
    metadata: Metadata,
}

#[derive(Serialize)]
struct Metadata {
    created: DateTime<Utc>,
    updated: DateTime<Utc>,
}

impl<'a> From<&'a Task> for TaskResponse<'a> {
    fn from(t: &'a Task) -> Self {
        Self {
            task_id: t.task_id,
            team_id: t.team_id,
            title: t.title.as_str(),
            description: t.description.as_str(),
            status: t.status.as_str(),
            priority: t.priority.as_str(),
            assignee_id: t.assignee_id,
            creator_id: t.creator_id,
            due_date: t.due_date,
            tags: t.tags.as_slice(),
            custom_fields: t.custom_fields.as_map(),
            attachments: &t.attachments,
            version: t.version,
            metadata: Metadata {
                created: t.metadata.created,
                updated: t.metadata.updated,
            },
        }
    }
}
