use crate::state::AppState;
use actix_web::{get, web, HttpResponse};

/// Prometheus text format.
#[utoipa::path(
    operation_id = "ops_metrics",
    tag = "operations",
    responses(
        (status = 200, description = "OK"),
        (status = 404, description = "NOT_FOUND: absent, or outside the caller's teams")
    )
)]
#[get("/metrics")]
pub async fn handle(state: web::Data<AppState>) -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/plain; version=0.0.4")
        .body(state.metrics.render())
}
