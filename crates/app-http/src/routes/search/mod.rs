//! Full-text search over the caller's teams.

mod query;

super::routes!(query);
