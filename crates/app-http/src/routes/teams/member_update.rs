use super::MemberResponse;
use crate::error::{ApiError, ApiResult};
use crate::extract::TeamMember;
use crate::state::AppState;
use actix_web::{patch, web, HttpResponse};
use serde::Deserialize;
use taskforge_domain::ids::UserId;
use taskforge_domain::teams::Role;

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Body {
    role: String,
}

#[utoipa::path(
    operation_id = "teams_member_update",
    tag = "teams",
    responses(
        (status = 200, description = "OK"),
        (status = 400, description = "VALIDATION_FAILED: the input is refused, with details"),
        (status = 401, description = "UNAUTHENTICATED: no live session"),
        (status = 403, description = "FORBIDDEN: a member without the permission (or a cross-site cookie request)"),
        (status = 404, description = "NOT_FOUND: absent, or outside the caller's teams"),
        (status = 409, description = "CONFLICT"),
        (status = 413, description = "PAYLOAD_TOO_LARGE"),
        (status = 415, description = "UNSUPPORTED_MEDIA_TYPE: the body is not JSON"),
        (status = 503, description = "UNAVAILABLE: a store is down")
    ),
    security(("bearer" = []))
)]
#[patch("/teams/{teamId}/members/{userId}")]
pub async fn handle(
    state: web::Data<AppState>,
    member: TeamMember,
    path: web::Path<(uuid::Uuid, uuid::Uuid)>,
    body: web::Json<Body>,
) -> ApiResult<HttpResponse> {
    let role = Role::parse("role", &body.role).map_err(|e| ApiError::validation(vec![e]))?;
    let user = UserId::from_uuid(path.into_inner().1);
    let changed = state
        .teams
        .change_role(&member.access, user, role, &member.caller.actor)
        .await?;
    Ok(HttpResponse::Ok().json(MemberResponse::from(&changed)))
}
