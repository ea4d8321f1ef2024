use super::parse_time;
use super::response::TaskResponse;
use crate::error::{ApiError, ApiResult};
use crate::extract::Caller;
use crate::routes::page_limit;
use crate::state::AppState;
use actix_web::{get, web, HttpResponse};
use taskforge_domain::ids::{TeamId, UserId};
use taskforge_domain::tasks::query::Cursor;
use taskforge_domain::tasks::{Priority, Status, TaskQuery, TaskSort};
use taskforge_domain::validation::FieldError;

fn uuid(field: &str, raw: &str) -> Result<uuid::Uuid, FieldError> {
    raw.parse()
        .map_err(|_| FieldError::new(field, "must be a UUID"))
}

/// Reads the query string (`status`, `priority` and `tag` may repeat), collecting every error.
pub(crate) fn parse(caller: UserId, pairs: &[(String, String)]) -> Result<TaskQuery, ApiError> {
    let mut q = TaskQuery::default();
    let mut errors = Vec::new();
    let mut limit = None;
    let mut cursor = None;
    for (key, value) in pairs {
        let outcome: Result<(), FieldError> = match key.as_str() {
            "teamId" => uuid(key, value).map(|id| q.team = Some(TeamId::from_uuid(id))),
            "status" => Status::parse(key, value).map(|s| q.statuses.push(s)),
            "priority" => Priority::parse(key, value).map(|p| q.priorities.push(p)),
            "assigneeId" if value == "me" => {
                q.assignee = Some(caller);
                Ok(())
            }
            "assigneeId" => uuid(key, value).map(|id| q.assignee = Some(UserId::from_uuid(id))),
            "tag" => {
                q.tags.push(value.clone());
                Ok(())
            }
            "dueBefore" => parse_time(key, value).map(|t| q.due_before = Some(t)),
            "dueAfter" => parse_time(key, value).map(|t| q.due_after = Some(t)),
            "q" if (1..=200).contains(&value.chars().count()) => {
                q.text = Some(value.clone());
                Ok(())
            }
            "q" => Err(FieldError::new(key, "must be 1 to 200 characters")),
            "sort" => TaskSort::parse(key, value).map(|s| q.sort = s),
            "cursor" => {
                cursor = Some(value.clone());
                Ok(())
            }
            "limit" => {
                limit = Some(value.clone());
                Ok(())
            }
            other => Err(FieldError::new(other, "is not a filter of this list")),
        };
        if let Err(e) = outcome {
            errors.push(e);
        }
    }
    // Read last: a cursor belongs to the sort order, wherever `sort` stands in the query.
    if let Some(raw) = cursor {
        match Cursor::decode("cursor", &raw, q.sort) {
            Ok(c) => q.after = Some(c),
            Err(e) => errors.push(e),
        }
    }
    match page_limit(limit.as_deref()) {
        Ok(n) => q.limit = n,
        Err(e) => errors.push(e),
    }
    if errors.is_empty() {
        Ok(q)
    } else {
        Err(ApiError::validation(errors))
    }
}

#[utoipa::path(
    operation_id = "tasks_list",
    tag = "tasks",
    responses(
        (status = 200, description = "OK"),
        (status = 400, description = "VALIDATION_FAILED: the input is refused, with details"),
        (status = 401, description = "UNAUTHENTICATED: no live session"),
        (status = 503, description = "UNAVAILABLE: a store is down")
    ),
    security(("bearer" = []))
)]
#[get("/tasks")]
pub async fn handle(
    state: web::Data<AppState>,
    caller: Caller,
    query: web::Query<Vec<(String, String)>>,
) -> ApiResult<HttpResponse> {
    let q = parse(caller.auth.user_id, &query)?;
    let sort = q.sort;
    let (tasks, next) = state.tasks.list(caller.auth.user_id, q).await?;
    Ok(HttpResponse::Ok().json(serde_json::json!({
        "items": tasks.iter().map(TaskResponse::from).collect::<Vec<_>>(),
        "nextCursor": next.map(|c| c.encode(sort)),
    })))
}
