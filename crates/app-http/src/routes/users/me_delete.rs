use crate::error::ApiResult;
use crate::extract::Caller;
use crate::routes::auth::clear_cookies;
use crate::state::AppState;
use actix_web::{delete, web, HttpResponse};
use serde::Deserialize;

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
struct Body {
    password: String,
}

#[utoipa::path(
    operation_id = "users_me_delete",
    tag = "users",
    responses(
        (status = 204, description = "No Content"),
        (status = 400, description = "VALIDATION_FAILED: the input is refused, with details"),
        (status = 401, description = "UNAUTHENTICATED: no live session"),
        (status = 409, description = "CONFLICT"),
        (status = 413, description = "PAYLOAD_TOO_LARGE"),
        (status = 415, description = "UNSUPPORTED_MEDIA_TYPE: the body is not JSON"),
        (status = 503, description = "UNAVAILABLE: a store is down")
    ),
    security(("bearer" = []))
)]
#[delete("/users/me")]
pub async fn handle(
    state: web::Data<AppState>,
    caller: Caller,
    body: web::Json<Body>,
) -> ApiResult<HttpResponse> {
    state
        .auth
        .delete_account(&caller.auth, body.into_inner().password, &caller.actor)
        .await?;
    Ok(clear_cookies(HttpResponse::NoContent()))
}
