//! The server-rendered web UI (ADR 28): pages for people, on the same services, session cookie
//! and CSRF token as the API. Pages read through the domain services; their forms change
//! things through the JSON API (`assets/app.js`), sign-in, sign-up and sign-out excepted.

mod assets;
mod audit;
mod auth;
mod board;
mod dashboards;
mod list;
mod notifications;
mod page;
mod profile;
mod svg;
mod tasks;
mod teams;

use actix_web::http::header;
use actix_web::middleware::Compress;
use actix_web::{web, HttpRequest, HttpResponse, ResponseError};

/// The pages and their assets, compressed for browsers that accept it (a board's markup shrinks
/// to a tenth). The API's responses are not: they are small, and its streams must not be held.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::scope("")
            .wrap(Compress::default())
            .service(assets::handle)
            .service(auth::home)
            .service(auth::login_page)
            .service(auth::login)
            .service(auth::signup_page)
            .service(auth::signup)
            .service(auth::logout)
            .service(teams::list)
            .service(board::show)
            .service(teams::show)
            .service(tasks::show)
            .service(dashboards::team)
            .service(audit::show)
            .service(list::show)
            .service(dashboards::personal)
            .service(profile::show)
            .service(notifications::list),
    );
}

/// The page answering an unknown address outside `/api` asked for by a browser (which accepts
/// HTML); `None` for API clients.
pub fn not_found_page(req: &HttpRequest) -> Option<HttpResponse> {
    let accepts_html = req
        .headers()
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("text/html"));
    let api = req.path() == "/api" || req.path().starts_with("/api/");
    (accepts_html && !api).then(|| page::UiError::not_found().error_response())
}
