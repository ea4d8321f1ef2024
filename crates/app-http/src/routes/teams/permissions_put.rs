use crate::error::{ApiError, ApiResult};
use crate::extract::TeamMember;
use crate::state::AppState;
use actix_web::{put, web, HttpResponse};
use serde::Deserialize;
use std::collections::BTreeSet;
use taskforge_domain::teams::{Permission, Role};

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Body {
    #[schema(value_type = Vec<String>, example = json!(["task.read", "task.create"]))]
    permissions: BTreeSet<Permission>,
}

#[utoipa::path(
    operation_id = "teams_permissions_put",
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
