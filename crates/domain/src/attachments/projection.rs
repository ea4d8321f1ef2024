//! What attachment changes project: removing bytes from GridFS.

use super::ports::AttachmentBytes;
use crate::ids::{AttachmentId, TaskId, TeamId};
use crate::write_path::{Apply, EffectId, EffectKind, Projector};
use crate::StoreError;
use async_trait::async_trait;
use serde::{Deserialize, Serialize};
use std::sync::Arc;

/// A removed attachment's bytes deleted.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DeleteAttachmentBytes {
    pub attachment_id: AttachmentId,
}

/// Every file of a deleted task deleted.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EraseTaskAttachments {
    pub task_id: TaskId,
}

/// Every file of a deleted team deleted.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EraseTeamAttachments {
    pub team_id: TeamId,
}

impl EffectKind for DeleteAttachmentBytes {
    const KIND: &'static str = "delete_attachment_bytes";
}

impl EffectKind for EraseTaskAttachments {
    const KIND: &'static str = "erase_task_attachments";
}

impl EffectKind for EraseTeamAttachments {
    const KIND: &'static str = "erase_team_attachments";
}

#[derive(Clone)]
pub struct AttachmentProjection {
    bytes: Arc<dyn AttachmentBytes>,
}

impl AttachmentProjection {
    pub fn register(projector: Projector, bytes: Arc<dyn AttachmentBytes>) -> Projector {
        let this = Self { bytes };
        projector
            .on::<DeleteAttachmentBytes>(this.clone())
            .on::<EraseTaskAttachments>(this.clone())
            .on::<EraseTeamAttachments>(this)
    }
}

#[async_trait]
impl Apply<DeleteAttachmentBytes> for AttachmentProjection {
    async fn apply(&self, e: DeleteAttachmentBytes, _: EffectId) -> Result<(), StoreError> {
        self.bytes.delete(e.attachment_id).await
    }
}

#[async_trait]
impl Apply<EraseTaskAttachments> for AttachmentProjection {
    async fn apply(&self, e: EraseTaskAttachments, _: EffectId) -> Result<(), StoreError> {
        self.bytes.delete_task(e.task_id).await
    }
}

#[async_trait]
impl Apply<EraseTeamAttachments> for AttachmentProjection {
    async fn apply(&self, e: EraseTeamAttachments, _: EffectId) -> Result<(), StoreError> {
        self.bytes.delete_team(e.team_id).await
    }
}
