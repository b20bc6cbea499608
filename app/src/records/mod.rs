//! Governance records: demo checkpoints, user-research evidence, explainability sign-offs and
//! model-risk reviews. What people type, its validation (pure), and the record kinds.

mod api;
pub mod pages;
#[cfg(feature = "ssr")]
pub mod server;

pub use api::*;

use crate::error::FieldErrors;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// The kinds of record, with the word the audit trail and the API use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum RecordKind {
    Demo,
    Evidence,
    Signoff,
    Review,
}

impl RecordKind {
    pub fn as_str(self) -> &'static str {
        match self {
            RecordKind::Demo => "demo",
            RecordKind::Evidence => "evidence",
            RecordKind::Signoff => "signoff",
            RecordKind::Review => "review",
        }
    }

    /// Who may add, correct or withdraw a record of this kind (besides being its author).
    pub fn permission(self) -> crate::auth::Permission {
        match self {
            RecordKind::Demo | RecordKind::Evidence => crate::auth::Permission::EditProjects,
            RecordKind::Signoff | RecordKind::Review => crate::auth::Permission::ReviewModels,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            RecordKind::Demo => "demo checkpoint",
            RecordKind::Evidence => "user-research evidence",
            RecordKind::Signoff => "explainability sign-off",
            RecordKind::Review => "model-risk review",
        }
    }
}

/// A record withdrawn: by whom, when and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Withdrawal {
    pub by: String,
    pub at: chrono::DateTime<chrono::Utc>,
    pub reason: String,
}

/// One record as the project page lists it, whatever its kind.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecordRow {
    pub kind: RecordKind,
    pub id: uuid::Uuid,
    /// When it happened (held, decided, reviewed).
    pub on: NaiveDate,
    pub headline: String,
    /// The decision or outcome, in words.
    pub verdict: String,
    /// Further labelled details.
    pub details: Vec<(String, String)>,
    pub author_id: uuid::Uuid,
    pub author: String,
    pub withdrawn: Option<Withdrawal>,
    /// The record's fields as its form posts them, to correct it.
    pub values: FormValues,
}

/// A record's form fields by name, as the form's inputs hold them.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FormValues(pub Vec<(String, String)>);

impl FormValues {
    /// The value of one field ("" when the record has none).
    pub fn get(&self, field: &str) -> String {
        self.0
            .iter()
            .find(|(name, _)| name == field)
            .map(|(_, value)| value.clone())
            .unwrap_or_default()
    }
}

/// "changes_requested" → "changes requested".
pub fn words(value: &str) -> String {
    value.replace('_', " ")
}

/// "changes_requested" → "Changes requested": a code as people read it.
pub fn label(value: &str) -> String {
    let words = words(value);
    let mut chars = words.chars();
    chars
        .next()
        .map(|first| first.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}

/// A date field: required, ISO (`2026-11-25`, as `<input type=date>` sends it), not in the future.
pub fn past_date(errors: &mut FieldErrors, field: &str, value: &str, today: NaiveDate) -> Option<NaiveDate> {
    let value = value.trim();
    if value.is_empty() {
        errors.add(field, "Enter the date.");
        return None;
    }
    match NaiveDate::parse_from_str(value, "%Y-%m-%d") {
        Ok(date) if date > today => {
            errors.add(field, "This already happened: the date can't be in the future.");
            None
        }
        Ok(date) => Some(date),
        Err(_) => {
            errors.add(field, "Enter a date like 2026-11-25.");
            None
        }
    }
}

/// A required text of at most `max` characters, trimmed.
pub fn required_text(errors: &mut FieldErrors, field: &str, value: &str, max: usize, empty: &str) -> String {
    let value = value.trim();
    if value.is_empty() {
        errors.add(field, empty);
    } else if value.chars().count() > max {
        errors.add(
            field,
            format!("Use at most {max} characters ({} now).", value.chars().count()),
        );
    }
    value.to_owned()
}

/// An optional link: empty, or an http(s) address.
pub fn optional_link(errors: &mut FieldErrors, field: &str, value: &str) -> String {
    let value = value.trim();
    let web = value.starts_with("https://") || value.starts_with("http://");
    if !value.is_empty() && !web {
        errors.add(
            field,
            "Enter a web address starting with https:// (or leave it empty).",
        );
    }
    value.to_owned()
}

/// A choice from a closed list of `(value, label)` pairs.
pub fn choice<'a>(
    errors: &mut FieldErrors,
    field: &str,
    value: &str,
    allowed: &[&'a str],
) -> Option<&'a str> {
    let found = allowed.iter().copied().find(|a| *a == value.trim());
    if found.is_none() {
        errors.add(field, format!("Choose one of: {}.", allowed.join(", ")));
    }
    found
}

