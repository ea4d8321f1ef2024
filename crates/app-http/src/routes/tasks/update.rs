use super::{task_response, typed, RawFields};
use crate::error::{ApiError, ApiResult};
use crate::extract::Caller;
use crate::json_fields::{not_null, nullable};
use crate::state::AppState;
use actix_web::{patch, web, HttpRequest, HttpResponse};
use serde::Deserialize;
use taskforge_domain::ids::{TaskId, UserId};
use taskforge_domain::tasks::TaskPatch;
use taskforge_domain::validation::FieldError;

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct Body {
    #[serde(default, deserialize_with = "not_null")]
    title: Option<String>,
    #[serde(default, deserialize_with = "not_null")]
    description: Option<String>,
    #[serde(default, deserialize_with = "not_null")]
    status: Option<String>,
    #[serde(default, deserialize_with = "not_null")]
    priority: Option<String>,
    #[serde(default, deserialize_with = "nullable")]
    assignee_id: Option<Option<uuid::Uuid>>,
    #[serde(default, deserialize_with = "nullable")]
    due_date: Option<Option<String>>,
    #[serde(default, deserialize_with = "not_null")]
    tags: Option<Vec<String>>,
    #[serde(default, deserialize_with = "not_null")]
    custom_fields: Option<serde_json::Value>,
}

impl Body {
    fn try_into_domain(self) -> Result<TaskPatch, ApiError> {
        let fields = RawFields {
            title: self.title,
            description: self.description,
            status: self.status,
            priority: self.priority,
            due_date: self.due_date,
            tags: self.tags,
            custom_fields: self.custom_fields,
        }
        .validate()?;
        Ok(TaskPatch {
            title: fields.title,
            description: fields.description,
            status: fields.status,
            priority: fields.priority,
            assignee_id: self.assignee_id.map(|a| a.map(UserId::from_uuid)),
            due_date: fields.due_date,
            tags: fields.tags,
            custom_fields: fields.custom_fields,
        })
    }
}

/// `If-Match: "3"` (or `W/"3"`, or `*` for any version).
fn if_match(req: &HttpRequest) -> Result<Option<i64>, ApiError> {
    let Some(value) = req.headers().get("if-match") else {
        return Ok(None);
    };
    let raw = value.to_str().unwrap_or_default().trim();
    if raw == "*" {
        return Ok(None);
    }
    raw.trim_start_matches("W/")
        .trim_matches('"')
        .parse::<i64>()
        .map(Some)
        .map_err(|_| {
            ApiError::validation(vec![FieldError::new(
                "If-Match",
                "must be an ETag this API gave out",
            )])
        })
}

#[utoipa::path(
    operation_id = "tasks_update",
    tag = "tasks",
    responses(
        (status = 200, description = "OK"),
        (status = 400, description = "VALIDATION_FAILED: the input is refused, with details"),
        (status = 401, description = "UNAUTHENTICATED: no live session"),
        (status = 403, description = "FORBIDDEN: a member without the permission (or a cross-site cookie request)"),
        (status = 404, description = "NOT_FOUND: absent, or outside the caller's teams"),
        (status = 412, description = "PRECONDITION_FAILED: a stale If-Match"),
        (status = 413, description = "PAYLOAD_TOO_LARGE"),
        (status = 415, description = "UNSUPPORTED_MEDIA_TYPE: the body is not JSON"),
        (status = 503, description = "UNAVAILABLE: a store is down")
    ),
    security(("bearer" = []))
)]
#[patch("/tasks/{taskId}")]
pub async fn handle(
    state: web::Data<AppState>,
    req: HttpRequest,
    caller: Caller,
    path: web::Path<uuid::Uuid>,
    body: web::Json<serde_json::Value>,
) -> ApiResult<HttpResponse> {
    let expected = if_match(&req)?;
    let patch = typed::<Body>(&body)?.try_into_domain()?;
    let task = state
        .tasks
        .patch(
            caller.auth.user_id,
            TaskId::from_uuid(path.into_inner()),
            &patch,
            expected,
            &caller.actor,
        )
        .await?;
    Ok(task_response(HttpResponse::Ok(), &task))
}
