use crate::state::AppState;
use actix_web::{get, web, HttpResponse};
use std::future::Future;
use std::time::Duration;
use taskforge_domain::StoreError;

const PROBE_TIMEOUT: Duration = Duration::from_secs(1);

async fn probe(check: impl Future<Output = Result<(), StoreError>>) -> &'static str {
    match tokio::time::timeout(PROBE_TIMEOUT, check).await {
        Ok(Ok(())) => "ok",
        _ => "down",
    }
}

/// `{sql, mongo, redis}`, each "ok" or "down"; 503 unless all are ok.
#[utoipa::path(
    operation_id = "ops_readyz",
    tag = "operations",
    responses(
        (status = 200, description = "OK"),
        (status = 503, description = "UNAVAILABLE: a store is down")
    )
)]
#[get("/readyz")]
pub async fn handle(state: web::Data<AppState>) -> HttpResponse {
    let s = &state.stores;
    let (sql, mongo, redis) = futures::join!(
        probe(s.sql.ping()),
        probe(s.mongo.ping()),
        probe(s.redis.ping())
    );
    let body = serde_json::json!({ "sql": sql, "mongo": mongo, "redis": redis });
    if [sql, mongo, redis].iter().all(|v| *v == "ok") {
        HttpResponse::Ok().json(body)
    } else {
        HttpResponse::ServiceUnavailable().json(body)
    }
}
