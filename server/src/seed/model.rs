//! The rows a seeded project brings: accounts, the project, its owners, moves, records, events.

use super::*;

/// One account; other rows refer to accounts by their index in [`People::accounts`].
#[derive(Debug, Clone, PartialEq)]
pub struct Account {
    pub id: Uuid,
    pub email: String,
    pub display_name: String,
    pub role: Role,
    pub created_at: NaiveDateTime,
    pub deactivated_at: Option<NaiveDateTime>,
}

impl Account {
    pub(super) fn active_at(&self, at: NaiveDateTime) -> bool {
        self.deactivated_at.is_none_or(|gone| at < gone)
    }
}

/// Every seeded account, by role.
#[derive(Debug, Clone, PartialEq)]
pub struct People {
    pub accounts: Vec<Account>,
    pub(super) admins: Vec<usize>,
    pub(super) editors: Vec<usize>,
    /// Editors who never leave, the fallback when a random pick has left.
    pub(super) stayers: Vec<usize>,
    pub(super) reviewers: Vec<usize>,
    pub(super) viewers: usize,
}

impl People {
    pub(super) fn census(&self) -> String {
        format!(
            "{} admins, {} editors ({} of them deactivated leavers), {} reviewers, {} viewers",
            self.admins.len(),
            self.editors.len(),
            self.editors.len() - self.stayers.len(),
            self.reviewers.len(),
            self.viewers
        )
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Project {
    pub id: Uuid,
    pub name: String,
    pub team: &'static str,
    pub summary: String,
    pub problem_statement: String,
    pub success_metric: String,
    pub success_target: String,
    pub baseline_metric: String,
    pub baseline_method: String,
    pub data_readiness: String,
    pub fallback_plan: String,
    pub monitoring_owner: String,
    pub risk_tier: usize,
    pub stage: usize,
    pub status: &'static str,
    pub stage_entered_at: NaiveDateTime,
    pub created_by: usize,
    pub updated_by: usize,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Owner {
    pub stage: usize,
    pub owner: usize,
    pub assigned_by: usize,
    pub assigned_at: NaiveDateTime,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Handoff {
    pub stage: usize,
    pub from: Option<usize>,
    pub to: usize,
    pub by: usize,
    pub at: NaiveDateTime,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Move {
    pub from: usize,
    pub to: usize,
    pub note: &'static str,
    pub by: usize,
    pub at: NaiveDateTime,
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Withdrawal {
    pub at: NaiveDateTime,
    pub by: usize,
    pub reason: &'static str,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Demo {
    pub id: Uuid,
    pub held_on: NaiveDate,
    pub summary: String,
    pub attendees: String,
    pub outcome: &'static str,
    pub link: String,
    pub author: usize,
    pub created_at: NaiveDateTime,
    pub withdrawn: Option<Withdrawal>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Evidence {
    pub id: Uuid,
    pub kind: &'static str,
    pub title: String,
    pub findings: String,
    pub participants: i32,
    pub held_on: NaiveDate,
    pub link: String,
    pub author: usize,
    pub created_at: NaiveDateTime,
    pub withdrawn: Option<Withdrawal>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Signoff {
    pub id: Uuid,
    pub method: &'static str,
    pub summary: String,
    pub decision: &'static str,
    pub decided_on: NaiveDate,
    pub approver: usize,
    pub created_at: NaiveDateTime,
    pub withdrawn: Option<Withdrawal>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Review {
    pub id: Uuid,
    pub tier: usize,
    pub findings: String,
    pub decision: &'static str,
    pub reviewed_on: NaiveDate,
    pub next_review_on: NaiveDate,
    pub reviewer: usize,
    pub created_at: NaiveDateTime,
    pub withdrawn: Option<Withdrawal>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Override {
    pub stage: usize,
    pub missing: Vec<&'static str>,
    pub justification: &'static str,
    pub by: usize,
    pub at: NaiveDateTime,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Event {
    pub at: NaiveDateTime,
    pub actor: Option<usize>,
    pub entity_type: &'static str,
    pub entity_id: Uuid,
    pub action: &'static str,
    pub changes: Value,
}

/// One project and everything recorded about it.
#[derive(Debug, Clone, PartialEq)]
pub struct Bundle {
    pub project: Project,
    pub owners: Vec<Owner>,
    pub handoffs: Vec<Handoff>,
    pub moves: Vec<Move>,
    pub demos: Vec<Demo>,
    pub evidence: Vec<Evidence>,
    pub signoffs: Vec<Signoff>,
    pub reviews: Vec<Review>,
    pub overrides: Vec<Override>,
    pub events: Vec<Event>,
}

/// Project names given so far (compared without case, like the unique index).
#[derive(Debug, Default)]
pub struct Names(HashSet<String>);

impl Names {
    pub(super) fn claim(&mut self, candidate: String) -> Option<String> {
        self.0.insert(candidate.to_lowercase()).then_some(candidate)
    }
}
