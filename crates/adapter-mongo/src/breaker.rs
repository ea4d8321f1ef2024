//! A circuit breaker: after a few consecutive failures MongoDB is treated as down for a short
//! cool-down, so reads answer 503 at once instead of each waiting for a driver timeout.

use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

const TRIP_AFTER: u32 = 3;
const COOL_DOWN: Duration = Duration::from_secs(1);

#[derive(Default)]
pub struct Breaker {
    failures: AtomicU32,
    open_until: Mutex<Option<Instant>>,
}

impl Breaker {
    /// False while the breaker is open.
    pub fn allows(&self) -> bool {
        let guard = self.open_until.lock().unwrap_or_else(|p| p.into_inner());
        guard.is_none_or(|until| Instant::now() >= until)
    }

    pub fn succeeded(&self) {
        self.failures.store(0, Ordering::Relaxed);
        *self.open_until.lock().unwrap_or_else(|p| p.into_inner()) = None;
    }

    /// Records an availability failure; the breaker opens after `TRIP_AFTER` in a row, and one
    /// failure after a cool-down opens it again.
    pub fn failed(&self) {
        let failures = self.failures.fetch_add(1, Ordering::Relaxed) + 1;
        if failures >= TRIP_AFTER {
            *self.open_until.lock().unwrap_or_else(|p| p.into_inner()) =
                Some(Instant::now() + COOL_DOWN);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn opens_after_consecutive_failures_and_closes_on_success() {
        let b = Breaker::default();
        for _ in 0..TRIP_AFTER - 1 {
            b.failed();
            assert!(b.allows());
        }
        b.failed();
        assert!(!b.allows());
        b.succeeded();
        assert!(b.allows());
    }
}
