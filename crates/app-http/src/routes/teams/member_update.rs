use super::MemberResponse;
use crate::error::{ApiError, ApiResult};
use crate::extract::TeamMember;
use crate::state::AppState;
use actix_web::{patch, web, HttpResponse};
use serde::Deserialize;
use taskforge_domain::ids::UserId;
use taskforge_domain::teams::Role;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Body {
    role: String,
}

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
