use crate::error::ApiResult;
use crate::extract::Caller;
use crate::state::AppState;
use actix_web::{delete, web, HttpResponse};
use taskforge_domain::ids::CommentId;

/// Removes a comment: its author, or a holder of `comment.moderate`.
#[utoipa::path(
    operation_id = "comments_delete",
    tag = "comments",
    responses(
        (status = 204, description = "No Content"),
        (status = 400, description = "VALIDATION_FAILED: the input is refused, with details"),
        (status = 401, description = "UNAUTHENTICATED: no live session"),
        (status = 403, description = "FORBIDDEN: a member without the permission (or a cross-site cookie request)"),
        (status = 404, description = "NOT_FOUND: absent, or outside the caller's teams"),
        (status = 503, description = "UNAVAILABLE: a store is down")
    ),
    security(("bearer" = []))
)]
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
