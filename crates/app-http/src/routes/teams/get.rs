use super::TeamResponse;
use crate::error::ApiResult;
use crate::extract::TeamMember;
use crate::state::AppState;
use actix_web::{get, web, HttpResponse};

#[get("/teams/{teamId}")]
pub async fn handle(state: web::Data<AppState>, member: TeamMember) -> ApiResult<HttpResponse> {
    let team = state.teams.get(&member.access).await?;
    Ok(HttpResponse::Ok().json(TeamResponse::from(&team)))
}
