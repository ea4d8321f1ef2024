use crate::error::{ApiError, ApiResult};
use crate::extract::Caller;
use crate::routes::audit::AuditEntry;
use crate::routes::page_limit;
use crate::state::AppState;
use actix_web::{get, web, HttpResponse};
use serde::Deserialize;
use taskforge_domain::ids::{AuditId, TaskId};

#[derive(Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
struct Page {
    limit: Option<String>,
    cursor: Option<uuid::Uuid>,
}

/// The task's audit entries, newest first; `cursor` is the last `logId` of the previous page.
#[utoipa::path(
    operation_id = "tasks_activity",
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
#[get("/tasks/{taskId}/activity")]
pub async fn handle(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<uuid::Uuid>,
    page: web::Query<Page>,
) -> ApiResult<HttpResponse> {
    let limit = page_limit(page.limit.as_deref()).map_err(|e| ApiError::validation(vec![e]))?;
    let before = page.cursor.map(AuditId::from_uuid);
    let id = TaskId::from_uuid(path.into_inner());
    let mut entries = state
        .tasks
        .activity(caller.auth.user_id, id, before, limit + 1)
        .await?;
    let more = entries.len() as i64 > limit;
    entries.truncate(limit as usize);
    let next = more
        .then(|| entries.last().map(|e| e.id.to_string()))
        .flatten();
    let items: Vec<AuditEntry> = entries.into_iter().map(AuditEntry::from).collect();
    Ok(HttpResponse::Ok().json(serde_json::json!({ "items": items, "nextCursor": next })))
}
