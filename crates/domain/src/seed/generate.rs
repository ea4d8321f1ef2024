//! The generated entities: accounts, teams of Zipf-like sizes, and tasks and comments with
//! plausible spreads of status, priority, due date, tags and words.

use super::ports::SeededTeam;
use super::words::{sentence, Zipf, FIRST_NAMES, LAST_NAMES, TAGS};
use crate::comments::{Comment, CommentContent};
use crate::identity::{Email, PersonName, Profile, ProfileDetails, User};
use crate::ids::{CommentId, TaskId, TeamId, UserId};
use crate::tasks::model::TaskMetadata;
use crate::tasks::{CustomFields, Description, Priority, Status, Tags, Task, TaskTitle};
use crate::teams::{Role, Team, TeamDescription, TeamName};
use crate::StoreError;
use chrono::{DateTime, Duration, Utc};
use rand::rngs::StdRng;
use rand::seq::index;
use rand::{Rng, SeedableRng};

const STATUSES: [(Status, u32); 5] = [
    (Status::Backlog, 15),
    (Status::Todo, 25),
    (Status::InProgress, 15),
    (Status::InReview, 5),
    (Status::Done, 40),
];
const PRIORITIES: [(Priority, u32); 4] = [
    (Priority::Low, 30),
    (Priority::Medium, 45),
    (Priority::High, 20),
    (Priority::Urgent, 5),
];
/// Due dates: none, overdue, within the week, later.
const DUE: [(u8, u32); 4] = [(0, 45), (1, 10), (2, 15), (3, 30)];
const TAG_COUNTS: [(usize, u32); 4] = [(0, 30), (1, 40), (2, 20), (3, 10)];
/// Members per user, on average, over all teams.
const MEMBERSHIPS_PER_USER: f64 = 3.0;

fn pick<T: Copy>(rng: &mut impl Rng, weighted: &[(T, u32)]) -> T {
    let total: u32 = weighted.iter().map(|(_, w)| w).sum();
    let mut x = rng.random_range(0..total);
    for (item, weight) in weighted {
        if x < *weight {
            return *item;
        }
        x -= weight;
    }
    weighted[0].0
}

/// A team as tasks and comments are drawn for it: who may create, be assigned and comment.
struct Crew {
    id: TeamId,
    workers: Vec<UserId>,
}

/// A seeded task as comments need it.
struct Seeded {
    id: TaskId,
    crew: usize,
    created: DateTime<Utc>,
}

pub(super) struct Generator {
    rng: StdRng,
    run: String,
    now: DateTime<Utc>,
    words: Zipf,
    tags: Zipf,
    users: Vec<UserId>,
    crews: Vec<Crew>,
    team_sizes: Zipf,
    tasks: Vec<Seeded>,
}

impl Generator {
    pub(super) fn new(now: DateTime<Utc>, teams: usize) -> Self {
        let mut rng = StdRng::from_os_rng();
        let run = format!("{:06x}", rng.random_range(0..0x100_0000));
        Self {
            rng,
            run,
            now,
            words: Zipf::new(super::words::WORDS.len(), 1.1),
            tags: Zipf::new(TAGS.len(), 1.0),
            users: Vec::new(),
            crews: Vec::new(),
            team_sizes: Zipf::new(teams, 1.0),
            tasks: Vec::new(),
        }
    }

    /// This run's prefix, which makes its emails and team names unique.
    pub(super) fn run(&self) -> &str {
        &self.run
    }

    pub(super) fn email(&self, i: usize) -> String {
        format!("seed-{}-{i}@taskforge.test", self.run)
    }

    /// The index `i` that `email(i)` takes for a user seeded by this run.
    pub(super) fn user_index(&self, user: UserId) -> usize {
        self.users
            .iter()
            .position(|u| *u == user)
            .unwrap_or_default()
    }

    fn past(&mut self, days: i64) -> DateTime<Utc> {
        self.now - Duration::seconds(self.rng.random_range(0..days * 86_400))
    }

    fn between(&mut self, from: DateTime<Utc>) -> DateTime<Utc> {
        let span = (self.now - from).num_seconds().max(1);
        from + Duration::seconds(self.rng.random_range(0..span))
    }

    pub(super) fn user(&mut self, i: usize) -> Result<Profile, StoreError> {
        let email = Email::parse("email", &self.email(i))
            .map_err(|e| StoreError::Internal(anyhow::anyhow!("seed email: {}", e.message)))?;
        let first = FIRST_NAMES[self.rng.random_range(0..FIRST_NAMES.len())];
        let last = LAST_NAMES[self.rng.random_range(0..LAST_NAMES.len())];
        let user = User {
            id: UserId::new(),
            email,
            first_name: PersonName::from_stored(first.to_owned()),
            last_name: PersonName::from_stored(last.to_owned()),
            created_at: self.past(365),
            last_login: None,
            profile_version: 1,
        };
        self.users.push(user.id);
        Ok(Profile {
            user,
            details: ProfileDetails::default(),
        })
    }

