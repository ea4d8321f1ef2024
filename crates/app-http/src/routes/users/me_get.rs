use super::ProfileResponse;
use crate::error::ApiResult;
use crate::extract::Caller;
use crate::state::AppState;
use actix_web::{get, web, HttpResponse};

#[get("/users/me")]
pub async fn handle(state: web::Data<AppState>, caller: Caller) -> ApiResult<HttpResponse> {
    let profile = state.profiles.get(caller.auth.user_id).await?;
    Ok(HttpResponse::Ok().json(ProfileResponse::from(&profile)))
}
