//! Registration, login, sessions, password change and account deletion.

use super::effects::RevokeSessions;
use super::model::{Profile, ProfileDetails, Session, User};
use super::ports::{
    PasswordHasher, RateBucket, RateDecision, RateLimiter, RateRule, SessionStore, UserRepository,
};
use super::projection::{DeleteProfile, PutProfile};
use super::state::ProfileState;
use super::throttle::client_key;
use super::values::{Email, Password, PasswordHash, PersonName, SessionToken};
use crate::clock::Clock;
use crate::ids::{SessionId, UserId};
use crate::notifications::EraseNotifications;
use crate::validation::{plain, rejected, FieldError};
use crate::write_path::{
    Actor, Aggregate, AuditAction, AuditDraft, AuditEntityType, Change, Scope, StoredEffect,
    WritePath,
};
use crate::{Error, StoreError};
use chrono::{DateTime, Utc};
use std::sync::Arc;
use std::time::Duration;

#[derive(Debug, Clone, Copy)]
pub struct RateRules {
    pub login_ip: RateRule,
    /// Free failed password checks per account and client, and how long failures are remembered
    /// (also the longest hold).
    pub login_failures: RateRule,
    pub register_ip: RateRule,
    pub api: RateRule,
}

#[derive(Debug, Clone, Copy)]
pub struct AuthPolicy {
    /// A session unused for this long ends.
    pub idle_timeout: Duration,
    /// No session lives longer than this, however busy.
    pub absolute_timeout: Duration,
    /// `last_seen_at` is saved at most this often, to keep the hot path to one Redis read.
    pub touch_interval: Duration,
    pub rates: RateRules,
}

/// The caller of an authenticated request.
/// How recently a user must have made a request to count as online.
pub const ONLINE_WITHIN: Duration = Duration::from_secs(300);

#[derive(Debug, Clone)]
pub struct Authenticated {
    pub user_id: UserId,
    pub session: Session,
}

pub struct LoginOutcome {
    pub token: SessionToken,
    pub session: Session,
    pub user: User,
}

pub struct RegisterInput {
    pub email: String,
    pub password: String,
    pub first_name: String,
    pub last_name: String,
}

fn allowed(decision: RateDecision) -> Result<(), Error> {
    match decision {
        RateDecision::Allowed => Ok(()),
        RateDecision::Limited { retry_after } => Err(Error::RateLimited { retry_after }),
    }
}

pub struct AuthService {
    users: Arc<dyn UserRepository>,
    sessions: Arc<dyn SessionStore>,
    limiter: Arc<dyn RateLimiter>,
    hasher: Arc<dyn PasswordHasher>,
    clock: Arc<dyn Clock>,
    write_path: WritePath,
    policy: AuthPolicy,
    /// Verified against when the email is unknown, so that both failures cost the same.
    decoy_hash: PasswordHash,
}

pub(crate) fn account_change(
    user: UserId,
    action: AuditAction,
    actor: &Actor,
    states: (Option<serde_json::Value>, Option<serde_json::Value>),
    effects: Vec<StoredEffect>,
) -> Change {
    let profile = Aggregate::entity(Scope::Account(user), "profile", user.as_uuid());
    let audit = AuditDraft {
        entity_type: AuditEntityType::User,
        entity_id: user.as_uuid(),
        action,
        actor: Actor {
            user_id: actor.user_id.or(Some(user)),
            ..actor.clone()
        },
        previous_state: states.0,
        new_state: states.1,
    };
    Change::new(profile, audit, effects)
}

/// The urgent part of a change that ends `user`'s sessions (all but `keep`) before the
/// response.
fn revoking_sessions(
    change: Change,
    user: UserId,
    keep: Option<SessionId>,
    now: DateTime<Utc>,
) -> Change {
    let revoke = RevokeSessions {
        user_id: user,
        keep,
        opened_before: now,
    };
    change.with_urgent("sessions", user.as_uuid(), vec![StoredEffect::of(&revoke)])
}

