//! Projects: the record, its stages and per-stage owners, the list, the page and the forms.

pub mod gate;
pub mod input;
pub mod material;
pub mod stage;

mod api;
pub(crate) mod pages;
#[cfg(feature = "ssr")]
pub mod server;

pub use api::*;
pub use pages::{
    EditProjectPage, NewProjectPage, NoProjectsYet, OwnerField, ProjectPage, ProjectTable, ProjectsPage,
};

use chrono::{DateTime, NaiveDate, Utc};
use gate::GateFacts;
use input::ProjectInput;
use serde::{Deserialize, Serialize};
use stage::{RiskTier, Stage, Status};
use uuid::Uuid;

/// Someone named on a project: an owner, an assigner, an editor.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Person {
    pub id: Uuid,
    pub display_name: String,
    pub active: bool,
}

/// One project as the list shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProjectRow {
    pub id: Uuid,
    pub name: String,
    pub team: String,
    pub stage: Stage,
    pub status: Status,
    pub risk_tier: RiskTier,
    /// The owner of the current stage.
    pub owner: Option<Person>,
    pub stage_entered_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub health: crate::health::Health,
    pub flags: Vec<crate::health::FlagCode>,
}

/// A whole project record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Project {
    pub id: Uuid,
    pub name: String,
    pub team: String,
    pub summary: String,
    pub problem_statement: String,
    pub success_metric: String,
    pub success_target: String,
    pub baseline_metric: String,
    pub baseline_method: String,
    pub data_readiness: String,
    pub fallback_plan: String,
    pub monitoring_owner: String,
    pub risk_tier: RiskTier,
    pub stage: Stage,
    pub status: Status,
    pub stage_entered_at: DateTime<Utc>,
    /// Bumped by every change; a save must name the version it was based on.
    pub version: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub updated_by: Option<String>,
}

impl Project {
    /// What the stage gates look at, given what its records establish.
    pub fn gate_facts(&self, records: gate::RecordFacts) -> GateFacts<'_> {
        GateFacts {
            records,
            problem_statement: &self.problem_statement,
            success_metric: &self.success_metric,
            success_target: &self.success_target,
            baseline_metric: &self.baseline_metric,
            baseline_method: &self.baseline_method,
            data_readiness: &self.data_readiness,
            fallback_plan: &self.fallback_plan,
            monitoring_owner: &self.monitoring_owner,
        }
    }

    /// The editable fields, as the edit form starts out.
    pub fn to_input(&self) -> ProjectInput {
        input::form_values!(self)
    }
}

/// The owner of one stage.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StageOwner {
    pub stage: Stage,
    pub owner: Person,
    pub assigned_by: Option<String>,
    pub assigned_at: DateTime<Utc>,
}

/// One assignment or handoff of a stage.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Handoff {
    pub stage: Stage,
    pub from: Option<String>,
    pub to: String,
    pub by: Option<String>,
    pub at: DateTime<Utc>,
}

/// One field's change in an audit event.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldChange {
    pub field: String,
    pub before: Option<String>,
    pub after: Option<String>,
}

/// One entry of a project's timeline, built from its audit events.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TimelineEntry {
    pub id: i64,
    pub at: DateTime<Utc>,
    pub actor: Option<String>,
    pub action: String,
    pub changes: Vec<FieldChange>,
}

/// Everything the project page shows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProjectDetail {
    /// The day the page was read on (the one clock's today): flags, dates and form defaults.
    pub today: chrono::NaiveDate,
    pub project: Project,
    /// What the governance records establish for the gates.
    pub records: gate::RecordFacts,
    /// The governance records themselves, newest first.
    pub record_rows: Vec<crate::records::RecordRow>,
    /// What is wrong with the project today, most severe first.
    pub flags: Vec<crate::health::Flag>,
    pub owners: Vec<StageOwner>,
    pub handoffs: Vec<Handoff>,
    pub timeline: Vec<TimelineEntry>,
    /// Sign-offs and reviews asked for and not yet given, oldest first.
    pub requests: Vec<crate::requests::ReviewRequest>,
    /// Approvals that no longer count: a material change came after them.
    #[serde(default)]
    pub voided: Vec<VoidedApproval>,
    /// The conditions of its model-risk reviews, open ones first.
    #[serde(default)]
    pub conditions: Vec<crate::conditions::Condition>,
}

