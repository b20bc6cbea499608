//! The portfolio over time: its health mix and flags at a series of days, and the projects
//! entering and leaving each stage between them. The days are chosen here, the counting is
//! done by PostgreSQL (`portfolio_trend`, `stage_flows`) and added up here.

use super::{FlagCounts, HealthMix};
use crate::projects::stage::Stage;
use chrono::{Datelike, Days, Months, NaiveDate};
use serde::{Deserialize, Serialize};

/// How far apart the days of a series are.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Interval {
    /// Every seventh day, ending on the last day.
    #[default]
    Week,
    /// The last day of every month, and the last day itself.
    Month,
}

impl Interval {
    pub fn as_str(self) -> &'static str {
        match self {
            Interval::Week => "week",
            Interval::Month => "month",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        [Interval::Week, Interval::Month]
            .into_iter()
            .find(|i| i.as_str() == text)
    }
}

/// The most days one series may have (about ten years of weeks).
pub const MAX_POINTS: usize = 520;

/// The portfolio at the end of one day of the series.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct TrendPoint {
    pub day: NaiveDate,
    pub projects: i64,
    pub health: HealthMix,
    pub flags: FlagCounts,
}

/// Projects that entered and left one stage in one period (after the previous day of the
/// series, up to the end of `day`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct StageFlow {
    /// The period's last day.
    pub day: NaiveDate,
    pub stage: Stage,
    pub entered: i64,
    pub left: i64,
}

/// The series behind the trend charts (and `GET /api/v1/portfolio/trend`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Trend {
    pub interval: Interval,
    /// Oldest first.
    pub points: Vec<TrendPoint>,
    /// Per period and stage, oldest first (periods with no movement are left out).
    pub flows: Vec<StageFlow>,
}

/// The days of a series from `from` to `to` (inclusive; `to` is always the last): every
/// `interval` back from `to`, or month ends. Empty when `from` is after `to`; at most
/// [`MAX_POINTS`] (the latest ones).
pub fn days(interval: Interval, from: NaiveDate, to: NaiveDate) -> Vec<NaiveDate> {
    let mut days = Vec::new();
    if from > to {
        return days;
    }
    match interval {
        Interval::Week => {
            let mut day = to;
            while day >= from && days.len() < MAX_POINTS {
                days.push(day);
                match day.checked_sub_days(Days::new(7)) {
                    Some(earlier) => day = earlier,
                    None => break,
                }
            }
            days.reverse();
        }
        Interval::Month => {
            days.push(to);
            // The last day of the month before `to`'s, then of each month before it.
            let mut end = to.with_day(1).and_then(|first| first.pred_opt());
            while let Some(day) = end {
                if day < from || days.len() >= MAX_POINTS {
                    break;
                }
                days.push(day);
                end = day.with_day(1).and_then(|first| first.pred_opt());
            }
            days.reverse();
        }
    }
    days
}

/// The day `weeks` weeks before `to`, the default start of a series.
pub fn weeks_before(to: NaiveDate, weeks: u64) -> NaiveDate {
    to.checked_sub_days(Days::new(7 * weeks)).unwrap_or(to)
}

/// The day `months` months before `to`.
pub fn months_before(to: NaiveDate, months: u32) -> NaiveDate {
    to.checked_sub_months(Months::new(months)).unwrap_or(to)
}

/// What PostgreSQL counted for one measure at one day index: versions first counted there
/// (`starts`) and last counted there (`ends`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tally {
    pub measure: String,
    pub k: i32,
    pub starts: i64,
    pub ends: i64,
}

/// The points of a series from its tallies: each measure at day k is what started at or before
/// k less what ended before k. Green and amber follow from the flagged and red counts (red
/// implies flagged).
pub fn series(days: &[NaiveDate], tallies: &[Tally]) -> Vec<TrendPoint> {
    let n = days.len();
    let running = |measure: &str| {
        let mut delta = vec![0i64; n + 1];
        for t in tallies.iter().filter(|t| t.measure == measure) {
            if let Ok(k) = usize::try_from(t.k) {
                if k < n {
                    delta[k] += t.starts;
                    delta[k + 1] -= t.ends;
                }
            }
        }
        let mut total = 0;
        delta[..n]
            .iter()
            .map(|d| {
                total += d;
                total
            })
            .collect::<Vec<i64>>()
    };
    let projects = running("projects");
    let red = running("red");
    let flagged = running("flagged");
    let ownerless = running("ownerless");
    let stalled = running("stalled");
    let demo_overdue = running("demo_overdue");
    let review_overdue = running("review_overdue");
    let gate_gap = running("gate_gap");
    let conditions_overdue = running("conditions_overdue");
    let goal_drift = running("goal_drift");
    let continue_loop = running("continue_loop");
    days.iter()
        .enumerate()
        .map(|(k, &day)| {
            let flags = FlagCounts {
                ownerless: ownerless[k],
                stalled: stalled[k],
                demo_overdue: demo_overdue[k],
                review_overdue: review_overdue[k],
                gate_gap: gate_gap[k],
                conditions_overdue: conditions_overdue[k],
                goal_drift: goal_drift[k],
                continue_loop: continue_loop[k],
            };
            TrendPoint::new(day, projects[k], flagged[k], red[k], flags)
        })
        .collect()
}

