//! Pipeline analytics: how projects flow through define → design → build → deploy — how many
//! stays began in each stage in a date range and how they ended (moved on, moved back, cancelled,
//! retired, still there), how long they lasted, the conversion from each stage to the next, and
//! prototype → production: of the projects that entered Build in each quarter, the share that
//! reached Deploy, beside the industry's 53% (Gartner, 2020).
//!
//! The stays are rows of `stage_stays`, kept with every write (see the migration
//! `20261203000002_pipeline.sql`); `server.rs` selects and counts them in SQL, and the pure rules
//! in [`rules`] decide what each one means.

mod api;
pub mod pages;
pub mod rules;
#[cfg(feature = "ssr")]
pub mod server;

pub use api::*;
pub use pages::PipelinePage;

use crate::projects::stage::{RiskTier, Stage};
use crate::projects::{OwnerFilter, FILTER_TEXT_MAX};
use chrono::NaiveDate;
use rules::{Outcome, Quarter, StaySet};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// The filters of a pipeline view, as they appear in the URL: the project's team and risk tier,
/// the owner of the stage (now), and the days the stays began on (inclusive, UTC).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct PipelineQuery {
    pub team: Option<String>,
    pub tier: Option<RiskTier>,
    pub owner: OwnerFilter,
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
}

/// The days a view covers, both included.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct DateRange {
    pub from: NaiveDate,
    pub to: NaiveDate,
}

impl PipelineQuery {
    /// Reads a view from URL parameters; values that mean nothing are ignored.
    pub fn from_params(get: impl Fn(&str) -> Option<String>) -> Self {
        let non_empty = |key: &str| get(key).map(|v| v.trim().to_owned()).filter(|v| !v.is_empty());
        let day = |key: &str| non_empty(key).and_then(|v| NaiveDate::parse_from_str(&v, "%Y-%m-%d").ok());
        PipelineQuery {
            team: non_empty("team"),
            tier: non_empty("tier").and_then(|v| v.parse().ok()),
            owner: non_empty("owner")
                .and_then(|v| OwnerFilter::parse(&v))
                .unwrap_or_default(),
            from: day("from"),
            to: day("to"),
        }
    }

    /// The days this view covers: those asked for, else the last 12 months ending `today`.
    pub fn range(&self, today: NaiveDate) -> DateRange {
        let (from, to) = rules::default_range(today);
        let to = self.to.unwrap_or(to);
        let from = self.from.unwrap_or(if self.to.is_some() {
            rules::default_range(to).0
        } else {
            from
        });
        DateRange { from, to }
    }

    /// Refuses a filter text too long to mean anything, or a range that is backwards or longer
    /// than ten years, before any work is done; otherwise the range to read.
    pub fn check(&self, today: NaiveDate) -> Result<DateRange, crate::error::AppError> {
        let mut errors = crate::error::FieldErrors::default();
        let owner = self.owner.param().unwrap_or_default();
        for (field, value) in [("team", self.team.as_deref().unwrap_or("")), ("owner", &owner)] {
            let chars = value.chars().count();
            if chars > FILTER_TEXT_MAX {
                errors.add(
                    field,
                    format!("Use at most {FILTER_TEXT_MAX} characters ({chars} now)."),
                );
            }
        }
        let range = self.range(today);
        if let Some(problem) = rules::range_problem(range.from, range.to) {
            errors.add("from", problem);
        }
        errors.into_result().map(|()| range)
    }

    /// The view's parameters, with its range pinned (so a link shows the same stays tomorrow).
    fn params(&self, range: Option<DateRange>) -> Vec<(&'static str, String)> {
        let mut params: Vec<(&str, String)> = Vec::new();
        if let Some(team) = &self.team {
            params.push(("team", team.clone()));
        }
        if let Some(tier) = self.tier {
            params.push(("tier", tier.as_str().into()));
        }
        if let Some(owner) = self.owner.param() {
            params.push(("owner", owner));
        }
        let (from, to) = match range {
            Some(range) => (Some(range.from), Some(range.to)),
            None => (self.from, self.to),
        };
        if let Some(from) = from {
            params.push(("from", from.format("%Y-%m-%d").to_string()));
        }
        if let Some(to) = to {
            params.push(("to", to.format("%Y-%m-%d").to_string()));
        }
        params
    }

    /// The pipeline page for this view.
    pub fn to_url(&self) -> String {
        url("/pipeline", self.params(None))
    }
}

/// What a list behind a number holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum ListKind {
    /// Stays begun in a stage in the range: all of them, or those that ended one way.
    Stays { stage: Stage, set: StaySet },
    /// Projects that entered Build in the range — within one quarter of it, or any — or (with
    /// `reached`) those of them that have reached Deploy since.
    Cohort { quarter: Option<Quarter>, reached: bool },
}

