//! `CommentRepository` on the relational fake.

use super::InMemoryRelational;
use crate::fakes::lock;
use async_trait::async_trait;
use taskforge_domain::comments::{Comment, CommentCursor, CommentRepository};
use taskforge_domain::ids::{CommentId, TaskId};
use taskforge_domain::write_path::{Change, Receipt};
use taskforge_domain::StoreError;

#[async_trait]
impl CommentRepository for InMemoryRelational {
    async fn create(&self, comment: &Comment, change: Change) -> Result<Receipt, StoreError> {
        let mut db = lock(&self.0);
        if !db.tasks.contains_key(&comment.task_id) {
            return Err(StoreError::NotFound);
        }
        db.comments.insert(comment.comment_id, comment.clone());
        Ok(db.commit(change))
    }

    async fn get(&self, id: CommentId) -> Result<Option<Comment>, StoreError> {
        Ok(lock(&self.0).comments.get(&id).cloned())
    }

    async fn update(&self, next: &Comment, change: Change) -> Result<Receipt, StoreError> {
        let mut db = lock(&self.0);
        let stored = db
            .comments
            .get_mut(&next.comment_id)
            .ok_or(StoreError::NotFound)?;
        if stored.version != next.version - 1 {
            return Err(StoreError::StaleVersion);
        }
        stored.content = next.content.clone();
        stored.last_edited_at = next.last_edited_at;
        stored.version = next.version;
        Ok(db.commit(change))
    }

    async fn delete(&self, id: CommentId, change: Change) -> Result<Receipt, StoreError> {
        let mut db = lock(&self.0);
        db.comments.remove(&id).ok_or(StoreError::NotFound)?;
        Ok(db.commit(change))
    }

    async fn scan(&self, after: Option<CommentId>, limit: i64) -> Result<Vec<Comment>, StoreError> {
        let db = lock(&self.0);
        let from = after.map_or(std::ops::Bound::Unbounded, std::ops::Bound::Excluded);
        Ok(db
            .comments
            .range((from, std::ops::Bound::Unbounded))
            .take(usize::try_from(limit).unwrap_or(0))
            .map(|(_, c)| c.clone())
            .collect())
    }

    async fn page(
        &self,
        task: TaskId,
        after: Option<CommentCursor>,
        limit: i64,
    ) -> Result<Vec<Comment>, StoreError> {
        let db = lock(&self.0);
        let mut rows: Vec<Comment> = db
            .comments
            .values()
            .filter(|c| c.task_id == task)
            .filter(|c| after.is_none_or(|a| (c.created, c.comment_id) > (a.created, a.id)))
            .cloned()
            .collect();
        rows.sort_by_key(|c| (c.created, c.comment_id));
        rows.truncate(usize::try_from(limit).unwrap_or(0));
        Ok(rows)
    }
}
