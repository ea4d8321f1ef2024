//! Comments on tasks, with @mentions: rows in PostgreSQL (the commit point, pages and search)
//! and documents in MongoDB, written through the write path with one audit row per change
//! (ADR 20).

pub mod model;
pub mod ports;
pub mod projection;
pub mod reconcile;
pub mod service;

pub use model::{Comment, CommentContent, CommentCursor};
pub use ports::{CommentDocuments, CommentRepository};
pub use projection::CommentProjection;
pub use reconcile::{CommentReconcileReport, CommentReconciler};
pub use service::{CommentService, TaskComments, TeamComments, MAX_MENTIONS};
