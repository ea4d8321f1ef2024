use crate::error::ApiResult;
use crate::extract::Caller;
use crate::state::AppState;
use actix_web::{get, web, HttpResponse};
use serde::Serialize;

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SessionItem {
    session_id: String,
    created_at: chrono::DateTime<chrono::Utc>,
    last_seen_at: chrono::DateTime<chrono::Utc>,
    user_agent: Option<String>,
    ip: Option<String>,
    current: bool,
}

#[utoipa::path(
    operation_id = "auth_sessions_list",
    tag = "auth",
    responses(
        (status = 200, description = "OK"),
        (status = 401, description = "UNAUTHENTICATED: no live session"),
        (status = 503, description = "UNAVAILABLE: a store is down")
    ),
    security(("bearer" = []))
)]
#[get("/auth/sessions")]
pub async fn handle(state: web::Data<AppState>, caller: Caller) -> ApiResult<HttpResponse> {
    let items: Vec<SessionItem> = state
        .auth
        .sessions(&caller.auth)
        .await?
        .into_iter()
        .map(|s| SessionItem {
            current: s.id == caller.auth.session.id,
            session_id: s.id.to_string(),
            created_at: s.created_at,
            last_seen_at: s.last_seen_at,
            user_agent: s.user_agent,
            ip: s.ip,
        })
        .collect();
    Ok(HttpResponse::Ok().json(serde_json::json!({ "items": items, "nextCursor": null })))
}
