//! The fakes. State sits behind a `std::sync::Mutex` that is never held across an await.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};
use taskforge_domain::clock::Clock;
use taskforge_domain::identity::ports::{
    PasswordHasher, RateBucket, RateDecision, RateLimiter, RateRule, SessionStore, UserRepository,
};
use taskforge_domain::identity::throttle::hold_after;
use taskforge_domain::identity::{
    Email, Password, PasswordHash, PersonName, Session, TokenHash, User,
};
use taskforge_domain::ids::{AuditId, SessionId, TaskId, TeamId, UserId};
use taskforge_domain::tasks::query::{Cursor, SortKey};
use taskforge_domain::tasks::{AuditEntry, SortField, Task, TaskCore, TaskQuery, TaskRepository};
use taskforge_domain::teams::{
    MemberView, Permission, PermissionMap, Role, Team, TeamRepository, TeamView,
};
use taskforge_domain::write_path::{
    AuditEntityType, Cache, CacheKey, Change, Claim, Collection, DocumentStore, Effect,
    EffectApplier, IdempotencyKey, IdempotencyStore, Outbox, Receipt, RelayReport,
    VersionedDocument,
};
use taskforge_domain::StoreError;
use uuid::Uuid;

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

/// A clock that only moves when told to.
pub struct ManualClock(Mutex<DateTime<Utc>>);

impl ManualClock {
    pub fn new(start: DateTime<Utc>) -> Arc<Self> {
        Arc::new(Self(Mutex::new(start)))
    }

    pub fn advance(&self, by: Duration) {
        let mut now = lock(&self.0);
        *now += chrono::TimeDelta::from_std(by).unwrap_or_default();
    }
}

impl Clock for ManualClock {
    fn now(&self) -> DateTime<Utc> {
        *lock(&self.0)
    }
}

/// A hasher that is fast and obviously not bcrypt: fine for tests, never for production.
pub struct FakeHasher;

#[async_trait]
impl PasswordHasher for FakeHasher {
    async fn hash(&self, password: &Password) -> Result<PasswordHash, StoreError> {
        Ok(PasswordHash::from_stored(
            format!("fake${}", password.expose().len()) + password.expose(),
        ))
    }

    async fn verify(&self, password: &Password, hash: &PasswordHash) -> Result<bool, StoreError> {
        Ok(self.hash(password).await?.expose() == hash.expose())
    }
}

struct OutboxRow {
    aggregate: String,
    effects: Vec<Effect>,
    applied: bool,
    /// After a failure, not due again before this.
    retry_at: Option<Instant>,
}

#[derive(Default)]
struct Relational {
    users: HashMap<UserId, (User, PasswordHash)>,
    teams: HashMap<TeamId, Team>,
    memberships: BTreeMap<(TeamId, UserId), (Role, DateTime<Utc>)>,
    permissions: HashMap<(TeamId, Role), BTreeSet<Permission>>,
    audit: Vec<(AuditId, DateTime<Utc>, Change)>,
    tasks: BTreeMap<TaskId, Task>,
    /// (user, key) → (request hash, recorded response).
    idempotency: HashMap<(UserId, String), (String, Option<serde_json::Value>)>,
    outbox: BTreeMap<i64, OutboxRow>,
    in_flight: HashSet<i64>,
    next_id: i64,
}

impl Relational {
    fn commit(&mut self, change: Change) -> Receipt {
        if let Some(done) = &change.idempotency {
            if let Some(entry) = self.idempotency.get_mut(&(done.user, done.key.clone())) {
                entry.1 = Some(done.response.clone());
            }
        }
        let effects = change.effects.clone();
        let aggregate = change.aggregate.clone();
        self.audit.push((AuditId::new(), Utc::now(), change));
        if effects.is_empty() {
            return Receipt { outbox_id: None };
        }
        self.next_id += 1;
        self.outbox.insert(
            self.next_id,
            OutboxRow {
                aggregate,
                effects,
                applied: false,
                retry_at: None,
            },
        );
        Receipt {
            outbox_id: Some(self.next_id),
        }
    }

