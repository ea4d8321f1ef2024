use crate::error::ApiResult;
use crate::extract::TeamMember;
use crate::state::AppState;
use actix_web::{get, web, HttpResponse};

/// How the caller follows the team: `default` (what concerns them), `watch` (every change) or
/// `mute` (nothing).
#[utoipa::path(
    operation_id = "teams_follow_get",
    tag = "notifications",
    responses(
        (status = 200, description = "OK: `{level}`"),
        (status = 400, description = "VALIDATION_FAILED: the input is refused, with details"),
        (status = 401, description = "UNAUTHENTICATED: no live session"),
        (status = 404, description = "NOT_FOUND: absent, or outside the caller's teams"),
        (status = 503, description = "UNAVAILABLE: a store is down")
    ),
    security(("bearer" = []))
)]
#[get("/teams/{teamId}/follow")]
pub async fn handle(state: web::Data<AppState>, member: TeamMember) -> ApiResult<HttpResponse> {
    let level = state.teams.follow_level(&member.access).await?;
    Ok(HttpResponse::Ok().json(serde_json::json!({ "level": level.as_str() })))
}
