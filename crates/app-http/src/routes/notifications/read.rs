use crate::error::ApiResult;
use crate::extract::Caller;
use crate::state::AppState;
use actix_web::{post, web, HttpResponse};
use taskforge_domain::ids::NotificationId;

/// Marks one of the caller's notifications read.
#[utoipa::path(
    operation_id = "notifications_read",
    tag = "notifications",
    responses(
        (status = 204, description = "Read"),
        (status = 400, description = "VALIDATION_FAILED: the input is refused, with details"),
        (status = 401, description = "UNAUTHENTICATED: no live session"),
        (status = 403, description = "FORBIDDEN: a cross-site request (CSRF check)"),
        (status = 404, description = "NOT_FOUND: no such notification of the caller"),
        (status = 503, description = "UNAVAILABLE: a store is down")
    ),
    security(("bearer" = []))
)]
#[post("/notifications/{notificationId}/read")]
pub async fn handle(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<uuid::Uuid>,
) -> ApiResult<HttpResponse> {
    let id = NotificationId::from_uuid(path.into_inner());
    state
        .notifications
        .mark_read(caller.auth.user_id, id)
        .await?;
    Ok(HttpResponse::NoContent().finish())
}
