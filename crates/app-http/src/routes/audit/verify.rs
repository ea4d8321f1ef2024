use crate::error::ApiResult;
use crate::extract::TeamMember;
use crate::state::AppState;
use actix_web::{get, web, HttpResponse};

/// Chains the team's committed rows, then walks the chain from its first link:
/// `{ok, checked, firstBadLogId}`.
#[get("/teams/{teamId}/audit/verify")]
pub async fn handle(state: web::Data<AppState>, member: TeamMember) -> ApiResult<HttpResponse> {
    let check = state.audit.verify(&member.access).await?;
    Ok(HttpResponse::Ok().json(serde_json::json!({
        "ok": check.ok,
        "checked": check.checked,
        "firstBadLogId": check.first_bad.map(|id| id.to_string()),
    })))
}
