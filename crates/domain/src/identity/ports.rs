//! The ports identity drives.

use super::model::{Profile, Session, User};
use super::values::{Email, Password, PasswordHash, TokenHash};
use crate::ids::{SessionId, UserId};
use crate::write_path::{Change, Receipt};
use crate::StoreError;
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use std::time::Duration;

/// Accounts, credentials and profiles (PostgreSQL `users`: a profile is one row). Every
/// mutating method commits its relational rows together with the given [`Change`] (audit row
/// and outbox row) in one transaction.
#[async_trait]
pub trait UserRepository: Send + Sync {
    /// Stores the account with every field of its profile. `Conflict` when the email is taken.
    async fn create(
        &self,
        profile: &Profile,
        hash: &PasswordHash,
        change: Change,
    ) -> Result<Receipt, StoreError>;
    async fn by_email(&self, email: &Email) -> Result<Option<(User, PasswordHash)>, StoreError>;
    async fn by_id(&self, id: UserId) -> Result<Option<(User, PasswordHash)>, StoreError>;
    async fn profile(&self, id: UserId) -> Result<Option<Profile>, StoreError>;
    async fn record_login(
        &self,
        id: UserId,
        at: DateTime<Utc>,
        change: Change,
    ) -> Result<Receipt, StoreError>;
    /// Saves the names and details of `profile` (its version already bumped) if the stored
    /// profile version is `expected`: `StaleVersion` otherwise (or when the user is gone).
    async fn update_profile(
        &self,
        profile: &Profile,
        expected: i64,
        change: Change,
    ) -> Result<Receipt, StoreError>;
    async fn set_password(
        &self,
        id: UserId,
        hash: &PasswordHash,
        change: Change,
    ) -> Result<Receipt, StoreError>;
    /// `NotFound` when the user is already gone.
    async fn delete(&self, id: UserId, change: Change) -> Result<Receipt, StoreError>;
}

/// Sessions (Redis): a session per token hash, indexed per user.
#[async_trait]
pub trait SessionStore: Send + Sync {
    /// Stores the session; it disappears by itself after `ttl` without a touch.
    async fn create(
        &self,
        token: &TokenHash,
        session: &Session,
        ttl: Duration,
    ) -> Result<(), StoreError>;
    async fn find(&self, token: &TokenHash) -> Result<Option<Session>, StoreError>;
    /// A request's admission: the session of `token` and, if there is one, its user's hit of
    /// the API rate limit counted in `limiter` under `rule`, and the user's last activity (see
    /// [`SessionStore::online`]). A store that also holds the limiter's counts (Redis) answers
    /// in one round trip, counting exactly as `limiter` would.
    async fn admit(
        &self,
        token: &TokenHash,
        limiter: &dyn RateLimiter,
        rule: RateRule,
    ) -> Result<Option<(Session, RateDecision)>, StoreError>;
    /// The users admitted within `within` of now (the `online:users` presence), each once.
    async fn online(&self, within: Duration) -> Result<Vec<UserId>, StoreError>;
    /// Saves a newer `last_seen_at` and restarts the idle countdown.
    async fn touch(
        &self,
        token: &TokenHash,
        session: &Session,
        ttl: Duration,
    ) -> Result<(), StoreError>;
    /// The user's live sessions.
    async fn list(&self, user: UserId) -> Result<Vec<Session>, StoreError>;
    /// Ends one session of the user; false when the user has no such session.
    async fn revoke(&self, user: UserId, session: SessionId) -> Result<bool, StoreError>;
    /// Ends every session of the user but `keep` (of those opened before `opened_before`, if
    /// given).
    async fn revoke_all(
        &self,
        user: UserId,
        keep: Option<SessionId>,
        opened_before: Option<DateTime<Utc>>,
    ) -> Result<(), StoreError>;
}

/// What a rate limit counts. Client addresses are keyed by [`super::throttle::client_key`].
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum RateBucket {
    LoginIp(String),
    /// Failed password checks of one account from one client.
    LoginFailures {
        account: Email,
        client: String,
    },
    RegisterIp(String),
    Api(UserId),
}

/// At most `limit` hits per `window`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateRule {
    pub limit: u32,
    pub window: Duration,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RateDecision {
    Allowed,
    Limited { retry_after: Duration },
}

/// Counters shared by every instance (Redis): fixed windows of hits, and failure counts that
/// hold a bucket back for longer with each failure.
#[async_trait]
pub trait RateLimiter: Send + Sync {
    async fn hit(&self, bucket: &RateBucket, rule: RateRule) -> Result<RateDecision, StoreError>;
    /// How long `bucket` is still held back by its failures, if it is.
    async fn held(&self, bucket: &RateBucket) -> Result<Option<Duration>, StoreError>;
    /// Counts a failure (remembered for `rule.window` after the last one) and holds the bucket
    /// back for [`super::throttle::hold_after`] that count, `rule.limit` failures being free.
    async fn fail(&self, bucket: &RateBucket, rule: RateRule) -> Result<(), StoreError>;
    /// Forgets the bucket's failures and hold.
    async fn clear(&self, bucket: &RateBucket) -> Result<(), StoreError>;
}

/// Password hashing (bcrypt in production). Slow on purpose, so implementations run it off the
/// request's thread.
#[async_trait]
pub trait PasswordHasher: Send + Sync {
    async fn hash(&self, password: &Password) -> Result<PasswordHash, StoreError>;
    async fn verify(&self, password: &Password, hash: &PasswordHash) -> Result<bool, StoreError>;
}
