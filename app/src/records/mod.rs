//! Governance records: demo checkpoints, user-research evidence, explainability sign-offs and
//! model-risk reviews. What people type, its validation (pure), and the record kinds.

mod api;
mod fields;
pub mod pages;
#[cfg(feature = "ssr")]
pub mod server;
pub mod validate;

pub use api::*;

use crate::vocabulary::word_enum;
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

word_enum!(
    /// What a demo checkpoint decided: go on, change course, or stop.
    Outcome, "demo_outcome", "outcome", [
        Continue => "continue", "Continue";
        Pivot => "pivot", "Pivot";
        Stop => "stop", "Stop";
    ]
);

word_enum!(
    /// How user research was done.
    ResearchKind, "research_kind", "kind of research", [
        Interview => "interview", "Interview";
        Survey => "survey", "Survey";
        UsabilityTest => "usability_test", "Usability test";
        Shadowing => "shadowing", "Shadowing";
        DataAnalysis => "data_analysis", "Data analysis";
        Other => "other", "Other";
    ]
);

word_enum!(
    /// What an explainability sign-off decided.
    SignoffDecision, "signoff_decision", "decision", [
        Approved => "approved", "Approved";
        ChangesRequested => "changes_requested", "Changes requested";
        Rejected => "rejected", "Rejected";
    ]
);

word_enum!(
    /// What a model-risk review decided.
    ReviewDecision, "review_decision", "decision", [
        Approved => "approved", "Approved";
        ApprovedWithConditions => "approved_with_conditions", "Approved with conditions";
        Rejected => "rejected", "Rejected";
    ]
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_are_the_names_as_people_read_them() {
        use crate::vocabulary::Word;
        fn same<W: Word>() {
            for w in W::ALL {
                assert_eq!(w.label(), label(w.as_str()));
            }
        }
        same::<Outcome>();
        same::<ResearchKind>();
        same::<SignoffDecision>();
        same::<ReviewDecision>();
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
}
