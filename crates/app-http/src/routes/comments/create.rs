use super::CommentResponse;
use crate::error::{ApiError, ApiResult};
use crate::extract::Caller;
use crate::state::AppState;
use actix_web::{post, web, HttpResponse};
use serde::Deserialize;
use taskforge_domain::comments::CommentContent;
use taskforge_domain::ids::{TaskId, UserId};

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Body {
    content: String,
    #[serde(default)]
    mentioned_users: Vec<uuid::Uuid>,
}

#[utoipa::path(
    operation_id = "comments_create",
    tag = "comments",
    responses(
        (status = 201, description = "Created"),
        (status = 400, description = "VALIDATION_FAILED: the input is refused, with details"),
        (status = 401, description = "UNAUTHENTICATED: no live session"),
        (status = 403, description = "FORBIDDEN: a member without the permission (or a cross-site cookie request)"),
        (status = 404, description = "NOT_FOUND: absent, or outside the caller's teams"),
        (status = 413, description = "PAYLOAD_TOO_LARGE"),
        (status = 415, description = "UNSUPPORTED_MEDIA_TYPE: the body is not JSON"),
        (status = 503, description = "UNAVAILABLE: a store is down")
    ),
    security(("bearer" = []))
)]
#[post("/tasks/{taskId}/comments")]
pub async fn handle(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<uuid::Uuid>,
    body: web::Json<Body>,
) -> ApiResult<HttpResponse> {
    let body = body.into_inner();
    let content = CommentContent::parse("content", body.content)
        .map_err(|e| ApiError::validation(vec![e]))?;
    let mentioned = body
        .mentioned_users
        .into_iter()
        .map(UserId::from_uuid)
        .collect();
    let comment = state
        .comments
        .create(
            caller.auth.user_id,
            TaskId::from_uuid(path.into_inner()),
            content,
            mentioned,
            &caller.actor,
        )
        .await?;
    Ok(HttpResponse::Created()
        .insert_header(("Location", format!("/api/comments/{}", comment.comment_id)))
        .json(CommentResponse::from(&comment)))
}
