//! The pipeline's rules, pure: what the facts of a stay mean, how its days are summarised, what
//! a conversion share is, and which quarters a date range holds. The SQL selects and counts
//! stays; every meaning is decided here, once.

use super::{BuildCohort, DaySpread, IndustryReference, ProductionShare, StageConversion, StageStays};
use crate::projects::stage::{Stage, Status};
use chrono::{Datelike, Days, Months, NaiveDate};
use serde::{Deserialize, Serialize};

/// How a stay in a stage ended — or that it has not.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// A move forward, into the next stage.
    MovedOn,
    /// A move back to an earlier stage: a pivot.
    MovedBack,
    /// The project was cancelled while in this stage.
    Cancelled,
    /// The project was retired while in this stage.
    Retired,
    /// Still going on: the project is active or paused in this stage.
    Open,
}

impl Outcome {
    pub const ALL: [Outcome; 5] = [
        Outcome::MovedOn,
        Outcome::MovedBack,
        Outcome::Cancelled,
        Outcome::Retired,
        Outcome::Open,
    ];

    /// What a stay's facts mean: `next` is the stage the move that ended it went to (none when no
    /// move ended it), `status` the project's status now (on its last stay only). A stay no
    /// move ended is over when the project is cancelled or retired, and open while it is active
    /// or paused.
    pub fn of(stage: Stage, next: Option<Stage>, status: Option<Status>) -> Outcome {
        match (next, status) {
            (Some(next), _) if next > stage => Outcome::MovedOn,
            (Some(_), _) => Outcome::MovedBack,
            (None, Some(Status::Cancelled)) => Outcome::Cancelled,
            (None, Some(Status::Retired)) => Outcome::Retired,
            (None, _) => Outcome::Open,
        }
    }

    /// Whether the stay is over (its days count towards the median and 90th percentile).
    pub fn completed(self) -> bool {
        self != Outcome::Open
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::MovedOn => "moved_on",
            Outcome::MovedBack => "moved_back",
            Outcome::Cancelled => "cancelled",
            Outcome::Retired => "retired",
            Outcome::Open => "open",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Outcome::MovedOn => "Moved on",
            Outcome::MovedBack => "Moved back",
            Outcome::Cancelled => "Cancelled",
            Outcome::Retired => "Retired",
            Outcome::Open => "Still there",
        }
    }

    pub fn parse(value: &str) -> Option<Outcome> {
        Outcome::ALL.into_iter().find(|o| o.as_str() == value)
    }

    /// The facts that mean this outcome for a stay in `stage`, as the SQL writes them: the
    /// stage a move went to, or (on a last stay) the project's status.
    pub fn facts(self, stage: Stage) -> Vec<&'static str> {
        let moves = Stage::ALL.iter().map(|s| (Some(*s), None));
        let statuses = Status::ALL.iter().map(|s| (None, Some(*s)));
        moves
            .chain(statuses)
            .filter(|&(next, status)| next != Some(stage) && Outcome::of(stage, next, status) == self)
            .map(|(next, status)| match (next, status) {
                (Some(next), _) => next.as_str(),
                (None, Some(status)) => status.as_str(),
                (None, None) => "",
            })
            .collect()
    }
}

/// Which of a stage's stays a number counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum StaySet {
    /// Every stay begun in the range.
    Entered,
    /// The stays that are over (behind the median and 90th percentile).
    Completed,
    /// The stays that ended one way (or are still open).
    Ended(Outcome),
}

impl StaySet {
    pub fn as_str(self) -> &'static str {
        match self {
            StaySet::Entered => "entered",
            StaySet::Completed => "completed",
            StaySet::Ended(outcome) => outcome.as_str(),
        }
    }

    pub fn parse(value: &str) -> Option<StaySet> {
        match value {
            "entered" => Some(StaySet::Entered),
            "completed" => Some(StaySet::Completed),
            other => Outcome::parse(other).map(StaySet::Ended),
        }
    }

    /// The facts (see [`Outcome::facts`]) of the stays in this set; none means every stay.
    pub fn facts(self, stage: Stage) -> Option<Vec<&'static str>> {
        match self {
            StaySet::Entered => None,
            StaySet::Completed => Some(
                Outcome::ALL
                    .into_iter()
                    .filter(|o| o.completed())
                    .flat_map(|o| o.facts(stage))
                    .collect(),
            ),
            StaySet::Ended(outcome) => Some(outcome.facts(stage)),
        }
    }

    /// Whether a stay with this outcome belongs to the set.
    pub fn holds(self, outcome: Outcome) -> bool {
        match self {
            StaySet::Entered => true,
            StaySet::Completed => outcome.completed(),
            StaySet::Ended(wanted) => outcome == wanted,
        }
    }
}

