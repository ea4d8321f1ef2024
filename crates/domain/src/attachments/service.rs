//! The attachment use cases. Bytes are stored first, then the task's change commits; bytes
//! whose change never committed are swept.

use super::model::{file_name, media_type, Attachment};
use super::ports::{AttachmentBytes, Bytes, Chunks, UploadError};
use super::projection::{EraseTaskAttachments, EraseTeamAttachments};
use crate::clock::Clock;
use crate::ids::{AttachmentId, TaskId, TeamId, UserId};
use crate::tasks::{TaskDependents, TaskEdit, TaskRepository};
use crate::teams::{Permission, Requirement, TeamErasure, TeamService};
use crate::write_path::{Actor, StoredEffect, WritePath};
use crate::Error;
use chrono::SubsecRound;
use std::sync::Arc;
use std::time::Duration;

pub struct AttachmentService {
    tasks: Arc<dyn TaskRepository>,
    bytes: Arc<dyn AttachmentBytes>,
    teams: Arc<TeamService>,
    write_path: WritePath,
    clock: Arc<dyn Clock>,
    /// The largest file, in bytes.
    limit: u64,
}

/// An upload as received: the client's file name and media type, and the body's chunks.
pub struct Upload<'a> {
    pub name: &'a str,
    pub media_type: Option<&'a str>,
    pub chunks: Chunks<'a>,
}

/// A deleted task's files go with it.
pub struct TaskAttachments;

impl TaskDependents for TaskAttachments {
    fn erasure(&self, task: TaskId) -> Vec<StoredEffect> {
        vec![StoredEffect::of(&EraseTaskAttachments { task_id: task })]
    }
}

/// A deleted team's files go with it.
pub struct TeamAttachments;

impl TeamErasure for TeamAttachments {
    fn effects(&self, team: TeamId) -> Vec<StoredEffect> {
        vec![StoredEffect::of(&EraseTeamAttachments { team_id: team })]
    }
}

impl AttachmentService {
    pub fn new(
        tasks: Arc<dyn TaskRepository>,
        bytes: Arc<dyn AttachmentBytes>,
        teams: Arc<TeamService>,
        write_path: WritePath,
        clock: Arc<dyn Clock>,
        limit: u64,
    ) -> Self {
        Self {
            tasks,
            bytes,
            teams,
            write_path,
            clock,
            limit,
        }
    }

    /// Stores the file and attaches it to the task (needs `attachment.upload`).
    pub async fn upload(
        &self,
        caller: UserId,
        task: TaskId,
        upload: Upload<'_>,
        actor: &Actor,
    ) -> Result<Attachment, Error> {
        let stored = self.tasks.get(task).await?.ok_or(Error::NotFound)?;
        let upload_right = Requirement::Permission(Permission::AttachmentUpload);
        self.teams
            .authorize(caller, stored.team_id, upload_right)
            .await?;
        let mut attachment = Attachment {
            attachment_id: AttachmentId::new(),
            task_id: task,
            team_id: stored.team_id,
            name: file_name(upload.name),
            size: 0,
            mimetype: media_type(upload.media_type),
            uploaded_at: self.clock.now().trunc_subsecs(3),
            uploaded_by: caller,
        };
        attachment.size = match self
            .bytes
            .store(&attachment, upload.chunks, self.limit)
            .await
        {
            Ok(size) => size,
            Err(UploadError::TooLarge { limit }) => return Err(Error::TooLarge { limit }),
            Err(UploadError::Body(why)) => {
                return Err(crate::validation::FieldError::new("file", why).into())
            }
            Err(UploadError::Store(e)) => return Err(e.into()),
        };
        let edit = TaskEdit::attach(attachment.clone(), actor.clone(), self.clock.now());
        if let Err(e) = self.write_path.commit(self.tasks.modify(task, &edit)).await {
            // The sweeper removes them if this fails too.
            let _ = self.bytes.delete(attachment.attachment_id).await;
            return Err(e.into());
        }
        Ok(attachment)
    }

    /// The attachment, for a caller who may read its task (404 for anyone else).
    pub async fn get(&self, caller: UserId, id: AttachmentId) -> Result<Attachment, Error> {
        let task = self
            .tasks
            .with_attachment(id)
            .await?
            .ok_or(Error::NotFound)?;
        let read = Requirement::Permission(Permission::TaskRead);
        self.teams.authorize(caller, task.team_id, read).await?;
        Attachment::find(&task, id).ok_or(Error::NotFound)
    }

    /// `len` bytes of a file from `from` (the caller checked with [`get`](Self::get)).
    pub async fn read(&self, id: AttachmentId, from: u64, len: u64) -> Result<Bytes, Error> {
        self.bytes.read(id, from, len).await?.ok_or(Error::NotFound)
    }

    /// Removes the attachment: its uploader, or a holder of `task.delete`.
    pub async fn delete(
        &self,
        caller: UserId,
        id: AttachmentId,
        actor: &Actor,
    ) -> Result<(), Error> {
        let task = self
            .tasks
            .with_attachment(id)
            .await?
            .ok_or(Error::NotFound)?;
        let access = self
            .teams
            .authorize(caller, task.team_id, Requirement::Member)
            .await?;
        let attachment = Attachment::find(&task, id).ok_or(Error::NotFound)?;
        if attachment.uploaded_by != caller {
            access.require(Requirement::Permission(Permission::TaskDelete))?;
        }
        let edit = TaskEdit::detach(id, actor.clone(), self.clock.now());
        self.write_path
            .commit(self.tasks.modify(task.task_id, &edit))
            .await?;
        Ok(())
    }

    /// Deletes files stored more than `grace` ago that no task holds (their change never
    /// committed); returns how many.
    pub async fn sweep(&self, grace: Duration) -> Result<usize, Error> {
        let before = self.clock.now() - chrono::TimeDelta::from_std(grace).unwrap_or_default();
        let mut swept = 0;
        for id in self.bytes.stored_before(before).await? {
            if self.tasks.with_attachment(id).await?.is_none() {
                self.bytes.delete(id).await?;
                swept += 1;
            }
        }
        Ok(swept)
    }
}
