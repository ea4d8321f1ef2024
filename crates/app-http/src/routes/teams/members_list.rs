use super::{whole_list, MemberResponse};
use crate::error::ApiResult;
use crate::extract::TeamMember;
use crate::state::AppState;
use actix_web::{get, web, HttpResponse};

#[utoipa::path(
    operation_id = "teams_members_list",
    tag = "teams",
    responses(
        (status = 200, description = "OK"),
        (status = 400, description = "VALIDATION_FAILED: the input is refused, with details"),
        (status = 401, description = "UNAUTHENTICATED: no live session"),
        (status = 404, description = "NOT_FOUND: absent, or outside the caller's teams"),
        (status = 503, description = "UNAVAILABLE: a store is down")
    ),
    security(("bearer" = []))
)]
#[get("/teams/{teamId}/members")]
pub async fn handle(state: web::Data<AppState>, member: TeamMember) -> ApiResult<HttpResponse> {
    let members = state.teams.members(&member.access).await?;
    let online = state.auth.online().await?;
    let items: Vec<MemberResponse> = members
        .iter()
        .map(|m| MemberResponse {
            online: Some(online.contains(&m.user_id)),
            ..MemberResponse::from(m)
        })
        .collect();
    Ok(HttpResponse::Ok().json(whole_list(items)))
}
