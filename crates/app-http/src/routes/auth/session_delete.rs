use crate::error::ApiResult;
use crate::extract::Caller;
use crate::state::AppState;
use actix_web::{delete, web, HttpResponse};
use taskforge_domain::ids::SessionId;

#[delete("/auth/sessions/{sessionId}")]
pub async fn handle(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<uuid::Uuid>,
) -> ApiResult<HttpResponse> {
    let id = SessionId::from_uuid(path.into_inner());
    state.auth.revoke_session(&caller.auth, id).await?;
    Ok(HttpResponse::NoContent().finish())
}
