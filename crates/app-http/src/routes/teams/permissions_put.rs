use crate::error::{ApiError, ApiResult};
use crate::extract::TeamMember;
use crate::state::AppState;
use actix_web::{put, web, HttpResponse};
use serde::Deserialize;
use std::collections::BTreeSet;
use taskforge_domain::teams::{Permission, Role};

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Body {
    permissions: BTreeSet<Permission>,
}

#[put("/teams/{teamId}/permissions/{role}")]
pub async fn handle(
    state: web::Data<AppState>,
    member: TeamMember,
    path: web::Path<(uuid::Uuid, String)>,
    body: web::Json<Body>,
) -> ApiResult<HttpResponse> {
    let role = Role::parse("role", &path.1).map_err(|e| ApiError::validation(vec![e]))?;
    let map = state
        .teams
        .set_permissions(
            &member.access,
            role,
            body.into_inner().permissions,
            &member.caller.actor,
        )
        .await?;
    Ok(HttpResponse::Ok().json(map))
}
