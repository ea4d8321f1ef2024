//! Notifications go with what they are about: a deleted task, team or account takes its
//! notifications along (through the write path, so only once the deletion has committed), and
//! so does the retention job.

use super::ports::{Erase, NotificationStore, UnreadCounter};
use crate::ids::{TaskId, TeamId, UserId};
use crate::tasks::TaskDependents;
use crate::teams::TeamErasure;
use crate::write_path::{Apply, EffectId, EffectKind, Projector, StoredEffect};
use crate::StoreError;
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::sync::Arc;

/// Every notification about a task, about a team, or of a user removed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "of", rename_all = "snake_case")]
pub enum EraseNotifications {
    Task { task_id: TaskId },
    Team { team_id: TeamId },
    User { user_id: UserId },
}

impl EffectKind for EraseNotifications {
    const KIND: &'static str = "erase_notifications";
}

impl EraseNotifications {
    fn scope(&self) -> Erase {
        match self {
            Self::Task { task_id } => Erase::Task(*task_id),
            Self::Team { team_id } => Erase::Team(*team_id),
            Self::User { user_id } => Erase::User(*user_id),
        }
    }
}

/// A deleted task's notifications go with it.
pub struct TaskNotifications;

impl TaskDependents for TaskNotifications {
    fn erasure(&self, task: TaskId) -> Vec<StoredEffect> {
        vec![StoredEffect::of(&EraseNotifications::Task {
            task_id: task,
        })]
    }
}

/// A deleted team's notifications go with it.
pub struct TeamNotifications;

impl TeamErasure for TeamNotifications {
    fn effects(&self, team: TeamId) -> Vec<StoredEffect> {
        vec![StoredEffect::of(&EraseNotifications::Team {
            team_id: team,
        })]
    }
}

/// Removes notifications and drops the counters they were in.
#[derive(Clone)]
pub struct Eraser {
    pub store: Arc<dyn NotificationStore>,
    pub counter: Arc<dyn UnreadCounter>,
}

impl Eraser {
    pub fn register(self, projector: Projector) -> Projector {
        projector.on::<EraseNotifications>(self)
    }

    pub async fn erase(&self, what: Erase) -> Result<usize, StoreError> {
        let users = self.store.erase(what).await?;
        self.counter.forget(&users).await?;
        Ok(users.len())
    }

    /// Retention: removes what was created before `before`.
    pub async fn expire(&self, before: DateTime<Utc>) -> Result<usize, StoreError> {
        self.erase(Erase::CreatedBefore(before)).await
    }
}

#[async_trait]
impl Apply<EraseNotifications> for Eraser {
    async fn apply(&self, e: EraseNotifications, _: EffectId) -> Result<(), StoreError> {
        self.erase(e.scope()).await.map(|_| ())
    }
}
