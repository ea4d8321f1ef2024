//! TaskForge's HTTP service: configuration, wiring of the adapters into the domain's services,
//! middleware, extractors, routes, the relay loop, and the server, worker and admin binaries.
//!
//! The only crate that knows every adapter; it may depend on all of them and on actix-web.

pub mod chains;
pub mod error;
pub mod extract;
pub mod forwarded;
pub mod hasher;
pub mod json_fields;
pub mod mailer;
pub mod middleware;
pub mod relay;
pub mod routes;
pub mod runtime;
pub mod scale_plans;
pub mod seeding;
pub mod server;
pub mod settings;
pub mod sse;
pub mod state;
pub mod telemetry;
#[cfg(feature = "test-support")]
pub mod testing;
pub mod web;
pub mod wiring;