impl ListKind {
    /// What the list holds, as its heading says it.
    pub fn title(self) -> String {
        match self {
            ListKind::Stays { stage, set } => {
                let stage = stage.label();
                match set {
                    StaySet::Entered => format!("Entered {stage}"),
                    StaySet::Completed => format!("Completed stays in {stage}"),
                    StaySet::Ended(Outcome::MovedOn) => format!("Moved on from {stage}"),
                    StaySet::Ended(Outcome::MovedBack) => format!("Moved back from {stage}"),
                    StaySet::Ended(Outcome::Cancelled) => format!("Cancelled in {stage}"),
                    StaySet::Ended(Outcome::Retired) => format!("Retired in {stage}"),
                    StaySet::Ended(Outcome::Open) => format!("Still in {stage}"),
                }
            }
            ListKind::Cohort { quarter, reached } => {
                let when = quarter.map_or_else(|| "the range".to_owned(), Quarter::label);
                if reached {
                    format!("Entered Build in {when}, reached Deploy")
                } else {
                    format!("Entered Build in {when}")
                }
            }
        }
    }

    /// Whether the list counts stays (a project may be listed twice) rather than projects.
    pub fn counts_stays(self) -> bool {
        matches!(self, ListKind::Stays { .. })
    }
}

/// A list behind a number: the view's filters, what the number counts, and the page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ListQuery {
    pub filters: PipelineQuery,
    pub kind: Option<ListKind>,
    /// 1-based.
    pub page: u32,
}

/// Rows per page of a list.
pub const LIST_PAGE_SIZE: u32 = 50;

impl ListQuery {
    /// Reads a list from URL parameters: `stage` and `outcome` (entered, completed, moved_on,
    /// moved_back, cancelled, retired, open), or `cohort` (a quarter like 2026-Q1, or all) and
    /// `outcome` (entered, reached_deploy).
    pub fn from_params(get: impl Fn(&str) -> Option<String>) -> Self {
        let non_empty = |key: &str| get(key).map(|v| v.trim().to_owned()).filter(|v| !v.is_empty());
        let outcome = non_empty("outcome").unwrap_or_else(|| "entered".into());
        let kind = match (non_empty("cohort"), non_empty("stage")) {
            (Some(cohort), _) => {
                let quarter = (cohort != "all").then(|| Quarter::parse(&cohort));
                match (quarter, outcome.as_str()) {
                    (Some(None), _) => None,
                    (quarter, "entered") => Some(ListKind::Cohort {
                        quarter: quarter.flatten(),
                        reached: false,
                    }),
                    (quarter, "reached_deploy") => Some(ListKind::Cohort {
                        quarter: quarter.flatten(),
                        reached: true,
                    }),
                    _ => None,
                }
            }
            (None, Some(stage)) => match (stage.parse::<Stage>(), StaySet::parse(&outcome)) {
                (Ok(stage), Some(set)) => Some(ListKind::Stays { stage, set }),
                _ => None,
            },
            (None, None) => None,
        };
        ListQuery {
            filters: PipelineQuery::from_params(&get),
            kind,
            page: non_empty("page")
                .and_then(|v| v.parse().ok())
                .filter(|p| *p >= 1)
                .unwrap_or(1),
        }
    }

    /// The list of `kind` for a view whose range is `range`.
    pub fn url_for(filters: &PipelineQuery, range: DateRange, kind: ListKind) -> String {
        ListQuery {
            filters: filters.clone(),
            kind: Some(kind),
            page: 1,
        }
        .url_in(range)
    }

    fn url_in(&self, range: DateRange) -> String {
        let mut params = match self.kind {
            Some(ListKind::Stays { stage, set }) => vec![
                ("stage", stage.as_str().to_owned()),
                ("outcome", set.as_str().to_owned()),
            ],
            Some(ListKind::Cohort { quarter, reached }) => vec![
                ("cohort", quarter.map_or_else(|| "all".to_owned(), Quarter::param)),
                (
                    "outcome",
                    if reached { "reached_deploy" } else { "entered" }.to_owned(),
                ),
            ],
            None => Vec::new(),
        };
        params.extend(self.filters.params(Some(range)));
        if self.page > 1 {
            params.push(("page", self.page.to_string()));
        }
        url("/pipeline/projects", params)
    }

    /// This list on another page.
    pub fn page_url(&self, range: DateRange, page: u32) -> String {
        ListQuery { page, ..self.clone() }.url_in(range)
    }
}

fn url(path: &str, params: Vec<(&str, String)>) -> String {
    if params.is_empty() {
        return path.to_owned();
    }
    let query: Vec<String> = params
        .into_iter()
        .map(|(k, v)| format!("{k}={}", encode(&v)))
        .collect();
    format!("{path}?{}", query.join("&"))
}

