use super::CommentResponse;
use crate::error::{ApiError, ApiResult};
use crate::extract::Caller;
use crate::state::AppState;
use actix_web::{post, web, HttpResponse};
use serde::Deserialize;
use taskforge_domain::comments::CommentContent;
use taskforge_domain::ids::{TaskId, UserId};

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Body {
    content: String,
    #[serde(default)]
    mentioned_users: Vec<uuid::Uuid>,
}

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
