use super::CommentResponse;
use crate::error::{ApiError, ApiResult};
use crate::extract::Caller;
use crate::state::AppState;
use actix_web::{patch, web, HttpResponse};
use serde::Deserialize;
use taskforge_domain::comments::CommentContent;
use taskforge_domain::ids::CommentId;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Body {
    content: String,
}

/// Changes a comment's text: its author only (403 for other members, 404 for outsiders).
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
