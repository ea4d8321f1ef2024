use crate::error::ApiResult;
use crate::extract::Caller;
use crate::state::AppState;
use actix_web::{post, web, HttpResponse};

/// Marks every notification of the caller read.
#[utoipa::path(
    operation_id = "notifications_read_all",
    tag = "notifications",
    responses(
        (status = 204, description = "Read"),
        (status = 401, description = "UNAUTHENTICATED: no live session"),
        (status = 403, description = "FORBIDDEN: a cross-site request (CSRF check)"),
        (status = 503, description = "UNAVAILABLE: a store is down")
    ),
    security(("bearer" = []))
)]
#[post("/notifications/read-all")]
pub async fn handle(state: web::Data<AppState>, caller: Caller) -> ApiResult<HttpResponse> {
    state
        .notifications
        .mark_all_read(caller.auth.user_id)
        .await?;
    Ok(HttpResponse::NoContent().finish())
}