fn to_duration(d: Duration) -> chrono::TimeDelta {
    chrono::TimeDelta::from_std(d).unwrap_or(chrono::TimeDelta::MAX)
}

impl AuthService {
    #[allow(clippy::too_many_arguments)]
    pub async fn new(
        users: Arc<dyn UserRepository>,
        sessions: Arc<dyn SessionStore>,
        limiter: Arc<dyn RateLimiter>,
        hasher: Arc<dyn PasswordHasher>,
        clock: Arc<dyn Clock>,
        write_path: WritePath,
        policy: AuthPolicy,
    ) -> Result<Self, Error> {
        let decoy = Password::parse("password", "decoy-password-never-matches".to_owned())?;
        let decoy_hash = hasher.hash(&decoy).await?;
        Ok(Self {
            users,
            sessions,
            limiter,
            hasher,
            clock,
            write_path,
            policy,
            decoy_hash,
        })
    }

    async fn limit(&self, bucket: RateBucket, rule: RateRule) -> Result<(), Error> {
        allowed(self.limiter.hit(&bucket, rule).await?)
    }

    /// Runs a password check of `account` by `actor`'s client under the failure throttle: held
    /// back while earlier failures say so; a failure (`is_failure`) counts, a success clears.
    async fn throttled<T>(
        &self,
        account: &Email,
        actor: &Actor,
        check: impl std::future::Future<Output = Result<T, Error>>,
        is_failure: fn(&Error) -> bool,
    ) -> Result<T, Error> {
        let bucket = RateBucket::LoginFailures {
            account: account.clone(),
            client: client_key(actor.ip.as_deref()),
        };
        if let Some(retry_after) = self.limiter.held(&bucket).await? {
            return Err(Error::RateLimited { retry_after });
        }
        let outcome = check.await;
        match &outcome {
            Ok(_) => self.limiter.clear(&bucket).await?,
            Err(e) if is_failure(e) => {
                self.limiter
                    .fail(&bucket, self.policy.rates.login_failures)
                    .await?
            }
            Err(_) => {}
        }
        outcome
    }

    pub async fn register(&self, input: RegisterInput, actor: &Actor) -> Result<User, Error> {
        if let Some(ip) = &actor.ip {
            let bucket = RateBucket::RegisterIp(client_key(Some(ip)));
            // Registration is a write, and writes commit while Redis is down: the limit is
            // skipped for the outage rather than turning every newcomer away.
            match self.limit(bucket, self.policy.rates.register_ip).await {
                Err(Error::Unavailable { .. }) => {
                    tracing::warn!("registration rate limit skipped: Redis unavailable")
                }
                other => other?,
            }
        }
        let (email, password, first, last) = match (
            Email::parse("email", &input.email),
            Password::parse("password", input.password),
            PersonName::parse("firstName", &input.first_name),
            PersonName::parse("lastName", &input.last_name),
        ) {
            (Ok(e), Ok(p), Ok(f), Ok(l)) => (e, p, f, l),
            (e, p, f, l) => return Err(rejected([e.err(), p.err(), f.err(), l.err()])),
        };
        let hash = self.hasher.hash(&password).await?;
        let profile = Profile {
            user: User {
                id: UserId::new(),
                email,
                first_name: first,
                last_name: last,
                created_at: self.clock.now(),
                last_login: None,
                profile_version: 1,
            },
            details: ProfileDetails::default(),
        };
        let put = PutProfile {
            profile: ProfileState::from(&profile),
        };
        let change = account_change(
            profile.user.id,
            AuditAction::Create,
            actor,
            (None, Some(profile.user.audit_state())),
            vec![StoredEffect::of(&put)],
        );
        self.write_path
            .commit(self.users.create(&profile, &hash, change))
            .await
            .map_err(|e| match e {
                StoreError::Conflict(_) => Error::Conflict("email is already registered".into()),
                other => other.into(),
            })?;
        Ok(profile.user)
    }

