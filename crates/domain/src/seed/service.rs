//! `Seeder`: generates a plan's entities batch by batch and writes each batch to PostgreSQL and
//! MongoDB at once, reporting progress after every batch.

use super::generate::Generator;
use super::ports::{BulkDocuments, BulkRows};
use crate::identity::{PasswordHash, VersionedProfile};
use crate::ids::{TeamId, UserId};
use crate::validation::FieldError;
use crate::StoreError;
use chrono::Utc;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// How much to seed. Built valid: at least one user and one team, no comments without tasks.
#[derive(Debug, Clone, Copy)]
pub struct Plan {
    users: usize,
    teams: usize,
    tasks: usize,
    comments: usize,
    batch: usize,
}

impl Plan {
    pub const DEFAULT_BATCH: usize = 1000;

    pub fn new(
        users: usize,
        teams: usize,
        tasks: usize,
        comments: usize,
    ) -> Result<Self, FieldError> {
        if users == 0 {
            return Err(FieldError::new("users", "must be at least 1"));
        }
        if teams == 0 {
            return Err(FieldError::new("teams", "must be at least 1"));
        }
        if comments > 0 && tasks == 0 {
            return Err(FieldError::new("comments", "need at least one task"));
        }
        Ok(Self {
            users,
            teams,
            tasks,
            comments,
            batch: Self::DEFAULT_BATCH,
        })
    }
}

/// After each batch: how far one entity has got.
#[derive(Debug, Clone, Copy)]
pub struct Progress {
    pub entity: &'static str,
    pub done: usize,
    pub total: usize,
    pub elapsed: Duration,
}

impl Progress {
    pub fn rate(&self) -> f64 {
        self.done as f64 / self.elapsed.as_secs_f64().max(1e-9)
    }
}

#[derive(Debug, Clone)]
pub struct SeedReport {
    /// The prefix of this run's emails (`seed-{run}-{i}@taskforge.test`) and team names.
    pub run: String,
    /// Each entity's final progress, in the order seeded.
    pub entities: Vec<Progress>,
    /// The biggest team, its creator (an admin) and the creator's email.
    pub big_team: TeamId,
    pub big_team_admin: UserId,
    pub big_team_admin_email: String,
}

pub struct Seeder {
    rows: Arc<dyn BulkRows>,
    documents: Arc<dyn BulkDocuments>,
}

impl Seeder {
    pub fn new(rows: Arc<dyn BulkRows>, documents: Arc<dyn BulkDocuments>) -> Self {
        Self { rows, documents }
    }

    /// Seeds `plan` afresh beside whatever the stores hold (new ids, emails unique to the run);
    /// every account's password hash is `hash`.
    pub async fn run(
        &self,
        plan: Plan,
        hash: &PasswordHash,
        progress: &mut (dyn FnMut(&Progress) + Send),
    ) -> Result<SeedReport, StoreError> {
        let mut generator = Generator::new(Utc::now(), plan.teams);
        let mut entities = Vec::new();

        let mut batches = Batches::new("users", plan.users, plan.batch);
        while let Some(range) = batches.next_range() {
            let users = range
                .map(|i| generator.user(i))
                .collect::<Result<Vec<_>, _>>()?;
            let profiles: Vec<VersionedProfile> = users
                .iter()
                .map(|p| VersionedProfile {
                    user_id: p.user.id,
                    version: p.user.profile_version,
                    details: p.details.clone(),
                })
                .collect();
            futures::try_join!(
                self.rows.users(&users, hash),
                self.documents.profiles(&profiles)
            )?;
            progress(&batches.done());
        }
        entities.push(batches.done());

        let mut batches = Batches::new("teams", plan.teams, plan.batch.div_ceil(20));
        let mut biggest = None;
        while let Some(range) = batches.next_range() {
            let teams: Vec<_> = range.map(|rank| generator.team(rank)).collect();
            biggest = biggest.or_else(|| teams.first().map(|t| (t.team.id, t.team.created_by)));
            self.rows.teams(&teams).await?;
            progress(&batches.done());
        }
        entities.push(batches.done());

        let mut batches = Batches::new("tasks", plan.tasks, plan.batch);
        while let Some(range) = batches.next_range() {
            let tasks: Vec<_> = range.map(|_| generator.task()).collect();
            futures::try_join!(self.rows.tasks(&tasks), self.documents.tasks(&tasks))?;
            progress(&batches.done());
        }
        entities.push(batches.done());

        let mut batches = Batches::new("comments", plan.comments, plan.batch);
        while let Some(range) = batches.next_range() {
            let comments: Vec<_> = range.map(|_| generator.comment()).collect();
            futures::try_join!(
                self.rows.comments(&comments),
                self.documents.comments(&comments)
            )?;
            progress(&batches.done());
        }
        entities.push(batches.done());

        let (big_team, big_team_admin) = biggest
            .ok_or_else(|| StoreError::Internal(anyhow::anyhow!("a plan always has a team")))?;
        let admin_index = generator.user_index(big_team_admin);
        Ok(SeedReport {
            run: generator.run().to_owned(),
            entities,
            big_team,
            big_team_admin,
            big_team_admin_email: generator.email(admin_index),
        })
    }
}

/// One entity's batches: consecutive ranges of `0..total`, and the time since the first.
struct Batches {
    entity: &'static str,
    total: usize,
    size: usize,
    done: usize,
    started: Instant,
}

impl Batches {
    fn new(entity: &'static str, total: usize, size: usize) -> Self {
        Self {
            entity,
            total,
            size: size.max(1),
            done: 0,
            started: Instant::now(),
        }
    }

    fn next_range(&mut self) -> Option<std::ops::Range<usize>> {
        (self.done < self.total).then(|| {
            let start = self.done;
            self.done = (start + self.size).min(self.total);
            start..self.done
        })
    }

    fn done(&self) -> Progress {
        Progress {
            entity: self.entity,
            done: self.done,
            total: self.total,
            elapsed: self.started.elapsed(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plans_need_users_and_teams_and_tasks_for_comments() {
        assert!(Plan::new(0, 1, 0, 0).is_err());
        assert!(Plan::new(1, 0, 0, 0).is_err());
        assert!(Plan::new(1, 1, 0, 1).is_err());
        assert!(Plan::new(1, 1, 1, 1).is_ok());
    }

    #[test]
    fn batches_cover_the_total_once() {
        let mut b = Batches::new("x", 2500, 1000);
        let ranges: Vec<_> = std::iter::from_fn(|| b.next_range()).collect();
        assert_eq!(ranges, vec![0..1000, 1000..2000, 2000..2500]);
    }
}
