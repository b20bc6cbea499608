//! Health flags: what is going wrong with a project, in plain words, and since when.
//! The rules are pure functions of (project facts, thresholds) → [`Signals`], stored with every
//! change; any reader compares the stored onsets with its day (see `signals`).

mod api;
mod page;
#[cfg(feature = "ssr")]
pub mod server;
mod signals;

pub use api::*;
pub use page::ThresholdsPage;
pub use signals::{continue_loop, signals, GateGapFacts, Signals};

use crate::projects::stage::{RiskTier, Status};
use chrono::{Months, NaiveDate};
use serde::{Deserialize, Serialize};

/// The admin-set limits the rules use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Thresholds {
    /// A demo older than this many days is overdue.
    pub demo_cadence_days: i64,
    /// No stage change and no demo for more than this many days is a stall.
    pub stall_days: i64,
    /// Months until a model-risk review is due again, by risk tier.
    pub review_months_high: u32,
    pub review_months_medium: u32,
    pub review_months_low: u32,
    /// This many demos in a row saying "continue", with no stage move, make a loop.
    #[serde(default = "default_continue_loop")]
    pub continue_loop_demos: u32,
}

fn default_continue_loop() -> u32 {
    3
}

impl Default for Thresholds {
    fn default() -> Self {
        Thresholds {
            demo_cadence_days: 31,
            stall_days: 62,
            review_months_high: 6,
            review_months_medium: 12,
            review_months_low: 24,
            continue_loop_demos: default_continue_loop(),
        }
    }
}

impl Thresholds {
    /// When a review held on `held` for a project of `tier` is due again.
    pub fn next_review_due(&self, tier: RiskTier, held: NaiveDate) -> NaiveDate {
        let months = match tier {
            RiskTier::High => self.review_months_high,
            RiskTier::Medium => self.review_months_medium,
            RiskTier::Low => self.review_months_low,
        };
        held.checked_add_months(Months::new(months))
            .unwrap_or(NaiveDate::MAX)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum FlagCode {
    Ownerless,
    Stalled,
    DemoOverdue,
    ReviewOverdue,
    GateGap,
    ConditionsOverdue,
    GoalDrift,
    ContinueLoop,
}

impl FlagCode {
    pub const ALL: [FlagCode; 8] = [
        FlagCode::Ownerless,
        FlagCode::Stalled,
        FlagCode::DemoOverdue,
        FlagCode::ReviewOverdue,
        FlagCode::GateGap,
        FlagCode::ConditionsOverdue,
        FlagCode::GoalDrift,
        FlagCode::ContinueLoop,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            FlagCode::Ownerless => "ownerless",
            FlagCode::Stalled => "stalled",
            FlagCode::DemoOverdue => "demo_overdue",
            FlagCode::ReviewOverdue => "review_overdue",
            FlagCode::GateGap => "gate_gap",
            FlagCode::ConditionsOverdue => "conditions_overdue",
            FlagCode::GoalDrift => "goal_drift",
            FlagCode::ContinueLoop => "continue_loop",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            FlagCode::Ownerless => "Ownerless",
            FlagCode::Stalled => "Stalled",
            FlagCode::DemoOverdue => "Demo overdue",
            FlagCode::ReviewOverdue => "Review overdue",
            FlagCode::GateGap => "Gate gap",
            FlagCode::ConditionsOverdue => "Conditions overdue",
            FlagCode::GoalDrift => "Goal drift",
            FlagCode::ContinueLoop => "Continue loop",
        }
    }

    pub fn severity(self) -> Severity {
        match self {
            FlagCode::Ownerless | FlagCode::Stalled => Severity::Red,
            FlagCode::DemoOverdue
            | FlagCode::ReviewOverdue
            | FlagCode::GateGap
            | FlagCode::ConditionsOverdue
            | FlagCode::GoalDrift
            | FlagCode::ContinueLoop => Severity::Amber,
        }
    }

    pub fn parse(value: &str) -> Option<FlagCode> {
        FlagCode::ALL.into_iter().find(|c| c.as_str() == value)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    Amber,
    Red,
}

/// A project's overall health: red if any flag is red, amber if any is amber.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Health {
    Green,
    Amber,
    Red,
}

impl Health {
    pub const ALL: [Health; 3] = [Health::Green, Health::Amber, Health::Red];

    pub fn as_str(self) -> &'static str {
        match self {
            Health::Green => "green",
            Health::Amber => "amber",
            Health::Red => "red",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Health::Green => "Green",
            Health::Amber => "Amber",
            Health::Red => "Red",
        }
    }

    pub fn parse(value: &str) -> Option<Health> {
        Health::ALL.into_iter().find(|h| h.as_str() == value)
    }
}

/// One thing wrong with a project: what, how bad, why in words, and since when.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Flag {
    pub code: FlagCode,
    pub severity: Severity,
    pub reason: String,
    /// The first day the flag was true.
    pub since: NaiveDate,
}

/// The current stage's owner, as the rules see them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OwnerFact {
    pub name: String,
    /// The day the account was deactivated, if it is.
    pub deactivated_on: Option<NaiveDate>,
}

/// Everything the flags look at, as calendar dates (UTC).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HealthFacts {
    pub status: Status,
    pub created_on: NaiveDate,
    /// The day of the latest stage change (creation, if none).
    pub stage_entered_on: NaiveDate,
    pub stage_label: &'static str,
    pub owner: Option<OwnerFact>,
    /// The latest demo held (withdrawn ones do not count).
    pub last_demo_on: Option<NaiveDate>,
    /// The next-review date of the latest model-risk review (withdrawn ones do not count).
    pub review_due_on: Option<NaiveDate>,
    /// What the current stage's gate lacks, and since when.
    pub gate: GateGapFacts,
    /// The project's material changes, oldest first (goal drift is one not acknowledged).
    pub material: Vec<crate::projects::material::MaterialChange>,
    /// The demos held since the current stage was entered (withdrawn ones do not count), in
    /// the order they were held: the day and the outcome.
    pub demos_in_stage: Vec<(NaiveDate, crate::records::Outcome)>,
    /// The open conditions of the model-risk reviews that stand.
    pub open_conditions: Vec<ConditionFact>,
}

/// An open condition of an approving model-risk review.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConditionFact {
    pub text: String,
    pub owner: String,
    pub due_on: NaiveDate,
}

/// Every flag that is true of `facts` on `today`, most severe first.
pub fn flags(facts: &HealthFacts, today: NaiveDate, limits: &Thresholds) -> Vec<Flag> {
    signals(facts, limits).flags(today)
}

/// Red if any flag is red, amber if any is amber, green otherwise.
pub fn health(flags: &[Flag]) -> Health {
    match flags.iter().map(|f| f.severity).max() {
        Some(Severity::Red) => Health::Red,
        Some(Severity::Amber) => Health::Amber,
        None => Health::Green,
    }
}

#[cfg(test)]
mod tests;