/// An approval (explainability sign-off, model-risk review) that stopped counting for the
/// deploy gate: what, the day, and the material change that voided it, in words.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VoidedApproval {
    pub item: gate::GateItem,
    pub on: chrono::NaiveDate,
    pub why: String,
}

impl VoidedApproval {
    /// "voided on 20 Nov 2026: success target changed from 0.9 to 0.8"
    pub fn describe(&self) -> String {
        format!("voided on {}: {}", self.on.format("%-d %b %Y"), self.why)
    }
}

impl ProjectDetail {
    /// The owner of the project's current stage: the project's accountable owner.
    pub fn current_owner(&self) -> Option<&StageOwner> {
        self.owners.iter().find(|o| o.stage == self.project.stage)
    }
}

/// How the list is sorted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SortKey {
    #[default]
    Name,
    Updated,
    Stage,
    Team,
    StageAge,
}

impl SortKey {
    pub const ALL: [SortKey; 5] = [
        SortKey::Name,
        SortKey::Updated,
        SortKey::Stage,
        SortKey::Team,
        SortKey::StageAge,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            SortKey::Name => "name",
            SortKey::Updated => "updated",
            SortKey::Stage => "stage",
            SortKey::Team => "team",
            SortKey::StageAge => "stage_age",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            SortKey::Name => "Name (A–Z)",
            SortKey::Updated => "Recently updated",
            SortKey::Stage => "Stage",
            SortKey::Team => "Team (A–Z)",
            SortKey::StageAge => "Longest in stage",
        }
    }

    pub fn parse(value: &str) -> Option<SortKey> {
        SortKey::ALL.into_iter().find(|k| k.as_str() == value)
    }
}

/// The owner filter: anyone, nobody, or one account (by id, or by email where there are too
/// many people for a menu).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum OwnerFilter {
    #[default]
    Any,
    Nobody,
    Account(Uuid),
    Email(String),
}

impl OwnerFilter {
    /// Reads the `owner` URL parameter: `none`, an account id or an email address.
    pub fn parse(value: &str) -> Option<OwnerFilter> {
        let value = value.trim();
        if value == "none" {
            Some(OwnerFilter::Nobody)
        } else if value.contains('@') {
            Some(OwnerFilter::Email(value.to_lowercase()))
        } else {
            value.parse().ok().map(OwnerFilter::Account)
        }
    }

    /// The `owner` URL parameter, if any.
    pub fn param(&self) -> Option<String> {
        match self {
            OwnerFilter::Any => None,
            OwnerFilter::Nobody => Some("none".into()),
            OwnerFilter::Account(id) => Some(id.to_string()),
            OwnerFilter::Email(email) => Some(email.clone()),
        }
    }
}

/// A list view: search, filters, sort and page, as they appear in the URL.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct ProjectQuery {
    pub q: String,
    pub stage: Option<Stage>,
    pub status: Option<Status>,
    pub team: Option<String>,
    pub owner: OwnerFilter,
    pub health: Option<crate::health::Health>,
    pub flag: Option<crate::health::FlagCode>,
    pub tier: Option<stage::RiskTier>,
    pub sort: SortKey,
    /// 1-based.
    pub page: u32,
    /// Read the portfolio as it stood at the end of this past day (UTC) instead of now.
    pub as_of: Option<NaiveDate>,
}

pub const PAGE_SIZE: u32 = 25;
/// The longest search or filter text accepted, in characters (checked before any query runs).
pub const FILTER_TEXT_MAX: usize = 200;

impl ProjectQuery {
    /// Refuses a search or filter text too long to mean anything, before any work is done.
    pub fn check(&self) -> Result<(), crate::error::AppError> {
        let mut errors = crate::error::FieldErrors::default();
        let owner = self.owner.param().unwrap_or_default();
        for (field, value) in [
            ("q", self.q.as_str()),
            ("team", self.team.as_deref().unwrap_or("")),
            ("owner", &owner),
        ] {
            let chars = value.chars().count();
            if chars > FILTER_TEXT_MAX {
                errors.add(
                    field,
                    format!("Use at most {FILTER_TEXT_MAX} characters ({chars} now)."),
                );
            }
        }
        errors.into_result()
    }

