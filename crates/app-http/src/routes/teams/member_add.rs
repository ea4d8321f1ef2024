use super::MemberResponse;
use crate::error::{ApiError, ApiResult};
use crate::extract::TeamMember;
use crate::state::AppState;
use actix_web::{post, web, HttpResponse};
use serde::Deserialize;
use taskforge_domain::identity::Email;
use taskforge_domain::teams::Role;
use taskforge_domain::validation::rejected;

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Body {
    email: String,
    role: String,
}

#[utoipa::path(
    operation_id = "teams_member_add",
    tag = "teams",
    responses(
        (status = 201, description = "Created"),
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
#[post("/teams/{teamId}/members")]
pub async fn handle(
    state: web::Data<AppState>,
    member: TeamMember,
    body: web::Json<Body>,
) -> ApiResult<HttpResponse> {
    let (email, role) = match (
        Email::parse("email", &body.email),
        Role::parse("role", &body.role),
    ) {
        (Ok(e), Ok(r)) => (e, r),
        (e, r) => return Err(ApiError::from(rejected([e.err(), r.err()]))),
    };
    let added = state
        .teams
        .add_member(&member.access, &email, role, &member.caller.actor)
        .await?;
    Ok(HttpResponse::Created().json(MemberResponse::from(&added)))
}
