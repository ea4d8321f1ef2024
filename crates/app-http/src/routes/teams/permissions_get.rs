use crate::error::ApiResult;
use crate::extract::TeamMember;
use crate::state::AppState;
use actix_web::{get, web, HttpResponse};

#[get("/teams/{teamId}/permissions")]
pub async fn handle(state: web::Data<AppState>, member: TeamMember) -> ApiResult<HttpResponse> {
    let map = state.teams.permissions(&member.access).await?;
    Ok(HttpResponse::Ok().json(map))
}
