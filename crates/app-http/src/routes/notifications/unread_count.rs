use crate::error::ApiResult;
use crate::extract::Caller;
use crate::state::AppState;
use actix_web::{get, web, HttpResponse};

/// How many of the caller's notifications are unread.
#[utoipa::path(
    operation_id = "notifications_unread_count",
    tag = "notifications",
    responses(
        (status = 200, description = "OK: `{count}`"),
        (status = 401, description = "UNAUTHENTICATED: no live session"),
        (status = 503, description = "UNAVAILABLE: a store is down")
    ),
    security(("bearer" = []))
)]
#[get("/notifications/unread-count")]
pub async fn handle(state: web::Data<AppState>, caller: Caller) -> ApiResult<HttpResponse> {
    let count = state
        .notifications
        .unread_count(caller.auth.user_id)
        .await?;
    Ok(HttpResponse::Ok().json(serde_json::json!({ "count": count })))
}
