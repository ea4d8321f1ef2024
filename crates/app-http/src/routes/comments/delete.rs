use crate::error::ApiResult;
use crate::extract::Caller;
use crate::state::AppState;
use actix_web::{delete, web, HttpResponse};
use taskforge_domain::ids::CommentId;

/// Removes a comment: its author, or a holder of `comment.moderate`.
#[delete("/comments/{commentId}")]
pub async fn handle(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<uuid::Uuid>,
) -> ApiResult<HttpResponse> {
    state
        .comments
        .delete(
            caller.auth.user_id,
            CommentId::from_uuid(path.into_inner()),
            &caller.actor,
        )
        .await?;
    Ok(HttpResponse::NoContent().finish())
}
