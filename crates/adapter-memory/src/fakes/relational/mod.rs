//! PostgreSQL's fake: users, teams, tasks, idempotency keys, audit rows and the outbox,
//! committed together under one lock.

mod audit;
mod comments;
mod dashboards;
mod idempotency;
mod mail;
mod outbox;
mod reminders;
mod search;
mod tasks;
mod teams;
mod users;

use crate::fakes::lock;

use chrono::{DateTime, Utc};
pub use mail::InMemoryMailQueue;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::{Arc, Mutex};
use std::time::Instant;
use taskforge_domain::audit::AuditRecord;
use taskforge_domain::comments::Comment;
use taskforge_domain::identity::{PasswordHash, Profile};
use taskforge_domain::ids::{AuditId, CommentId, TaskId, TeamId, UserId};
use taskforge_domain::notifications::{FollowLevel, Reminder};
use taskforge_domain::tasks::Task;
use taskforge_domain::teams::{MemberView, Permission, PermissionMap, Role, Team};
use taskforge_domain::write_path::*;
use taskforge_domain::StoreError;
use uuid::Uuid;

struct OutboxRow {
    aggregate: String,
    scope: String,
    barrier: bool,
    effects: Vec<StoredEffect>,
    attempts: i32,
    last_error: Option<String>,
    created_at: DateTime<Utc>,
    applied: bool,
    dead_at: Option<DateTime<Utc>>,
    /// After a failure, not due again before this.
    due: Option<Instant>,
    lease: Option<(Uuid, Instant)>,
}

impl OutboxRow {
    fn pending(&self) -> bool {
        !self.applied && self.dead_at.is_none()
    }
}

/// How long a commit leases its rows to its own request.
const COMMIT_LEASE: std::time::Duration = std::time::Duration::from_secs(30);

/// An audit row of the fake as the API shows it.
fn audit_record(id: AuditId, at: DateTime<Utc>, change: &Change) -> AuditRecord {
    let audit = &change.audit;
    AuditRecord {
        id,
        entity_type: audit.entity_type,
        entity_id: audit.entity_id,
        action: audit.action,
        actor_id: audit.actor.user_id,
        at,
        previous_state: audit.previous_state.clone(),
        new_state: audit.new_state.clone(),
        ip: audit.actor.ip.clone(),
        user_agent: audit.actor.user_agent.clone(),
    }
}

/// When a task first moved to in_progress, and when it was done.
type Progress = (Option<DateTime<Utc>>, Option<DateTime<Utc>>);

#[derive(Default)]
struct Relational {
    users: HashMap<UserId, (Profile, PasswordHash)>,
    teams: HashMap<TeamId, Team>,
    memberships: BTreeMap<(TeamId, UserId), (Role, DateTime<Utc>)>,
    /// Members' follow levels other than the default.
    follows: BTreeMap<(TeamId, UserId), FollowLevel>,
    permissions: HashMap<(TeamId, Role), BTreeSet<Permission>>,
    audit: Vec<(AuditId, DateTime<Utc>, Change)>,
    tasks: BTreeMap<TaskId, Task>,
    progress: BTreeMap<TaskId, Progress>,
    comments: BTreeMap<CommentId, Comment>,
    /// Armed reminders by key, with whether each was delivered.
    reminders: BTreeMap<(TaskId, &'static str, DateTime<Utc>), (Reminder, bool)>,
    /// (user, key) → (request hash, recorded response).
    idempotency: HashMap<(UserId, String), (String, Option<serde_json::Value>)>,
    outbox: BTreeMap<i64, OutboxRow>,
    next_id: i64,
}

impl Relational {
    fn commit(&mut self, change: Change) -> Receipt {
        if let Some(done) = &change.idempotency {
            if let Some(entry) = self.idempotency.get_mut(&(done.user, done.key.clone())) {
                entry.1 = Some(done.response.clone());
            }
        }
        let lease = Lease {
            owner: Uuid::new_v4(),
            length: COMMIT_LEASE,
        };
        let mut receipt = Receipt::default();
        for entry in &change.entries {
            let aggregate = entry.aggregate.key();
            let scope = entry.aggregate.scope().to_string();
            let barrier = entry.aggregate.is_barrier();
            // Leased at once, as in PostgreSQL, when nothing older blocks it.
            let free = !self.outbox.values().any(|r| {
                r.pending()
                    && (r.aggregate == aggregate || (r.scope == scope && (r.barrier || barrier)))
            });
            self.next_id += 1;
            self.outbox.insert(
                self.next_id,
                OutboxRow {
                    aggregate,
                    scope,
                    barrier,
                    effects: entry.effects.clone(),
                    attempts: 0,
                    last_error: None,
                    created_at: Utc::now(),
                    applied: false,
                    dead_at: None,
                    // An urgent row is the committing request's to apply first, as in PostgreSQL.
                    due: entry.urgent.then(|| Instant::now() + URGENT_FIRST),
                    lease: free.then(|| (lease.owner, Instant::now() + lease.length)),
                },
            );
            receipt.record(self.next_id, entry, free.then_some(lease));
        }
        self.audit.push((AuditId::new(), Utc::now(), change));
        receipt
    }

    fn user_mut(&mut self, id: UserId) -> Result<&mut (Profile, PasswordHash), StoreError> {
        self.users.get_mut(&id).ok_or(StoreError::NotFound)
    }

    /// `NotFound` unless the team exists, as a membership or permission change requires.
    fn team_exists(&self, team: TeamId) -> Result<(), StoreError> {
        if self.teams.contains_key(&team) {
            Ok(())
        } else {
            Err(StoreError::NotFound)
        }
    }

    fn permission_map(&self, team: TeamId) -> PermissionMap {
        self.permissions
            .iter()
            .filter(|((t, _), _)| *t == team)
            .map(|((_, r), set)| (*r, set.clone()))
            .collect()
    }

    fn role_of(&self, team: TeamId, user: UserId) -> Option<Role> {
        self.memberships.get(&(team, user)).map(|(r, _)| *r)
    }

    /// Fails when `user` is `team`'s only admin and would stop being one.
    fn guard_last_admin(
        &self,
        team: TeamId,
        user: UserId,
        stays_admin: bool,
    ) -> Result<(), StoreError> {
        let role = self.role_of(team, user).ok_or(StoreError::NotFound)?;
        let others = self
            .memberships
            .iter()
            .any(|((t, u), (r, _))| *t == team && *u != user && *r == Role::Admin);
        if role == Role::Admin && !stays_admin && !others {
            return Err(StoreError::Conflict("last_admin".into()));
        }
        Ok(())
    }

    fn member_view(&self, team: TeamId, user: UserId) -> Option<MemberView> {
        let (role, joined_at) = *self.memberships.get(&(team, user))?;
        let u = &self.users.get(&user)?.0.user;
        Some(MemberView {
            user_id: user,
            email: u.email.clone(),
            first_name: u.first_name.clone(),
            last_name: u.last_name.clone(),
            role,
            joined_at,
        })
    }
}

/// PostgreSQL's fake: users, audit rows and the outbox, committed together under one lock.
#[derive(Default, Clone)]
pub struct InMemoryRelational(Arc<Mutex<Relational>>);

impl InMemoryRelational {
    /// The audit rows committed so far, oldest first.
    pub fn audit_rows(&self) -> Vec<Change> {
        lock(&self.0)
            .audit
            .iter()
            .map(|(_, _, c)| c.clone())
            .collect()
    }
}
