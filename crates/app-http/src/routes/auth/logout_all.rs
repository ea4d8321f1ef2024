use super::clear_cookies;
use crate::error::ApiResult;
use crate::extract::Caller;
use crate::state::AppState;
use actix_web::{post, web, HttpResponse};

#[post("/auth/logout-all")]
pub async fn handle(state: web::Data<AppState>, caller: Caller) -> ApiResult<HttpResponse> {
    state.auth.logout_all(&caller.auth).await?;
    Ok(clear_cookies(HttpResponse::NoContent()))
}