/// How many days a stay counts: a completed one the days it lasted (from the day it began to
/// the day of the move, or of the cancellation or retirement, that ended it); an open one the
/// days it has lasted so far (`age`: from the day it began to today).
pub fn stay_days(outcome: Outcome, days: i64, age: i64) -> i64 {
    if outcome.completed() {
        days
    } else {
        age
    }
}

/// The median (½) and the 90th percentile (9/10).
pub const MEDIAN: (i64, i64) = (1, 2);
pub const P90: (i64, i64) = (9, 10);

/// The discrete percentile `fraction` (numerator, denominator) of stays counted as
/// `(days, stays)`: the fewest days within which at least that fraction of the stays ended —
/// the k-th smallest, k = ⌈fraction × n⌉ (at least the first), as PostgreSQL's
/// `percentile_disc`. None when there are no stays.
pub fn percentile_disc(counts: &[(i64, i64)], fraction: (i64, i64)) -> Option<i64> {
    let mut counts: Vec<(i64, i64)> = counts.iter().copied().filter(|(_, n)| *n > 0).collect();
    counts.sort_unstable();
    let total: i64 = counts.iter().map(|(_, n)| n).sum();
    if total == 0 {
        return None;
    }
    let (numerator, denominator) = fraction;
    let k = ((numerator * total + denominator - 1) / denominator).max(1);
    let mut seen = 0;
    counts.into_iter().find_map(|(days, n)| {
        seen += n;
        (seen >= k).then_some(days)
    })
}

/// `part` of `whole` as a fraction from 0 to 1; none when `whole` is 0.
pub fn share(part: i64, whole: i64) -> Option<f64> {
    (whole > 0).then(|| part as f64 / whole as f64)
}

/// A share in whole percent, for people ("53%"), or a dash when there is none.
pub fn percent(share: Option<f64>) -> String {
    match share {
        Some(share) => format!("{}%", (share * 100.0).round() as i64),
        None => "\u{2014}".into(),
    }
}

/// A calendar quarter.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Quarter {
    pub year: i32,
    /// 1 to 4.
    pub number: u32,
}

impl Quarter {
    /// The quarter `day` falls in.
    pub fn of(day: NaiveDate) -> Quarter {
        Quarter {
            year: day.year(),
            number: day.month0() / 3 + 1,
        }
    }

    pub fn first_day(self) -> NaiveDate {
        NaiveDate::from_ymd_opt(self.year, (self.number - 1) * 3 + 1, 1).unwrap_or(NaiveDate::MIN)
    }

    pub fn last_day(self) -> NaiveDate {
        self.first_day()
            .checked_add_months(Months::new(3))
            .and_then(|next| next.pred_opt())
            .unwrap_or(NaiveDate::MAX)
    }

    /// "2026 Q1", for people.
    pub fn label(self) -> String {
        format!("{} Q{}", self.year, self.number)
    }

    /// "2026-Q1", for addresses.
    pub fn param(self) -> String {
        format!("{}-Q{}", self.year, self.number)
    }

    pub fn parse(value: &str) -> Option<Quarter> {
        let (year, number) = value.split_once("-Q")?;
        let quarter = Quarter {
            year: year.parse().ok()?,
            number: number.parse().ok().filter(|n| (1..=4).contains(n))?,
        };
        NaiveDate::from_ymd_opt(quarter.year, 1, 1).map(|_| quarter)
    }
}

/// The quarters a date range touches, in order, each with the part of it inside the range
/// (the first and last may be partial).
pub fn quarters(from: NaiveDate, to: NaiveDate) -> Vec<(Quarter, NaiveDate, NaiveDate)> {
    let mut spans = Vec::new();
    let mut start = from;
    while start <= to {
        let quarter = Quarter::of(start);
        let end = quarter.last_day().min(to);
        spans.push((quarter, start, end));
        match end.checked_add_days(Days::new(1)) {
            Some(next) => start = next,
            None => break,
        }
    }
    spans
}

/// How many months the range shown without a choice covers.
pub const DEFAULT_MONTHS: u32 = 12;

/// The range shown without a choice: the last 12 months, ending today.
pub fn default_range(today: NaiveDate) -> (NaiveDate, NaiveDate) {
    let from = today
        .checked_sub_months(Months::new(DEFAULT_MONTHS))
        .and_then(|d| d.succ_opt())
        .unwrap_or(today);
    (from, today)
}

