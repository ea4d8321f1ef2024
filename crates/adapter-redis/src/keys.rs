//! The registry of every Redis key name and TTL TaskForge uses.

use sha2::{Digest, Sha256};
use taskforge_domain::identity::ports::RateBucket;
use taskforge_domain::ids::{TaskId, TeamId, UserId};
use taskforge_domain::notifications::Channel;

#[derive(Debug, Clone)]
pub struct Keys {
    prefix: String,
}

impl Keys {
    pub fn new(prefix: impl Into<String>) -> Self {
        Self {
            prefix: prefix.into(),
        }
    }

    /// `session:{hash of token}`: the session JSON, TTL = the idle timeout.
    pub fn session(&self, token_hash: &str) -> String {
        format!("{}session:{token_hash}", self.prefix)
    }

    /// `user:sessions:{userId}`: the user's session ids, each mapped to its token hash.
    pub fn user_sessions(&self, user: UserId) -> String {
        format!("{}user:sessions:{user}", self.prefix)
    }

    /// `task:{taskId}`: the task cache's entry, TTL `cache.task_ttl_seconds`.
    pub fn task(&self, id: TaskId) -> String {
        format!("{}task:{id}", self.prefix)
    }

    /// `tasks:lists:{teamId}`: the current generation of the team's cached list pages (ADR 19),
    /// TTL `cache.list_ttl_secs`.
    pub fn task_lists(&self, team: TeamId) -> String {
        format!("{}tasks:lists:{team}", self.prefix)
    }

    /// `tasks:list:{teamId}:{generation}`: the generation's pages, a field per query (the
    /// SHA-256 of its fingerprint), TTL `cache.list_ttl_secs` from the last fill.
    pub fn task_list_pages(&self, team: TeamId, generation: &str) -> String {
        format!("{}tasks:list:{team}:{generation}", self.prefix)
    }

    /// `access:{teamId}:member:{userId}`: the user's role in the team, TTL
    /// `cache.access_ttl_secs`.
    pub fn access_member(&self, team: TeamId, user: UserId) -> String {
        format!("{}access:{team}:member:{user}", self.prefix)
    }

    /// `access:{teamId}:roles`: the team's permission map, TTL `cache.access_ttl_secs`.
    pub fn access_roles(&self, team: TeamId) -> String {
        format!("{}access:{team}:roles", self.prefix)
    }

    /// `{entry key}:lease`: the token of the reader that may fill a cache entry (ADR 18), TTL
    /// `cache.fill_lease_ms`.
    pub fn lease(entry: &str) -> String {
        format!("{entry}:lease")
    }

    /// `ratelimit:api:{userId}`, `ratelimit:login:{ip}`, `ratelimit:login-fail:{hash of email
    /// and client}` and `ratelimit:register:{ip}`. Emails are hashed: key names are not a place
    /// for personal data.
    pub fn rate(&self, bucket: &RateBucket) -> String {
        let p = &self.prefix;
        match bucket {
            RateBucket::Api(user) => format!("{}{user}", self.api_rate_prefix()),
            RateBucket::LoginIp(ip) => format!("{p}ratelimit:login:{ip}"),
            RateBucket::LoginFailures { account, client } => {
                let digest = hex::encode(Sha256::digest(
                    format!("{}\n{client}", account.as_str()).as_bytes(),
                ));
                format!("{p}ratelimit:login-fail:{}", &digest[..32])
            }
            RateBucket::RegisterIp(ip) => format!("{p}ratelimit:register:{ip}"),
        }
    }

    /// What every user's `ratelimit:api:{userId}` key starts with.
    pub fn api_rate_prefix(&self) -> String {
        format!("{}ratelimit:api:", self.prefix)
    }

    /// `user:notifications:count:{userId}`: the user's unread notifications, a copy of
    /// MongoDB's count with a TTL, so that drift cannot outlive it.
    pub fn unread_count(&self, user: UserId) -> String {
        format!("{}user:notifications:count:{user}", self.prefix)
    }

    /// `live:user:{userId}` and `live:team:{teamId}`: pub/sub channels of new notifications and
    /// of a team's changes and presence.
    pub fn channel(&self, channel: Channel) -> String {
        match channel {
            Channel::User(user) => format!("{}live:user:{user}", self.prefix),
            Channel::Team(team) => format!("{}live:team:{team}", self.prefix),
        }
    }

    /// The pattern every live channel matches (one subscription per server instance).
    pub fn channels(&self) -> String {
        format!("{}live:*", self.prefix)
    }

    /// `presence:{teamId}:{view}`: who views a board or task of the team, each scored by the
    /// time (ms) their presence expires unless renewed.
    pub fn presence(&self, team: TeamId, view: &str) -> String {
        format!("{}presence:{team}:{view}", self.prefix)
    }

    /// `online:users`: every user scored by the time (ms) of their last authenticated request.
    pub fn online_users(&self) -> String {
        format!("{}online:users", self.prefix)
    }

    /// `{rate key}:hold`: present while the bucket's failures hold it back, TTL = the hold.
    pub fn hold(&self, bucket: &RateBucket) -> String {
        format!("{}:hold", self.rate(bucket))
    }
}