/// Percent-encodes a query value (everything but unreserved characters).
fn encode(value: &str) -> String {
    value
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// Days spent in a stage: how many stays, and the median and 90th percentile of their days
/// (`percentile_disc`: the k-th smallest, k = ⌈p × n⌉), none when there are no stays.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct DaySpread {
    /// How many stays the days are taken from.
    pub stays: i64,
    /// The median number of days (whole UTC days from the day a stay began).
    pub median_days: Option<i64>,
    /// The 90th percentile of the days.
    pub p90_days: Option<i64>,
}

/// One stage: the stays that began in it in the range, how they ended, and how long they took.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct StageStays {
    pub stage: Stage,
    /// Stays begun in this stage in the range (a project that entered twice counts twice).
    pub entered: i64,
    /// Of those, how many moved forward into the next stage.
    pub moved_on: i64,
    /// … moved back to an earlier stage (pivots).
    pub moved_back: i64,
    /// … ended with the project cancelled while in this stage.
    pub cancelled: i64,
    /// … ended with the project retired while in this stage.
    pub retired: i64,
    /// … are still going on (the project is active or paused in this stage).
    pub open: i64,
    /// Days the completed stays lasted: until the move, cancellation or retirement that ended them.
    pub completed: DaySpread,
    /// Days the open stays have lasted so far, up to today (shown apart: they are not over).
    pub open_so_far: DaySpread,
}

impl StageStays {
    pub fn count(&self, outcome: Outcome) -> i64 {
        match outcome {
            Outcome::MovedOn => self.moved_on,
            Outcome::MovedBack => self.moved_back,
            Outcome::Cancelled => self.cancelled,
            Outcome::Retired => self.retired,
            Outcome::Open => self.open,
        }
    }
}

/// From one stage to the next: of the stays begun in `from` in the range, the share that moved
/// on into `to`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct StageConversion {
    pub from: Stage,
    pub to: Stage,
    /// Stays begun in `from` in the range.
    pub entered: i64,
    /// Of those, how many moved on into `to`.
    pub moved_on: i64,
    /// `moved_on / entered`, from 0 to 1; null when nothing entered.
    pub share: Option<f64>,
}

/// Of the projects that entered Build in a span of days, how many have reached Deploy since.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct BuildCohort {
    /// The quarter ("2026-Q1"); null for the whole range.
    #[cfg_attr(feature = "ssr", schema(example = "2026-Q1"))]
    pub quarter: Option<String>,
    /// The first day of the span (the range's first day when it starts within the quarter).
    pub from: NaiveDate,
    /// The last day of the span (the range's last day when it ends within the quarter).
    pub to: NaiveDate,
    /// Projects that entered Build in the span (each once, however often).
    pub entered_build: i64,
    /// Of those, how many entered Deploy after entering Build in the span.
    pub reached_deploy: i64,
    /// `reached_deploy / entered_build`, from 0 to 1; null when none entered.
    pub share: Option<f64>,
}

/// The industry figure the prototype → production share is set beside.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct IndustryReference {
    /// 0.53.
    pub share: f64,
    /// Who measured it, and when.
    #[cfg_attr(feature = "ssr", schema(example = "Gartner, 2020"))]
    pub source: String,
    /// What it says.
    pub statement: String,
}

impl IndustryReference {
    pub fn gartner() -> IndustryReference {
        IndustryReference {
            share: 0.53,
            source: "Gartner, 2020".into(),
            statement: "In October 2020, Gartner reported that only 53% of AI projects make it from \
                        prototype to production."
                .into(),
        }
    }
}

/// Prototype → production: the share of projects entering Build that reach Deploy.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct ProductionShare {
    /// Over the whole range.
    pub overall: BuildCohort,
    /// One per quarter the range touches, oldest first (recent ones have had less time).
    pub quarters: Vec<BuildCohort>,
    pub reference: IndustryReference,
}

/// The numbers behind the pipeline page (and `GET /api/v1/pipeline`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Pipeline {
    /// The day open stays are measured to.
    pub today: NaiveDate,
    /// The first day a counted stay began on (UTC).
    pub from: NaiveDate,
    /// The last day a counted stay began on (UTC).
    pub to: NaiveDate,
    /// Every stage, define to deploy.
    pub stages: Vec<StageStays>,
    /// Define → Design, Design → Build, Build → Deploy.
    pub conversions: Vec<StageConversion>,
    pub production: ProductionShare,
}

/// One project behind a number.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ListRow {
    pub project_id: Uuid,
    pub name: String,
    pub team: String,
    /// The day its stay began (for a cohort: the day it entered Build).
    pub began_on: NaiveDate,
    /// How the stay ended (stay lists only).
    pub outcome: Option<Outcome>,
    /// Days in that stay: until it ended, or so far (stay lists only).
    pub days: Option<i64>,
    /// The day it entered Deploy since (cohort lists only).
    pub deployed_on: Option<NaiveDate>,
}

/// One page of the projects behind a number.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PipelineList {
    pub today: NaiveDate,
    pub range: DateRange,
    pub kind: ListKind,
    pub total: i64,
    pub page: u32,
    pub rows: Vec<ListRow>,
}
