use super::{whole_list, TeamResponse};
use crate::error::ApiResult;
use crate::extract::Caller;
use crate::state::AppState;
use actix_web::{get, web, HttpResponse};

#[utoipa::path(
    operation_id = "teams_list",
    tag = "teams",
    responses(
        (status = 200, description = "OK"),
        (status = 401, description = "UNAUTHENTICATED: no live session"),
        (status = 503, description = "UNAVAILABLE: a store is down")
    ),
    security(("bearer" = []))
)]
#[get("/teams")]
pub async fn handle(state: web::Data<AppState>, caller: Caller) -> ApiResult<HttpResponse> {
    let teams = state.teams.list(caller.auth.user_id).await?;
    let items: Vec<TeamResponse> = teams.iter().map(TeamResponse::from).collect();
    Ok(HttpResponse::Ok().json(whole_list(items)))
}
