use super::{task_response, typed, RawFields};
use crate::error::{ApiError, ApiResult};
use crate::extract::Caller;
use crate::state::AppState;
use actix_web::{post, web, HttpRequest, HttpResponse};
use serde::Deserialize;
use taskforge_domain::ids::{TeamId, UserId};
use taskforge_domain::tasks::NewTask;
use taskforge_domain::write_path::IdempotencyKey;

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct Body {
    team_id: uuid::Uuid,
    title: String,
    #[serde(default)]
    description: String,
    status: Option<String>,
    priority: Option<String>,
    assignee_id: Option<uuid::Uuid>,
    due_date: Option<String>,
    #[serde(default)]
    tags: Vec<String>,
    custom_fields: Option<serde_json::Value>,
}

impl Body {
    fn try_into_domain(self) -> Result<NewTask, ApiError> {
        let fields = RawFields {
            title: Some(self.title),
            description: Some(self.description),
            status: self.status,
            priority: self.priority,
            due_date: self.due_date.map(Some),
            tags: Some(self.tags),
            custom_fields: self.custom_fields,
        }
        .validate()?;
        Ok(NewTask {
            team: TeamId::from_uuid(self.team_id),
            title: fields
                .title
                .ok_or_else(|| ApiError::bad_input("title", "is required"))?,
            description: fields.description.unwrap_or_default(),
            status: fields.status.unwrap_or_default(),
            priority: fields.priority.unwrap_or_default(),
            assignee: self.assignee_id.map(UserId::from_uuid),
            due_date: fields.due_date.flatten(),
            tags: fields.tags.unwrap_or_default(),
            custom_fields: fields.custom_fields.unwrap_or_default(),
        })
    }
}

#[utoipa::path(
    operation_id = "tasks_create",
    tag = "tasks",
    responses(
        (status = 201, description = "Created"),
        (status = 400, description = "VALIDATION_FAILED: the input is refused, with details"),
        (status = 401, description = "UNAUTHENTICATED: no live session"),
        (status = 403, description = "FORBIDDEN: a member without the permission (or a cross-site cookie request)"),
        (status = 404, description = "NOT_FOUND: absent, or outside the caller's teams"),
        (status = 409, description = "CONFLICT"),
        (status = 413, description = "PAYLOAD_TOO_LARGE"),
        (status = 422, description = "the Idempotency-Key was used for another request"),
        (status = 415, description = "UNSUPPORTED_MEDIA_TYPE: the body is not JSON"),
        (status = 503, description = "UNAVAILABLE: a store is down")
    ),
    security(("bearer" = []))
)]
#[post("/tasks")]
pub async fn handle(
    state: web::Data<AppState>,
    req: HttpRequest,
    caller: Caller,
    body: web::Json<serde_json::Value>,
) -> ApiResult<HttpResponse> {
    let key = req
        .headers()
        .get("idempotency-key")
        .map(|v| {
            let raw = v.to_str().unwrap_or("\u{0}");
            IdempotencyKey::new(caller.auth.user_id, raw, &body)
                .map_err(|e| ApiError::validation(vec![e]))
        })
        .transpose()?;
    let new = typed::<Body>(&body)?.try_into_domain()?;
    let task = state
        .tasks
        .create(caller.auth.user_id, new, &caller.actor, key.as_ref())
        .await?;
    let mut created = HttpResponse::Created();
    created.insert_header(("Location", format!("/api/tasks/{}", task.task_id)));
    Ok(task_response(created, &task))
}
