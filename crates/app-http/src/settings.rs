//! One typed `Settings`, loaded once in main: defaults, then a file, then the environment.

use config::{Config, Environment, File, FileFormat};
use secrecy::SecretString;
use serde::Deserialize;
use std::time::Duration;
use taskforge_adapter_mongo::MongoConfig;
use taskforge_adapter_redis::{CacheTimes, RedisConfig};
use taskforge_adapter_sql::SqlConfig;
use taskforge_domain::identity::ports::RateRule;
use taskforge_domain::identity::{AuthPolicy, RateRules};
use taskforge_domain::mail::MailPolicy;
use taskforge_domain::write_path::ProjectionPolicy;

const DEFAULTS: &str = include_str!("../config/default.toml");

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Settings {
    pub http: HttpSettings,
    pub database: SqlConfig,
    pub mongo: MongoConfig,
    pub redis: RedisConfig,
    pub cache: CacheSettings,
    pub auth: AuthSettings,
    pub worker: WorkerSettings,
    pub mail: MailSettings,
    pub notifications: NotificationSettings,
    pub log: LogSettings,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HttpSettings {
    pub bind: String,
    pub workers: usize,
    pub json_limit_bytes: usize,
    pub attachment_limit_bytes: u64,
    pub cookie_secure: bool,
    pub allowed_origins: Vec<String>,
    /// Address ranges of the proxies whose `X-Forwarded-*` headers are believed.
    pub trusted_proxies: Vec<ipnet::IpNet>,
    /// Where `/metrics` is served instead of `bind`, if set.
    pub metrics_bind: Option<String>,
    pub shutdown_timeout_secs: u64,
    pub migrate_on_start: bool,
}

#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RateSetting {
    pub limit: u32,
    pub window_secs: u64,
}