    /// Team `rank` (0 the biggest): about its Zipf share of every membership, at least one.
    pub(super) fn team(&mut self, rank: usize) -> SeededTeam {
        let wanted = self.team_sizes.share(rank) * self.users.len() as f64 * MEMBERSHIPS_PER_USER;
        let size = (wanted.round() as usize).clamp(1, self.users.len());
        let created_at = self.past(365);
        let mut members = Vec::with_capacity(size);
        for (i, u) in index::sample(&mut self.rng, self.users.len(), size)
            .into_iter()
            .enumerate()
        {
            let role = match (i, self.rng.random_range(0..100)) {
                (0, _) | (_, 0..5) => Role::Admin,
                (_, 5..20) => Role::Guest,
                _ => Role::Member,
            };
            members.push((self.users[u], role, self.between(created_at)));
        }
        let workers: Vec<UserId> = members
            .iter()
            .filter(|(_, role, _)| *role != Role::Guest)
            .map(|(user, _, _)| *user)
            .collect();
        let name = format!(
            "{} {} {}",
            sentence(&self.words, 2, &mut self.rng),
            self.run,
            rank
        );
        let team = Team {
            id: TeamId::new(),
            name: TeamName::from_stored(name),
            description: TeamDescription::from_stored(sentence(&self.words, 12, &mut self.rng)),
            created_by: members[0].0,
            created_at,
        };
        self.crews.push(Crew {
            id: team.id,
            workers,
        });
        SeededTeam { team, members }
    }

    pub(super) fn task(&mut self) -> Task {
        let crew = self
            .team_sizes
            .sample(&mut self.rng)
            .min(self.crews.len() - 1);
        let workers = &self.crews[crew].workers;
        let worker = workers[self.rng.random_range(0..workers.len())];
        let assignee = self
            .rng
            .random_bool(0.75)
            .then(|| workers[self.rng.random_range(0..workers.len())]);
        let title_words = self.rng.random_range(3..=8);
        let description = if self.rng.random_bool(0.2) {
            String::new()
        } else {
            let n = self.rng.random_range(5..=40);
            sentence(&self.words, n, &mut self.rng)
        };
        let mut tags: Vec<String> = Vec::new();
        for _ in 0..pick(&mut self.rng, &TAG_COUNTS) {
            let tag = TAGS[self.tags.sample(&mut self.rng)].to_owned();
            if !tags.contains(&tag) {
                tags.push(tag);
            }
        }
        let days = |rng: &mut StdRng, range: std::ops::Range<i64>| {
            Duration::seconds(rng.random_range(range.start * 86_400..range.end * 86_400))
        };
        let due_date = match pick(&mut self.rng, &DUE) {
            0 => None,
            1 => Some(self.now - days(&mut self.rng, 1..60)),
            2 => Some(self.now + days(&mut self.rng, 0..7)),
            _ => Some(self.now + days(&mut self.rng, 8..120)),
        };
        let created = self.past(365);
        let task = Task {
            task_id: TaskId::new(),
            team_id: self.crews[crew].id,
            title: TaskTitle::from_stored(sentence(&self.words, title_words, &mut self.rng)),
            description: Description::from_stored(description),
            status: pick(&mut self.rng, &STATUSES),
            priority: pick(&mut self.rng, &PRIORITIES),
            assignee_id: assignee,
            creator_id: worker,
            due_date,
            tags: Tags::from_stored(tags),
            custom_fields: CustomFields::default(),
            attachments: Vec::new(),
            version: self.rng.random_range(1..=3),
            metadata: TaskMetadata {
                created,
                updated: self.between(created),
            },
        };
        self.tasks.push(Seeded {
            id: task.task_id,
            crew,
            created,
        });
        task
    }

    pub(super) fn comment(&mut self) -> Comment {
        let on = &self.tasks[self.rng.random_range(0..self.tasks.len())];
        let (task_id, created) = (on.id, on.created);
        let crew = &self.crews[on.crew];
        let (team_id, author) = (
            crew.id,
            crew.workers[self.rng.random_range(0..crew.workers.len())],
        );
        let n = self.rng.random_range(5..=30);
        Comment {
            comment_id: CommentId::new(),
            task_id,
            team_id,
            author_id: author,
            content: CommentContent::from_stored(sentence(&self.words, n, &mut self.rng)),
            mentioned_users: Vec::new(),
            created: self.between(created),
            last_edited_at: None,
            version: 1,
        }
    }
}
