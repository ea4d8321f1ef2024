use super::MemberResponse;
use crate::error::{ApiError, ApiResult};
use crate::extract::TeamMember;
use crate::state::AppState;
use actix_web::{post, web, HttpResponse};
use serde::Deserialize;
use taskforge_domain::identity::Email;
use taskforge_domain::teams::Role;
use taskforge_domain::validation::rejected;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Body {
    email: String,
    role: String,
}

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
