//! What each row of an import would do — create a project, update one, leave one unchanged, or
//! be refused with every problem in words — decided before anything is written. Pure: the
//! projects and people it is compared with are handed in; unit-tested.

use super::columns::{Column, Mapping};
use crate::auth::{Permission, Role};
use crate::projects::gate::{missing, GateFacts, GateItem, RecordFacts};
use crate::projects::input::{field_label, ProjectInput, ValidProject};
use crate::projects::stage::{RiskTier, Stage, Status};
use crate::vocabulary::Word;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use uuid::Uuid;

/// A project as it stands, for comparing a row with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Existing {
    pub id: Uuid,
    pub version: i32,
    pub input: ProjectInput,
    pub stage: Stage,
    /// The current stage's owner's email, lower case.
    pub owner_email: Option<String>,
    pub records: RecordFacts,
}

/// Someone a row can name as owner.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Person {
    pub id: Uuid,
    pub role: Role,
    pub active: bool,
}

/// What the rows are compared with: the projects by id and by lower-case name, the people by
/// lower-case email.
#[derive(Debug, Clone, Default)]
pub struct Known {
    pub projects: Vec<Existing>,
    pub by_name: HashMap<String, usize>,
    pub by_id: HashMap<Uuid, usize>,
    pub people: HashMap<String, Person>,
}

impl Known {
    pub fn new(projects: Vec<Existing>, people: HashMap<String, Person>) -> Self {
        let by_name = projects
            .iter()
            .enumerate()
            .map(|(n, p)| (p.input.name.trim().to_lowercase(), n))
            .collect();
        let by_id = projects.iter().enumerate().map(|(n, p)| (p.id, n)).collect();
        Self {
            projects,
            by_name,
            by_id,
            people,
        }
    }
}

/// What a row does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Action {
    Create,
    Update,
    Unchanged,
    Refused,
}

impl Action {
    pub fn label(self) -> &'static str {
        match self {
            Action::Create => "create",
            Action::Update => "update",
            Action::Unchanged => "unchanged",
            Action::Refused => "refused",
        }
    }
}

/// The write a row asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    /// The project updated, or the id a new one takes (from the file's id column).
    pub id: Option<Uuid>,
    /// The version the preview saw, for updates: a project changed since is refused.
    pub version: Option<i32>,
    pub project: ValidProject,
    pub stage: Stage,
    pub owner: Option<Uuid>,
    pub started_on: Option<NaiveDate>,
    pub stage_entered_on: Option<NaiveDate>,
    /// What the gate into the row's stage lacks: imported as is, flagged `gate_gap`.
    pub gate_gap: Vec<GateItem>,
}

/// One row's verdict.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowPlan {
    /// The row's number in the file (the header is row 1).
    pub row: usize,
    pub name: String,
    pub action: Action,
    /// Why it is refused, each problem in words.
    pub problems: Vec<String>,
    /// What else to know (an imported stage flagged `gate_gap`).
    pub notes: Vec<String>,
    pub change: Option<Change>,
}

/// A cell of `row` by field, trimmed; `None` when the file has no such column.
fn cell<'a>(mapping: &Mapping, cells: &'a [String], column: Column) -> Option<&'a str> {
    mapping
        .position(column)
        .map(|at| cells.get(at).map(|c| c.trim()).unwrap_or(""))
}

/// A date as a spreadsheet or Tollgate's export writes it: `2026-11-02`, or an instant
/// (`2026-11-02T09:30:00Z`, `2026-11-02 09:30:00`) whose day is taken.
pub fn parse_day(text: &str) -> Option<NaiveDate> {
    let day = text.get(..10).unwrap_or(text);
    NaiveDate::parse_from_str(day, "%Y-%m-%d").ok()
}

/// A word of a closed set, or the problem in words: unknown stage "prod" — allowed: define,
/// design, build, deploy.
/// Spreadsheets are written by people: any case, the name or the label ("Build", "HIGH").
fn word<T: Word>(noun: &str, text: &str) -> Result<T, String> {
    let text = text.trim();
    T::ALL
        .iter()
        .copied()
        .find(|w| w.as_str().eq_ignore_ascii_case(text) || w.label().eq_ignore_ascii_case(text))
        .ok_or_else(|| format!("unknown {noun} \"{text}\" — allowed: {}", T::names()))
}

