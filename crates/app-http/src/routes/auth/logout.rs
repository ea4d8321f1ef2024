use super::clear_cookies;
use crate::error::ApiResult;
use crate::extract::Caller;
use crate::state::AppState;
use actix_web::{post, web, HttpResponse};

#[utoipa::path(
    operation_id = "auth_logout",
    tag = "auth",
    responses(
        (status = 204, description = "No Content"),
        (status = 401, description = "UNAUTHENTICATED: no live session"),
        (status = 503, description = "UNAVAILABLE: a store is down")
    ),
    security(("bearer" = []))
)]
#[post("/auth/logout")]
pub async fn handle(state: web::Data<AppState>, caller: Caller) -> ApiResult<HttpResponse> {
    state.auth.logout(&caller.auth).await?;
    Ok(clear_cookies(HttpResponse::NoContent()))
}
