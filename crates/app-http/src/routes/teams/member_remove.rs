use crate::error::ApiResult;
use crate::extract::TeamMember;
use crate::state::AppState;
use actix_web::{delete, web, HttpResponse};
use taskforge_domain::ids::UserId;

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
