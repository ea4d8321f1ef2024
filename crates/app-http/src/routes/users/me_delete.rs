use crate::error::ApiResult;
use crate::extract::Caller;
use crate::routes::auth::clear_cookies;
use crate::state::AppState;
use actix_web::{delete, web, HttpResponse};
use serde::Deserialize;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Body {
    password: String,
}

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
