use super::DashboardResponse;
use crate::error::ApiResult;
use crate::extract::Caller;
use crate::state::AppState;
use actix_web::{get, web, HttpResponse};

/// The caller's own dashboard: the tasks assigned to them in every team where they may read
/// tasks.
#[utoipa::path(
    operation_id = "dashboards_personal",
    tag = "dashboards",
    responses(
        (status = 200, description = "OK"),
        (status = 401, description = "UNAUTHENTICATED: no live session"),
        (status = 503, description = "UNAVAILABLE: a store is down")
    ),
    security(("bearer" = []))
)]
#[get("/dashboard")]
pub async fn handle(state: web::Data<AppState>, caller: Caller) -> ApiResult<HttpResponse> {
    let dashboard = state.dashboards.personal(caller.auth.user_id).await?;
    Ok(HttpResponse::Ok().json(DashboardResponse::from(&dashboard)))
}
