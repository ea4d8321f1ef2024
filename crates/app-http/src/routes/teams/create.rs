use super::TeamResponse;
use crate::error::{ApiError, ApiResult};
use crate::extract::Caller;
use crate::state::AppState;
use actix_web::{post, web, HttpResponse};
use serde::Deserialize;
use taskforge_domain::teams::{TeamDescription, TeamName};
use taskforge_domain::validation::rejected;

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Body {
    name: String,
    #[serde(default)]
    description: String,
}

#[utoipa::path(
    operation_id = "teams_create",
    tag = "teams",
    responses(
        (status = 201, description = "Created"),
        (status = 400, description = "VALIDATION_FAILED: the input is refused, with details"),
        (status = 401, description = "UNAUTHENTICATED: no live session"),
        (status = 413, description = "PAYLOAD_TOO_LARGE"),
        (status = 415, description = "UNSUPPORTED_MEDIA_TYPE: the body is not JSON"),
        (status = 503, description = "UNAVAILABLE: a store is down")
    ),
    security(("bearer" = []))
)]
#[post("/teams")]
pub async fn handle(
    state: web::Data<AppState>,
    caller: Caller,
    body: web::Json<Body>,
) -> ApiResult<HttpResponse> {
    let body = body.into_inner();
    let (name, description) = match (
        TeamName::parse("name", &body.name),
        TeamDescription::parse("description", body.description),
    ) {
        (Ok(n), Ok(d)) => (n, d),
        (n, d) => return Err(ApiError::from(rejected([n.err(), d.err()]))),
    };
    let team = state
        .teams
        .create(caller.auth.user_id, name, description, &caller.actor)
        .await?;
    Ok(HttpResponse::Created()
        .insert_header(("Location", format!("/api/teams/{}", team.team.id)))
        .json(TeamResponse::from(&team)))
}
