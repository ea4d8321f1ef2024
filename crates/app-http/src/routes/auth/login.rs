use super::{cookies, UserResponse};
use crate::error::ApiResult;
use crate::extract::Client;
use crate::state::AppState;
use actix_web::{post, web, HttpResponse};
use serde::{Deserialize, Serialize};

#[derive(Deserialize)]
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
