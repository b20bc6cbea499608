//! The sign-in throttling rule. Pure: no IO, unit-tested.
//!
//! After [`MAX_FAILURES`] failed attempts for one email within [`WINDOW_MINUTES`], further
//! attempts are refused until the oldest of those failures leaves the window.

use chrono::{DateTime, Duration, Utc};

pub const MAX_FAILURES: usize = 5;
pub const WINDOW_MINUTES: i64 = 15;

pub fn window() -> Duration {
    Duration::minutes(WINDOW_MINUTES)
}

/// When the account is locked at `now`, the instant the lock lifts.
///
/// `failures` are the failed attempts for one email, in any order; those older than the window
/// are ignored.
pub fn locked_until(failures: &[DateTime<Utc>], now: DateTime<Utc>) -> Option<DateTime<Utc>> {
    let mut recent: Vec<DateTime<Utc>> = failures
        .iter()
        .copied()
        .filter(|at| *at > now - window() && *at <= now)
        .collect();
    if recent.len() < MAX_FAILURES {
        return None;
    }
    recent.sort_unstable_by(|a, b| b.cmp(a));
    // The lock lifts when the MAX_FAILURES-th most recent failure leaves the window.
    Some(recent[MAX_FAILURES - 1] + window())
}

/// Whole minutes left until `until`, at least one, for the message shown to people.
pub fn minutes_left(until: DateTime<Utc>, now: DateTime<Utc>) -> i64 {
    let seconds = (until - now).num_seconds().max(0);
    ((seconds + 59) / 60).max(1)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn at(minute: i64) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 24, 9, 0, 0)
            .single()
            .unwrap_or_default()
            + Duration::minutes(minute)
    }

    #[test]
    fn four_failures_do_not_lock() {
        let failures = [at(0), at(1), at(2), at(3)];
        assert_eq!(locked_until(&failures, at(4)), None);
    }

    #[test]
    fn the_fifth_failure_locks_for_the_rest_of_the_window() {
        let failures = [at(0), at(1), at(2), at(3), at(4)];
        assert_eq!(locked_until(&failures, at(4)), Some(at(15)));
        assert_eq!(locked_until(&failures, at(14)), Some(at(15)));
    }

    #[test]
    fn the_lock_lifts_when_the_oldest_failure_leaves_the_window() {
        let failures = [at(0), at(1), at(2), at(3), at(4)];
        assert_eq!(locked_until(&failures, at(15)), None);
    }

    #[test]
    fn failures_older_than_fifteen_minutes_do_not_count() {
        let failures = [at(-30), at(-20), at(1), at(2), at(3), at(4)];
        assert_eq!(locked_until(&failures, at(5)), None);
    }

    #[test]
    fn a_burst_locks_from_the_fifth_most_recent_failure() {
        let failures = [at(4), at(0), at(6), at(5), at(7), at(8)];
        // Most recent five: 8,7,6,5,4 -> lifts at 4 + 15.
        assert_eq!(locked_until(&failures, at(9)), Some(at(19)));
    }

    #[test]
    fn minutes_left_rounds_up_and_is_never_zero() {
        assert_eq!(minutes_left(at(15), at(4)), 11);
        assert_eq!(minutes_left(at(15), at(15)), 1);
        assert_eq!(minutes_left(at(15) + Duration::seconds(1), at(15)), 1);
        assert_eq!(minutes_left(at(15) + Duration::seconds(61), at(15)), 2);
    }
}
