//! Tasks. Responses are the task document itself (its shape is the contract's).

mod activity;
mod create;
mod delete;
mod get;
mod list;
mod update;

use crate::error::ApiError;
use actix_web::{web, HttpResponse, HttpResponseBuilder};
use chrono::{DateTime, Utc};
use taskforge_domain::tasks::Task;
use taskforge_domain::validation::FieldError;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(create::handle)
        .service(list::handle)
        .service(get::handle)
        .service(update::handle)
        .service(delete::handle)
        .service(activity::handle);
}

/// A task with its version as the `ETag`.
fn task_response(mut builder: HttpResponseBuilder, task: &Task) -> HttpResponse {
    builder
        .insert_header(("ETag", format!("\"{}\"", task.version)))
        .json(task)
}

/// An RFC 3339 date-time, as every time in the contract is.
fn parse_time(field: &str, raw: &str) -> Result<DateTime<Utc>, FieldError> {
    DateTime::parse_from_rfc3339(raw)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|_| {
            FieldError::new(
                field,
                "must be an RFC 3339 date-time, e.g. 2026-12-01T17:00:00Z",
            )
        })
}

/// Parses the JSON body into its typed form, reporting serde's complaint as a 400.
fn typed<T: serde::de::DeserializeOwned>(body: &serde_json::Value) -> Result<T, ApiError> {
    serde_json::from_value(body.clone()).map_err(|e| ApiError::bad_input("body", e.to_string()))
}

/// `limit` of a list: 20 by default, 1 to 100.
fn page_limit(raw: Option<&str>) -> Result<i64, FieldError> {
    let bad = || FieldError::new("limit", "must be a whole number from 1 to 100");
    match raw {
        None => Ok(20),
        Some(v) => v
            .parse::<i64>()
            .ok()
            .filter(|n| (1..=100).contains(n))
            .ok_or_else(bad),
    }
}