/// Plans every row of a file read with `mapping` against `known`, on `today`.
pub fn plan(
    mapping: &Mapping,
    rows: &[(usize, Vec<String>)],
    known: &Known,
    today: NaiveDate,
) -> Vec<RowPlan> {
    // Names used more than once in the file: every such row is refused.
    let mut seen: HashMap<String, Vec<usize>> = HashMap::new();
    for (number, cells) in rows {
        let name = cell(mapping, cells, Column::Name).unwrap_or("").to_lowercase();
        if !name.is_empty() {
            seen.entry(name).or_default().push(*number);
        }
    }
    rows.iter()
        .map(|(number, cells)| {
            let mut plan = plan_row(mapping, *number, cells, known, today);
            if let Some(others) = seen.get(&plan.name.to_lowercase()).filter(|r| r.len() > 1) {
                let rows: Vec<String> = others.iter().map(usize::to_string).collect();
                plan.problems
                    .push(format!("name used twice in the file (rows {})", rows.join(", ")));
                plan.action = Action::Refused;
                plan.change = None;
            }
            plan
        })
        .collect()
}

fn plan_row(mapping: &Mapping, number: usize, cells: &[String], known: &Known, today: NaiveDate) -> RowPlan {
    let get = |column| cell(mapping, cells, column);
    let name = get(Column::Name).unwrap_or("").to_owned();
    let mut problems = Vec::new();

    // Which project the row is about: by id when given, else by name.
    let mut new_id = None;
    let existing = match get(Column::Id).filter(|id| !id.is_empty()) {
        Some(text) => match Uuid::parse_str(text) {
            Ok(id) => match known.by_id.get(&id) {
                Some(&at) => Some(&known.projects[at]),
                None => {
                    new_id = Some(id);
                    None
                }
            },
            Err(_) => {
                problems.push(format!("id \"{text}\" is not a Tollgate project id"));
                None
            }
        },
        None => known
            .by_name
            .get(&name.to_lowercase())
            .map(|&at| &known.projects[at]),
    };
    if new_id.is_some() {
        if let Some(&at) = known.by_name.get(&name.to_lowercase()) {
            problems.push(format!(
                "the name \"{}\" belongs to another project (id {})",
                known.projects[at].input.name, known.projects[at].id
            ));
        }
    }

    // The fields: what the row gives, else what the project has (else the defaults).
    let base = existing.map(|e| e.input.clone()).unwrap_or_else(|| ProjectInput {
        status: Status::Active.as_str().into(),
        ..ProjectInput::default()
    });
    let pick = |column, current: &str| {
        get(column)
            .map(str::to_owned)
            .unwrap_or_else(|| current.to_owned())
    };
    // A name that differs from the project's only in case is the project's name.
    let kept_name = match existing {
        Some(e) if e.input.name.trim().eq_ignore_ascii_case(name.trim()) => e.input.name.clone(),
        _ => name.clone(),
    };
    let mut input = ProjectInput {
        name: kept_name,
        team: pick(Column::Team, &base.team),
        summary: pick(Column::Summary, &base.summary),
        problem_statement: pick(Column::ProblemStatement, &base.problem_statement),
        success_metric: pick(Column::SuccessMetric, &base.success_metric),
        success_target: pick(Column::SuccessTarget, &base.success_target),
        baseline_metric: pick(Column::BaselineMetric, &base.baseline_metric),
        baseline_method: pick(Column::BaselineMethod, &base.baseline_method),
        data_readiness: pick(Column::DataReadiness, &base.data_readiness),
        fallback_plan: pick(Column::FallbackPlan, &base.fallback_plan),
        monitoring_owner: pick(Column::MonitoringOwner, &base.monitoring_owner),
        risk_tier: pick(Column::RiskTier, &base.risk_tier),
        status: pick(Column::Status, &base.status),
    };
    // Closed sets are checked here, in the import's words, and lower-cased for the form's rules.
    match word::<RiskTier>("risk tier", &input.risk_tier) {
        _ if input.risk_tier.is_empty() => {
            problems.push(format!("risk tier is missing — allowed: {}", RiskTier::names()))
        }
        Ok(tier) => input.risk_tier = tier.as_str().into(),
        Err(problem) => problems.push(problem),
    }
    match word::<Status>("status", &input.status) {
        _ if input.status.is_empty() => input.status = Status::Active.as_str().into(),
        Ok(status) => input.status = status.as_str().into(),
        Err(problem) => problems.push(problem),
    }
    let stage = match get(Column::Stage).filter(|s| !s.is_empty()) {
        Some(text) => word::<Stage>("stage", text).map_err(|p| problems.push(p)).ok(),
        None => Some(existing.map(|e| e.stage).unwrap_or(Stage::Define)),
    };
    let project = match input.validate() {
        Ok(project) => Some(project),
        Err(errors) => {
            for error in errors.0 {
                // Closed sets were said above, in the import's words.
                if error.field != "risk_tier" && error.field != "status" {
                    problems.push(format!(
                        "{}: {}",
                        field_label(&error.field).to_lowercase(),
                        error.message
                    ));
                }
            }
            None
        }
    };

    // The owner of the row's stage, by email (a deactivated one is kept, and flagged ownerless,
    // as Tollgate's own export says it).
    let mut deactivated_owner = None;
    let owner_email = get(Column::OwnerEmail)
        .filter(|e| !e.is_empty())
        .map(str::to_lowercase);
    let owner = match owner_email.as_deref() {
        Some(email) => match known.people.get(email) {
            None => {
                problems.push(format!("owner {email} not found"));
                None
            }
            Some(p) if !p.role.can(Permission::EditProjects) => {
                problems.push(format!(
                    "owner {email} is a {} and cannot own a stage (editors and admins can)",
                    p.role.label().to_lowercase()
                ));
                None
            }
            Some(p) => {
                if !p.active {
                    deactivated_owner = Some(email.to_owned());
                }
                Some(p.id)
            }
        },
        None => None,
    };

    let mut date = |column: Column, what: &str| -> Option<NaiveDate> {
        let text = get(column).filter(|t| !t.is_empty())?;
        match parse_day(text) {
            Some(day) if day > today => {
                problems.push(format!("{what} {day} is in the future"));
                None
            }
            Some(day) => Some(day),
            None => {
                problems.push(format!("{what} \"{text}\" is not a date (write 2026-11-02)"));
                None
            }
        }
    };
    let started_on = date(Column::StartedOn, "start date");
    let stage_entered_on = date(Column::StageEnteredOn, "stage date");
    if let (Some(started), Some(entered)) = (started_on, stage_entered_on) {
        if entered < started {
            problems.push(format!(
                "the stage date {entered} is before the start date {started}"
            ));
        }
    }

    let (Some(project), Some(stage), true) = (project, stage, problems.is_empty()) else {
        return RowPlan {
            row: number,
            name,
            action: Action::Refused,
            problems,
            notes: Vec::new(),
            change: None,
        };
    };

    // A stage past Define whose gate the row's facts do not meet is imported as it is, flagged.
    let records = existing.map(|e| e.records).unwrap_or_default();
    let facts = GateFacts {
        records,
        problem_statement: &project.problem_statement,
        success_metric: &project.success_metric,
        success_target: &project.success_target,
        baseline_metric: &project.baseline_metric,
        baseline_method: &project.baseline_method,
        data_readiness: &project.data_readiness,
        fallback_plan: &project.fallback_plan,
        monitoring_owner: &project.monitoring_owner,
    };
    let moved = existing.is_none_or(|e| e.stage != stage);
    let gate_gap = if moved && stage != Stage::Define {
        missing(stage, &facts)
    } else {
        Vec::new()
    };
    let mut notes = Vec::new();
    if existing.is_none() && owner.is_none() {
        notes.push("no owner: flagged ownerless until one is assigned".into());
    }
    if let Some(email) = deactivated_owner {
        notes.push(format!("owner {email} is deactivated: flagged ownerless"));
    }
    if !gate_gap.is_empty() {
        let lacking: Vec<String> = gate_gap.iter().map(|i| i.describe().to_lowercase()).collect();
        notes.push(format!(
            "imported into {} without {}: flagged gate_gap (imported)",
            stage.label(),
            lacking.join("; ")
        ));
    }
    let owner_unchanged =
        owner_email.is_none() || existing.and_then(|e| e.owner_email.as_deref()) == owner_email.as_deref();
    let unchanged = existing.is_some_and(|e| {
        e.input.validate().ok().as_ref() == Some(&project) && e.stage == stage && owner_unchanged
    }) && stage_entered_on.is_none_or(|_| !moved);
    let action = match existing {
        None => Action::Create,
        Some(_) if unchanged => Action::Unchanged,
        Some(_) => Action::Update,
    };
    RowPlan {
        row: number,
        name,
        action,
        problems,
        notes,
        change: Some(Change {
            id: existing.map(|e| e.id).or(new_id),
            version: existing.map(|e| e.version),
            project,
            stage,
            owner,
            started_on,
            stage_entered_on,
            gate_gap,
        }),
    }
}

/// How many rows do what.
pub fn counts(plans: &[RowPlan]) -> HashMap<Action, usize> {
    let mut counts = HashMap::new();
    for plan in plans {
        *counts.entry(plan.action).or_insert(0) += 1;
    }
    counts
}

#[cfg(test)]
mod tests;