impl super::Portfolio {
    /// The portfolio's numbers as a point of a series (its health and flag filters narrow
    /// them, which a series does not).
    pub fn point(&self) -> TrendPoint {
        TrendPoint {
            day: self.as_of.unwrap_or(self.today),
            projects: self.projects,
            health: self.health,
            flags: self.flags,
        }
    }
}

impl TrendPoint {
    /// The point of `projects` projects, `flagged` of them carrying a flag and `red` of those
    /// red (red implies flagged): the rest are green, the flagged but not red amber.
    pub fn new(day: NaiveDate, projects: i64, flagged: i64, red: i64, flags: FlagCounts) -> Self {
        TrendPoint {
            day,
            projects,
            health: HealthMix {
                green: projects - flagged,
                amber: flagged - red,
                red,
            },
            flags,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).expect("a date")
    }

    #[test]
    fn weekly_days_end_on_the_last_day_and_step_back_seven_days() {
        let series = days(Interval::Week, d(2026, 11, 1), d(2026, 12, 1));
        assert_eq!(
            series,
            vec![
                d(2026, 11, 3),
                d(2026, 11, 10),
                d(2026, 11, 17),
                d(2026, 11, 24),
                d(2026, 12, 1)
            ]
        );
        assert_eq!(
            days(Interval::Week, d(2026, 12, 1), d(2026, 12, 1)),
            vec![d(2026, 12, 1)]
        );
        assert!(days(Interval::Week, d(2026, 12, 2), d(2026, 12, 1)).is_empty());
    }

    #[test]
    fn monthly_days_are_month_ends_and_the_last_day() {
        let series = days(Interval::Month, d(2026, 9, 15), d(2026, 12, 1));
        assert_eq!(
            series,
            vec![d(2026, 9, 30), d(2026, 10, 31), d(2026, 11, 30), d(2026, 12, 1)]
        );
        // February's end in a leap year.
        assert_eq!(
            days(Interval::Month, d(2028, 2, 1), d(2028, 3, 10))[0],
            d(2028, 2, 29)
        );
    }

    #[test]
    fn a_series_is_capped_to_its_latest_days() {
        let series = days(Interval::Week, d(2000, 1, 1), d(2026, 12, 1));
        assert_eq!(series.len(), MAX_POINTS);
        assert_eq!(series.last(), Some(&d(2026, 12, 1)));
    }

    #[test]
    fn counts_add_up_starts_and_ends_in_order() {
        let series_days = [d(2026, 1, 1), d(2026, 1, 8), d(2026, 1, 15), d(2026, 1, 22)];
        let tally = |measure: &str, k: i32, starts: i64, ends: i64| Tally {
            measure: measure.into(),
            k,
            starts,
            ends,
        };
        // Three projects from day 0, one more from day 2; one leaves after day 1.
        // Two flagged from day 1 (one of them red from day 2), one stalled on day 3 only.
        let tallies = [
            tally("projects", 0, 3, 0),
            tally("projects", 1, 0, 1),
            tally("projects", 2, 1, 0),
            tally("flagged", 1, 2, 0),
            tally("red", 2, 1, 0),
            tally("stalled", 3, 1, 0),
        ];
        let points = series(&series_days, &tallies);
        let summary: Vec<(i64, i64, i64, i64, i64)> = points
            .iter()
            .map(|p| {
                (
                    p.projects,
                    p.health.green,
                    p.health.amber,
                    p.health.red,
                    p.flags.stalled,
                )
            })
            .collect();
        assert_eq!(
            summary,
            vec![(3, 3, 0, 0, 0), (3, 1, 2, 0, 0), (3, 1, 1, 1, 0), (3, 1, 1, 1, 1)]
        );
        assert_eq!(points[2].day, d(2026, 1, 15));
    }
}
