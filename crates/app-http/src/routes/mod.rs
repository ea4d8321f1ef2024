//! Every route of the API, one file per action.

pub mod attachments;
pub mod audit;
pub mod auth;
pub mod comments;
pub mod dashboards;
pub mod mail;
pub mod notifications;
pub mod openapi;
pub mod ops;
pub mod search;
pub mod tasks;
pub mod teams;
pub mod users;

use actix_web::web;

/// Declares a feature's routes once, in the order actix matches them: `configure` registers
/// each module's `handle` with actix, and `Paths` lists them in the OpenAPI document.
macro_rules! routes {
    ($($module:ident),+ $(,)?) => {
        pub fn configure(cfg: &mut actix_web::web::ServiceConfig) {
            $(cfg.service($module::handle);)+
        }

        #[derive(utoipa::OpenApi)]
        #[openapi(paths($($module::handle),+))]
        pub struct Paths;
    };
}
use routes;
use taskforge_domain::validation::FieldError;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(ops::healthz::handle)
        .service(ops::readyz::handle)
        .service(ops::metrics::handle)
        .service(openapi::browser())
        .service(openapi::browser_entry())
        .service(
            web::scope("/api")
                .service(openapi::document)
                .configure(auth::configure)
                .configure(users::configure)
                .configure(mail::configure)
                .configure(teams::configure)
                .configure(tasks::configure)
                .configure(comments::configure)
                .configure(attachments::configure)
                .configure(audit::configure)
                .configure(notifications::configure)
                .configure(dashboards::configure)
                .configure(search::configure),
        );
}

/// `limit` of a list: 20 by default, 1 to 100.
pub(crate) fn page_limit(raw: Option<&str>) -> Result<i64, FieldError> {
    let bad = || FieldError::new("limit", "must be a whole number from 1 to 100");
    match raw {
        None => Ok(20),
        Some(v) => v
            .parse::<i64>()
            .ok()
            .filter(|n| (1..=100).contains(n))
            .ok_or_else(bad),
    }
}
