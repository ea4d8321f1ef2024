use super::CommentResponse;
use crate::error::{ApiError, ApiResult};
use crate::extract::Caller;
use crate::state::AppState;
use actix_web::{patch, web, HttpResponse};
use serde::Deserialize;
use taskforge_domain::comments::CommentContent;
use taskforge_domain::ids::CommentId;

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Body {
    content: String,
}

/// Changes a comment's text: its author only (403 for other members, 404 for outsiders).
#[utoipa::path(
    operation_id = "comments_update",
    tag = "comments",
    responses(
        (status = 200, description = "OK"),
        (status = 400, description = "VALIDATION_FAILED: the input is refused, with details"),
        (status = 401, description = "UNAUTHENTICATED: no live session"),
        (status = 403, description = "FORBIDDEN: a member without the permission (or a cross-site cookie request)"),
        (status = 404, description = "NOT_FOUND: absent, or outside the caller's teams"),
        (status = 409, description = "CONFLICT"),
        (status = 413, description = "PAYLOAD_TOO_LARGE"),
        (status = 415, description = "UNSUPPORTED_MEDIA_TYPE: the body is not JSON"),
        (status = 503, description = "UNAVAILABLE: a store is down")
    ),
    security(("bearer" = []))
)]
#[patch("/comments/{commentId}")]
pub async fn handle(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<uuid::Uuid>,
    body: web::Json<Body>,
) -> ApiResult<HttpResponse> {
    let content = CommentContent::parse("content", body.into_inner().content)
        .map_err(|e| ApiError::validation(vec![e]))?;
    let comment = state
        .comments
        .edit(
            caller.auth.user_id,
            CommentId::from_uuid(path.into_inner()),
            content,
            &caller.actor,
        )
        .await?;
    Ok(HttpResponse::Ok().json(CommentResponse::from(&comment)))
}
