//! The one clock the rules read ("today" for flags, gates and dates that already happened).

use chrono::{NaiveDate, Utc};

/// Real time in production; pinned to a day by tests and demos (`TOLLGATE_FAKE_TODAY`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Clock {
    #[default]
    System,
    Fixed(NaiveDate),
}

impl Clock {
    /// Today's date in UTC, or the pinned day.
    pub fn today(self) -> NaiveDate {
        match self {
            Clock::System => Utc::now().date_naive(),
            Clock::Fixed(day) => day,
        }
    }
}
