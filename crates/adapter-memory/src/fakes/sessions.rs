//! Redis's session fake.

use crate::fakes::lock;
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Duration;
use taskforge_domain::identity::ports::SessionStore;
use taskforge_domain::identity::{Session, TokenHash};
use taskforge_domain::ids::{SessionId, UserId};
use taskforge_domain::StoreError;

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
