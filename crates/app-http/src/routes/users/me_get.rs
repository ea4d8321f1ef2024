use super::ProfileResponse;
use crate::error::ApiResult;
use crate::extract::Caller;
use crate::state::AppState;
use actix_web::{get, web, HttpResponse};

#[utoipa::path(
    operation_id = "users_me_get",
    tag = "users",
    responses(
        (status = 200, description = "OK"),
        (status = 401, description = "UNAUTHENTICATED: no live session"),
        (status = 503, description = "UNAVAILABLE: a store is down")
    ),
    security(("bearer" = []))
)]
#[get("/users/me")]
pub async fn handle(state: web::Data<AppState>, caller: Caller) -> ApiResult<HttpResponse> {
    let profile = state.profiles.get(caller.auth.user_id).await?;
    Ok(HttpResponse::Ok().json(ProfileResponse::from(&profile)))
}
