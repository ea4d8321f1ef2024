//! `GridFsAttachments`: attachments' bytes in the GridFS bucket `attachments`, each file under
//! its attachment's id, with the task, team, uploader and media type in its metadata. Uploads
//! and downloads stream chunk by chunk.

use crate::fields::{date, id};
use crate::store::MongoStore;
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use futures::{AsyncReadExt, AsyncWriteExt, StreamExt, TryStreamExt};
use mongodb::bson::{doc, Bson, Document};
use mongodb::gridfs::GridFsBucket;
use mongodb::options::GridFsBucketOptions;
use taskforge_domain::attachments::{Attachment, AttachmentBytes, Bytes, Chunks, UploadError};
use taskforge_domain::ids::{AttachmentId, TaskId, TeamId};
use taskforge_domain::StoreError;

const BUCKET: &str = "attachments";
/// How much of a file one read takes.
const READ_CHUNK: usize = 64 * 1024;

pub struct GridFsAttachments {
    store: MongoStore,
}

impl GridFsAttachments {
    pub fn new(store: MongoStore) -> Self {
        Self { store }
    }

    fn bucket(&self) -> GridFsBucket {
        let options = GridFsBucketOptions::builder()
            .bucket_name(BUCKET.to_owned())
            .build();
        self.store.database().gridfs_bucket(options)
    }

    async fn ids(&self, filter: Document) -> Result<Vec<AttachmentId>, StoreError> {
        let bucket = self.bucket();
        let cursor = self.store.call(bucket.find(filter)).await?;
        let files: Vec<_> = self.store.call(cursor.try_collect()).await?;
        files
            .iter()
            .map(|f| id::<AttachmentId>("_id", f.id.as_str().unwrap_or_default()))
            .collect()
    }

    async fn delete_matching(&self, filter: Document) -> Result<(), StoreError> {
        for attachment in self.ids(filter).await? {
            self.delete(attachment).await?;
        }
        Ok(())
    }
}

#[async_trait]
impl AttachmentBytes for GridFsAttachments {
    async fn store(
        &self,
        attachment: &Attachment,
        mut chunks: Chunks<'_>,
        limit: u64,
    ) -> Result<u64, UploadError> {
        let metadata = doc! {
            "taskId": attachment.task_id.to_string(),
            "teamId": attachment.team_id.to_string(),
            "uploadedBy": attachment.uploaded_by.to_string(),
            "mimetype": &attachment.mimetype,
        };
        let bucket = self.bucket();
        let open = bucket
            .open_upload_stream(&attachment.name)
            .id(Bson::String(attachment.attachment_id.to_string()))
            .metadata(metadata);
        let mut upload = self.store.call(open).await?;
        let mut size = 0u64;
        while let Some(chunk) = chunks.next().await {
            let failed = match chunk {
                Ok(bytes) => {
                    size += bytes.len() as u64;
                    if size > limit {
                        Some(UploadError::TooLarge { limit })
                    } else {
                        self.store
                            .io(upload.write_all(&bytes))
                            .await
                            .err()
                            .map(Into::into)
                    }
                }
                Err(e) => Some(e),
            };
            if let Some(e) = failed {
                // Removes the chunks written so far.
                let _ = self.store.call(upload.abort()).await;
                return Err(e);
            }
        }
        self.store.io(upload.close()).await?;
        Ok(size)
    }

    async fn read(
        &self,
        attachment: AttachmentId,
        from: u64,
        len: u64,
    ) -> Result<Option<Bytes>, StoreError> {
        let bucket = self.bucket();
        let open = bucket.open_download_stream(Bson::String(attachment.to_string()));
        let reader = match self.store.call(open).await {
            Ok(reader) => reader,
            Err(StoreError::NotFound) => return Ok(None),
            Err(e) => return Err(e),
        };
        let store = self.store.clone();
        let state = (Box::pin(reader), from, len, store);
        let bytes = futures::stream::try_unfold(
            state,
            |(mut reader, mut skip, mut left, store)| async move {
                let mut buffer = vec![0u8; READ_CHUNK];
                while left > 0 {
                    let n = store.io(reader.read(&mut buffer)).await?;
                    if n == 0 {
                        break;
                    }
                    let skipped = usize::try_from(skip).unwrap_or(usize::MAX).min(n);
                    skip -= skipped as u64;
                    let available = &buffer[skipped..n];
                    if available.is_empty() {
                        continue;
                    }
                    let take = usize::try_from(left)
                        .unwrap_or(usize::MAX)
                        .min(available.len());
                    left -= take as u64;
                    let chunk = available[..take].to_vec();
                    return Ok(Some((chunk, (reader, skip, left, store))));
                }
                Ok(None)
            },
        );
        Ok(Some(bytes.boxed()))
    }

    async fn delete(&self, attachment: AttachmentId) -> Result<(), StoreError> {
        let bucket = self.bucket();
        let delete = bucket.delete(Bson::String(attachment.to_string()));
        match self.store.call(delete).await {
            Ok(()) | Err(StoreError::NotFound) => Ok(()),
            Err(e) => Err(e),
        }
    }

    async fn delete_task(&self, task: TaskId) -> Result<(), StoreError> {
        self.delete_matching(doc! { "metadata.taskId": task.to_string() })
            .await
    }

    async fn delete_team(&self, team: TeamId) -> Result<(), StoreError> {
        self.delete_matching(doc! { "metadata.teamId": team.to_string() })
            .await
    }

    async fn stored_before(&self, before: DateTime<Utc>) -> Result<Vec<AttachmentId>, StoreError> {
        self.ids(doc! { "uploadDate": { "$lt": date(before) } })
            .await
    }
}
