//! `RedisSessionStore`: `session:{hash}` holds the session JSON with the idle timeout as its
//! TTL; `user:sessions:{userId}` maps each session id of a user to its token hash.

use crate::rate_limit::{decision, window_ms};
use crate::store::{decode, encode, RedisStore};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use deadpool_redis::redis::{self, Cmd, Script};
use std::collections::HashMap;
use std::time::Duration;
use taskforge_domain::identity::ports::{RateDecision, RateLimiter, RateRule, SessionStore};
use taskforge_domain::identity::{Session, TokenHash};
use taskforge_domain::ids::{SessionId, UserId};
use taskforge_domain::StoreError;

/// KEYS: the session; ARGV: the API rate keys' prefix, the window in ms. The session and, if
/// there is one, its user's API hit counted as `RedisRateLimiter::hit` counts it: the count and
/// the window's remaining ms. The rate key is derived from the session inside the script, so
/// this needs a standalone Redis (not a cluster).
const ADMIT: &str = r"
local session = redis.call('GET', KEYS[1])
if not session then
  return false
end
local user = cjson.decode(session)['userId']
local key = ARGV[1] .. user
local count = redis.call('INCR', key)
redis.call('PEXPIRE', key, ARGV[2], 'NX')
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('ZADD', ARGV[3], now, user)
redis.call('ZREMRANGEBYSCORE', ARGV[3], '-inf', now - ARGV[4])
return {session, count, redis.call('PTTL', key)}
";

/// ARGV: the set of last activity, how far back in ms. Times are the Redis server's.
const ONLINE: &str = r"
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
return redis.call('ZRANGEBYSCORE', ARGV[1], now - ARGV[2], '+inf')
";

/// How long `online:users` remembers a user's last activity.
const ACTIVITY_KEPT_MS: u64 = 24 * 3600 * 1000;

pub struct RedisSessionStore {
    store: RedisStore,
    admit: Script,
    online: Script,
}

impl RedisSessionStore {
    pub fn new(store: RedisStore) -> Self {
        Self {
            store,
            admit: Script::new(ADMIT),
            online: Script::new(ONLINE),
        }
    }

    /// Deletes the given sessions of a user and their index entries; returns how many sessions
    /// still existed.
    async fn remove(&self, user: UserId, entries: &[(String, String)]) -> Result<u64, StoreError> {
        if entries.is_empty() {
            return Ok(0);
        }
        let index = self.store.keys().user_sessions(user);
        let keys: Vec<String> = entries
            .iter()
            .map(|(_, h)| self.store.keys().session(h))
            .collect();
        let ids: Vec<&String> = entries.iter().map(|(id, _)| id).collect();
        let (deleted,): (u64,) = self
            .store
            .call(
                redis::pipe()
                    .atomic()
                    .del(&keys)
                    .hdel(&index, &ids)
                    .ignore(),
            )
            .await?;
        Ok(deleted)
    }

    async fn index(&self, user: UserId) -> Result<HashMap<String, String>, StoreError> {
        let index = self.store.keys().user_sessions(user);
        self.store.call(&Cmd::hgetall(&index)).await
    }

    /// The user's index entries, each with its session if it still lives.
    async fn entries(
        &self,
        user: UserId,
    ) -> Result<Vec<((String, String), Option<Session>)>, StoreError> {
        let entries: Vec<(String, String)> = self.index(user).await?.into_iter().collect();
        if entries.is_empty() {
            return Ok(vec![]);
        }
        let keys: Vec<String> = entries
            .iter()
            .map(|(_, h)| self.store.keys().session(h))
            .collect();
        let raws: Vec<Option<String>> = self.store.call(&Cmd::mget(&keys)).await?;
        entries
            .into_iter()
            .zip(raws)
            .map(|(entry, raw)| Ok((entry, raw.as_deref().map(decode).transpose()?)))
            .collect()
    }
}

