//! Live collaboration: a team's changes as they are projected, and who views the same board or
//! task. Presence entries expire unless their viewer renews them, so a viewer whose connection
//! died silently is gone within one expiry.

use super::ports::{Channel, LiveFeed, Presence};
use super::signal::TeamSignal;
use crate::ids::{TaskId, TeamId, UserId};
use crate::tasks::TaskRepository;
use crate::teams::{Permission, Requirement, TeamService};
use crate::validation::FieldError;
use crate::Error;
use futures::stream::BoxStream;
use futures::StreamExt;
use std::sync::Arc;
use std::time::Duration;

/// What a viewer looks at: the team's board or one of its tasks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum View {
    Board,
    Task(TaskId),
}

impl View {
    /// `board` or `task:{taskId}`.
    pub fn parse(field: &str, raw: &str) -> Result<Self, FieldError> {
        match raw.split_once(':') {
            None if raw == "board" => Ok(Self::Board),
            Some(("task", id)) => id
                .parse()
                .map(Self::Task)
                .map_err(|_| FieldError::new(field, "the task id must be a UUID")),
            _ => Err(FieldError::new(field, "must be board or task:{taskId}")),
        }
    }

    pub fn key(&self) -> String {
        match self {
            Self::Board => "board".into(),
            Self::Task(id) => format!("task:{id}"),
        }
    }
}

pub struct LiveTeams {
    teams: Arc<TeamService>,
    tasks: Arc<dyn TaskRepository>,
    feed: Arc<dyn LiveFeed>,
    presence: Arc<dyn Presence>,
    /// How long a viewer stays present without renewing.
    presence_ttl: Duration,
}

impl LiveTeams {
    pub fn new(
        teams: Arc<TeamService>,
        tasks: Arc<dyn TaskRepository>,
        feed: Arc<dyn LiveFeed>,
        presence: Arc<dyn Presence>,
        presence_ttl: Duration,
    ) -> Self {
        Self {
            teams,
            tasks,
            feed,
            presence,
            presence_ttl,
        }
    }

    /// The team's signals from now on, for a caller who may read its tasks (404 for outsiders
    /// and for a task of another team, 403 without `task.read`).
    pub async fn open(
        &self,
        caller: UserId,
        team: TeamId,
        view: View,
    ) -> Result<BoxStream<'static, TeamSignal>, Error> {
        let read = Requirement::Permission(Permission::TaskRead);
        self.teams.authorize(caller, team, read).await?;
        if let View::Task(id) = view {
            let task = self.tasks.get(id).await?;
            if task.is_none_or(|t| t.team_id != team) {
                return Err(Error::NotFound);
            }
        }
        let messages = self.feed.subscribe(Channel::Team(team)).await?;
        Ok(messages
            .filter_map(|m| async move { TeamSignal::from_message(&m) })
            .boxed())
    }

    /// Records (or renews) `user` viewing `view`; answers every viewer.
    pub async fn viewing(
        &self,
        team: TeamId,
        view: View,
        user: UserId,
    ) -> Result<Vec<UserId>, Error> {
        let viewers = self
            .presence
            .touch(team, &view.key(), user, self.presence_ttl)
            .await?;
        Ok(sorted(viewers))
    }

    /// Records that `user` stopped viewing `view`; answers who remains.
    pub async fn left(&self, team: TeamId, view: View, user: UserId) -> Result<Vec<UserId>, Error> {
        let viewers = self.presence.leave(team, &view.key(), user).await?;
        Ok(sorted(viewers))
    }

    /// Tells every viewer of the team who views `view` now.
    pub async fn announce(
        &self,
        team: TeamId,
        view: View,
        viewers: Vec<UserId>,
    ) -> Result<(), Error> {
        let signal = TeamSignal::Presence {
            view: view.key(),
            viewers,
        };
        self.feed
            .publish(Channel::Team(team), signal.to_message())
            .await?;
        Ok(())
    }
}

fn sorted(mut users: Vec<UserId>) -> Vec<UserId> {
    users.sort();
    users
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn views_are_the_board_or_a_task() {
        let id = TaskId::new();
        assert_eq!(View::parse("viewing", "board").ok(), Some(View::Board));
        let task = View::parse("viewing", &format!("task:{id}")).ok();
        assert_eq!(task, Some(View::Task(id)));
        assert_eq!(task.map(|v| v.key()), Some(format!("task:{id}")));
        for bad in ["", "boards", "task:", "task:nope", "team:x"] {
            assert!(View::parse("viewing", bad).is_err(), "{bad}");
        }
    }
}
