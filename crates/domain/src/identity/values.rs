//! Validated value types of identity: each can only be built valid.

use crate::validation::{plain, validated_serde, FieldError};
use chrono::NaiveTime;
use chrono_tz::Tz;
use rand::RngCore;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::fmt;

/// An email address, trimmed and lower-cased so that uniqueness is case-insensitive.
#[derive(Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Email(String);

validated_serde!(Email, String, |raw| Self::parse("email", &raw));

impl Email {
    pub fn parse(field: &str, raw: &str) -> Result<Self, FieldError> {
        let email = raw.trim().to_lowercase();
        let valid = email.len() <= 254
            && email.split_once('@').is_some_and(|(local, domain)| {
                !local.is_empty()
                    && !domain.is_empty()
                    && !domain.contains('@')
                    && domain.contains('.')
                    && !domain.starts_with('.')
                    && !domain.ends_with('.')
            })
            && !email.chars().any(|c| c.is_whitespace() || c.is_control());
        if valid {
            Ok(Self(email))
        } else {
            Err(FieldError::new(field, "must be a valid email address"))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Email {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A plaintext password on its way to the hasher: 8 to 72 UTF-8 bytes (bcrypt's limit), no
/// control characters. Never printed.
#[derive(Clone)]
pub struct Password(String);

impl Password {
    pub const MIN_BYTES: usize = 8;
    pub const MAX_BYTES: usize = 72;

    pub fn parse(field: &str, raw: String) -> Result<Self, FieldError> {
        plain(field, &raw)?;
        if (Self::MIN_BYTES..=Self::MAX_BYTES).contains(&raw.len()) {
            Ok(Self(raw))
        } else {
            Err(FieldError::new(field, "must be 8 to 72 bytes long"))
        }
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Password {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Password(redacted)")
    }
}

/// A password hash as the hasher wrote it. Never printed, never serialized into a response.
#[derive(Clone, PartialEq, Eq)]
pub struct PasswordHash(String);

impl PasswordHash {
    pub fn from_stored(hash: String) -> Self {
        Self(hash)
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for PasswordHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("PasswordHash(redacted)")
    }
}

crate::validation::text_type!(
    /// A first or last name: trimmed, 1 to 100 characters.
    PersonName,
    line,
    100
);

crate::validation::text_type!(
    /// A profile's free text: at most 2,000 characters.
    Bio,
    free,
    2000
);

/// A link to a profile picture: an http(s) URL of at most 2,048 characters.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct PictureUrl(String);

validated_serde!(PictureUrl, String, |raw| Self::parse("profilePicture", raw));

impl PictureUrl {
    pub fn parse(field: &str, raw: String) -> Result<Self, FieldError> {
        let ok = raw.len() <= 2048
            && (raw.starts_with("https://") || raw.starts_with("http://"))
            && !raw.chars().any(|c| c.is_whitespace() || c.is_control());
        if ok {
            Ok(Self(raw))
        } else {
            Err(FieldError::new(
                field,
                "must be an http(s) URL of at most 2048 characters",
            ))
        }
    }

    /// A value the store holds, validated when it went in.
    pub fn from_stored(url: String) -> Self {
        Self(url)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// An IANA time zone (`Europe/Paris`), by the name the tz database gives it: the zone a user's
/// digest periods and quiet hours are reckoned in. UTC by default.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct TimeZone(Tz);

impl TimeZone {
    pub fn parse(field: &str, raw: &str) -> Result<Self, FieldError> {
        raw.parse::<Tz>().map(Self).map_err(|_| {
            FieldError::new(field, "must be an IANA time zone name, e.g. Europe/Paris")
        })
    }

    pub fn as_str(&self) -> &'static str {
        self.0.name()
    }

    pub fn tz(&self) -> Tz {
        self.0
    }
}

impl TryFrom<String> for TimeZone {
    type Error = FieldError;

    fn try_from(raw: String) -> Result<Self, FieldError> {
        Self::parse("timeZone", &raw)
    }
}

impl From<TimeZone> for String {
    fn from(zone: TimeZone) -> Self {
        zone.as_str().to_owned()
    }
}

/// When a user wants no email: from `start` (included) to `end` (excluded) on their own clock,
/// across midnight when `end` comes first. Written `HH:MM` (24 h); `start` and `end` differ.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "QuietHoursText", into = "QuietHoursText")]
pub struct QuietHours {
    start: NaiveTime,
    end: NaiveTime,
}

#[derive(Serialize, Deserialize)]
struct QuietHoursText {
    start: String,
    end: String,
}

impl QuietHours {
    pub fn parse(field: &str, start: &str, end: &str) -> Result<Self, FieldError> {
        let time = |raw: &str| {
            let well_formed = raw.len() == 5
                && raw.as_bytes()[2] == b':'
                && raw
                    .bytes()
                    .enumerate()
                    .all(|(i, b)| i == 2 || b.is_ascii_digit());
            well_formed
                .then(|| NaiveTime::parse_from_str(raw, "%H:%M").ok())
                .flatten()
                .ok_or_else(|| {
                    FieldError::new(field, "start and end must be HH:MM, 00:00 to 23:59")
                })
        };
        Self::new(field, time(start)?, time(end)?)
    }

    pub fn new(field: &str, start: NaiveTime, end: NaiveTime) -> Result<Self, FieldError> {
        if start == end {
            return Err(FieldError::new(field, "start and end must differ"));
        }
        Ok(Self { start, end })
    }

    pub fn start(&self) -> NaiveTime {
        self.start
    }

    pub fn end(&self) -> NaiveTime {
        self.end
    }

    /// Start and end as written: `HH:MM`.
    pub fn written(&self) -> (String, String) {
        let hh_mm = |t: NaiveTime| t.format("%H:%M").to_string();
        (hh_mm(self.start), hh_mm(self.end))
    }
}

impl TryFrom<QuietHoursText> for QuietHours {
    type Error = FieldError;

    fn try_from(raw: QuietHoursText) -> Result<Self, FieldError> {
        Self::parse("quietHours", &raw.start, &raw.end)
    }
}

impl From<QuietHours> for QuietHoursText {
    fn from(q: QuietHours) -> Self {
        let (start, end) = q.written();
        Self { start, end }
    }
}

/// A session's bearer token: 256 random bits, hex-encoded. Only its hash is ever stored.
#[derive(Clone, PartialEq, Eq)]
pub struct SessionToken(String);

impl SessionToken {
    pub fn generate() -> Self {
        let mut bytes = [0u8; 32];
        rand::rng().fill_bytes(&mut bytes);
        Self(hex::encode(bytes))
    }

    pub fn from_client(raw: &str) -> Option<Self> {
        (raw.len() == 64 && raw.bytes().all(|b| b.is_ascii_hexdigit()))
            .then(|| Self(raw.to_ascii_lowercase()))
    }

    pub fn expose(&self) -> &str {
        &self.0
    }

    pub fn hash(&self) -> TokenHash {
        TokenHash(hex::encode(Sha256::digest(self.0.as_bytes())))
    }
}

impl fmt::Debug for SessionToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SessionToken(redacted)")
    }
}

/// SHA-256 of a session token, hex-encoded: the key a session is stored under.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct TokenHash(String);

impl TokenHash {
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn email_is_normalized_and_checked() {
        assert_eq!(
            Email::parse("email", "  Ada@Example.COM ").map(|e| e.as_str().to_owned()),
            Ok("ada@example.com".to_owned())
        );
        for bad in [
            "",
            "ada",
            "@example.com",
            "ada@",
            "ada@example",
            "a b@example.com",
            "a@b@c.com",
            "a\0@x.io",
        ] {
            assert!(Email::parse("email", bad).is_err(), "{bad} accepted");
        }
    }

    #[test]
    fn password_counts_utf8_bytes() {
        assert!(Password::parse("p", "1234567".into()).is_err());
        assert!(Password::parse("p", "12345678".into()).is_ok());
        assert!(Password::parse("p", "1234\u{0}5678".into()).is_err());
        assert!(Password::parse("p", "é".repeat(36)).is_ok());
        assert!(Password::parse("p", format!("{}x", "é".repeat(36))).is_err());
        assert_eq!(
            format!("{:?}", Password::parse("p", "secret-pw".into())),
            "Ok(Password(redacted))"
        );
    }

    #[test]
    fn tokens_are_random_and_hashed() {
        let (a, b) = (SessionToken::generate(), SessionToken::generate());
        assert_ne!(a, b);
        assert_eq!(a.expose().len(), 64);
        assert_ne!(a.hash().as_str(), a.expose());
        assert_eq!(
            SessionToken::from_client(a.expose()).map(|t| t.hash()),
            Some(a.hash())
        );
        assert!(SessionToken::from_client("short").is_none());
    }

    #[test]
    fn time_zones_are_iana_names() {
        assert_eq!(TimeZone::default().as_str(), "UTC");
        assert_eq!(
            TimeZone::parse("z", "America/New_York").map(|z| z.as_str()),
            Ok("America/New_York")
        );
        for bad in ["", "Mars/Olympus", "europe/paris", "+02:00"] {
            assert!(TimeZone::parse("z", bad).is_err(), "{bad} accepted");
        }
        assert!(serde_json::from_str::<TimeZone>("\"Nowhere\"").is_err());
    }

    #[test]
    fn quiet_hours_are_two_different_24_hour_times() -> Result<(), FieldError> {
        let q = QuietHours::parse("q", "22:00", "07:30")?;
        assert_eq!(
            serde_json::to_value(q).ok(),
            Some(serde_json::json!({ "start": "22:00", "end": "07:30" }))
        );
        for (start, end) in [
            ("22:00", "22:00"),
            ("7:00", "08:00"),
            ("24:00", "08:00"),
            ("22:60", "08:00"),
            ("22:00:00", "08:00"),
            ("2200", "08:00"),
            (" 1:00", "08:00"),
        ] {
            assert!(QuietHours::parse("q", start, end).is_err(), "{start}-{end}");
        }
        Ok(())
    }

    #[test]
    fn names_and_urls_are_checked() {
        assert!(PersonName::parse("n", "  ").is_err());
        assert_eq!(
            PersonName::parse("n", " Ada ").map(|n| n.as_str().to_owned()),
            Ok("Ada".into())
        );
        assert!(PictureUrl::parse("u", "javascript:alert(1)".into()).is_err());
        assert!(PictureUrl::parse("u", "https://example.com/a.png".into()).is_ok());
        assert!(Bio::parse("b", "x".repeat(2001)).is_err());
        assert!(serde_json::from_str::<Email>("\"not-an-email\"").is_err());
        assert!(serde_json::from_str::<PictureUrl>("\"javascript:x\"").is_err());
    }
}
