//! What search reads.

use super::model::{SearchHit, SearchQuery};
use crate::ids::UserId;
use crate::StoreError;
use async_trait::async_trait;

/// The full-text index (PostgreSQL's search vectors of tasks and comments).
#[async_trait]
pub trait SearchIndex: Send + Sync {
    /// At most `query.limit` results in the teams where `user` may read tasks (only
    /// `query.team` when set), of `query.kinds`, matching every word of the text (the last as a
    /// prefix), ordered by score, then newest, then id, after `query.after`. Snippets carry
    /// their matches between the marks of [`super::MARK_START`] and [`super::MARK_END`].
    async fn search(&self, user: UserId, query: &SearchQuery)
        -> Result<Vec<SearchHit>, StoreError>;
}
