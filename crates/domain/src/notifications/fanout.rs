//! Turning committed team activity into notifications, and delivering notifications: stored in
//! MongoDB (once, by id), queued for mail, counted, and published live.

use super::activity::TeamActivity;
use super::model::{FollowLevel, Notification, NotificationKind};
use super::ports::{Audience, Channel, LiveFeed, MailQueue, NotificationStore, UnreadCounter};
use super::signal::TeamSignal;
use crate::clock::Clock;
use crate::ids::UserId;
use crate::write_path::{Apply, AuditAction, AuditEntityType, EffectId, Projector};
use crate::StoreError;
use async_trait::async_trait;
use std::sync::Arc;

/// Stores notifications and passes them on; delivering the same notification again stores,
/// mails and counts it once (a second publication is dropped by the stream that delivered it).
#[derive(Clone)]
pub struct Delivery {
    pub store: Arc<dyn NotificationStore>,
    pub counter: Arc<dyn UnreadCounter>,
    pub feed: Arc<dyn LiveFeed>,
    pub mail: Arc<dyn MailQueue>,
    pub clock: Arc<dyn Clock>,
}

impl Delivery {
    pub async fn deliver(&self, batch: &[Notification]) -> Result<(), StoreError> {
        if batch.is_empty() {
            return Ok(());
        }
        let fresh = self.store.insert(batch, self.clock.now()).await?;
        self.mail.enqueue(batch).await?;
        // A notification stored by an earlier attempt may or may not have been counted.
        let recounted: Vec<UserId> = batch
            .iter()
            .filter(|n| !fresh.contains(&n.notification_id))
            .map(|n| n.user_id)
            .collect();
        self.counter.forget(&recounted).await?;
        for n in batch.iter().filter(|n| fresh.contains(&n.notification_id)) {
            self.counter.add(n.user_id, 1).await?;
        }
        for n in batch {
            self.feed
                .publish(Channel::User(n.user_id), n.to_message())
                .await?;
        }
        Ok(())
    }
}

/// Applies [`TeamActivity`]: the change on the team's live channel first (boards refresh even
/// while MongoDB is down), then its notifications. A failure retries the whole event: delivery
/// is idempotent, and a change shown twice refreshes a card twice.
pub struct Fanout {
    pub delivery: Delivery,
    pub audience: Arc<dyn Audience>,
}

impl Fanout {
    pub fn register(self, projector: Projector) -> Projector {
        projector.on::<TeamActivity>(self)
    }

    /// The notifications of `activity`: each concerned member as the activity says, then each
    /// watcher of the team not told already; never the actor, never a member who muted the
    /// team, never someone who is not a member.
    async fn notifications(
        &self,
        activity: &TeamActivity,
    ) -> Result<Vec<Notification>, StoreError> {
        // A deleted task's notifications are erased (before this event, in its lane).
        let task_deleted =
            activity.entity_type == AuditEntityType::Task && activity.action == AuditAction::Delete;
        if task_deleted {
            return Ok(vec![]);
        }
        let concerned = activity.concerned();
        let users: Vec<UserId> = concerned.iter().map(|(u, _)| *u).collect();
        let followers = self.audience.audience(activity.team_id, &users).await?;
        let level = |user: UserId| followers.iter().find(|f| f.user == user).map(|f| f.level);
        let watchers = followers
            .iter()
            .filter(|f| f.level == FollowLevel::Watch)
            .map(|f| (f.user, NotificationKind::WatchedChange));
        let mut told: Vec<UserId> = Vec::new();
        let event = activity.event_id.to_string();
        let mut out = Vec::new();
        for (user, kind) in concerned.into_iter().chain(watchers) {
            let member = level(user).is_some_and(|l| l != FollowLevel::Mute);
            if !member || Some(user) == activity.actor_id || told.contains(&user) {
                continue;
            }
            told.push(user);
            out.push(Notification::derived(
                &event,
                user,
                kind,
                activity.data(),
                activity.at,
            ));
        }
        Ok(out)
    }
}

#[async_trait]
impl Apply<TeamActivity> for Fanout {
    async fn apply(&self, activity: TeamActivity, _: EffectId) -> Result<(), StoreError> {
        let signal = TeamSignal::Change(activity.clone());
        self.delivery
            .feed
            .publish(Channel::Team(activity.team_id), signal.to_message())
            .await?;
        let batch = self.notifications(&activity).await?;
        self.delivery.deliver(&batch).await
    }
}
