//! How login attempts are counted (ADR 0013). Failed password checks are counted per account
//! and client: past the free ones, each failure holds that client's next attempt on that account
//! back for longer, so a guesser is slowed while the owner, elsewhere, is not. Successes are
//! never counted.

use std::net::IpAddr;
use std::time::Duration;

/// The first hold, doubled with each further failure.
const FIRST_HOLD: Duration = Duration::from_secs(1);

/// The key a client is counted under: its address, or its /64 for IPv6, since one host commonly
/// holds a whole /64.
pub fn client_key(ip: Option<&str>) -> String {
    match ip.and_then(|raw| raw.parse::<IpAddr>().ok()) {
        Some(IpAddr::V6(v6)) if v6.to_ipv4_mapped().is_none() => {
            let prefix = u128::from(v6) & !((1u128 << 64) - 1);
            format!("{}/64", std::net::Ipv6Addr::from(prefix))
        }
        Some(ip) => ip.to_canonical().to_string(),
        None => ip.unwrap_or("unknown").to_owned(),
    }
}

/// How long the next attempt waits after `failures` failed ones: not at all up to `free`, then
/// one second, doubling with each failure, at most `max`.
pub fn hold_after(failures: u32, free: u32, max: Duration) -> Duration {
    match failures.checked_sub(free) {
        None | Some(0) => Duration::ZERO,
        Some(over) => FIRST_HOLD
            .checked_mul(2u32.saturating_pow(over - 1))
            .unwrap_or(max)
            .min(max),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ipv6_clients_are_counted_per_64() {
        assert_eq!(
            client_key(Some("2001:db8:1:2:aaaa::1")),
            client_key(Some("2001:db8:1:2:bbbb::9"))
        );
        assert_eq!(client_key(Some("2001:db8:1:2::1")), "2001:db8:1:2::/64");
        assert_ne!(
            client_key(Some("2001:db8:1:2::1")),
            client_key(Some("2001:db8:1:3::1"))
        );
        assert_eq!(client_key(Some("203.0.113.9")), "203.0.113.9");
        assert_eq!(client_key(Some("::ffff:203.0.113.9")), "203.0.113.9");
        assert_eq!(client_key(None), "unknown");
    }

    #[test]
    fn holds_start_after_the_free_failures_and_double_up_to_the_cap() {
        let max = Duration::from_secs(60);
        let holds: Vec<u64> = (0..=10).map(|n| hold_after(n, 3, max).as_secs()).collect();
        assert_eq!(holds, [0, 0, 0, 0, 1, 2, 4, 8, 16, 32, 60]);
        assert_eq!(hold_after(u32::MAX, 3, max), max);
    }
}
