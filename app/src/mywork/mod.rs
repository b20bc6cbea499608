//! "My work": the home page of editors and reviewers — the projects I own with their flags,
//! demos due within a week or overdue, and the decisions waiting for a reviewer.

mod api;
mod page;
#[cfg(feature = "ssr")]
mod server;

pub use api::*;
pub use page::{MyWorkSections, OwedConditions};

use crate::health::Flag;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// A project I own, with what is wrong with it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OwnedProject {
    pub id: Uuid,
    pub name: String,
    pub stage: crate::projects::stage::Stage,
    pub flags: Vec<Flag>,
}

/// A demo that is due soon or overdue.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DemoDue {
    pub id: Uuid,
    pub name: String,
    pub due_on: NaiveDate,
    pub overdue: bool,
}

/// A project at the door of Deploy that still needs an independent decision.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AwaitingReview {
    pub id: Uuid,
    pub name: String,
    pub needs: Vec<String>,
}

/// An open review condition I see to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OwedCondition {
    pub project_id: Uuid,
    pub project_name: String,
    pub text: String,
    pub due_on: NaiveDate,
    /// Past its due date on the day My work was read.
    pub overdue: bool,
}

/// A project whose approval by me a material change voided: it needs my review again.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReviewAgain {
    pub id: Uuid,
    pub name: String,
    /// Each voided approval in words: "explainability sign-off voided on 20 Nov 2026: …".
    pub voided: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Workload {
    pub owned: Vec<OwnedProject>,
    /// Projects nobody (active) owns right now: for an editor to pick up.
    pub ownerless: Vec<OwnedProject>,
    pub demos_due: Vec<DemoDue>,
    pub awaiting_review: Vec<AwaitingReview>,
    /// Projects whose approval by me was voided since (reviewers).
    #[serde(default)]
    pub review_again: Vec<ReviewAgain>,
    /// Open review conditions I see to, soonest due first.
    #[serde(default)]
    pub conditions: Vec<OwedCondition>,
    /// Sign-offs and reviews asked of me (by name, or of any reviewer): for reviewers.
    #[serde(default)]
    pub asked: Vec<crate::requests::AskedOfMe>,
}
