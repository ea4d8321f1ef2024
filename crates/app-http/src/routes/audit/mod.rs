//! A team's audit log and the proof of its hash chain (API "Audit"), for holders of `audit.read`.

mod entry;
mod list;
mod verify;

pub use entry::AuditEntry;

super::routes!(list, verify);
