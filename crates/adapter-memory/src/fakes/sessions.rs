//! Redis's session fake.

use crate::fakes::lock;
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};
use taskforge_domain::identity::ports::{
    RateBucket, RateDecision, RateLimiter, RateRule, SessionStore,
};
use taskforge_domain::identity::{Session, TokenHash};
use taskforge_domain::ids::{SessionId, UserId};
use taskforge_domain::StoreError;

/// Redis's session fake. TTLs are not modelled: expiry is the domain's rule, tested with a
/// `ManualClock`.
#[derive(Default)]
pub struct InMemorySessions {
    sessions: Mutex<HashMap<TokenHash, Session>>,
    /// When each user was last admitted.
    active: Mutex<HashMap<UserId, Instant>>,
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

    async fn admit(
        &self,
        token: &TokenHash,
        limiter: &dyn RateLimiter,
        rule: RateRule,
    ) -> Result<Option<(Session, RateDecision)>, StoreError> {
        let Some(session) = self.find(token).await? else {
            return Ok(None);
        };
        let decision = limiter.hit(&RateBucket::Api(session.user_id), rule).await?;
        lock(&self.active).insert(session.user_id, Instant::now());
        Ok(Some((session, decision)))
    }

    async fn online(&self, within: Duration) -> Result<Vec<UserId>, StoreError> {
        Ok(lock(&self.active)
            .iter()
            .filter(|(_, at)| at.elapsed() <= within)
            .map(|(user, _)| *user)
            .collect())
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

    async fn revoke_all(
        &self,
        user: UserId,
        keep: Option<SessionId>,
        opened_before: Option<DateTime<Utc>>,
    ) -> Result<(), StoreError> {
        lock(&self.sessions).retain(|_, s| {
            s.user_id != user
                || Some(s.id) == keep
                || opened_before.is_some_and(|before| s.created_at >= before)
        });
        Ok(())
    }
}
