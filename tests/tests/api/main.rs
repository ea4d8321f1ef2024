//! Black-box tests of the HTTP API: each test starts its own server on its own PostgreSQL
//! database, MongoDB database and Redis key prefix, and talks to it over HTTP.

mod attachments;
mod audit;
mod auth;
mod comments;
mod dashboards;
mod hardening;
mod http;
mod mail;
mod notifications;
mod openapi;
mod profile;
mod rate_limits;
mod reconcile;
mod search;
mod tasks;
mod teams;
