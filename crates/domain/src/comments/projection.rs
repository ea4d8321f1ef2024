//! What comment changes project: the document in MongoDB.

use super::model::Comment;
use super::ports::CommentDocuments;
use crate::ids::{CommentId, TaskId, TeamId};
use crate::write_path::{Apply, EffectId, EffectKind, Projector};
use crate::StoreError;
use async_trait::async_trait;
use serde::{Deserialize, Serialize};
use std::sync::Arc;

/// The comment's document at the state a change committed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PutComment {
    pub comment: Comment,
}

/// The comment's document removed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DeleteComment {
    pub comment_id: CommentId,
}

/// Every comment document of a deleted task removed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EraseTaskComments {
    pub task_id: TaskId,
}

/// Every comment document of a deleted team removed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EraseTeamComments {
    pub team_id: TeamId,
}

fn document_target(id: CommentId) -> Option<String> {
    Some(format!("comment document {id}"))
}

impl EffectKind for PutComment {
    const KIND: &'static str = "put_comment";

    fn target(&self) -> Option<String> {
        document_target(self.comment.comment_id)
    }
}

impl EffectKind for DeleteComment {
    const KIND: &'static str = "delete_comment";

    fn target(&self) -> Option<String> {
        document_target(self.comment_id)
    }
}

impl EffectKind for EraseTaskComments {
    const KIND: &'static str = "erase_task_comments";
}

impl EffectKind for EraseTeamComments {
    const KIND: &'static str = "erase_team_comments";
}

/// Applies the comment effects to MongoDB.
#[derive(Clone)]
pub struct CommentProjection {
    documents: Arc<dyn CommentDocuments>,
}

impl CommentProjection {
    /// Registers the comment effects with `projector`.
    pub fn register(projector: Projector, documents: Arc<dyn CommentDocuments>) -> Projector {
        let this = Self { documents };
        projector
            .on::<PutComment>(this.clone())
            .on::<DeleteComment>(this.clone())
            .on::<EraseTaskComments>(this.clone())
            .on::<EraseTeamComments>(this)
    }
}

#[async_trait]
impl Apply<PutComment> for CommentProjection {
    async fn apply(&self, e: PutComment, _: EffectId) -> Result<(), StoreError> {
        self.documents.put(&e.comment).await
    }
}

#[async_trait]
impl Apply<DeleteComment> for CommentProjection {
    async fn apply(&self, e: DeleteComment, _: EffectId) -> Result<(), StoreError> {
        self.documents.delete(e.comment_id).await
    }
}

#[async_trait]
impl Apply<EraseTaskComments> for CommentProjection {
    async fn apply(&self, e: EraseTaskComments, _: EffectId) -> Result<(), StoreError> {
        self.documents.delete_task(e.task_id).await
    }
}

#[async_trait]
impl Apply<EraseTeamComments> for CommentProjection {
    async fn apply(&self, e: EraseTeamComments, _: EffectId) -> Result<(), StoreError> {
        self.documents.delete_team(e.team_id).await
    }
}