/// The longest date range accepted, in days (about ten years: 40 quarters).
pub const MAX_RANGE_DAYS: i64 = 3_660;

/// Why a date range cannot be read, if it cannot.
pub fn range_problem(from: NaiveDate, to: NaiveDate) -> Option<String> {
    if from > to {
        Some(format!(
            "The range starts ({from}) after it ends ({to}): swap them."
        ))
    } else if (to - from).num_days() >= MAX_RANGE_DAYS {
        Some(format!(
            "Pick a range of at most {MAX_RANGE_DAYS} days ({} now).",
            (to - from).num_days() + 1
        ))
    } else {
        None
    }
}

/// Stays counted by their facts, as the SQL groups them: either (`days` set) every stay with
/// these facts and these days, or (`age` set) the last stays of projects with this status begun
/// `age` days before today.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Counted {
    pub stage: Stage,
    pub next: Option<Stage>,
    pub status: Option<Status>,
    pub days: Option<i64>,
    pub age: Option<i64>,
    pub stays: i64,
}

/// Each stage's stays: how many began, how they ended, and the spread of their days —
/// completed stays by the days they lasted, open ones by the days so far.
pub fn stage_flows(counted: &[Counted]) -> Vec<StageStays> {
    Stage::ALL
        .iter()
        .map(|&stage| {
            let mut flow = StageStays {
                stage,
                entered: 0,
                moved_on: 0,
                moved_back: 0,
                cancelled: 0,
                retired: 0,
                open: 0,
                completed: DaySpread::default(),
                open_so_far: DaySpread::default(),
            };
            let mut completed = Vec::new();
            let mut open = Vec::new();
            for row in counted.iter().filter(|r| r.stage == stage) {
                let outcome = Outcome::of(stage, row.next, row.status);
                match (row.days, row.age) {
                    (Some(days), _) => {
                        flow.entered += row.stays;
                        match outcome {
                            Outcome::MovedOn => flow.moved_on += row.stays,
                            Outcome::MovedBack => flow.moved_back += row.stays,
                            Outcome::Cancelled => flow.cancelled += row.stays,
                            Outcome::Retired => flow.retired += row.stays,
                            Outcome::Open => flow.open += row.stays,
                        }
                        if outcome.completed() {
                            completed.push((days, row.stays));
                        }
                    }
                    (None, Some(age)) if !outcome.completed() => open.push((age, row.stays)),
                    _ => {}
                }
            }
            flow.completed = spread(&completed);
            flow.open_so_far = spread(&open);
            flow
        })
        .collect()
}

fn spread(counts: &[(i64, i64)]) -> DaySpread {
    DaySpread {
        stays: counts.iter().map(|(_, n)| n).sum(),
        median_days: percentile_disc(counts, MEDIAN),
        p90_days: percentile_disc(counts, P90),
    }
}

/// From each stage to the next: of the stays begun in it, the share that moved on.
pub fn conversions(flows: &[StageStays]) -> Vec<StageConversion> {
    flows
        .iter()
        .filter_map(|flow| {
            flow.stage.next().map(|to| StageConversion {
                from: flow.stage,
                to,
                entered: flow.entered,
                moved_on: flow.moved_on,
                share: share(flow.moved_on, flow.entered),
            })
        })
        .collect()
}

/// One cohort's counts: `quarter` is the index (from 0) of the quarter among
/// [`quarters`]`(from, to)`, or none for the whole range.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CohortCount {
    pub quarter: Option<usize>,
    pub entered_build: i64,
    pub reached_deploy: i64,
}

/// Prototype → production for a range: overall and per quarter (quarters nothing entered in
/// read 0 of 0), beside the reference.
pub fn production(from: NaiveDate, to: NaiveDate, counts: &[CohortCount]) -> ProductionShare {
    let cohort = |quarter: Option<Quarter>, from: NaiveDate, to: NaiveDate, index: Option<usize>| {
        let count = counts.iter().find(|c| c.quarter == index);
        let entered_build = count.map_or(0, |c| c.entered_build);
        let reached_deploy = count.map_or(0, |c| c.reached_deploy);
        BuildCohort {
            quarter: quarter.map(Quarter::param),
            from,
            to,
            entered_build,
            reached_deploy,
            share: share(reached_deploy, entered_build),
        }
    };
    ProductionShare {
        overall: cohort(None, from, to, None),
        quarters: quarters(from, to)
            .into_iter()
            .enumerate()
            .map(|(i, (quarter, start, end))| cohort(Some(quarter), start, end, Some(i)))
            .collect(),
        reference: IndustryReference::gartner(),
    }
}

#[cfg(test)]
mod tests;
