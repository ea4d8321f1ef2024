//! Notifications, unread counters, live channels and presence, faked.

use crate::fakes::{lock, Outage};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use futures::channel::mpsc;
use futures::stream::BoxStream;
use futures::StreamExt;
use std::collections::{BTreeMap, HashMap};
use std::sync::Mutex;
use std::time::{Duration, Instant};
use taskforge_domain::ids::{NotificationId, TeamId, UserId};
use taskforge_domain::notifications::{
    Channel, Erase, LiveFeed, Marked, Notification, NotificationCursor, NotificationStore,
    Presence, UnreadCounter,
};
use taskforge_domain::StoreError;

/// Notifications with the time each was stored.
#[derive(Default)]
pub struct InMemoryNotifications {
    docs: Mutex<HashMap<NotificationId, (Notification, DateTime<Utc>)>>,
    outage: Outage,
}

impl InMemoryNotifications {
    pub fn set_down(&self, down: bool) {
        *lock(&self.outage.0) = down;
    }

    fn select(
        &self,
        keep: impl Fn(&Notification, DateTime<Utc>) -> bool,
    ) -> Vec<(Notification, DateTime<Utc>)> {
        lock(&self.docs)
            .values()
            .filter(|(n, at)| keep(n, *at))
            .cloned()
            .collect()
    }
}

#[async_trait]
impl NotificationStore for InMemoryNotifications {
    async fn insert(
        &self,
        batch: &[Notification],
        stored_at: DateTime<Utc>,
    ) -> Result<Vec<NotificationId>, StoreError> {
        self.outage.check("mongo")?;
        let mut docs = lock(&self.docs);
        let mut fresh = Vec::new();
        for n in batch {
            if let std::collections::hash_map::Entry::Vacant(slot) = docs.entry(n.notification_id) {
                slot.insert((n.clone(), stored_at));
                fresh.push(n.notification_id);
            }
        }
        Ok(fresh)
    }

    async fn page(
        &self,
        user: UserId,
        unread_only: bool,
        cursor: Option<NotificationCursor>,
        limit: usize,
    ) -> Result<Vec<Notification>, StoreError> {
        self.outage.check("mongo")?;
        let mut page: Vec<Notification> = self
            .select(|n, _| {
                n.user_id == user
                    && !(unread_only && n.read)
                    && cursor.is_none_or(|c| n.notification_id < c.id)
            })
            .into_iter()
            .map(|(n, _)| n)
            .collect();
        page.sort_by_key(|n| std::cmp::Reverse(n.notification_id));
        page.truncate(limit);
        Ok(page)
    }

    async fn mark_read(&self, user: UserId, id: NotificationId) -> Result<Marked, StoreError> {
        self.outage.check("mongo")?;
        let mut docs = lock(&self.docs);
        match docs.get_mut(&id) {
            Some((n, _)) if n.user_id == user => Ok(if std::mem::replace(&mut n.read, true) {
                Marked::Already
            } else {
                Marked::Now
            }),
            _ => Err(StoreError::NotFound),
        }
    }

    async fn mark_all_read(&self, user: UserId) -> Result<u64, StoreError> {
        self.outage.check("mongo")?;
        let mut marked = 0;
        for (n, _) in lock(&self.docs).values_mut() {
            if n.user_id == user && !n.read {
                n.read = true;
                marked += 1;
            }
        }
        Ok(marked)
    }

    async fn count_unread(&self, user: UserId) -> Result<u64, StoreError> {
        self.outage.check("mongo")?;
        Ok(self.select(|n, _| n.user_id == user && !n.read).len() as u64)
    }

    async fn stored_after(
        &self,
        user: UserId,
        last: NotificationId,
        limit: usize,
    ) -> Result<Vec<Notification>, StoreError> {
        self.outage.check("mongo")?;
        let anchor = lock(&self.docs)
            .get(&last)
            .filter(|(n, _)| n.user_id == user)
            .map(|(_, at)| *at);
        let mut after = self.select(|n, at| {
            n.user_id == user
                && match anchor {
                    Some(a) => (at, n.notification_id) > (a, last),
                    None => n.notification_id > last,
                }
        });
        after.sort_by_key(|(n, at)| (*at, n.notification_id));
        after.truncate(limit);
        Ok(after.into_iter().map(|(n, _)| n).collect())
    }