/// Why someone may not decide on a project: decisions must be independent of it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dependence {
    /// They own the project's current stage.
    OwnsCurrentStage,
    /// The project is high-risk and they have owned one of its stages.
    OwnedAStageOfHighRisk,
}

impl Dependence {
    /// Said to the reviewer who tries to decide.
    pub fn to_reviewer(self) -> &'static str {
        match self {
            Dependence::OwnsCurrentStage => {
                "You own this project's current stage: someone independent must decide."
            }
            Dependence::OwnedAStageOfHighRisk => {
                "This is a high-risk project and you have owned one of its stages: an independent reviewer must decide."
            }
        }
    }

    /// Said to someone who asks `name` to decide.
    pub fn about(self, name: &str) -> String {
        match self {
            Dependence::OwnsCurrentStage => {
                format!("{name} owns this project's current stage: ask someone independent.")
            }
            Dependence::OwnedAStageOfHighRisk => {
                format!("{name} has owned a stage of this high-risk project: ask someone independent.")
            }
        }
    }
}

/// Whether a reviewer is independent of a project: the current owner never decides on their
/// own project; for a high-risk project, nobody who has owned any of its stages does.
pub fn dependence(
    reviewer: uuid::Uuid,
    current_owner: Option<uuid::Uuid>,
    high_risk: bool,
    ever_owned: bool,
) -> Option<Dependence> {
    if current_owner == Some(reviewer) {
        Some(Dependence::OwnsCurrentStage)
    } else if high_risk && ever_owned {
        Some(Dependence::OwnedAStageOfHighRisk)
    } else {
        None
    }
}

/// Why a reviewer may not decide on a project, in their words, if they may not.
pub fn independence_problem(
    reviewer: uuid::Uuid,
    current_owner: Option<uuid::Uuid>,
    high_risk: bool,
    ever_owned: bool,
) -> Option<&'static str> {
    dependence(reviewer, current_owner, high_risk, ever_owned).map(Dependence::to_reviewer)
}

pub const OUTCOMES: [&str; 3] = ["continue", "pivot", "stop"];
pub const RESEARCH_KINDS: [&str; 6] = [
    "interview",
    "survey",
    "usability_test",
    "shadowing",
    "data_analysis",
    "other",
];
pub const SIGNOFF_DECISIONS: [&str; 3] = ["approved", "changes_requested", "rejected"];
pub const REVIEW_DECISIONS: [&str; 3] = ["approved", "approved_with_conditions", "rejected"];

#[cfg(test)]
mod tests {
    use super::*;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 25).expect("date")
    }

    #[test]
    fn dates_must_be_real_and_not_in_the_future() {
        let mut e = FieldErrors::default();
        assert_eq!(
            past_date(&mut e, "held_on", "2026-11-25", today()),
            Some(today()),
            "today is fine"
        );
        assert_eq!(past_date(&mut e, "a", "2026-11-26", today()), None);
        assert_eq!(past_date(&mut e, "b", "25/11/2026", today()), None);
        assert_eq!(past_date(&mut e, "c", " ", today()), None);
        assert_eq!(
            e.get("a"),
            Some("This already happened: the date can't be in the future.")
        );
        assert_eq!(e.get("b"), Some("Enter a date like 2026-11-25."));
        assert_eq!(e.get("c"), Some("Enter the date."));
    }

    #[test]
    fn owners_never_review_their_own_project_and_past_owners_not_a_high_risk_one() {
        let (me, other) = (uuid::Uuid::from_u128(1), uuid::Uuid::from_u128(2));
        assert!(independence_problem(me, Some(me), false, true).is_some());
        assert!(independence_problem(me, Some(other), true, true).is_some());
        assert_eq!(
            independence_problem(me, Some(other), false, true),
            None,
            "medium risk: a past owner may review"
        );
        assert_eq!(independence_problem(me, Some(other), true, false), None);
        assert_eq!(independence_problem(me, None, true, false), None);
    }

    #[test]
    fn links_are_web_addresses_or_nothing() {
        let mut e = FieldErrors::default();
        optional_link(&mut e, "ok", "https://wiki.example.com/demo");
        optional_link(&mut e, "empty", "");
        optional_link(&mut e, "bad", "javascript:alert(1)");
        assert!(e.get("ok").is_none() && e.get("empty").is_none());
        assert!(e.get("bad").is_some());
    }

    #[test]
    fn a_choice_outside_the_list_names_the_allowed_values() {
        let mut e = FieldErrors::default();
        assert_eq!(choice(&mut e, "outcome", "pivot", &OUTCOMES), Some("pivot"));
        assert_eq!(choice(&mut e, "outcome2", "abandon", &OUTCOMES), None);
        assert_eq!(e.get("outcome2"), Some("Choose one of: continue, pivot, stop."));
    }
}
