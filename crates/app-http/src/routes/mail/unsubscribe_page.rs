use super::{page, Link};
use crate::error::ApiResult;
use crate::state::AppState;
use actix_web::{get, web, HttpResponse};

/// What an unsubscribe link opens in a browser: a button that unsubscribes (a GET changes
/// nothing, so link scanners cannot unsubscribe anyone).
#[utoipa::path(
    operation_id = "mail_unsubscribe_page",
    tag = "notifications",
    responses(
        (status = 200, description = "A page whose button unsubscribes", content_type = "text/html"),
        (status = 400, description = "VALIDATION_FAILED: the input is refused, with details"),
        (status = 404, description = "NOT_FOUND: the token is not the user's")
    )
)]
#[get("/notifications/unsubscribe")]
pub async fn handle(state: web::Data<AppState>, link: web::Query<Link>) -> ApiResult<HttpResponse> {
    let user = link.user(&state.unsubscribe)?;
    // The token was checked: hex, like the id, needs no escaping.
    let action = format!(
        "/api/notifications/unsubscribe?user={user}&amp;token={}",
        link.token
    );
    Ok(page(
        "Unsubscribe from TaskForge email",
        &format!(
            "<p>You will get no more notification email. You can turn it back on in your \
             notification preferences.</p>\n<form method=\"post\" action=\"{action}\">\
             <button type=\"submit\">Unsubscribe</button></form>"
        ),
    ))
}