    async fn erase(&self, what: Erase) -> Result<Vec<UserId>, StoreError> {
        self.outage.check("mongo")?;
        let matches = |n: &Notification| match what {
            Erase::Task(task) => n.data.task_id == task,
            Erase::Team(team) => n.data.team_id == team,
            Erase::User(user) => n.user_id == user,
            Erase::CreatedBefore(at) => n.created_at < at,
        };
        let mut docs = lock(&self.docs);
        let mut users: Vec<UserId> = docs
            .values()
            .filter(|(n, _)| matches(n) && !n.read)
            .map(|(n, _)| n.user_id)
            .collect();
        users.sort();
        users.dedup();
        docs.retain(|_, (n, _)| !matches(n));
        Ok(users)
    }
}

#[derive(Default)]
pub struct InMemoryUnreadCounter {
    counts: Mutex<HashMap<UserId, u64>>,
}

#[async_trait]
impl UnreadCounter for InMemoryUnreadCounter {
    async fn get(&self, user: UserId) -> Result<Option<u64>, StoreError> {
        Ok(lock(&self.counts).get(&user).copied())
    }

    async fn fill(&self, user: UserId, count: u64) -> Result<(), StoreError> {
        lock(&self.counts).entry(user).or_insert(count);
        Ok(())
    }

    async fn add(&self, user: UserId, delta: i64) -> Result<(), StoreError> {
        if let Some(count) = lock(&self.counts).get_mut(&user) {
            *count = count.saturating_add_signed(delta);
        }
        Ok(())
    }

    async fn forget(&self, users: &[UserId]) -> Result<(), StoreError> {
        let mut counts = lock(&self.counts);
        for user in users {
            counts.remove(user);
        }
        Ok(())
    }
}

#[derive(Default)]
pub struct InMemoryLiveFeed {
    subscribers: Mutex<HashMap<Channel, Vec<mpsc::UnboundedSender<String>>>>,
}

#[async_trait]
impl LiveFeed for InMemoryLiveFeed {
    async fn publish(&self, channel: Channel, message: String) -> Result<(), StoreError> {
        if let Some(senders) = lock(&self.subscribers).get_mut(&channel) {
            senders.retain(|s| s.unbounded_send(message.clone()).is_ok());
        }
        Ok(())
    }

    async fn subscribe(&self, channel: Channel) -> Result<BoxStream<'static, String>, StoreError> {
        let (sender, receiver) = mpsc::unbounded();
        lock(&self.subscribers)
            .entry(channel)
            .or_default()
            .push(sender);
        Ok(receiver.boxed())
    }
}

#[derive(Default)]
pub struct InMemoryPresence {
    views: Mutex<BTreeMap<(TeamId, String), HashMap<UserId, Instant>>>,
}

impl InMemoryPresence {
    fn update(
        &self,
        team: TeamId,
        view: &str,
        user: UserId,
        until: Option<Instant>,
    ) -> Vec<UserId> {
        let mut views = lock(&self.views);
        let viewers = views.entry((team, view.to_owned())).or_default();
        let now = Instant::now();
        viewers.retain(|_, expires| *expires > now);
        match until {
            Some(until) => viewers.insert(user, until),
            None => viewers.remove(&user),
        };
        let mut users: Vec<UserId> = viewers.keys().copied().collect();
        users.sort();
        users
    }
}

#[async_trait]
impl Presence for InMemoryPresence {
    async fn touch(
        &self,
        team: TeamId,
        view: &str,
        user: UserId,
        ttl: Duration,
    ) -> Result<Vec<UserId>, StoreError> {
        Ok(self.update(team, view, user, Some(Instant::now() + ttl)))
    }

    async fn leave(
        &self,
        team: TeamId,
        view: &str,
        user: UserId,
    ) -> Result<Vec<UserId>, StoreError> {
        Ok(self.update(team, view, user, None))
    }
}
