//! The notification use cases of a user: their list, unread count and read flags, and what a
//! live stream delivers.

use super::model::{Notification, NotificationCursor};
use super::ports::{Channel, LiveFeed, Marked, NotificationStore, UnreadCounter};
use crate::ids::{NotificationId, UserId};
use crate::{Error, StoreError};
use futures::stream::BoxStream;
use std::sync::Arc;

/// How many missed notifications a resumed stream replays at most.
pub const REPLAY_LIMIT: usize = 500;

pub struct NotificationService {
    store: Arc<dyn NotificationStore>,
    counter: Arc<dyn UnreadCounter>,
    feed: Arc<dyn LiveFeed>,
}

impl NotificationService {
    pub fn new(
        store: Arc<dyn NotificationStore>,
        counter: Arc<dyn UnreadCounter>,
        feed: Arc<dyn LiveFeed>,
    ) -> Self {
        Self {
            store,
            counter,
            feed,
        }
    }

    /// A page of the user's notifications, newest first, and the cursor of the next one.
    pub async fn list(
        &self,
        user: UserId,
        unread_only: bool,
        cursor: Option<NotificationCursor>,
        limit: usize,
    ) -> Result<(Vec<Notification>, Option<NotificationCursor>), Error> {
        let mut page = self
            .store
            .page(user, unread_only, cursor, limit + 1)
            .await?;
        let next = if page.len() > limit {
            page.truncate(limit);
            page.last().map(|n| NotificationCursor {
                id: n.notification_id,
            })
        } else {
            None
        };
        Ok((page, next))
    }

    /// The counter when Redis holds it; otherwise MongoDB's count, which refills it.
    pub async fn unread_count(&self, user: UserId) -> Result<u64, Error> {
        if let Ok(Some(count)) = self.counter.get(user).await {
            return Ok(count);
        }
        let count = self.store.count_unread(user).await?;
        let _ = self.counter.fill(user, count).await;
        Ok(count)
    }

    pub async fn mark_read(&self, user: UserId, id: NotificationId) -> Result<(), Error> {
        match self.store.mark_read(user, id).await {
            Ok(Marked::Now) => {
                self.adjust(user, -1).await;
                Ok(())
            }
            Ok(Marked::Already) => Ok(()),
            Err(StoreError::NotFound) => Err(Error::NotFound),
            Err(e) => Err(e.into()),
        }
    }

    pub async fn mark_all_read(&self, user: UserId) -> Result<(), Error> {
        if self.store.mark_all_read(user).await? > 0 {
            // A notification stored meanwhile may have been counted: count again.
            let _ = self.counter.forget(&[user]).await;
        }
        Ok(())
    }

    /// Moves the counter; one that cannot be moved is dropped, and failing that it expires.
    async fn adjust(&self, user: UserId, delta: i64) {
        if self.counter.add(user, delta).await.is_err() {
            let _ = self.counter.forget(&[user]).await;
        }
    }

    /// The user's notifications from now on, live (subscribe before replaying what was missed,
    /// so nothing falls between the two).
    pub async fn live(&self, user: UserId) -> Result<BoxStream<'static, Notification>, Error> {
        use futures::StreamExt;
        let messages = self.feed.subscribe(Channel::User(user)).await?;
        Ok(messages
            .filter_map(|m| async move { Notification::from_message(&m) })
            .boxed())
    }

    /// What a stream that delivered `last` missed, in the order it was stored.
    pub async fn missed(
        &self,
        user: UserId,
        last: NotificationId,
    ) -> Result<Vec<Notification>, Error> {
        Ok(self.store.stored_after(user, last, REPLAY_LIMIT).await?)
    }
}
