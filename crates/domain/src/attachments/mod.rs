//! Files attached to tasks: bytes in MongoDB GridFS, metadata in the task (ADR 22).

pub mod model;
pub mod ports;
pub mod projection;
pub mod service;

pub use model::Attachment;
pub use ports::{AttachmentBytes, Bytes, Chunks, UploadError};
pub use projection::AttachmentProjection;
pub use service::{AttachmentService, TaskAttachments, TeamAttachments, Upload};
