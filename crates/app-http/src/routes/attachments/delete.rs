use crate::error::ApiResult;
use crate::extract::Caller;
use crate::state::AppState;
use actix_web::{delete, web, HttpResponse};
use taskforge_domain::ids::AttachmentId;

/// Removes an attachment: its uploader, or a holder of `task.delete`. Its bytes leave GridFS
/// through the write path.
#[utoipa::path(
    operation_id = "attachments_delete",
    tag = "attachments",
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
#[delete("/attachments/{attachmentId}")]
pub async fn handle(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<uuid::Uuid>,
) -> ApiResult<HttpResponse> {
    state
        .attachments
        .delete(
            caller.auth.user_id,
            AttachmentId::from_uuid(path.into_inner()),
            &caller.actor,
        )
        .await?;
    Ok(HttpResponse::NoContent().finish())
}
