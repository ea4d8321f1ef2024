use crate::error::ApiResult;
use crate::extract::Caller;
use crate::state::AppState;
use actix_web::{post, web, HttpResponse};
use serde::Deserialize;

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct Body {
    current_password: String,
    new_password: String,
}

#[utoipa::path(
    operation_id = "users_password",
    tag = "users",
    responses(
        (status = 204, description = "No Content"),
        (status = 400, description = "VALIDATION_FAILED: the input is refused, with details"),
        (status = 401, description = "UNAUTHENTICATED: no live session"),
        (status = 429, description = "RATE_LIMITED, with Retry-After"),
        (status = 413, description = "PAYLOAD_TOO_LARGE"),
        (status = 415, description = "UNSUPPORTED_MEDIA_TYPE: the body is not JSON"),
        (status = 503, description = "UNAVAILABLE: a store is down")
    ),
    security(("bearer" = []))
)]
#[post("/users/me/password")]
pub async fn handle(
    state: web::Data<AppState>,
    caller: Caller,
    body: web::Json<Body>,
) -> ApiResult<HttpResponse> {
    let body = body.into_inner();
    state
        .auth
        .change_password(
            &caller.auth,
            body.current_password,
            body.new_password,
            &caller.actor,
        )
        .await?;
    Ok(HttpResponse::NoContent().finish())
}
