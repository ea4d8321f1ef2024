use super::{cookies, UserResponse};
use crate::error::ApiResult;
use crate::extract::Client;
use crate::state::AppState;
use actix_web::{post, web, HttpResponse};
use serde::{Deserialize, Serialize};

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
struct Body {
    email: String,
    password: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct LoginResponse {
    token: String,
    expires_at: chrono::DateTime<chrono::Utc>,
    user: UserResponse,
}

#[utoipa::path(
    operation_id = "auth_login",
    tag = "auth",
    responses(
        (status = 200, description = "OK"),
        (status = 400, description = "VALIDATION_FAILED: the input is refused, with details"),
        (status = 401, description = "UNAUTHENTICATED: no live session"),
        (status = 429, description = "RATE_LIMITED, with Retry-After"),
        (status = 413, description = "PAYLOAD_TOO_LARGE"),
        (status = 415, description = "UNSUPPORTED_MEDIA_TYPE: the body is not JSON"),
        (status = 503, description = "UNAVAILABLE: a store is down")
    )
)]
#[post("/auth/login")]
pub async fn handle(
    state: web::Data<AppState>,
    client: Client,
    body: web::Json<Body>,
) -> ApiResult<HttpResponse> {
    let body = body.into_inner();
    let outcome = state
        .auth
        .login(&body.email, body.password, &client.0)
        .await?;
    let mut response = HttpResponse::Ok();
    for cookie in cookies::issue(&state, &outcome.token) {
        response.cookie(cookie);
    }
    Ok(response.json(LoginResponse {
        token: outcome.token.expose().to_owned(),
        expires_at: outcome.session.expires_at,
        user: UserResponse::from(&outcome.user),
    }))
}
