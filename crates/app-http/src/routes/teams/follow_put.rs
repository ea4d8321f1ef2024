use crate::error::{ApiError, ApiResult};
use crate::extract::TeamMember;
use crate::state::AppState;
use actix_web::{put, web, HttpResponse};
use serde::Deserialize;
use taskforge_domain::notifications::FollowLevel;

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Body {
    /// `default`, `watch` or `mute`.
    level: String,
}

/// Sets how the caller follows the team's notifications.
#[utoipa::path(
    operation_id = "teams_follow_put",
    tag = "notifications",
    request_body = Body,
    responses(
        (status = 200, description = "OK: `{level}`"),
        (status = 400, description = "VALIDATION_FAILED: the input is refused, with details"),
        (status = 401, description = "UNAUTHENTICATED: no live session"),
        (status = 403, description = "FORBIDDEN: a cross-site cookie request"),
        (status = 404, description = "NOT_FOUND: absent, or outside the caller's teams"),
        (status = 413, description = "PAYLOAD_TOO_LARGE"),
        (status = 415, description = "UNSUPPORTED_MEDIA_TYPE: the body is not JSON"),
        (status = 503, description = "UNAVAILABLE: a store is down")
    ),
    security(("bearer" = []))
)]
#[put("/teams/{teamId}/follow")]
pub async fn handle(
    state: web::Data<AppState>,
    member: TeamMember,
    body: web::Json<Body>,
) -> ApiResult<HttpResponse> {
    let level =
        FollowLevel::parse("level", &body.level).map_err(|e| ApiError::validation(vec![e]))?;
    let level = state
        .teams
        .set_follow_level(&member.access, level, &member.caller.actor)
        .await?;
    Ok(HttpResponse::Ok().json(serde_json::json!({ "level": level.as_str() })))
}