    fn user_mut(&mut self, id: UserId) -> Result<&mut (User, PasswordHash), StoreError> {
        self.users.get_mut(&id).ok_or(StoreError::NotFound)
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
        let (u, _) = self.users.get(&user)?;
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

#[async_trait]
impl UserRepository for InMemoryRelational {
    async fn create(
        &self,
        user: &User,
        hash: &PasswordHash,
        change: Change,
    ) -> Result<Receipt, StoreError> {
        let mut db = lock(&self.0);
        if db.users.values().any(|(u, _)| u.email == user.email) {
            return Err(StoreError::Conflict("users_email_key".into()));
        }
        db.users.insert(user.id, (user.clone(), hash.clone()));
        Ok(db.commit(change))
    }

    async fn by_email(&self, email: &Email) -> Result<Option<(User, PasswordHash)>, StoreError> {
        Ok(lock(&self.0)
            .users
            .values()
            .find(|(u, _)| &u.email == email)
            .cloned())
    }

    async fn by_id(&self, id: UserId) -> Result<Option<(User, PasswordHash)>, StoreError> {
        Ok(lock(&self.0).users.get(&id).cloned())
    }

    async fn record_login(
        &self,
        id: UserId,
        at: DateTime<Utc>,
        change: Change,
    ) -> Result<Receipt, StoreError> {
        let mut db = lock(&self.0);
        db.user_mut(id)?.0.last_login = Some(at);
        Ok(db.commit(change))
    }

    async fn update_profile(
        &self,
        id: UserId,
        expected_version: i64,
        names: (&PersonName, &PersonName),
        change: Change,
    ) -> Result<Receipt, StoreError> {
        let mut db = lock(&self.0);
        let (user, _) = db.user_mut(id).map_err(|_| StoreError::StaleVersion)?;
        if user.profile_version != expected_version {
            return Err(StoreError::StaleVersion);
        }
        user.first_name = names.0.clone();
        user.last_name = names.1.clone();
        user.profile_version += 1;
        Ok(db.commit(change))
    }

    async fn set_password(
        &self,
        id: UserId,
        hash: &PasswordHash,
        change: Change,
    ) -> Result<Receipt, StoreError> {
        let mut db = lock(&self.0);
        db.user_mut(id)?.1 = hash.clone();
        Ok(db.commit(change))
    }

    async fn delete(&self, id: UserId, change: Change) -> Result<Receipt, StoreError> {
        let mut db = lock(&self.0);
        if !db.users.contains_key(&id) {
            return Err(StoreError::NotFound);
        }
        let teams: Vec<TeamId> = db
            .memberships
            .keys()
            .filter(|(_, u)| *u == id)
            .map(|(t, _)| *t)
            .collect();
        for team in teams {
            db.guard_last_admin(team, id, false)?;
        }
        db.users.remove(&id);
        db.memberships.retain(|(_, u), _| *u != id);
        Ok(db.commit(change))
    }
}

#[async_trait]
impl TeamRepository for InMemoryRelational {
    async fn create(
        &self,
        team: &Team,
        creator: UserId,
        permissions: &PermissionMap,
        change: Change,
    ) -> Result<Receipt, StoreError> {
        let mut db = lock(&self.0);
        db.teams.insert(team.id, team.clone());
        db.memberships
            .insert((team.id, creator), (Role::Admin, team.created_at));
        for (role, set) in permissions {
            db.permissions.insert((team.id, *role), set.clone());
        }
        Ok(db.commit(change))
    }

    async fn get(&self, team: TeamId) -> Result<Option<Team>, StoreError> {
        Ok(lock(&self.0).teams.get(&team).cloned())
    }

    async fn for_user(&self, user: UserId) -> Result<Vec<TeamView>, StoreError> {
        let db = lock(&self.0);
        let mut views: Vec<(DateTime<Utc>, TeamView)> = db
            .memberships
            .iter()
            .filter(|((_, u), _)| *u == user)
            .filter_map(|((t, _), (role, joined))| {
                Some((
                    *joined,
                    TeamView {
                        team: db.teams.get(t)?.clone(),
                        my_role: *role,
                    },
                ))
            })
            .collect();
        views.sort_by_key(|(joined, v)| (*joined, v.team.id));
        Ok(views.into_iter().map(|(_, v)| v).collect())
    }

    async fn access(
        &self,
        team: TeamId,
        user: UserId,
    ) -> Result<Option<(Role, BTreeSet<Permission>)>, StoreError> {
        let db = lock(&self.0);
        Ok(db.role_of(team, user).map(|role| {
            (
                role,
                db.permissions
                    .get(&(team, role))
                    .cloned()
                    .unwrap_or_default(),
            )
        }))
    }

    async fn update(&self, team: &Team, change: Change) -> Result<Receipt, StoreError> {
        let mut db = lock(&self.0);
        let stored = db.teams.get_mut(&team.id).ok_or(StoreError::NotFound)?;
        *stored = team.clone();
        Ok(db.commit(change))
    }

    async fn delete(&self, team: TeamId, change: Change) -> Result<Receipt, StoreError> {
        let mut db = lock(&self.0);
        db.teams.remove(&team).ok_or(StoreError::NotFound)?;
        db.memberships.retain(|(t, _), _| *t != team);
        db.tasks.retain(|_, task| task.team_id != team);
        db.permissions.retain(|(t, _), _| *t != team);
        Ok(db.commit(change))
    }

    async fn members(&self, team: TeamId) -> Result<Vec<MemberView>, StoreError> {
        let db = lock(&self.0);
        let mut members: Vec<MemberView> = db
            .memberships
            .keys()
            .filter(|(t, _)| *t == team)
            .filter_map(|(t, u)| db.member_view(*t, *u))
            .collect();
        members.sort_by_key(|m| (m.joined_at, m.user_id));
        Ok(members)
    }

    async fn member(&self, team: TeamId, user: UserId) -> Result<Option<MemberView>, StoreError> {
        Ok(lock(&self.0).member_view(team, user))
    }

    async fn add_member(
        &self,
        team: TeamId,
        user: UserId,
        role: Role,
        joined_at: DateTime<Utc>,
        change: Change,
    ) -> Result<Receipt, StoreError> {
        let mut db = lock(&self.0);
        if !db.teams.contains_key(&team) || !db.users.contains_key(&user) {
            return Err(StoreError::NotFound);
        }
        if db.memberships.contains_key(&(team, user)) {
            return Err(StoreError::Conflict("team_memberships_pkey".into()));
        }
        db.memberships.insert((team, user), (role, joined_at));
        Ok(db.commit(change))
    }

    async fn set_role(
        &self,
        team: TeamId,
        user: UserId,
        role: Role,
        change: Change,
    ) -> Result<Receipt, StoreError> {
        let mut db = lock(&self.0);
        db.guard_last_admin(team, user, role == Role::Admin)?;
        if let Some(entry) = db.memberships.get_mut(&(team, user)) {
            entry.0 = role;
        }
        Ok(db.commit(change))
    }

    async fn remove_member(
        &self,
        team: TeamId,
        user: UserId,
        change: Change,
    ) -> Result<Receipt, StoreError> {
        let mut db = lock(&self.0);
        db.guard_last_admin(team, user, false)?;
        db.memberships.remove(&(team, user));
        Ok(db.commit(change))
    }

    async fn permissions(&self, team: TeamId) -> Result<PermissionMap, StoreError> {
        let db = lock(&self.0);
        Ok(db
            .permissions
            .iter()
            .filter(|((t, _), _)| *t == team)
            .map(|((_, r), set)| (*r, set.clone()))
            .collect())
    }

    async fn set_permissions(
        &self,
        team: TeamId,
        role: Role,
        permissions: &BTreeSet<Permission>,
        change: Change,
    ) -> Result<Receipt, StoreError> {
        let mut db = lock(&self.0);
        let stored = db
            .permissions
            .get_mut(&(team, role))
            .ok_or(StoreError::NotFound)?;
        *stored = permissions.clone();
        Ok(db.commit(change))
    }

    async fn share_a_team(&self, a: UserId, b: UserId) -> Result<bool, StoreError> {
        let db = lock(&self.0);
        Ok(db
            .memberships
            .keys()
            .any(|(t, u)| *u == a && db.memberships.contains_key(&(*t, b))))
    }
}

fn core_of(task: &Task) -> TaskCore {
    TaskCore {
        id: task.task_id,
        team_id: task.team_id,
        version: task.version,
    }
}

/// The words of a text, as PostgreSQL's `simple` configuration splits and folds them.
fn words(text: &str) -> Vec<String> {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect()
}

/// A task's sort key.
fn sort_key(task: &Task, field: SortField) -> SortKey {
    match field {
        SortField::Created => SortKey::Time(task.metadata.created),
        SortField::Updated => SortKey::Time(task.metadata.updated),
        SortField::Due => task.due_date.map_or(SortKey::NoDueDate, SortKey::Time),
        SortField::Priority => SortKey::Rank(task.priority.rank()),
    }
}

/// A sort key in ascending order as PostgreSQL sorts it: a missing due date is `infinity`
/// ascending and `-infinity` descending, so it comes last either way.
fn ascending(key: SortKey, descending: bool) -> (i8, Option<DateTime<Utc>>, i16) {
    match key {
        SortKey::Time(t) => (0, Some(t), 0),
        SortKey::Rank(rank) => (0, None, rank),
        SortKey::NoDueDate if descending => (-1, None, 0),
        SortKey::NoDueDate => (1, None, 0),
    }
}

impl Relational {
    fn may_read_tasks(&self, user: UserId, team: TeamId) -> bool {
        self.role_of(team, user).is_some_and(|role| {
            self.permissions
                .get(&(team, role))
                .is_some_and(|p| p.contains(&Permission::TaskRead))
        })
    }

    fn assignee_ok(&self, task: &Task) -> Result<(), StoreError> {
        match task.assignee_id {
            Some(a) if self.role_of(task.team_id, a).is_none() => {
                Err(StoreError::Conflict("assignee".into()))
            }
            _ => Ok(()),
        }
    }
}

#[async_trait]
impl TaskRepository for InMemoryRelational {
    async fn create(&self, task: &Task, change: Change) -> Result<Receipt, StoreError> {
        let mut db = lock(&self.0);
        if !db.teams.contains_key(&task.team_id) {
            return Err(StoreError::NotFound);
        }
        db.assignee_ok(task)?;
        db.tasks.insert(task.task_id, task.clone());
        Ok(db.commit(change))
    }

    async fn core(&self, id: TaskId) -> Result<Option<TaskCore>, StoreError> {
        Ok(lock(&self.0).tasks.get(&id).map(core_of))
    }

    async fn update(
        &self,
        task: &Task,
        expected: i64,
        change: Change,
    ) -> Result<Receipt, StoreError> {
        let mut db = lock(&self.0);
        let stored = db.tasks.get(&task.task_id).ok_or(StoreError::NotFound)?;
        if stored.version != expected {
            return Err(StoreError::StaleVersion);
        }
        db.assignee_ok(task)?;
        db.tasks.insert(task.task_id, task.clone());
        Ok(db.commit(change))
    }

    async fn delete(&self, id: TaskId, change: Change) -> Result<Receipt, StoreError> {
        let mut db = lock(&self.0);
        db.tasks.remove(&id).ok_or(StoreError::NotFound)?;
        Ok(db.commit(change))
    }

    async fn list(
        &self,
        user: UserId,
        q: &TaskQuery,
    ) -> Result<Vec<(TaskCore, Cursor)>, StoreError> {
        let db = lock(&self.0);
        let terms = q.text.as_deref().map(words).unwrap_or_default();
        let (field, descending) = (q.sort.field, q.sort.descending);
        let mut rows: Vec<(SortKey, &Task)> = db
            .tasks
            .values()
            .filter(|t| db.may_read_tasks(user, t.team_id))
            .filter(|t| q.team.is_none_or(|team| t.team_id == team))
            .filter(|t| q.statuses.is_empty() || q.statuses.contains(&t.status))
            .filter(|t| q.priorities.is_empty() || q.priorities.contains(&t.priority))
            .filter(|t| q.assignee.is_none_or(|a| t.assignee_id == Some(a)))
            .filter(|t| q.tags.iter().all(|tag| t.tags.as_slice().contains(tag)))
            .filter(|t| {
                q.due_before
                    .is_none_or(|b| t.due_date.is_some_and(|d| d < b))
            })
            .filter(|t| {
                q.due_after
                    .is_none_or(|a| t.due_date.is_some_and(|d| d > a))
            })
            .filter(|t| {
                let text = format!(
                    "{} {} {}",
                    t.title.as_str(),
                    t.description.as_str(),
                    t.tags.as_slice().join(" ")
                );
                let have = words(&text);
                terms.iter().all(|w| have.contains(w))
            })
            .map(|t| (sort_key(t, field), t))
            .collect();
        let order = |key: SortKey, id: TaskId| (ascending(key, descending), id);
        rows.sort_by_key(|(key, t)| order(*key, t.task_id));
        if descending {
            rows.reverse();
        }
        let after = |key: SortKey, id: TaskId| match &q.after {
            None => true,
            Some(c) => {
                let (here, there) = (order(key, id), order(c.key, c.id));
                if descending {
                    here < there
                } else {
                    here > there
                }
            }
        };
        Ok(rows
            .into_iter()
            .filter(|(key, t)| after(*key, t.task_id))
            .take(usize::try_from(q.limit).unwrap_or(0))
            .map(|(key, t)| (core_of(t), Cursor { key, id: t.task_id }))
            .collect())
    }

    async fn history(
        &self,
        id: TaskId,
        before: Option<AuditId>,
        limit: i64,
    ) -> Result<Vec<AuditEntry>, StoreError> {
        let db = lock(&self.0);
        let mut rows: Vec<&(AuditId, DateTime<Utc>, Change)> = db
            .audit
            .iter()
            .filter(|(_, _, c)| {
                c.audit.entity_type == AuditEntityType::Task && c.audit.entity_id == id.as_uuid()
            })
            .collect();
        rows.reverse();
        let skip = before.map_or(0, |b| {
            rows.iter()
                .position(|(a, _, _)| *a == b)
                .map_or(rows.len(), |i| i + 1)
        });
        Ok(rows
            .into_iter()
            .skip(skip)
            .take(usize::try_from(limit).unwrap_or(0))
            .map(|(aid, at, c)| AuditEntry {
                id: *aid,
                entity_id: c.audit.entity_id,
                action: c.audit.action,
                actor_id: c.audit.actor.user_id,
                at: *at,
                previous_state: c.audit.previous_state.clone(),
                new_state: c.audit.new_state.clone(),
                ip: c.audit.actor.ip.clone(),
                user_agent: c.audit.actor.user_agent.clone(),
            })
            .collect())
    }

    async fn scan(&self, after: Option<TaskId>, limit: i64) -> Result<Vec<TaskCore>, StoreError> {
        let db = lock(&self.0);
        Ok(db
            .tasks
            .values()
            .filter(|t| after.is_none_or(|a| t.task_id > a))
            .take(usize::try_from(limit).unwrap_or(0))
            .map(core_of)
            .collect())
    }
}

#[async_trait]
impl IdempotencyStore for InMemoryRelational {
    async fn claim(&self, key: &IdempotencyKey) -> Result<Claim, StoreError> {
        let mut db = lock(&self.0);
        let id = (key.user, key.key.clone());
        Ok(match db.idempotency.get(&id) {
            None => {
                db.idempotency.insert(id, (key.request_hash.clone(), None));
                Claim::Fresh
            }
            Some((hash, _)) if *hash != key.request_hash => Claim::Mismatch,
            Some((_, Some(response))) => Claim::Replay(response.clone()),
            Some((_, None)) => Claim::InFlight,
        })
    }

    async fn release(&self, key: &IdempotencyKey) -> Result<(), StoreError> {
        let mut db = lock(&self.0);
        let id = (key.user, key.key.clone());
        if matches!(db.idempotency.get(&id), Some((_, None))) {
            db.idempotency.remove(&id);
        }
        Ok(())
    }
}

#[async_trait]
impl Outbox for InMemoryRelational {
    async fn apply_pending(
        &self,
        only: Option<&[i64]>,
        limit: i64,
        applier: &dyn EffectApplier,
    ) -> Result<RelayReport, StoreError> {
        let claimed: Vec<(i64, String, Vec<Effect>)> = {
            let mut db = lock(&self.0);
            let pending = db.outbox.iter().filter(|(_, row)| !row.applied);
            let mut claimed: Vec<(i64, String, Vec<Effect>)> = match only {
                // The relay: due rows not in flight, unless an older row of their aggregate is
                // held back (not due, or in flight).
                None => {
                    let mut blocked = HashSet::new();
                    let mut rows = Vec::new();
                    for (id, row) in pending {
                        let due = row.retry_at.is_none_or(|at| Instant::now() >= at);
                        if !due || db.in_flight.contains(id) || blocked.contains(&row.aggregate) {
                            blocked.insert(row.aggregate.clone());
                        } else {
                            rows.push((*id, row.aggregate.clone(), row.effects.clone()));
                        }
                    }
                    rows
                }
                // A fast path: the named rows and the older pending rows of their aggregates.
                Some(ids) => {
                    let aggregates: HashSet<&String> = ids
                        .iter()
                        .filter_map(|id| db.outbox.get(id))
                        .map(|row| &row.aggregate)
                        .collect();
                    let upto = ids.iter().copied().max().unwrap_or(0);
                    pending
                        .filter(|(id, row)| **id <= upto && aggregates.contains(&row.aggregate))
                        .filter(|(id, _)| !db.in_flight.contains(id))
                        .map(|(id, row)| (*id, row.aggregate.clone(), row.effects.clone()))
                        .collect()
                }
            };
            claimed.truncate(usize::try_from(limit).unwrap_or(0));
            db.in_flight.extend(claimed.iter().map(|(id, _, _)| *id));
            claimed
        };
        let mut report = RelayReport::default();
        let mut stalled = HashSet::new();
        for (id, aggregate, effects) in claimed {
            let outcome = if stalled.contains(&aggregate) {
                lock(&self.0).in_flight.remove(&id);
                continue;
            } else {
                applier.apply(&effects).await
            };
            let mut db = lock(&self.0);
            db.in_flight.remove(&id);
            if outcome.is_err() {
                stalled.insert(aggregate);
            }
            match outcome {
                Ok(()) => {
                    report.applied += 1;
                    if let Some(row) = db.outbox.get_mut(&id) {
                        row.applied = true;
                    }
                }
                Err(_) => {
                    report.failed += 1;
                    if let Some(row) = db.outbox.get_mut(&id) {
                        row.retry_at = Some(Instant::now() + Duration::from_secs(1));
                    }
                }
            }
        }
        Ok(report)
    }

    async fn latest_document(
        &self,
        collection: Collection,
        id: Uuid,
    ) -> Result<Option<(i64, VersionedDocument)>, StoreError> {
        let db = lock(&self.0);
        Ok(db.outbox.iter().rev().find_map(|(row_id, row)| {
            row.effects.iter().rev().find_map(|e| match e {
                Effect::PutDocument {
                    collection: c,
                    id: i,
                    version,
                    body,
                } if *c == collection && *i == id => Some((
                    *row_id,
                    VersionedDocument {
                        version: *version,
                        body: body.clone(),
                    },
                )),
                _ => None,
            })
        }))
    }

    async fn pending_count(&self) -> Result<i64, StoreError> {
        Ok(lock(&self.0).outbox.values().filter(|r| !r.applied).count() as i64)
    }
}

/// A switch that makes a fake answer `Unavailable`, to play a store outage.
#[derive(Default)]
struct Outage(Mutex<bool>);

impl Outage {
    fn check(&self, store: &'static str) -> Result<(), StoreError> {
        if *lock(&self.0) {
            Err(StoreError::unavailable(store, "down (fake)"))
        } else {
            Ok(())
        }
    }
}

/// MongoDB's fake.
#[derive(Default)]
pub struct InMemoryDocuments {
    docs: Mutex<HashMap<(Collection, Uuid), VersionedDocument>>,
    outage: Outage,
}

impl InMemoryDocuments {
    pub fn set_down(&self, down: bool) {
        *lock(&self.outage.0) = down;
    }
}

#[async_trait]
impl DocumentStore for InMemoryDocuments {
    async fn put_if_newer(
        &self,
        collection: Collection,
        id: Uuid,
        version: i64,
        body: &serde_json::Value,
    ) -> Result<(), StoreError> {
        self.outage.check("mongo")?;
        let mut docs = lock(&self.docs);
        let newer = docs
            .get(&(collection, id))
            .is_none_or(|d| d.version < version);
        if newer {
            docs.insert(
                (collection, id),
                VersionedDocument {
                    version,
                    body: body.clone(),
                },
            );
        }
        Ok(())
    }

    async fn get(
        &self,
        collection: Collection,
        id: Uuid,
    ) -> Result<Option<VersionedDocument>, StoreError> {
        self.outage.check("mongo")?;
        Ok(lock(&self.docs).get(&(collection, id)).cloned())
    }

    async fn ids(&self, collection: Collection) -> Result<Vec<Uuid>, StoreError> {
        self.outage.check("mongo")?;
        Ok(lock(&self.docs)
            .keys()
            .filter(|(c, _)| *c == collection)
            .map(|(_, id)| *id)
            .collect())
    }

    async fn team_ids(
        &self,
        collection: Collection,
        team: TeamId,
    ) -> Result<Vec<Uuid>, StoreError> {
        self.outage.check("mongo")?;
        let team = team.to_string();
        Ok(lock(&self.docs)
            .iter()
            .filter(|((c, _), d)| *c == collection && d.body["teamId"] == team.as_str())
            .map(|((_, id), _)| *id)
            .collect())
    }

    async fn delete_team(&self, collection: Collection, team: TeamId) -> Result<(), StoreError> {
        self.outage.check("mongo")?;
        let team = team.to_string();
        lock(&self.docs).retain(|(c, _), d| *c != collection || d.body["teamId"] != team.as_str());
        Ok(())
    }

    async fn delete(&self, collection: Collection, id: Uuid) -> Result<(), StoreError> {
        self.outage.check("mongo")?;
        lock(&self.docs).remove(&(collection, id));
        Ok(())
    }
}

/// Redis's cache fake (no TTLs: entries live until dropped).
#[derive(Default)]
pub struct InMemoryCache(Mutex<HashMap<CacheKey, serde_json::Value>>);

#[async_trait]
impl Cache for InMemoryCache {
    async fn get(&self, key: CacheKey) -> Result<Option<serde_json::Value>, StoreError> {
        Ok(lock(&self.0).get(&key).cloned())
    }

    async fn get_many(
        &self,
        keys: &[CacheKey],
    ) -> Result<Vec<Option<serde_json::Value>>, StoreError> {
        let cache = lock(&self.0);
        Ok(keys.iter().map(|k| cache.get(k).cloned()).collect())
    }

    async fn put(&self, key: CacheKey, value: &serde_json::Value) -> Result<(), StoreError> {
        lock(&self.0).insert(key, value.clone());
        Ok(())
    }

    async fn drop_key(&self, key: CacheKey) -> Result<(), StoreError> {
        lock(&self.0).remove(&key);
        Ok(())
    }
}

/// Redis's session fake. TTLs are not modelled: expiry is the domain's rule, tested with a
/// `ManualClock`.
#[derive(Default)]
pub struct InMemorySessions {
    sessions: Mutex<HashMap<TokenHash, Session>>,
}

#[async_trait]
impl SessionStore for InMemorySessions {
    async fn create(
        &self,
        token: &TokenHash,
        session: &Session,
        _ttl: Duration,
    ) -> Result<(), StoreError> {
        lock(&self.sessions).insert(token.clone(), session.clone());
        Ok(())
    }

    async fn find(&self, token: &TokenHash) -> Result<Option<Session>, StoreError> {
        Ok(lock(&self.sessions).get(token).cloned())
    }

    async fn touch(
        &self,
        token: &TokenHash,
        session: &Session,
        _ttl: Duration,
    ) -> Result<(), StoreError> {
        if let Some(stored) = lock(&self.sessions).get_mut(token) {
            *stored = session.clone();
        }
        Ok(())
    }

    async fn list(&self, user: UserId) -> Result<Vec<Session>, StoreError> {
        Ok(lock(&self.sessions)
            .values()
            .filter(|s| s.user_id == user)
            .cloned()
            .collect())
    }

    async fn revoke(&self, user: UserId, session: SessionId) -> Result<bool, StoreError> {
        let mut sessions = lock(&self.sessions);
        let before = sessions.len();
        sessions.retain(|_, s| !(s.user_id == user && s.id == session));
        Ok(sessions.len() < before)
    }

    async fn revoke_all(&self, user: UserId, keep: Option<SessionId>) -> Result<(), StoreError> {
        lock(&self.sessions).retain(|_, s| s.user_id != user || Some(s.id) == keep);
        Ok(())
    }
}

/// Redis's rate limit fake: counts per bucket, windows restart only when told; holds last
/// their time.
#[derive(Default)]
pub struct InMemoryRateLimiter(Mutex<Counters>);

#[derive(Default)]
struct Counters {
    hits: HashMap<RateBucket, u32>,
    failures: HashMap<RateBucket, u32>,
    holds: HashMap<RateBucket, Instant>,
}

#[async_trait]
impl RateLimiter for InMemoryRateLimiter {
    async fn hit(&self, bucket: &RateBucket, rule: RateRule) -> Result<RateDecision, StoreError> {
        let mut counters = lock(&self.0);
        let count = counters.hits.entry(bucket.clone()).or_default();
        *count += 1;
        Ok(if *count <= rule.limit {
            RateDecision::Allowed
        } else {
            RateDecision::Limited {
                retry_after: rule.window,
            }
        })
    }

    async fn held(&self, bucket: &RateBucket) -> Result<Option<Duration>, StoreError> {
        let counters = lock(&self.0);
        Ok(counters
            .holds
            .get(bucket)
            .map(|until| until.saturating_duration_since(Instant::now()))
            .filter(|left| !left.is_zero()))
    }

    async fn fail(&self, bucket: &RateBucket, rule: RateRule) -> Result<(), StoreError> {
        let mut counters = lock(&self.0);
        let count = counters.failures.entry(bucket.clone()).or_default();
        *count += 1;
        let hold = hold_after(*count, rule.limit, rule.window);
        if !hold.is_zero() {
            counters.holds.insert(bucket.clone(), Instant::now() + hold);
        }
        Ok(())
    }

    async fn clear(&self, bucket: &RateBucket) -> Result<(), StoreError> {
        let mut counters = lock(&self.0);
        counters.failures.remove(bucket);
        counters.holds.remove(bucket);
        Ok(())
    }
}
