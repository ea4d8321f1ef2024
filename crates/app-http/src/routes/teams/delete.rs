use crate::error::ApiResult;
use crate::extract::TeamMember;
use crate::state::AppState;
use actix_web::{delete, web, HttpResponse};

#[delete("/teams/{teamId}")]
pub async fn handle(state: web::Data<AppState>, member: TeamMember) -> ApiResult<HttpResponse> {
    state
        .teams
        .delete(&member.access, &member.caller.actor)
        .await?;
    Ok(HttpResponse::NoContent().finish())
}
