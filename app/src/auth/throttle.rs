//! The sign-in throttling rule. Pure: no IO, unit-tested.
//!
//! After [`MAX_FAILURES`] failed attempts for one email within [`WINDOW_MINUTES`], further
//! attempts are refused until the oldest of those failures leaves the window; likewise after
//! [`MAX_ADDRESS_FAILURES`] from one client address, whatever emails they named.
//!
//! An attempt counts as a failure from the moment it is let through, before its password is
//! checked (the caller records it under a lock, and removes it again if the password was
//! right), so parallel attempts can never check more passwords than the rule allows.

use chrono::{DateTime, Duration, Utc};

/// Failed attempts allowed for one email within the window.
pub const MAX_FAILURES: usize = 5;
/// Failed attempts allowed from one client address within the window (any emails).
pub const MAX_ADDRESS_FAILURES: usize = 30;
pub const WINDOW_MINUTES: i64 = 15;

pub fn window() -> Duration {
    Duration::minutes(WINDOW_MINUTES)
}

/// When the account is locked at `now`, the instant the lock lifts.
///
/// `failures` are the failed attempts for one email, in any order; those older than the window
/// are ignored.
pub fn locked_until(failures: &[DateTime<Utc>], now: DateTime<Utc>) -> Option<DateTime<Utc>> {
    locked_after(failures, now, MAX_FAILURES)
}

/// When a client address is locked at `now`, the instant the lock lifts.
pub fn address_locked_until(failures: &[DateTime<Utc>], now: DateTime<Utc>) -> Option<DateTime<Utc>> {
    locked_after(failures, now, MAX_ADDRESS_FAILURES)
}

/// The later of two locks, if either holds.
pub fn later(a: Option<DateTime<Utc>>, b: Option<DateTime<Utc>>) -> Option<DateTime<Utc>> {
    a.max(b)
}

fn locked_after(failures: &[DateTime<Utc>], now: DateTime<Utc>, limit: usize) -> Option<DateTime<Utc>> {
    let mut recent: Vec<DateTime<Utc>> = failures
        .iter()
        .copied()
        .filter(|at| *at > now - window() && *at <= now)
        .collect();
    if recent.len() < limit || limit == 0 {
        return None;
    }
    recent.sort_unstable_by(|a, b| b.cmp(a));
    // The lock lifts when the limit-th most recent failure leaves the window.
    Some(recent[limit - 1] + window())
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
    fn one_address_may_fail_thirty_times_before_it_is_locked() {
        let failures: Vec<_> = (0..29).map(|i| at(0) + Duration::seconds(i)).collect();
        assert_eq!(address_locked_until(&failures, at(1)), None);
        let mut more = failures.clone();
        more.push(at(1));
        assert_eq!(address_locked_until(&more, at(2)), Some(at(15)));
    }

    #[test]
    fn the_later_lock_wins() {
        assert_eq!(later(None, None), None);
        assert_eq!(later(Some(at(3)), None), Some(at(3)));
        assert_eq!(later(Some(at(3)), Some(at(9))), Some(at(9)));
    }

    #[test]
    fn minutes_left_rounds_up_and_is_never_zero() {
        assert_eq!(minutes_left(at(15), at(4)), 11);
        assert_eq!(minutes_left(at(15), at(15)), 1);
        assert_eq!(minutes_left(at(15) + Duration::seconds(1), at(15)), 1);
        assert_eq!(minutes_left(at(15) + Duration::seconds(61), at(15)), 2);
    }
}
