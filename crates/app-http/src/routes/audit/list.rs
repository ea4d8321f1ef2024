use super::AuditEntry;
use crate::error::{ApiError, ApiResult};
use crate::extract::TeamMember;
use crate::routes::page_limit;
use crate::state::AppState;
use actix_web::{get, web, HttpResponse};
use serde::Deserialize;
use taskforge_domain::audit::{AuditCursor, AuditFilter};
use taskforge_domain::ids::UserId;
use taskforge_domain::validation::{date_time, FieldError};
use taskforge_domain::write_path::{AuditAction, AuditEntityType};

#[derive(Deserialize, utoipa::IntoParams)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct Query {
    entity_type: Option<String>,
    action: Option<String>,
    actor_id: Option<String>,
    from: Option<String>,
    to: Option<String>,
    limit: Option<String>,
    cursor: Option<String>,
}

fn one_of<T>(
    field: &str,
    raw: Option<&str>,
    parse: impl Fn(&str) -> Option<T>,
    names: &str,
) -> Result<Option<T>, FieldError> {
    raw.map(|r| parse(r).ok_or_else(|| FieldError::new(field, format!("must be one of {names}"))))
        .transpose()
}

/// Reads the filters, collecting every error.
fn parse(q: &Query) -> Result<(AuditFilter, Option<AuditCursor>, i64), ApiError> {
    let entity_type = one_of(
        "entityType",
        q.entity_type.as_deref(),
        AuditEntityType::parse,
        "user, team, task, comment, membership, attachment",
    );
    let action = one_of(
        "action",
        q.action.as_deref(),
        AuditAction::parse,
        "create, update, delete, assign, status_change, login, role_change",
    );
    let actor = q
        .actor_id
        .as_deref()
        .map(|raw| {
            raw.parse::<UserId>()
                .map_err(|_| FieldError::new("actorId", "must be a UUID"))
        })
        .transpose();
    let from = q.from.as_deref().map(|r| date_time("from", r)).transpose();
    let to = q.to.as_deref().map(|r| date_time("to", r)).transpose();
    let cursor = q
        .cursor
        .as_deref()
        .map(|r| AuditCursor::decode("cursor", r))
        .transpose();
    let limit = page_limit(q.limit.as_deref());
    match (entity_type, action, actor, from, to, cursor, limit) {
        (Ok(entity_type), Ok(action), Ok(actor), Ok(from), Ok(to), Ok(cursor), Ok(limit)) => {
            let filter = AuditFilter {
                entity_type,
                action,
                actor,
                from,
                to,
            };
            Ok((filter, cursor, limit))
        }
        (entity_type, action, actor, from, to, cursor, limit) => Err(ApiError::validation(
            [
                entity_type.err(),
                action.err(),
                actor.err(),
                from.err(),
                to.err(),
                cursor.err(),
                limit.err(),
            ]
            .into_iter()
            .flatten()
            .collect(),
        )),
    }
}

/// The team's audit rows, newest first; every filter given must match (`from` inclusive, `to`
/// exclusive).
#[utoipa::path(
    operation_id = "audit_list",
    tag = "audit",
    responses(
        (status = 200, description = "OK"),
        (status = 400, description = "VALIDATION_FAILED: the input is refused, with details"),
        (status = 401, description = "UNAUTHENTICATED: no live session"),
        (status = 403, description = "FORBIDDEN: a member without the permission (or a cross-site cookie request)"),
        (status = 404, description = "NOT_FOUND: absent, or outside the caller's teams"),
        (status = 503, description = "UNAVAILABLE: a store is down")
    ),
    security(("bearer" = []))
)]
#[get("/teams/{teamId}/audit")]
pub async fn handle(
    state: web::Data<AppState>,
    member: TeamMember,
    query: web::Query<Query>,
) -> ApiResult<HttpResponse> {
    let (filter, after, limit) = parse(&query)?;
    let (rows, next) = state
        .audit
        .page(&member.access, &filter, after.as_ref(), limit)
        .await?;
    let items: Vec<AuditEntry> = rows.into_iter().map(AuditEntry::from).collect();
    let next = next.map(|c| c.encode());
    Ok(HttpResponse::Ok().json(serde_json::json!({ "items": items, "nextCursor": next })))
}
