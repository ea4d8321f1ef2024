use crate::state::AppState;
use actix_web::{get, web, HttpResponse};

/// Prometheus text format.
#[get("/metrics")]
pub async fn handle(state: web::Data<AppState>) -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/plain; version=0.0.4")
        .body(state.metrics.render())
}
