use crate::error::ApiResult;
use crate::extract::Caller;
use crate::state::AppState;
use actix_web::{delete, web, HttpResponse};
use taskforge_domain::ids::TaskId;

#[utoipa::path(
    operation_id = "tasks_delete",
    tag = "tasks",
    responses(
        (status = 204, description = "No Content"),
        (status = 400, description = "VALIDATION_FAILED: the input is refused, with details"),
        (status = 401, description = "UNAUTHENTICATED: no live session"),
        (status = 403, description = "FORBIDDEN: a member without the permission (or a cross-site cookie request)"),
        (status = 404, description = "NOT_FOUND: absent, or outside the caller's teams"),
        (status = 503, description = "UNAVAILABLE: a store is down")
    ),
    security(("bearer" = []))
)]
#[delete("/tasks/{taskId}")]
pub async fn handle(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<uuid::Uuid>,
) -> ApiResult<HttpResponse> {
    state
        .tasks
        .delete(
            caller.auth.user_id,
            TaskId::from_uuid(path.into_inner()),
            &caller.actor,
        )
        .await?;
    Ok(HttpResponse::NoContent().finish())
}
