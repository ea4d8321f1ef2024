use super::DashboardResponse;
use crate::error::ApiResult;
use crate::extract::Caller;
use crate::state::AppState;
use actix_web::{get, web, HttpResponse};
use taskforge_domain::ids::TeamId;

/// The team's dashboard (needs `task.read`); days are the caller's (their profile's time zone).
#[utoipa::path(
    operation_id = "dashboards_team",
    tag = "dashboards",
    responses(
        (status = 200, description = "OK"),
        (status = 400, description = "VALIDATION_FAILED: the input is refused, with details"),
        (status = 401, description = "UNAUTHENTICATED: no live session"),
        (status = 403, description = "FORBIDDEN: a member without task.read"),
        (status = 404, description = "NOT_FOUND: absent, or outside the caller's teams"),
        (status = 503, description = "UNAVAILABLE: a store is down")
    ),
    security(("bearer" = []))
)]
#[get("/teams/{teamId}/dashboard")]
pub async fn handle(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<uuid::Uuid>,
) -> ApiResult<HttpResponse> {
    let team = TeamId::from_uuid(path.into_inner());
    let dashboard = state.dashboards.team(caller.auth.user_id, team).await?;
    Ok(HttpResponse::Ok().json(DashboardResponse::from(&dashboard)))
}
