use crate::error::{ApiError, ApiResult};
use crate::extract::Caller;
use crate::state::AppState;
use actix_web::{get, web, HttpResponse};
use serde::Serialize;
use taskforge_domain::ids::UserId;

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct PublicProfile {
    user_id: String,
    first_name: String,
    last_name: String,
    profile_picture: Option<String>,
    bio: String,
}

/// A teammate's public profile; anyone else is not found.
#[utoipa::path(
    operation_id = "users_public_get",
    tag = "users",
    responses(
        (status = 200, description = "OK"),
        (status = 400, description = "VALIDATION_FAILED: the input is refused, with details"),
        (status = 401, description = "UNAUTHENTICATED: no live session"),
        (status = 404, description = "NOT_FOUND: absent, or outside the caller's teams"),
        (status = 503, description = "UNAVAILABLE: a store is down")
    ),
    security(("bearer" = []))
)]
#[get("/users/{userId}")]
pub async fn handle(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<uuid::Uuid>,
) -> ApiResult<HttpResponse> {
    let user = UserId::from_uuid(path.into_inner());
    if !state.teams.can_see(caller.auth.user_id, user).await? {
        return Err(ApiError::not_found());
    }
    let full = super::ProfileResponse::from(&state.profiles.get(user).await?);
    Ok(HttpResponse::Ok().json(PublicProfile {
        user_id: full.user_id,
        first_name: full.first_name,
        last_name: full.last_name,
        profile_picture: full.profile_picture,
        bio: full.bio,
    }))
}
