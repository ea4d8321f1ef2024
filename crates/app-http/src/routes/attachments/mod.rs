//! Files attached to tasks: uploads streamed to GridFS, downloads streamed back (ADR 22).

mod delete;
mod download;
mod upload;

super::routes!(upload, download, delete);
