//! Middleware applied to every request.

pub mod admit;
pub mod request;
