//! The one-click unsubscribe link of every mail (RFC 8058): no session, no CSRF check; the
//! link's token (HMAC of the user id) is the proof. Its POST turns the user's email off; its
//! GET shows a page whose button sends that POST.

mod unsubscribe;
mod unsubscribe_page;

use crate::error::{ApiError, ApiResult};
use actix_web::HttpResponse;
use serde::Deserialize;
use taskforge_domain::ids::UserId;
use taskforge_domain::mail::UnsubscribeKey;

super::routes!(unsubscribe_page, unsubscribe);

/// The link's query.
#[derive(Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
struct Link {
    /// The recipient.
    user: uuid::Uuid,
    /// `HMAC-SHA256(user id)` under the server's secret, hex.
    token: String,
}

impl Link {
    /// The user the link unsubscribes; a token that is not theirs finds nobody.
    fn user(&self, key: &UnsubscribeKey) -> ApiResult<UserId> {
        let user = UserId::from_uuid(self.user);
        if key.verify(user, &self.token) {
            Ok(user)
        } else {
            Err(ApiError::not_found())
        }
    }
}

/// A small page of our own (no script, no style: the CSP allows neither inline).
fn page(title: &str, body: &str) -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/html; charset=utf-8")
        .body(format!(
            "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
             <title>{title}</title></head>\n<body><h1>{title}</h1>\n{body}\n</body></html>\n"
        ))
}
