use super::{whole_list, MemberResponse};
use crate::error::ApiResult;
use crate::extract::TeamMember;
use crate::state::AppState;
use actix_web::{get, web, HttpResponse};

#[get("/teams/{teamId}/members")]
pub async fn handle(state: web::Data<AppState>, member: TeamMember) -> ApiResult<HttpResponse> {
    let members = state.teams.members(&member.access).await?;
    let items: Vec<MemberResponse> = members.iter().map(MemberResponse::from).collect();
    Ok(HttpResponse::Ok().json(whole_list(items)))
}
