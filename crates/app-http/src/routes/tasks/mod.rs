//! Tasks. Responses are the task document itself (its shape is the contract's).

mod activity;
mod create;
mod delete;
mod get;
pub(crate) mod list;
mod response;
mod update;

use crate::error::ApiError;
use actix_web::{HttpResponse, HttpResponseBuilder};
use chrono::{DateTime, Utc};
use response::TaskResponse;
use taskforge_domain::tasks::{CustomFields, Description, Priority, Status, Tags, Task, TaskTitle};
use taskforge_domain::validation::{date_time as parse_time, rejected};

super::routes!(create, list, get, update, delete, activity);

/// A task with its version as the `ETag`.
fn task_response(mut builder: HttpResponseBuilder, task: &Task) -> HttpResponse {
    builder
        .insert_header(("ETag", format!("\"{}\"", task.version)))
        .json(TaskResponse::from(task))
}

/// Parses the JSON body into its typed form, reporting serde's complaint as a 400.
fn typed<T: serde::de::DeserializeOwned>(body: &serde_json::Value) -> Result<T, ApiError> {
    serde_json::from_value(body.clone()).map_err(|e| ApiError::malformed("body", &e))
}

/// The task fields a create or a patch may carry, as sent.
#[derive(Default)]
struct RawFields {
    title: Option<String>,
    description: Option<String>,
    status: Option<String>,
    priority: Option<String>,
    due_date: Option<Option<String>>,
    tags: Option<Vec<String>>,
    custom_fields: Option<serde_json::Value>,
}

/// The same fields, each validated; every invalid one is reported at once.
struct Fields {
    title: Option<TaskTitle>,
    description: Option<Description>,
    status: Option<Status>,
    priority: Option<Priority>,
    due_date: Option<Option<DateTime<Utc>>>,
    tags: Option<Tags>,
    custom_fields: Option<CustomFields>,
}

impl RawFields {
    fn validate(self) -> Result<Fields, ApiError> {
        let title = self
            .title
            .map(|t| TaskTitle::parse("title", &t))
            .transpose();
        let description = self
            .description
            .map(|d| Description::parse("description", d))
            .transpose();
        let status = self.status.map(|s| Status::parse("status", &s)).transpose();
        let priority = self
            .priority
            .map(|p| Priority::parse("priority", &p))
            .transpose();
        let due = self
            .due_date
            .map(|d| d.map(|raw| parse_time("dueDate", &raw)).transpose())
            .transpose();
        let tags = self.tags.map(|t| Tags::parse("tags", t)).transpose();
        let custom = self
            .custom_fields
            .map(|f| CustomFields::parse("customFields", f))
            .transpose();
        match (title, description, status, priority, due, tags, custom) {
            (
                Ok(title),
                Ok(description),
                Ok(status),
                Ok(priority),
                Ok(due_date),
                Ok(tags),
                Ok(custom_fields),
            ) => Ok(Fields {
                title,
                description,
                status,
                priority,
                due_date,
                tags,
                custom_fields,
            }),
            (a, b, c, d, e, f, g) => Err(rejected([
                a.err(),
                b.err(),
                c.err(),
                d.err(),
                e.err(),
                f.err(),
                g.err(),
            ])
            .into()),
        }
    }
}
