//! The port attachments drive: their bytes (GridFS).

use super::model::Attachment;
use crate::ids::{AttachmentId, TaskId, TeamId};
use crate::StoreError;
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use futures::stream::BoxStream;

/// Why storing an upload's bytes stopped.
#[derive(Debug, thiserror::Error)]
pub enum UploadError {
    #[error("larger than {limit} bytes")]
    TooLarge { limit: u64 },
    /// The request's body broke off or was malformed.
    #[error("the upload failed: {0}")]
    Body(String),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Chunks of an upload's body, as they arrive.
pub type Chunks<'a> = BoxStream<'a, Result<Vec<u8>, UploadError>>;

/// Chunks of a stored file, as they are read.
pub type Bytes = BoxStream<'static, Result<Vec<u8>, StoreError>>;

/// Attachments' bytes (GridFS), each file under its attachment's id.
#[async_trait]
pub trait AttachmentBytes: Send + Sync {
    /// Stores `chunks` as they come, never the whole file in memory; returns its size. A file
    /// over `limit`, or whose chunks fail, leaves nothing stored.
    async fn store(
        &self,
        attachment: &Attachment,
        chunks: Chunks<'_>,
        limit: u64,
    ) -> Result<u64, UploadError>;
    /// `len` bytes of the file from byte `from`; `None` when there is no such file.
    async fn read(
        &self,
        id: AttachmentId,
        from: u64,
        len: u64,
    ) -> Result<Option<Bytes>, StoreError>;
    async fn delete(&self, id: AttachmentId) -> Result<(), StoreError>;
    async fn delete_task(&self, task: TaskId) -> Result<(), StoreError>;
    async fn delete_team(&self, team: TeamId) -> Result<(), StoreError>;
    /// Files stored before `before` (for the sweeper and reconcile).
    async fn stored_before(&self, before: DateTime<Utc>) -> Result<Vec<AttachmentId>, StoreError>;
}
