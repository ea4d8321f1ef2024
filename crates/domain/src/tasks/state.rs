//! A task's state as the write path records it: in audit rows (`previousState`, `newState`),
//! in idempotent replays and in the effects that project it. Decoding it runs every value's
//! validation again. Its shape is what audit rows have always held.

use super::model::{
    CustomFields, Description, Priority, Status, Tags, Task, TaskMetadata, TaskTitle,
};
use crate::ids::{TaskId, TeamId, UserId};
use crate::Error;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TaskState {
    task_id: TaskId,
    team_id: TeamId,
    title: TaskTitle,
    description: Description,
    status: Status,
    priority: Priority,
    assignee_id: Option<UserId>,
    creator_id: UserId,
    due_date: Option<DateTime<Utc>>,
    tags: Tags,
    custom_fields: CustomFields,
    attachments: Vec<Value>,
    version: i64,
    metadata: Times,
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
struct Times {
    created: DateTime<Utc>,
    updated: DateTime<Utc>,
}

impl From<&Task> for TaskState {
    fn from(t: &Task) -> Self {
        Self {
            task_id: t.task_id,
            team_id: t.team_id,
            title: t.title.clone(),
            description: t.description.clone(),
            status: t.status,
            priority: t.priority,
            assignee_id: t.assignee_id,
            creator_id: t.creator_id,
            due_date: t.due_date,
            tags: t.tags.clone(),
            custom_fields: t.custom_fields.clone(),
            attachments: t.attachments.clone(),
            version: t.version,
            metadata: Times {
                created: t.metadata.created,
                updated: t.metadata.updated,
            },
        }
    }
}

impl From<TaskState> for Task {
    fn from(s: TaskState) -> Self {
        Self {
            task_id: s.task_id,
            team_id: s.team_id,
            title: s.title,
            description: s.description,
            status: s.status,
            priority: s.priority,
            assignee_id: s.assignee_id,
            creator_id: s.creator_id,
            due_date: s.due_date,
            tags: s.tags,
            custom_fields: s.custom_fields,
            attachments: s.attachments,
            version: s.version,
            metadata: TaskMetadata {
                created: s.metadata.created,
                updated: s.metadata.updated,
            },
        }
    }
}

impl TaskState {
    pub fn task_id(&self) -> TaskId {
        self.task_id
    }

    pub fn to_json(&self) -> Value {
        // A struct of strings, numbers and JSON values always serializes.
        serde_json::to_value(self).unwrap_or_default()
    }

    pub fn from_json(value: Value) -> Result<Self, Error> {
        serde_json::from_value(value).map_err(|e| Error::Internal(e.into()))
    }
}