    /// Reads a view from URL parameters; values that mean nothing are ignored.
    pub fn from_params(get: impl Fn(&str) -> Option<String>) -> Self {
        let non_empty = |key: &str| get(key).map(|v| v.trim().to_owned()).filter(|v| !v.is_empty());
        ProjectQuery {
            q: non_empty("q").unwrap_or_default(),
            stage: non_empty("stage").and_then(|v| v.parse().ok()),
            status: non_empty("status").and_then(|v| v.parse().ok()),
            team: non_empty("team"),
            owner: non_empty("owner")
                .and_then(|v| OwnerFilter::parse(&v))
                .unwrap_or_default(),
            health: non_empty("health").and_then(|v| crate::health::Health::parse(&v)),
            flag: non_empty("flag").and_then(|v| crate::health::FlagCode::parse(&v)),
            tier: non_empty("tier").and_then(|v| v.parse().ok()),
            sort: non_empty("sort")
                .and_then(|v| SortKey::parse(&v))
                .unwrap_or_default(),
            page: non_empty("page")
                .and_then(|v| v.parse().ok())
                .filter(|p| *p >= 1)
                .unwrap_or(1),
            as_of: non_empty("as_of").and_then(|v| NaiveDate::parse_from_str(&v, "%Y-%m-%d").ok()),
        }
    }

    /// The URL of this view (page included), for links that keep the filters.
    pub fn to_url(&self) -> String {
        self.url_at("/projects")
    }

    /// This view's parameters on another path (the portfolio shares the filters).
    pub fn url_at(&self, path: &str) -> String {
        let mut params: Vec<(&str, String)> = Vec::new();
        if !self.q.is_empty() {
            params.push(("q", self.q.clone()));
        }
        if let Some(stage) = self.stage {
            params.push(("stage", stage.as_str().into()));
        }
        if let Some(status) = self.status {
            params.push(("status", status.as_str().into()));
        }
        if let Some(team) = &self.team {
            params.push(("team", team.clone()));
        }
        if let Some(owner) = self.owner.param() {
            params.push(("owner", owner));
        }
        if let Some(health) = self.health {
            params.push(("health", health.as_str().into()));
        }
        if let Some(flag) = self.flag {
            params.push(("flag", flag.as_str().into()));
        }
        if let Some(tier) = self.tier {
            params.push(("tier", tier.as_str().into()));
        }
        if self.sort != SortKey::Name {
            params.push(("sort", self.sort.as_str().into()));
        }
        if self.page > 1 {
            params.push(("page", self.page.to_string()));
        }
        if let Some(day) = self.as_of {
            params.push(("as_of", day.format("%Y-%m-%d").to_string()));
        }
        let query: Vec<String> = params
            .into_iter()
            .map(|(k, v)| format!("{k}={}", encode(&v)))
            .collect();
        if query.is_empty() {
            path.into()
        } else {
            format!("{path}?{}", query.join("&"))
        }
    }

    pub fn with_page(&self, page: u32) -> Self {
        ProjectQuery { page, ..self.clone() }
    }
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

/// One page of the list, with what the filter menus offer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProjectList {
    /// The day the list was read on (the one clock's today).
    pub today: chrono::NaiveDate,
    pub rows: Vec<ProjectRow>,
    /// How many projects match: exact, or (a name search matching more than
    /// [`SEARCH_COUNT_LIMIT`]) that many, with `more` set.
    pub total: i64,
    /// More projects match than `total` says.
    pub more: bool,
    pub page: u32,
    pub teams: Vec<String>,
    pub owners: OwnerChoices,
}

/// A name search counts at most this many matches and then says "1000+": a word common in
/// project names matches thousands, and counting them means reading every one (no index counts
/// them), which would make a broad search slower than the page it fills.
pub const SEARCH_COUNT_LIMIT: i64 = 1000;

/// What an owner filter offers: a menu of everyone, or (when there are too many people for a
/// menu) a box for an email address.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum OwnerChoices {
    Menu(Vec<Person>),
    ByEmail,
}

/// More possible owners than this, and the filter asks for an email instead of listing them.
pub const OWNER_MENU_LIMIT: i64 = 150;

#[cfg(test)]
mod tests;
