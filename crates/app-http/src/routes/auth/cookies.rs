//! The session cookie and its CSRF companion.

use crate::extract::{CSRF_COOKIE, SESSION_COOKIE};
use crate::state::AppState;
use actix_web::cookie::{time, Cookie, SameSite};
use taskforge_domain::identity::SessionToken;

/// `tf_session` (HttpOnly, SameSite=Lax) and `tf_csrf` (readable by our pages, echoed in
/// `X-CSRF-Token`).
pub fn issue(state: &AppState, token: &SessionToken) -> [Cookie<'static>; 2] {
    let secure = state.http.cookie_secure;
    let max_age = time::Duration::seconds(state.session_max_age.as_secs() as i64);
    [
        Cookie::build(SESSION_COOKIE, token.expose().to_owned())
            .path("/")
            .http_only(true)
            .same_site(SameSite::Lax)
            .secure(secure)
            .max_age(max_age)
            .finish(),
        csrf(state, &SessionToken::generate()),
    ]
}

/// A fresh `tf_csrf` cookie (the sign-in and sign-up pages set one before there is a session).
pub fn csrf(state: &AppState, token: &SessionToken) -> Cookie<'static> {
    let max_age = time::Duration::seconds(state.session_max_age.as_secs() as i64);
    Cookie::build(CSRF_COOKIE, token.expose().to_owned())
        .path("/")
        .same_site(SameSite::Strict)
        .secure(state.http.cookie_secure)
        .max_age(max_age)
        .finish()
}

/// Expired copies of both cookies, which make the browser drop them.
pub fn clear() -> [Cookie<'static>; 2] {
    [SESSION_COOKIE, CSRF_COOKIE].map(|name| {
        let mut c = Cookie::build(name, "").path("/").finish();
        c.make_removal();
        c
    })
}
