//! The leadership portfolio: how many projects sit in each stage, how healthy they are, which
//! need attention and why, by team — for the projects a view's filters select. Every number is
//! aggregated in SQL (`server.rs`) from the same `project_rows` the list and the export use.

mod api;
mod numbers;
pub mod page;
#[cfg(feature = "ssr")]
pub mod server;
pub mod trend;
mod trend_page;

pub use api::*;
pub use page::PortfolioPage;

use crate::health::FlagCode;
use crate::projects::stage::Stage;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// Projects by health colour.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct HealthMix {
    pub green: i64,
    pub amber: i64,
    pub red: i64,
}

impl HealthMix {
    pub fn total(&self) -> i64 {
        self.green + self.amber + self.red
    }
}

/// How many projects carry each flag (a project may carry several).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct FlagCounts {
    pub ownerless: i64,
    pub stalled: i64,
    pub demo_overdue: i64,
    pub review_overdue: i64,
    pub gate_gap: i64,
    #[serde(default)]
    pub conditions_overdue: i64,
    #[serde(default)]
    pub goal_drift: i64,
    #[serde(default)]
    pub continue_loop: i64,
}

impl FlagCounts {
    pub fn get(&self, code: FlagCode) -> i64 {
        match code {
            FlagCode::Ownerless => self.ownerless,
            FlagCode::Stalled => self.stalled,
            FlagCode::DemoOverdue => self.demo_overdue,
            FlagCode::ReviewOverdue => self.review_overdue,
            FlagCode::GateGap => self.gate_gap,
            FlagCode::ConditionsOverdue => self.conditions_overdue,
            FlagCode::GoalDrift => self.goal_drift,
            FlagCode::ContinueLoop => self.continue_loop,
        }
    }
}

/// One stage of the funnel: its projects, their health, and how long they have sat there.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct StageCount {
    pub stage: Stage,
    pub projects: i64,
    pub health: HealthMix,
    /// Median days in this stage so far (0 when the stage is empty).
    pub median_days_in_stage: i64,
    pub max_days_in_stage: i64,
}

/// One team's projects by health.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct TeamCount {
    pub team: String,
    pub projects: i64,
    pub health: HealthMix,
}

/// A project that needs attention, with the reason in words.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct AttentionItem {
    pub id: Uuid,
    pub name: String,
    pub team: String,
    pub stage: Stage,
    /// The current stage's owner (their name even when deactivated); none if nobody.
    pub owner: Option<String>,
    pub days_in_stage: i64,
    pub reason: String,
    /// The day the flag became true.
    pub since: NaiveDate,
}

/// The projects carrying one flag: how many, and the longest-standing few.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct AttentionList {
    pub flag: FlagCode,
    pub total: i64,
    pub items: Vec<AttentionItem>,
}

/// The numbers behind the portfolio page (and `GET /api/v1/portfolio`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Portfolio {
    /// The day the health flags were evaluated for.
    pub today: NaiveDate,
    /// Set when these are a past day's numbers (as the portfolio stood at the end of it).
    pub as_of: Option<NaiveDate>,
    pub projects: i64,
    pub health: HealthMix,
    pub flags: FlagCounts,
    /// Every stage, define to deploy, including empty ones.
    pub stages: Vec<StageCount>,
    /// Teams by number of projects, largest first.
    pub teams: Vec<TeamCount>,
    /// Stalled, ownerless, demo-overdue, review-overdue, conditions-overdue, goal-drift and
    /// continue-loop projects.
    pub attention: Vec<AttentionList>,
}

/// How many projects each attention list shows (the rest are one click away).
pub const ATTENTION_SHOWN: i64 = 8;

/// The flags leadership wants listed, in order.
pub const ATTENTION_FLAGS: [FlagCode; 7] = [
    FlagCode::Stalled,
    FlagCode::Ownerless,
    FlagCode::DemoOverdue,
    FlagCode::ReviewOverdue,
    FlagCode::ConditionsOverdue,
    FlagCode::GoalDrift,
    FlagCode::ContinueLoop,
];
