//! MongoDB's comment documents, faked.

use crate::fakes::{lock, Outage};
use async_trait::async_trait;
use std::collections::HashMap;
use std::sync::Mutex;
use taskforge_domain::comments::{Comment, CommentDocuments};
use taskforge_domain::ids::{CommentId, TaskId, TeamId};
use taskforge_domain::StoreError;

#[derive(Default)]
pub struct InMemoryCommentDocuments {
    docs: Mutex<HashMap<CommentId, Comment>>,
    outage: Outage,
}

impl InMemoryCommentDocuments {
    pub fn set_down(&self, down: bool) {
        *lock(&self.outage.0) = down;
    }
}

#[async_trait]
impl CommentDocuments for InMemoryCommentDocuments {
    async fn put(&self, comment: &Comment) -> Result<(), StoreError> {
        self.outage.check("mongo")?;
        let mut docs = lock(&self.docs);
        if docs
            .get(&comment.comment_id)
            .is_none_or(|d| d.version <= comment.version)
        {
            docs.insert(comment.comment_id, comment.clone());
        }
        Ok(())
    }

    async fn get(&self, id: CommentId) -> Result<Option<Comment>, StoreError> {
        self.outage.check("mongo")?;
        Ok(lock(&self.docs).get(&id).cloned())
    }

    async fn delete(&self, id: CommentId) -> Result<(), StoreError> {
        self.outage.check("mongo")?;
        lock(&self.docs).remove(&id);
        Ok(())
    }

    async fn ids(&self) -> Result<Vec<CommentId>, StoreError> {
        self.outage.check("mongo")?;
        Ok(lock(&self.docs).keys().copied().collect())
    }

    async fn delete_task(&self, task: TaskId) -> Result<(), StoreError> {
        self.outage.check("mongo")?;
        lock(&self.docs).retain(|_, c| c.task_id != task);
        Ok(())
    }

    async fn delete_team(&self, team: TeamId) -> Result<(), StoreError> {
        self.outage.check("mongo")?;
        lock(&self.docs).retain(|_, c| c.team_id != team);
        Ok(())
    }
}
