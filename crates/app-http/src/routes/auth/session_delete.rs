use crate::error::ApiResult;
use crate::extract::Caller;
use crate::state::AppState;
use actix_web::{delete, web, HttpResponse};
use taskforge_domain::ids::SessionId;

#[utoipa::path(
    operation_id = "auth_session_delete",
    tag = "auth",
    responses(
        (status = 204, description = "No Content"),
        (status = 400, description = "VALIDATION_FAILED: the input is refused, with details"),
        (status = 401, description = "UNAUTHENTICATED: no live session"),
        (status = 404, description = "NOT_FOUND: absent, or outside the caller's teams"),
        (status = 503, description = "UNAVAILABLE: a store is down")
    ),
    security(("bearer" = []))
)]
#[delete("/auth/sessions/{sessionId}")]
pub async fn handle(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<uuid::Uuid>,
) -> ApiResult<HttpResponse> {
    let id = SessionId::from_uuid(path.into_inner());
    state.auth.revoke_session(&caller.auth, id).await?;
    Ok(HttpResponse::NoContent().finish())
}
