//! Middleware applied to every request.

pub mod request;