    /// Checks a password against an account, at the same cost whether or not the account exists.
    async fn check_password(&self, email: &Email, password: &Password) -> Result<User, Error> {
        let found = self.users.by_email(email).await?;
        let hash = found.as_ref().map_or(&self.decoy_hash, |(_, h)| h);
        let matches = self.hasher.verify(password, hash).await?;
        match found {
            Some((user, _)) if matches => Ok(user),
            _ => Err(Error::InvalidCredentials),
        }
    }

    pub async fn login(
        &self,
        email: &str,
        password: String,
        actor: &Actor,
    ) -> Result<LoginOutcome, Error> {
        if let Some(ip) = &actor.ip {
            self.limit(
                RateBucket::LoginIp(client_key(Some(ip))),
                self.policy.rates.login_ip,
            )
            .await?;
        }
        // Control characters are refused as in every text; other malformed credentials get the
        // same answer as wrong ones.
        let controls = [
            plain("email", email).err(),
            plain("password", &password).err(),
        ];
        if controls.iter().any(Option::is_some) {
            return Err(rejected(controls));
        }
        let (Ok(email), Ok(password)) = (
            Email::parse("email", email),
            Password::parse("password", password),
        ) else {
            return Err(Error::InvalidCredentials);
        };
        let mut user = self
            .throttled(&email, actor, self.check_password(&email, &password), |e| {
                matches!(e, Error::InvalidCredentials)
            })
            .await?;

        let now = self.clock.now();
        let token = SessionToken::generate();
        let session = Session {
            id: SessionId::new(),
            user_id: user.id,
            created_at: now,
            last_seen_at: now,
            expires_at: now + to_duration(self.policy.absolute_timeout),
            user_agent: actor.user_agent.clone(),
            ip: actor.ip.clone(),
        };
        self.sessions
            .create(&token.hash(), &session, self.policy.idle_timeout)
            .await?;

        let actor = Actor {
            user_id: Some(user.id),
            ..actor.clone()
        };
        let change = account_change(user.id, AuditAction::Login, &actor, (None, None), vec![]);
        if let Err(e) = self.users.record_login(user.id, now, change).await {
            // No audit row, no session: the login did not happen.
            let _ = self.sessions.revoke(user.id, session.id).await;
            return Err(e.into());
        }
        user.last_login = Some(now);
        Ok(LoginOutcome {
            token,
            session,
            user,
        })
    }

    /// Resolves a bearer token to its live session, enforcing idle and absolute expiry and the
    /// per-user API rate limit (both read in one round trip: see [`SessionStore::admit`]).
    /// Fails closed: a store error is never a pass.
    pub async fn authenticate(&self, token: &SessionToken) -> Result<Authenticated, Error> {
        let hash = token.hash();
        let (mut session, decision) = self
            .sessions
            .admit(&hash, self.limiter.as_ref(), self.policy.rates.api)
            .await?
            .ok_or(Error::Unauthenticated)?;
        let now = self.clock.now();
        let idle = to_duration(self.policy.idle_timeout);
        if now >= session.expires_at || now - session.last_seen_at >= idle {
            self.sessions.revoke(session.user_id, session.id).await?;
            return Err(Error::Unauthenticated);
        }
        if now - session.last_seen_at >= to_duration(self.policy.touch_interval) {
            session.last_seen_at = now;
            self.sessions
                .touch(&hash, &session, self.remaining_idle(&session, now))
                .await?;
        }
        allowed(decision)?;
        Ok(Authenticated {
            user_id: session.user_id,
            session,
        })
    }

    /// The TTL a touched session gets: the idle timeout, cut short by the absolute expiry.
    fn remaining_idle(&self, session: &Session, now: DateTime<Utc>) -> Duration {
        (session.expires_at - now)
            .to_std()
            .unwrap_or(Duration::ZERO)
            .min(self.policy.idle_timeout)
    }

