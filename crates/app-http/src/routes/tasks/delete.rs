use crate::error::ApiResult;
use crate::extract::Caller;
use crate::state::AppState;
use actix_web::{delete, web, HttpResponse};
use taskforge_domain::ids::TaskId;

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
