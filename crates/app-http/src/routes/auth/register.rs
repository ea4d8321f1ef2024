use super::UserResponse;
use crate::error::ApiResult;
use crate::extract::Client;
use crate::state::AppState;
use actix_web::{post, web, HttpResponse};
use serde::Deserialize;
use taskforge_domain::identity::RegisterInput;

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct Body {
    email: String,
    password: String,
    first_name: String,
    last_name: String,
}

#[utoipa::path(
    operation_id = "auth_register",
    tag = "auth",
    responses(
        (status = 201, description = "Created"),
        (status = 400, description = "VALIDATION_FAILED: the input is refused, with details"),
        (status = 409, description = "CONFLICT"),
        (status = 413, description = "PAYLOAD_TOO_LARGE"),
        (status = 429, description = "RATE_LIMITED, with Retry-After"),
        (status = 415, description = "UNSUPPORTED_MEDIA_TYPE: the body is not JSON"),
        (status = 503, description = "UNAVAILABLE: a store is down")
    )
)]
#[post("/auth/register")]
pub async fn handle(
    state: web::Data<AppState>,
    client: Client,
    body: web::Json<Body>,
) -> ApiResult<HttpResponse> {
    let body = body.into_inner();
    let input = RegisterInput {
        email: body.email,
        password: body.password,
        first_name: body.first_name,
        last_name: body.last_name,
    };
    let user = state.auth.register(input, &client.0).await?;
    Ok(HttpResponse::Created().json(serde_json::json!({ "user": UserResponse::from(&user) })))
}
