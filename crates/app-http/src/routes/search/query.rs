use crate::error::{ApiError, ApiResult};
use crate::extract::Caller;
use crate::routes::page_limit;
use crate::state::AppState;
use actix_web::{get, web, HttpResponse};
use serde::{Deserialize, Serialize};
use taskforge_domain::ids::TeamId;
use taskforge_domain::search::{SearchCursor, SearchHit, SearchKind, SearchQuery, SearchText};
use taskforge_domain::validation::FieldError;

#[derive(Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
struct Params {
    /// 1 to 200 characters; every word must match, the last one as a prefix.
    q: Option<String>,
    #[serde(rename = "teamId")]
    team_id: Option<String>,
    /// `task`, `comment` or both, comma-separated (both by default).
    types: Option<String>,
    limit: Option<String>,
    cursor: Option<String>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct HitResponse {
    #[serde(rename = "type")]
    kind: &'static str,
    id: String,
    task_id: String,
    team_id: String,
    title: String,
    /// HTML: the text escaped, each match in `<mark>`.
    snippet: String,
    score: f32,
}

impl From<&SearchHit> for HitResponse {
    fn from(h: &SearchHit) -> Self {
        Self {
            kind: h.kind.as_str(),
            id: h.id.to_string(),
            task_id: h.task_id.to_string(),
            team_id: h.team_id.to_string(),
            title: h.title.clone(),
            snippet: h.snippet.clone(),
            score: h.score,
        }
    }
}

/// Ranked results over task titles, descriptions, tags and file names and comment text, in the
/// teams where the caller may read tasks; ordered by score, then newest.
#[utoipa::path(
    operation_id = "search",
    tag = "search",
    params(Params),
    responses(
        (status = 200, description = "OK: `{items:[{type, id, taskId, teamId, title, snippet, score}], nextCursor}`"),
        (status = 400, description = "VALIDATION_FAILED: the input is refused, with details"),
        (status = 401, description = "UNAUTHENTICATED: no live session"),
        (status = 403, description = "FORBIDDEN: a member of teamId without task.read"),
        (status = 404, description = "NOT_FOUND: teamId is outside the caller's teams"),
        (status = 503, description = "UNAVAILABLE: a store is down")
    ),
    security(("bearer" = []))
)]
#[get("/search")]
pub async fn handle(
    state: web::Data<AppState>,
    caller: Caller,
    params: web::Query<Params>,
) -> ApiResult<HttpResponse> {
    let text = SearchText::parse("q", params.q.as_deref().unwrap_or_default());
    let team = params
        .team_id
        .as_deref()
        .map(|raw| {
            raw.parse::<TeamId>()
                .map_err(|_| FieldError::new("teamId", "must be a UUID"))
        })
        .transpose();
    let kinds = params
        .types
        .as_deref()
        .map_or(Ok(vec![SearchKind::Task, SearchKind::Comment]), |raw| {
            SearchKind::parse_list("types", raw)
        });
    let limit = page_limit(params.limit.as_deref());
    let after = params
        .cursor
        .as_deref()
        .map(SearchCursor::decode)
        .transpose();
    let (text, team, kinds, limit, after) = match (text, team, kinds, limit, after) {
        (Ok(text), Ok(team), Ok(kinds), Ok(limit), Ok(after)) => (text, team, kinds, limit, after),
        (text, team, kinds, limit, after) => {
            let errors = [
                text.err(),
                team.err(),
                kinds.err(),
                limit.err(),
                after.err(),
            ]
            .into_iter()
            .flatten()
            .collect();
            return Err(ApiError::validation(errors));
        }
    };
    let query = SearchQuery {
        text,
        team,
        kinds,
        after,
        limit: usize::try_from(limit).unwrap_or(20),
    };
    let (hits, next) = state.search.search(caller.auth.user_id, query).await?;
    let items: Vec<HitResponse> = hits.iter().map(HitResponse::from).collect();
    let next = next.map(|c| c.encode());
    Ok(HttpResponse::Ok().json(serde_json::json!({ "items": items, "nextCursor": next })))
}
