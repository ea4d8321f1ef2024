//! Every route of the API, one file per action.

pub mod auth;
pub mod ops;
pub mod tasks;
pub mod teams;
pub mod users;

use actix_web::web;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(ops::healthz::handle)
        .service(ops::readyz::handle)
        .service(ops::metrics::handle)
        .service(
            web::scope("/api")
                .configure(auth::configure)
                .configure(users::configure)
                .configure(teams::configure)
                .configure(tasks::configure),
        );
}