impl From<RateSetting> for RateRule {
    fn from(r: RateSetting) -> Self {
        RateRule {
            limit: r.limit,
            window: Duration::from_secs(r.window_secs),
        }
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RateLimitSettings {
    pub login_per_ip: RateSetting,
    /// Failed password checks per account and client before each further one is held back.
    pub login_failures: RateSetting,
    pub register_per_ip: RateSetting,
    pub api_per_user: RateSetting,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AuthSettings {
    pub bcrypt_cost: u32,
    pub idle_timeout_secs: u64,
    pub absolute_timeout_secs: u64,
    pub touch_interval_secs: u64,
    pub rate_limits: RateLimitSettings,
}

impl AuthSettings {
    pub fn policy(&self) -> AuthPolicy {
        let r = &self.rate_limits;
        AuthPolicy {
            idle_timeout: Duration::from_secs(self.idle_timeout_secs),
            absolute_timeout: Duration::from_secs(self.absolute_timeout_secs),
            touch_interval: Duration::from_secs(self.touch_interval_secs),
            rates: RateRules {
                login_ip: r.login_per_ip.into(),
                login_failures: r.login_failures.into(),
                register_ip: r.register_per_ip.into(),
                api: r.api_per_user.into(),
            },
        }
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CacheSettings {
    pub enabled: bool,
    pub task_ttl_secs: u64,
    pub access_ttl_secs: u64,
    pub list_ttl_secs: u64,
    pub fill_lease_ms: u64,
}

impl CacheSettings {
    /// How long task entries and fill leases live; `None` when caching is off.
    pub fn task_times(&self) -> Option<CacheTimes> {
        self.times(self.task_ttl_secs)
    }

    /// How long team access entries and fill leases live; `None` when caching is off.
    pub fn access_times(&self) -> Option<CacheTimes> {
        self.times(self.access_ttl_secs)
    }

    /// How long a team's generation of list pages lives; `None` when caching is off.
    pub fn list_ttl(&self) -> Option<Duration> {
        self.enabled
            .then(|| Duration::from_secs(self.list_ttl_secs))
    }

    fn times(&self, ttl_secs: u64) -> Option<CacheTimes> {
        self.enabled.then(|| CacheTimes {
            ttl: Duration::from_secs(ttl_secs),
            lease: Duration::from_millis(self.fill_lease_ms),
        })
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WorkerSettings {
    pub embedded: bool,
    pub poll_interval_ms: u64,
    pub batch_size: i64,
    pub retention_hours: u64,
    pub upload_grace_secs: u64,
    pub projection_budget_ms: u64,
    pub lease_ms: u64,
    pub effect_timeout_ms: u64,
    pub max_attempts: i32,
    pub lanes: usize,
}

impl WorkerSettings {
    pub fn projection(&self) -> ProjectionPolicy {
        ProjectionPolicy {
            lease: Duration::from_millis(self.lease_ms),
            effect_timeout: Duration::from_millis(self.effect_timeout_ms),
            budget: Duration::from_millis(self.projection_budget_ms),
            max_attempts: self.max_attempts,
            lanes: self.lanes,
        }
    }
}

/// Email about notifications (ADR 24): the SMTP server, where links lead, how the relay's
/// mailer works through the queue.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MailSettings {
    /// Where users reach TaskForge; every link in a mail starts with it.
    pub public_url: String,
    /// The sender, `Name <address>` or an address.
    pub from: String,
    pub smtp_host: String,
    pub smtp_port: u16,
    pub smtp_tls: SmtpTls,
    pub smtp_username: Option<String>,
    pub smtp_password: Option<SecretString>,
    /// Signs unsubscribe links (HMAC-SHA256 of the user id), at least 32 bytes.
    pub unsubscribe_secret: SecretString,
    pub poll_interval_ms: u64,
    pub batch_size: usize,
    pub lease_ms: u64,
    /// The most one message may take to send, connection included.
    pub send_timeout_ms: u64,
    pub retry_first_secs: u64,
    pub retry_max_secs: u64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SmtpTls {
    /// Plain SMTP: only for a server on loopback or a trusted network.
    None,
    /// Plain, upgraded with STARTTLS (required).
    Starttls,
    /// TLS from the start (SMTPS).
    Tls,
}

impl MailSettings {
    pub fn policy(&self) -> MailPolicy {
        MailPolicy {
            batch_size: self.batch_size,
            lease: Duration::from_millis(self.lease_ms),
            first_retry: Duration::from_secs(self.retry_first_secs),
            max_retry: Duration::from_secs(self.retry_max_secs),
        }
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NotificationSettings {
    pub heartbeat_secs: u64,
    pub presence_ttl_secs: u64,
    pub counter_ttl_secs: u64,
    pub retention_days: u32,
}

impl NotificationSettings {
    pub fn heartbeat(&self) -> Duration {
        Duration::from_secs(self.heartbeat_secs)
    }

    pub fn presence_ttl(&self) -> Duration {
        Duration::from_secs(self.presence_ttl_secs)
    }

    pub fn counter_ttl(&self) -> Duration {
        Duration::from_secs(self.counter_ttl_secs)
    }

    pub fn retention(&self) -> Duration {
        Duration::from_secs(u64::from(self.retention_days) * 24 * 3600)
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LogSettings {
    pub format: LogFormat,
    pub filter: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    Json,
    Pretty,
}

impl Settings {
    /// Defaults, then `TASKFORGE_CONFIG` (or `./taskforge.toml` if present), then the
    /// environment. A wrong or missing value is an error that names its key.
    pub fn load() -> anyhow::Result<Self> {
        let file = std::env::var("TASKFORGE_CONFIG").ok();
        let mut builder = Config::builder()
            .add_source(File::from_str(DEFAULTS, FileFormat::Toml))
            .add_source(
                File::with_name(file.as_deref().unwrap_or("taskforge.toml"))
                    .required(file.is_some()),
            )
            .add_source(
                Environment::with_prefix("TASKFORGE")
                    .prefix_separator("__")
                    .separator("__")
                    .try_parsing(true)
                    .list_separator(",")
                    .with_list_parse_key("http.allowed_origins")
                    .with_list_parse_key("http.trusted_proxies"),
            );
        for (var, key) in [
            ("DATABASE_URL", "database.url"),
            ("MONGODB_URI", "mongo.uri"),
            ("REDIS_URL", "redis.url"),
        ] {
            builder = builder.set_override_option(key, std::env::var(var).ok())?;
        }
        let settings: Settings = builder
            .build()?
            .try_deserialize()
            .map_err(|e| anyhow::anyhow!("invalid configuration: {e}"))?;
        settings.validate()?;
        Ok(settings)
    }

    /// Range checks serde cannot express; each error names its key.
    pub fn validate(&self) -> anyhow::Result<()> {
        let mail = &self.mail;
        let sending = mail.send_timeout_ms.saturating_mul(mail.batch_size as u64);
        let checks: [(bool, &str); 16] = [
            (
                (4..=31).contains(&self.auth.bcrypt_cost),
                "auth.bcrypt_cost must be between 4 and 31",
            ),
            (
                self.auth.idle_timeout_secs > 0,
                "auth.idle_timeout_secs must be positive",
            ),
            (
                self.auth.absolute_timeout_secs >= self.auth.idle_timeout_secs,
                "auth.absolute_timeout_secs must be at least auth.idle_timeout_secs",
            ),
            (self.http.workers > 0, "http.workers must be positive"),
            (
                self.http.json_limit_bytes > 0 && self.http.attachment_limit_bytes > 0,
                "http.json_limit_bytes and http.attachment_limit_bytes must be positive",
            ),
            (
                self.database.pool_size > 0 && self.database.projection_pool_size > 0,
                "database.pool_size and database.projection_pool_size must be positive",
            ),
            (self.redis.pool_size > 0, "redis.pool_size must be positive"),
            (
                self.cache.task_ttl_secs > 0
                    && self.cache.access_ttl_secs > 0
                    && self.cache.list_ttl_secs > 0
                    && self.cache.fill_lease_ms > 0,
                "cache.task_ttl_secs, cache.access_ttl_secs, cache.list_ttl_secs and \
                 cache.fill_lease_ms must be positive",
            ),
            (
                self.database.timeout_ms > 0
                    && self.mongo.timeout_ms > 0
                    && self.redis.timeout_ms > 0,
                "database.timeout_ms, mongo.timeout_ms and redis.timeout_ms must be positive",
            ),
            (
                self.worker.batch_size > 0,
                "worker.batch_size must be positive",
            ),
            (
                self.notifications.heartbeat_secs > 0
                    && self.notifications.presence_ttl_secs > self.notifications.heartbeat_secs
                    && self.notifications.counter_ttl_secs > 0
                    && self.notifications.retention_days > 0,
                "notifications.heartbeat_secs, counter_ttl_secs and retention_days must be \
                 positive, and presence_ttl_secs must exceed heartbeat_secs",
            ),
            (
                self.worker.lease_ms > self.worker.effect_timeout_ms,
                "worker.lease_ms must exceed worker.effect_timeout_ms",
            ),
            (
                self.worker.max_attempts > 0 && self.worker.lanes > 0,
                "worker.max_attempts and worker.lanes must be positive",
            ),
            (
                self.worker.poll_interval_ms > 0,
                "worker.poll_interval_ms must be positive",
            ),
            (
                mail.poll_interval_ms > 0
                    && mail.batch_size > 0
                    && mail.send_timeout_ms > 0
                    && mail.retry_first_secs > 0
                    && mail.retry_max_secs >= mail.retry_first_secs,
                "mail.poll_interval_ms, mail.batch_size, mail.send_timeout_ms and \
                 mail.retry_first_secs must be positive, mail.retry_max_secs at least \
                 mail.retry_first_secs",
            ),
            (
                mail.lease_ms > sending,
                "mail.lease_ms must exceed mail.batch_size times mail.send_timeout_ms",
            ),
        ];
        match checks.iter().find(|(ok, _)| !ok) {
            Some((_, message)) => anyhow::bail!("invalid configuration: {message}"),
            None => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn defaults() -> Settings {
        let parsed = Config::builder()
            .add_source(File::from_str(DEFAULTS, FileFormat::Toml))
            .build()
            .and_then(Config::try_deserialize::<Settings>);
        match parsed {
            Ok(s) => s,
            Err(e) => panic!("defaults must parse: {e}"),
        }
    }

    #[test]
    fn defaults_are_valid_and_secure() {
        let s = defaults();
        assert!(s.validate().is_ok());
        assert_eq!(s.auth.bcrypt_cost, 12);
        assert!(
            s.http.cookie_secure,
            "the session cookie is Secure unless configured not to be"
        );
        assert!(
            s.http.trusted_proxies.is_empty(),
            "no forwarded header is believed"
        );
        assert_eq!(s.http.json_limit_bytes, 1024 * 1024);
        assert_eq!(
            s.mail.smtp_tls,
            SmtpTls::None,
            "plain SMTP to the local sink"
        );
        assert!(crate::mailer::unsubscribe_key(&s.mail).is_ok());
    }

    #[test]
    fn trusted_proxies_are_ranges() {
        let parsed = Config::builder()
            .add_source(File::from_str(DEFAULTS, FileFormat::Toml))
            .set_override("http.trusted_proxies", vec!["10.0.0.0/8", "::1/128"])
            .and_then(|b| b.build())
            .and_then(Config::try_deserialize::<Settings>)
            .map(|s| s.http.trusted_proxies.len());
        assert!(matches!(parsed, Ok(2)), "{parsed:?}");
        let wrong = Config::builder()
            .add_source(File::from_str(DEFAULTS, FileFormat::Toml))
            .set_override("http.trusted_proxies", vec!["proxy.internal"])
            .and_then(|b| b.build())
            .and_then(Config::try_deserialize::<Settings>);
        assert!(wrong.is_err());
    }

    #[test]
    fn a_bad_value_names_its_key() {
        let mut s = defaults();
        s.auth.bcrypt_cost = 3;
        let e = s.validate().map_err(|e| e.to_string());
        assert!(
            matches!(&e, Err(m) if m.contains("auth.bcrypt_cost")),
            "{e:?}"
        );

        let mut s = defaults();
        s.mail.batch_size = 100;
        let e = s.validate().map_err(|e| e.to_string());
        assert!(
            matches!(&e, Err(m) if m.contains("mail.lease_ms")),
            "a lease shorter than a pass's sending: {e:?}"
        );

        let wrong_type = Config::builder()
            .add_source(File::from_str(DEFAULTS, FileFormat::Toml))
            .set_override("http.workers", "many")
            .and_then(|b| b.build())
            .and_then(Config::try_deserialize::<Settings>)
            .map_err(|e| e.to_string());
        assert!(
            matches!(&wrong_type, Err(m) if m.contains("http.workers")),
            "{wrong_type:?}"
        );
    }
}
