use crate::error::ApiResult;
use crate::extract::Caller;
use crate::state::AppState;
use actix_web::{post, web, HttpResponse};
use serde::Deserialize;

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct Body {
    current_password: String,
    new_password: String,
}

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
