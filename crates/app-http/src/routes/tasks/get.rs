use super::task_response;
use crate::error::ApiResult;
use crate::extract::Caller;
use crate::state::AppState;
use actix_web::{get, web, HttpResponse};
use taskforge_domain::ids::TaskId;

#[utoipa::path(
    operation_id = "tasks_get",
    tag = "tasks",
    responses(
        (status = 200, description = "OK"),
        (status = 400, description = "VALIDATION_FAILED: the input is refused, with details"),
        (status = 401, description = "UNAUTHENTICATED: no live session"),
        (status = 404, description = "NOT_FOUND: absent, or outside the caller's teams"),
        (status = 503, description = "UNAVAILABLE: a store is down")
    ),
    security(("bearer" = []))
)]
#[get("/tasks/{taskId}")]
pub async fn handle(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<uuid::Uuid>,
) -> ApiResult<HttpResponse> {
    let task = state
        .tasks
        .get(caller.auth.user_id, TaskId::from_uuid(path.into_inner()))
        .await?;
    Ok(task_response(HttpResponse::Ok(), &task))
}
