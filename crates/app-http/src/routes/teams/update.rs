use super::TeamResponse;
use crate::error::{ApiError, ApiResult};
use crate::extract::TeamMember;
use crate::state::AppState;
use actix_web::{patch, web, HttpResponse};
use serde::Deserialize;
use taskforge_domain::teams::{TeamDescription, TeamName, TeamPatch};
use taskforge_domain::validation::rejected;

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Body {
    name: Option<String>,
    description: Option<String>,
}

#[utoipa::path(
    operation_id = "teams_update",
    tag = "teams",
    responses(
        (status = 200, description = "OK"),
        (status = 400, description = "VALIDATION_FAILED: the input is refused, with details"),
        (status = 401, description = "UNAUTHENTICATED: no live session"),
        (status = 403, description = "FORBIDDEN: a member without the permission (or a cross-site cookie request)"),
        (status = 404, description = "NOT_FOUND: absent, or outside the caller's teams"),
        (status = 413, description = "PAYLOAD_TOO_LARGE"),
        (status = 415, description = "UNSUPPORTED_MEDIA_TYPE: the body is not JSON"),
        (status = 503, description = "UNAVAILABLE: a store is down")
    ),
    security(("bearer" = []))
)]
#[patch("/teams/{teamId}")]
pub async fn handle(
    state: web::Data<AppState>,
    member: TeamMember,
    body: web::Json<Body>,
) -> ApiResult<HttpResponse> {
    let body = body.into_inner();
    let name = body.name.map(|n| TeamName::parse("name", &n)).transpose();
    let description = body
        .description
        .map(|d| TeamDescription::parse("description", d))
        .transpose();
    let patch = match (name, description) {
        (Ok(name), Ok(description)) => TeamPatch { name, description },
        (n, d) => return Err(ApiError::from(rejected([n.err(), d.err()]))),
    };
    let team = state
        .teams
        .update(&member.access, patch, &member.caller.actor)
        .await?;
    Ok(HttpResponse::Ok().json(TeamResponse::from(&team)))
}
