use crate::error::ApiResult;
use crate::extract::TeamMember;
use crate::state::AppState;
use actix_web::{delete, web, HttpResponse};
use taskforge_domain::ids::UserId;

#[utoipa::path(
    operation_id = "teams_member_remove",
    tag = "teams",
    responses(
        (status = 204, description = "No Content"),
        (status = 400, description = "VALIDATION_FAILED: the input is refused, with details"),
        (status = 401, description = "UNAUTHENTICATED: no live session"),
        (status = 403, description = "FORBIDDEN: a member without the permission (or a cross-site cookie request)"),
        (status = 404, description = "NOT_FOUND: absent, or outside the caller's teams"),
        (status = 409, description = "CONFLICT"),
        (status = 503, description = "UNAVAILABLE: a store is down")
    ),
    security(("bearer" = []))
)]
#[delete("/teams/{teamId}/members/{userId}")]
pub async fn handle(
    state: web::Data<AppState>,
    member: TeamMember,
    path: web::Path<(uuid::Uuid, uuid::Uuid)>,
) -> ApiResult<HttpResponse> {
    let user = UserId::from_uuid(path.into_inner().1);
    state
        .tasks
        .remove_member(&member.access, user, &member.caller.actor)
        .await?;
    Ok(HttpResponse::NoContent().finish())
}
