//! The token of an unsubscribe link: HMAC-SHA256 of the user id under a server secret, so a
//! link unsubscribes its own recipient and nobody else, and needs no session.

use crate::ids::UserId;
use hmac::{Hmac, Mac};
use sha2::Sha256;
use std::fmt;

type HmacSha256 = Hmac<Sha256>;

/// The shortest secret accepted (bytes).
pub const MIN_SECRET_BYTES: usize = 32;

#[derive(Clone)]
pub struct UnsubscribeKey(HmacSha256);

impl UnsubscribeKey {
    pub fn new(secret: &[u8]) -> anyhow::Result<Self> {
        anyhow::ensure!(
            secret.len() >= MIN_SECRET_BYTES,
            "the unsubscribe secret must be at least {MIN_SECRET_BYTES} bytes"
        );
        Ok(Self(HmacSha256::new_from_slice(secret)?))
    }

    fn mac(&self, user: UserId) -> HmacSha256 {
        let mut mac = self.0.clone();
        mac.update(user.to_string().as_bytes());
        mac
    }

    /// The token of `user`'s links (hex).
    pub fn token(&self, user: UserId) -> String {
        hex::encode(self.mac(user).finalize().into_bytes())
    }

    /// Whether `token` is `user`'s (compared in constant time).
    pub fn verify(&self, user: UserId, token: &str) -> bool {
        hex::decode(token).is_ok_and(|raw| self.mac(user).verify_slice(&raw).is_ok())
    }
}

impl fmt::Debug for UnsubscribeKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("UnsubscribeKey(redacted)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_token_is_its_users_under_its_secret() -> anyhow::Result<()> {
        let key = UnsubscribeKey::new(&[7; 32])?;
        let (ada, bob) = (UserId::new(), UserId::new());
        let token = key.token(ada);
        assert_eq!(token.len(), 64);
        assert!(key.verify(ada, &token));
        assert!(!key.verify(bob, &token));
        assert!(!key.verify(ada, &token[..62]));
        assert!(!key.verify(ada, "not hex"));
        assert!(!UnsubscribeKey::new(&[8; 32])?.verify(ada, &token));
        assert!(UnsubscribeKey::new(b"short").is_err());
        assert_eq!(format!("{key:?}"), "UnsubscribeKey(redacted)");
        Ok(())
    }
}
