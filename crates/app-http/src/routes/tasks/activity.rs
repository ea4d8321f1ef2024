use super::page_limit;
use crate::error::{ApiError, ApiResult};
use crate::extract::Caller;
use crate::state::AppState;
use actix_web::{get, web, HttpResponse};
use serde::{Deserialize, Serialize};
use taskforge_domain::ids::{AuditId, TaskId};

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Page {
    limit: Option<String>,
    cursor: Option<uuid::Uuid>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Entry {
    log_id: String,
    entity_type: &'static str,
    entity_id: String,
    action: &'static str,
    actor_id: Option<String>,
    at: chrono::DateTime<chrono::Utc>,
    previous_state: Option<serde_json::Value>,
    new_state: Option<serde_json::Value>,
    ip: Option<String>,
    user_agent: Option<String>,
}

/// The task's audit entries, newest first; `cursor` is the last `logId` of the previous page.
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
    let items: Vec<Entry> = entries
        .into_iter()
        .map(|e| Entry {
            log_id: e.id.to_string(),
            entity_type: "task",
            entity_id: e.entity_id.to_string(),
            action: e.action.as_str(),
            actor_id: e.actor_id.map(|a| a.to_string()),
            at: e.at,
            previous_state: e.previous_state,
            new_state: e.new_state,
            ip: e.ip,
            user_agent: e.user_agent,
        })
        .collect();
    Ok(HttpResponse::Ok().json(serde_json::json!({ "items": items, "nextCursor": next })))
}