#[async_trait]
impl SessionStore for RedisSessionStore {
    async fn create(
        &self,
        token: &TokenHash,
        session: &Session,
        ttl: Duration,
    ) -> Result<(), StoreError> {
        let key = self.store.keys().session(token.as_str());
        let index = self.store.keys().user_sessions(session.user_id);
        let raw = encode(session)?;
        let id = session.id.to_string();
        self.store
            .call(
                redis::pipe()
                    .atomic()
                    .set_ex(&key, raw, ttl.as_secs().max(1))
                    .hset(&index, id, token.as_str())
                    .ignore(),
            )
            .await
    }

    async fn online(&self, within: Duration) -> Result<Vec<UserId>, StoreError> {
        let mut call = self.online.prepare_invoke();
        call.arg(self.store.keys().online_users())
            .arg(u64::try_from(within.as_millis()).unwrap_or(u64::MAX));
        let users: Vec<String> = self.store.call(&call).await?;
        Ok(users.iter().filter_map(|u| u.parse().ok()).collect())
    }

    async fn find(&self, token: &TokenHash) -> Result<Option<Session>, StoreError> {
        let key = self.store.keys().session(token.as_str());
        let raw: Option<String> = self.store.call(&Cmd::get(&key)).await?;
        raw.as_deref().map(decode).transpose()
    }

    /// One round trip: the script reads the session and counts its user's API hit.
    async fn admit(
        &self,
        token: &TokenHash,
        _: &dyn RateLimiter,
        rule: RateRule,
    ) -> Result<Option<(Session, RateDecision)>, StoreError> {
        let keys = self.store.keys();
        let mut call = self.admit.prepare_invoke();
        call.key(keys.session(token.as_str()))
            .arg(keys.api_rate_prefix())
            .arg(window_ms(rule))
            .arg(keys.online_users())
            .arg(ACTIVITY_KEPT_MS);
        let found: Option<(String, u64, i64)> = self.store.call(&call).await?;
        let Some((raw, count, ttl_ms)) = found else {
            return Ok(None);
        };
        Ok(Some((decode(&raw)?, decision(count, ttl_ms, rule))))
    }

    async fn touch(
        &self,
        token: &TokenHash,
        session: &Session,
        ttl: Duration,
    ) -> Result<(), StoreError> {
        let key = self.store.keys().session(token.as_str());
        let raw = encode(session)?;
        // XX: a session revoked meanwhile stays revoked.
        self.store
            .call(
                redis::cmd("SET")
                    .arg(&key)
                    .arg(raw)
                    .arg("EX")
                    .arg(ttl.as_secs().max(1))
                    .arg("XX"),
            )
            .await
    }

    async fn list(&self, user: UserId) -> Result<Vec<Session>, StoreError> {
        let mut live = Vec::new();
        let mut expired = Vec::new();
        for (entry, session) in self.entries(user).await? {
            match session {
                Some(session) => live.push(session),
                None => expired.push(entry),
            }
        }
        self.remove(user, &expired).await?;
        Ok(live)
    }

    async fn revoke(&self, user: UserId, session: SessionId) -> Result<bool, StoreError> {
        let index = self.store.keys().user_sessions(user);
        let id = session.to_string();
        let hash: Option<String> = self.store.call(&Cmd::hget(&index, &id)).await?;
        match hash {
            Some(hash) => Ok(self.remove(user, &[(id, hash)]).await? > 0),
            None => Ok(false),
        }
    }

    async fn revoke_all(
        &self,
        user: UserId,
        keep: Option<SessionId>,
        opened_before: Option<DateTime<Utc>>,
    ) -> Result<(), StoreError> {
        let keep = keep.map(|k| k.to_string());
        let kept = |id: &String| Some(id) == keep.as_ref();
        // Only a cut-off in time needs the sessions themselves (one more round trip).
        let doomed: Vec<(String, String)> = match opened_before {
            None => self
                .index(user)
                .await?
                .into_iter()
                .filter(|(id, _)| !kept(id))
                .collect(),
            Some(before) => self
                .entries(user)
                .await?
                .into_iter()
                .filter(|((id, _), session)| {
                    !kept(id) && session.as_ref().is_none_or(|s| s.created_at < before)
                })
                .map(|(entry, _)| entry)
                .collect(),
        };
        self.remove(user, &doomed).await.map(drop)
    }
}
