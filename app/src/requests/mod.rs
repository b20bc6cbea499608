//! Review requests: a product manager asks a named reviewer — or any reviewer — for an
//! explainability sign-off or a model-risk review, with an optional due date and note. The
//! request shows on the project page and in the reviewer's My work; recording that decision
//! answers it; it can be withdrawn. Someone who is not independent of the project can't be
//! asked (the same rule that keeps them from deciding).

mod api;
mod page;
#[cfg(feature = "ssr")]
pub mod server;

pub use api::*;
pub use page::ReviewRequests;

use crate::error::FieldErrors;
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// What is asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RequestKind {
    Signoff,
    Review,
}

impl RequestKind {
    pub const ALL: [RequestKind; 2] = [RequestKind::Signoff, RequestKind::Review];

    pub fn as_str(self) -> &'static str {
        match self {
            RequestKind::Signoff => "signoff",
            RequestKind::Review => "review",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            RequestKind::Signoff => "Explainability sign-off",
            RequestKind::Review => "Model-risk review",
        }
    }

    pub fn parse(text: &str) -> Option<RequestKind> {
        RequestKind::ALL.into_iter().find(|k| k.as_str() == text.trim())
    }

    /// Where on the project page the decision is recorded.
    pub fn anchor(self) -> &'static str {
        match self {
            RequestKind::Signoff => "records-signoffs",
            RequestKind::Review => "records-reviews",
        }
    }
}

/// An open request, as the project page shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReviewRequest {
    pub id: Uuid,
    pub kind: RequestKind,
    /// The reviewer asked; `None` when any reviewer may answer.
    pub reviewer: Option<String>,
    pub requested_by: String,
    pub requested_at: DateTime<Utc>,
    pub due_on: Option<NaiveDate>,
    pub note: String,
}

/// A request a reviewer is asked to answer, for their My work.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AskedOfMe {
    pub project_id: Uuid,
    pub project_name: String,
    pub kind: RequestKind,
    /// True when asked by name, false when any reviewer may answer.
    pub by_name: bool,
    pub requested_by: String,
    pub requested_at: DateTime<Utc>,
    pub due_on: Option<NaiveDate>,
    pub note: String,
}

/// The longest note accepted with a request.
pub const NOTE_MAX: usize = 5000;

/// A request as the form sends it (fields left out are empty).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct RequestInput {
    pub kind: String,
    /// An account id, or empty for any reviewer.
    pub reviewer_id: String,
    /// The reviewer's email address, from the box shown instead of a menu when there are too
    /// many reviewers; when given, it names the reviewer instead of `reviewer_id`.
    pub reviewer_email: String,
    /// `YYYY-MM-DD`, or empty.
    pub due_on: String,
    pub note: String,
}

/// A request that passed validation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidRequest {
    pub kind: RequestKind,
    pub reviewer: Option<Uuid>,
    pub due_on: Option<NaiveDate>,
    pub note: String,
}

impl RequestInput {
    /// Every field's problem at once; the due date may not be in the past.
    pub fn validate(&self, today: NaiveDate) -> Result<ValidRequest, FieldErrors> {
        let mut errors = FieldErrors::default();
        let kind = RequestKind::parse(&self.kind);
        if kind.is_none() {
            errors.add(
                "kind",
                "Choose an explainability sign-off or a model-risk review.",
            );
        }
        let reviewer = match self.reviewer_id.trim() {
            "" => None,
            id => match id.parse::<Uuid>() {
                Ok(id) => Some(id),
                Err(_) => {
                    errors.add("reviewer_id", "Choose a reviewer, or any reviewer.");
                    None
                }
            },
        };
        let due_on = match self.due_on.trim() {
            "" => None,
            text => match NaiveDate::parse_from_str(text, "%Y-%m-%d") {
                Ok(day) if day < today => {
                    errors.add("due_on", "A due date can't be in the past.");
                    None
                }
                Ok(day) => Some(day),
                Err(_) => {
                    errors.add("due_on", "Enter a date like 2026-12-31.");
                    None
                }
            },
        };
        let note = self.note.trim().to_owned();
        let chars = note.chars().count();
        if chars > NOTE_MAX {
            errors.add(
                "note",
                format!("Use at most {NOTE_MAX} characters ({chars} now)."),
            );
        }
        match (kind, errors.is_empty()) {
            (Some(kind), true) => Ok(ValidRequest {
                kind,
                reviewer,
                due_on,
                note,
            }),
            _ => Err(errors),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 12, 1).unwrap_or_default()
    }

    fn input(kind: &str, reviewer: &str, due: &str) -> RequestInput {
        RequestInput {
            kind: kind.into(),
            reviewer_id: reviewer.into(),
            due_on: due.into(),
            note: "Before the steering committee".into(),
            ..RequestInput::default()
        }
    }

    #[test]
    fn a_request_to_any_reviewer_without_a_date_is_fine() {
        let valid = input("signoff", "", "").validate(today()).expect("valid");
        assert_eq!(
            (valid.kind, valid.reviewer, valid.due_on),
            (RequestKind::Signoff, None, None)
        );
    }

    #[test]
    fn a_due_date_in_the_past_or_malformed_is_refused_by_field() {
        let errors = input("review", "", "2026-11-30")
            .validate(today())
            .expect_err("past");
        assert_eq!(errors.get("due_on"), Some("A due date can't be in the past."));
        let errors = input("review", "nobody", "soon")
            .validate(today())
            .expect_err("bad");
        assert!(errors.get("due_on").is_some() && errors.get("reviewer_id").is_some());
    }

    #[test]
    fn only_the_two_decisions_can_be_requested() {
        let errors = input("demo", "", "").validate(today()).expect_err("kind");
        assert!(errors.get("kind").is_some());
    }
}
