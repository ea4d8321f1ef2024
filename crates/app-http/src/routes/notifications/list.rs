use super::NotificationResponse;
use crate::error::{ApiError, ApiResult};
use crate::extract::Caller;
use crate::routes::page_limit;
use crate::state::AppState;
use actix_web::{get, web, HttpResponse};
use serde::Deserialize;
use taskforge_domain::notifications::NotificationCursor;
use taskforge_domain::validation::FieldError;

#[derive(Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
struct Page {
    /// `true`: only unread ones.
    unread: Option<String>,
    limit: Option<String>,
    cursor: Option<String>,
}

/// The caller's notifications, newest first.
#[utoipa::path(
    operation_id = "notifications_list",
    tag = "notifications",
    params(Page),
    responses(
        (status = 200, description = "OK"),
        (status = 400, description = "VALIDATION_FAILED: the input is refused, with details"),
        (status = 401, description = "UNAUTHENTICATED: no live session"),
        (status = 503, description = "UNAVAILABLE: a store is down")
    ),
    security(("bearer" = []))
)]
#[get("/notifications")]
pub async fn handle(
    state: web::Data<AppState>,
    caller: Caller,
    page: web::Query<Page>,
) -> ApiResult<HttpResponse> {
    let unread = match page.unread.as_deref() {
        None | Some("false") => Ok(false),
        Some("true") => Ok(true),
        Some(_) => Err(FieldError::new("unread", "must be true or false")),
    };
    let limit = page_limit(page.limit.as_deref());
    let cursor = page
        .cursor
        .as_deref()
        .map(NotificationCursor::decode)
        .transpose();
    let (unread, limit, cursor) = match (unread, limit, cursor) {
        (Ok(u), Ok(l), Ok(c)) => (u, l, c),
        (u, l, c) => {
            let errors = [u.err(), l.err(), c.err()].into_iter().flatten().collect();
            return Err(ApiError::validation(errors));
        }
    };
    let limit = usize::try_from(limit).unwrap_or(20);
    let (items, next) = state
        .notifications
        .list(caller.auth.user_id, unread, cursor, limit)
        .await?;
    let items: Vec<NotificationResponse> = items.iter().map(NotificationResponse::from).collect();
    let next = next.map(|c| c.encode());
    Ok(HttpResponse::Ok().json(serde_json::json!({ "items": items, "nextCursor": next })))
}