    /// The users active (an authenticated request) in the last [`ONLINE_WITHIN`].
    pub async fn online(&self) -> Result<std::collections::HashSet<UserId>, Error> {
        let users = self.sessions.online(ONLINE_WITHIN).await?;
        Ok(users.into_iter().collect())
    }

    pub async fn logout(&self, who: &Authenticated) -> Result<(), Error> {
        self.sessions.revoke(who.user_id, who.session.id).await?;
        Ok(())
    }

    pub async fn logout_all(&self, who: &Authenticated) -> Result<(), Error> {
        self.sessions.revoke_all(who.user_id, None, None).await?;
        Ok(())
    }

    pub async fn sessions(&self, who: &Authenticated) -> Result<Vec<Session>, Error> {
        let mut sessions = self.sessions.list(who.user_id).await?;
        sessions.sort_by_key(|s| std::cmp::Reverse(s.last_seen_at));
        Ok(sessions)
    }

    pub async fn revoke_session(&self, who: &Authenticated, id: SessionId) -> Result<(), Error> {
        if self.sessions.revoke(who.user_id, id).await? {
            Ok(())
        } else {
            Err(Error::NotFound)
        }
    }

    /// Re-checks the caller's password before a sensitive change; throttled like a login.
    async fn confirm_password(
        &self,
        who: &Authenticated,
        field: &str,
        password: String,
        actor: &Actor,
    ) -> Result<User, Error> {
        let (user, hash) = self
            .users
            .by_id(who.user_id)
            .await?
            .ok_or(Error::NotFound)?;
        let check = async {
            let wrong = || Error::from(FieldError::new(field, "is not the current password"));
            let password = Password::parse(field, password).map_err(|_| wrong())?;
            if self.hasher.verify(&password, &hash).await? {
                Ok(())
            } else {
                Err(wrong())
            }
        };
        self.throttled(&user.email, actor, check, |e| {
            matches!(e, Error::Validation(_))
        })
        .await?;
        Ok(user)
    }

    pub async fn change_password(
        &self,
        who: &Authenticated,
        current: String,
        new: String,
        actor: &Actor,
    ) -> Result<(), Error> {
        let new = Password::parse("newPassword", new)?;
        let user = self
            .confirm_password(who, "currentPassword", current, actor)
            .await?;
        let hash = self.hasher.hash(&new).await?;
        let change = account_change(
            user.id,
            AuditAction::Update,
            actor,
            (None, Some(serde_json::json!({ "passwordChanged": true }))),
            vec![],
        );
        let change = revoking_sessions(change, user.id, Some(who.session.id), self.clock.now());
        self.write_path
            .commit(self.users.set_password(user.id, &hash, change))
            .await?;
        Ok(())
    }

    /// Removes the account from every store: the users row commits its deletion, and the outbox
    /// rows remove the profile document and every session.
    pub async fn delete_account(
        &self,
        who: &Authenticated,
        password: String,
        actor: &Actor,
    ) -> Result<(), Error> {
        let user = self
            .confirm_password(who, "password", password, actor)
            .await?;
        let change = account_change(
            user.id,
            AuditAction::Delete,
            actor,
            (Some(user.audit_state()), None),
            vec![
                StoredEffect::of(&DeleteProfile { user_id: user.id }),
                StoredEffect::of(&EraseNotifications::User { user_id: user.id }),
            ],
        );
        let change = revoking_sessions(change, user.id, None, self.clock.now());
        self.write_path
            .commit(self.users.delete(user.id, change))
            .await
            .map_err(|e| match e {
                StoreError::Conflict(_) => Error::Conflict(
                    "you are the last admin of a team: make someone else admin or delete the team first"
                        .into(),
                ),
                other => other.into(),
            })?;
        Ok(())
    }
}
