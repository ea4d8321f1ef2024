use crate::error::ApiResult;
use crate::extract::TeamMember;
use crate::state::AppState;
use actix_web::{get, web, HttpResponse};

/// Chains the team's committed rows, then walks the chain from its first link:
/// `{ok, checked, firstBadLogId}`.
#[utoipa::path(
    operation_id = "audit_verify",
    tag = "audit",
    responses(
        (status = 200, description = "OK"),
        (status = 400, description = "VALIDATION_FAILED: the input is refused, with details"),
        (status = 401, description = "UNAUTHENTICATED: no live session"),
        (status = 403, description = "FORBIDDEN: a member without the permission (or a cross-site cookie request)"),
        (status = 404, description = "NOT_FOUND: absent, or outside the caller's teams"),
        (status = 503, description = "UNAVAILABLE: a store is down")
    ),
    security(("bearer" = []))
)]
#[get("/teams/{teamId}/audit/verify")]
pub async fn handle(state: web::Data<AppState>, member: TeamMember) -> ApiResult<HttpResponse> {
    let check = state.audit.verify(&member.access).await?;
    Ok(HttpResponse::Ok().json(serde_json::json!({
        "ok": check.ok,
        "checked": check.checked,
        "firstBadLogId": check.first_bad.map(|id| id.to_string()),
    })))
}
