use super::CommentResponse;
use crate::error::{ApiError, ApiResult};
use crate::extract::Caller;
use crate::routes::page_limit;
use crate::state::AppState;
use actix_web::{get, web, HttpResponse};
use serde::Deserialize;
use taskforge_domain::comments::CommentCursor;
use taskforge_domain::ids::TaskId;

#[derive(Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
struct Page {
    limit: Option<String>,
    cursor: Option<String>,
}

/// The task's comments, oldest first.
#[utoipa::path(
    operation_id = "comments_list",
    tag = "comments",
    responses(
        (status = 200, description = "OK"),
        (status = 400, description = "VALIDATION_FAILED: the input is refused, with details"),
        (status = 401, description = "UNAUTHENTICATED: no live session"),
        (status = 404, description = "NOT_FOUND: absent, or outside the caller's teams"),
        (status = 503, description = "UNAVAILABLE: a store is down")
    ),
    security(("bearer" = []))
)]
#[get("/tasks/{taskId}/comments")]
pub async fn handle(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<uuid::Uuid>,
    page: web::Query<Page>,
) -> ApiResult<HttpResponse> {
    let limit = page_limit(page.limit.as_deref());
    let after = page
        .cursor
        .as_deref()
        .map(|raw| CommentCursor::decode("cursor", raw))
        .transpose();
    let (limit, after) = match (limit, after) {
        (Ok(limit), Ok(after)) => (limit, after),
        (limit, after) => {
            let errors = [limit.err(), after.err()].into_iter().flatten().collect();
            return Err(ApiError::validation(errors));
        }
    };
    let (comments, next) = state
        .comments
        .list(
            caller.auth.user_id,
            TaskId::from_uuid(path.into_inner()),
            after,
            limit,
        )
        .await?;
    let items: Vec<CommentResponse> = comments.iter().map(CommentResponse::from).collect();
    let next = next.map(|c| c.encode());
    Ok(HttpResponse::Ok().json(serde_json::json!({ "items": items, "nextCursor": next })))
}
