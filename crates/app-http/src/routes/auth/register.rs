use super::UserResponse;
use crate::error::ApiResult;
use crate::extract::Client;
use crate::state::AppState;
use actix_web::{post, web, HttpResponse};
use serde::Deserialize;
use taskforge_domain::identity::RegisterInput;

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct Body {
    email: String,
    password: String,
    first_name: String,
    last_name: String,
}

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
