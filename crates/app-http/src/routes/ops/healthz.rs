use actix_web::{get, HttpResponse};

/// 200 while the process runs; touches no store.
#[get("/healthz")]
pub async fn handle() -> HttpResponse {
    HttpResponse::Ok().json(serde_json::json!({ "status": "ok" }))
}
