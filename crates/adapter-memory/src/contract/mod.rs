//! Port contract suites: one function per port, run against the fakes (this crate's tests) and
//! against the real adapters (`tests/tests/contracts.rs`), so the fakes cannot drift from the
//! stores they stand for. Each suite makes its own ids and emails, so it can run on shared
//! stores in parallel with anything else.

mod access;
mod attachments;
mod audit;
mod comments;
mod dashboards;
mod idempotency;
mod mail;
mod notifications;
mod outbox;
mod profile_documents;
mod rate_limiter;
mod search;
mod sessions;
mod task_stores;
mod tasks;
mod teams;
mod users;

pub use access::access_cache;
pub use attachments::attachment_bytes;
pub use audit::audit_log;
pub use comments::{comment_documents, comment_repository};
pub use dashboards::dashboard_reader;
pub use idempotency::idempotency;
pub use mail::{mail_clock, mail_jobs};
pub use notifications::{
    audience, live_feed, notification_store, presence, reminders, unread_counter,
};
pub use outbox::outbox;
pub use profile_documents::profile_documents;
pub use rate_limiter::rate_limiter;
pub use search::search_index;
pub use sessions::sessions;
pub use task_stores::{task_cache, task_documents, task_lists};
pub use tasks::task_repository;
pub use teams::team_repository;
pub use users::user_repository;

use chrono::{SubsecRound, Utc};
use std::fmt::Debug;
use std::time::Duration;
use taskforge_domain::identity::ports::{
    RateBucket, RateDecision, RateLimiter, RateRule, SessionStore, UserRepository,
};
use taskforge_domain::identity::{
    Email, PasswordHash, PersonName, Profile, ProfileDetails, Session, SessionToken, User,
};
use taskforge_domain::ids::{SessionId, TeamId, UserId};
use taskforge_domain::tasks::TaskRepository;
use taskforge_domain::teams::TeamRepository;
use taskforge_domain::write_path::{
    Actor, Aggregate, AuditAction, AuditDraft, AuditEntityType, Change, IdempotencyStore, Outbox,
    Scope, StoredEffect,
};
use taskforge_domain::StoreError;
use uuid::Uuid;

fn must<T, E: Debug>(result: Result<T, E>, what: &str) -> T {
    match result {
        Ok(v) => v,
        Err(e) => panic!("{what}: {e:?}"),
    }
}

/// A new account's profile, with the default details.
fn new_profile(email: &str) -> Profile {
    Profile {
        user: User {
            id: UserId::new(),
            email: must(Email::parse("email", email), "email"),
            first_name: PersonName::from_stored("Ada".into()),
            last_name: PersonName::from_stored("Lovelace".into()),
            // Stores keep microseconds.
            created_at: Utc::now().trunc_subsecs(6),
            last_login: None,
            profile_version: 1,
        },
        details: ProfileDetails::default(),
    }
}

fn audit(
    entity_type: AuditEntityType,
    id: Uuid,
    action: AuditAction,
    actor: Option<UserId>,
) -> AuditDraft {
    AuditDraft {
        entity_type,
        entity_id: id,
        action,
        actor: Actor {
            user_id: actor,
            ..Actor::default()
        },
        previous_state: None,
        new_state: None,
    }
}

/// A change of `user`'s profile (an entity of the account's scope).
fn change(user: UserId, action: AuditAction, effects: Vec<StoredEffect>) -> Change {
    change_of(
        Aggregate::entity(Scope::Account(user), "profile", user.as_uuid()),
        user,
        action,
        effects,
    )
}

/// A change of `aggregate` made by `user`.
fn change_of(
    aggregate: Aggregate,
    user: UserId,
    action: AuditAction,
    effects: Vec<StoredEffect>,
) -> Change {
    let audit = audit(AuditEntityType::User, user.as_uuid(), action, Some(user));
    Change::new(aggregate, audit, effects)
}

/// An effect of a kind no projector knows: outboxes carry effects without looking inside.
fn effect(id: Uuid, version: i64) -> StoredEffect {
    let fields = serde_json::json!({ "id": id, "version": version });
    StoredEffect {
        kind: "contract".into(),
        fields: fields.as_object().cloned().unwrap_or_default(),
    }
}

/// `n` users created through `users`, each with a unique email.
async fn registered(users: &dyn UserRepository, n: usize) -> Vec<User> {
    let hash = PasswordHash::from_stored("h".into());
    let mut people = Vec::with_capacity(n);
    for _ in 0..n {
        let p = new_profile(&unique_email());
        let create = users.create(&p, &hash, change(p.user.id, AuditAction::Create, vec![]));
        must(create.await, "create user");
        people.push(p.user);
    }
    people
}

fn unique_email() -> String {
    format!("contract-{}@Example.com", Uuid::new_v4().simple())
}

trait ExpectFound<T> {
    fn expect_found(self) -> T;
}

impl<T> ExpectFound<T> for Option<T> {
    fn expect_found(self) -> T {
        match self {
            Some(v) => v,
            None => panic!("expected a row"),
        }
    }
}

fn team_change(team: TeamId, action: AuditAction) -> Change {
    let audit = audit(AuditEntityType::Team, team.as_uuid(), action, None);
    Change::new(Aggregate::whole(Scope::Team(team)), audit, vec![])
}
