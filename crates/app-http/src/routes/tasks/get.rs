use super::task_response;
use crate::error::ApiResult;
use crate::extract::Caller;
use crate::state::AppState;
use actix_web::{get, web, HttpResponse};
use taskforge_domain::ids::TaskId;

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
