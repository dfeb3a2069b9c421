//! Where "now" comes from. Every use case asks the clock it is given (the
//! database handle carries one, so every transaction has it), never the
//! system directly, so that tests can fix the hour they run at instead of
//! bending to it. `clippy.toml` forbids `Utc::now` and `SystemTime::now`
//! elsewhere.

use chrono::{DateTime, Duration, SubsecRound, TimeZone as _, Utc};
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;

/// The time, to the millisecond (what both databases store).
#[derive(Debug, Clone, Default)]
pub struct Clock(Source);

#[derive(Debug, Clone, Default)]
enum Source {
    /// The operating system's clock.
    #[default]
    System,
    /// A test's clock, in milliseconds since the epoch: it starts where the
    /// test sets it and ticks one millisecond on each reading, so that
    /// successive events keep their order; tests move it on explicitly.
    Test(Arc<AtomicI64>),
}

impl Clock {
    /// The operating system's clock.
    pub fn system() -> Self {
        Self(Source::System)
    }

    /// A clock for tests, starting at `at`. Clones share it: moving one moves all.
    pub fn starting_at(at: DateTime<Utc>) -> Self {
        Self(Source::Test(Arc::new(AtomicI64::new(
            at.timestamp_millis(),
        ))))
    }

    pub fn now(&self) -> DateTime<Utc> {
        match &self.0 {
            #[allow(
                clippy::disallowed_methods,
                reason = "the one place that reads the system's clock"
            )]
            Source::System => Utc::now().trunc_subsecs(3),
            Source::Test(ms) => millis(ms.fetch_add(1, Ordering::SeqCst)),
        }
    }

    /// Moves a test clock on by `by`; the system's clock cannot be moved.
    pub fn advance(&self, by: Duration) {
        if let Source::Test(ms) = &self.0 {
            ms.fetch_add(by.num_milliseconds(), Ordering::SeqCst);
        }
    }
}

fn millis(ms: i64) -> DateTime<Utc> {
    Utc.timestamp_millis_opt(ms).single().unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_test_clock_starts_where_it_is_set_ticks_and_moves_on() {
        let start: DateTime<Utc> = "2026-11-18T19:00:00Z".parse().unwrap();
        let clock = Clock::starting_at(start);
        let shared = clock.clone();
        assert_eq!(clock.now(), start);
        assert_eq!(
            shared.now(),
            start + Duration::milliseconds(1),
            "clones share it"
        );
        shared.advance(Duration::minutes(31));
        assert_eq!(clock.now(), start + Duration::milliseconds(31 * 60_000 + 2));
    }

    #[test]
    fn the_system_clock_reads_milliseconds() {
        let now = Clock::system().now();
        assert_eq!(now.timestamp_subsec_nanos() % 1_000_000, 0);
    }
}
