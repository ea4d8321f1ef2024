//! GridFS's attachment bytes, faked (whole files in memory: a fake holds no large files).

use crate::fakes::{lock, Outage};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use futures::StreamExt;
use std::collections::HashMap;
use std::sync::Mutex;
use taskforge_domain::attachments::{Attachment, AttachmentBytes, Bytes, Chunks, UploadError};
use taskforge_domain::ids::{AttachmentId, TaskId, TeamId};
use taskforge_domain::StoreError;

/// A stored file: its attachment, its bytes and when it was stored.
type File = (Attachment, Vec<u8>, DateTime<Utc>);

#[derive(Default)]
pub struct InMemoryAttachmentBytes {
    files: Mutex<HashMap<AttachmentId, File>>,
    outage: Outage,
}

impl InMemoryAttachmentBytes {
    pub fn set_down(&self, down: bool) {
        *lock(&self.outage.0) = down;
    }
}

#[async_trait]
impl AttachmentBytes for InMemoryAttachmentBytes {
    async fn store(
        &self,
        attachment: &Attachment,
        mut chunks: Chunks<'_>,
        limit: u64,
    ) -> Result<u64, UploadError> {
        self.outage.check("mongo")?;
        let mut file = Vec::new();
        while let Some(chunk) = chunks.next().await {
            file.extend(chunk?);
            if file.len() as u64 > limit {
                return Err(UploadError::TooLarge { limit });
            }
        }
        let size = file.len() as u64;
        lock(&self.files).insert(
            attachment.attachment_id,
            (attachment.clone(), file, Utc::now()),
        );
        Ok(size)
    }

    async fn read(
        &self,
        id: AttachmentId,
        from: u64,
        len: u64,
    ) -> Result<Option<Bytes>, StoreError> {
        self.outage.check("mongo")?;
        let files = lock(&self.files);
        let Some((_, file, _)) = files.get(&id) else {
            return Ok(None);
        };
        let start = usize::try_from(from).unwrap_or(usize::MAX).min(file.len());
        let end = usize::try_from(from.saturating_add(len))
            .unwrap_or(usize::MAX)
            .min(file.len());
        let part = file[start..end].to_vec();
        Ok(Some(futures::stream::iter([Ok(part)]).boxed()))
    }

    async fn delete(&self, id: AttachmentId) -> Result<(), StoreError> {
        self.outage.check("mongo")?;
        lock(&self.files).remove(&id);
        Ok(())
    }

    async fn delete_task(&self, task: TaskId) -> Result<(), StoreError> {
        self.outage.check("mongo")?;
        lock(&self.files).retain(|_, (a, _, _)| a.task_id != task);
        Ok(())
    }

    async fn delete_team(&self, team: TeamId) -> Result<(), StoreError> {
        self.outage.check("mongo")?;
        lock(&self.files).retain(|_, (a, _, _)| a.team_id != team);
        Ok(())
    }

    async fn stored_before(&self, before: DateTime<Utc>) -> Result<Vec<AttachmentId>, StoreError> {
        self.outage.check("mongo")?;
        Ok(lock(&self.files)
            .iter()
            .filter(|(_, (_, _, at))| *at < before)
            .map(|(id, _)| *id)
            .collect())
    }
}
