use actix_web::{get, HttpResponse};

/// 200 while the process runs; touches no store.
#[utoipa::path(
    operation_id = "ops_healthz",
    tag = "operations",
    responses(
        (status = 200, description = "OK")
    )
)]
#[get("/healthz")]
pub async fn handle() -> HttpResponse {
    HttpResponse::Ok().json(serde_json::json!({ "status": "ok" }))
}
