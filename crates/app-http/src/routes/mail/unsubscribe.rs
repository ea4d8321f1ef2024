use super::{page, Link};
use crate::error::ApiResult;
use crate::extract::Client;
use crate::state::AppState;
use actix_web::{post, web, HttpResponse};
use taskforge_domain::write_path::Actor;

/// One-click unsubscribe (RFC 8058; mail clients send `List-Unsubscribe=One-Click`, which is
/// not read): the user's email is turned off through the profile's write path, leaving its
/// audit row. Unsubscribing again changes nothing.
#[utoipa::path(
    operation_id = "mail_unsubscribe",
    tag = "notifications",
    responses(
        (status = 200, description = "Unsubscribed: a confirmation page", content_type = "text/html"),
        (status = 400, description = "VALIDATION_FAILED: the input is refused, with details"),
        (status = 404, description = "NOT_FOUND: the token is not the user's, or the account is gone"),
        (status = 503, description = "UNAVAILABLE: a store is down")
    )
)]
#[post("/notifications/unsubscribe")]
pub async fn handle(
    state: web::Data<AppState>,
    client: Client,
    link: web::Query<Link>,
) -> ApiResult<HttpResponse> {
    let user = link.user(&state.unsubscribe)?;
    let actor = Actor {
        user_id: Some(user),
        ..client.0
    };
    state.profiles.stop_email(user, &actor).await?;
    Ok(page(
        "Unsubscribed",
        "<p>You will get no more notification email from TaskForge. You can turn it back on \
         in your notification preferences.</p>",
    ))
}
