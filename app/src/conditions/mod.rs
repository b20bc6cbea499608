//! Conditions of a model-risk review approved with conditions, tracked to closure: each has a
//! text, an owner (an active account) and a due date; it is later met (with a note or link),
//! waived by an admin (with a reason), or falls overdue — the `conditions_overdue` flag.
//!
//! Validation is pure (`validate`); `server` stores each change with its audit event and the
//! project's signals; `page` shows them on the project page and in My work.

mod api;
mod page;
#[cfg(feature = "ssr")]
pub mod server;

pub use api::*;
pub use page::{AcknowledgeDriftForm, ConditionActions, Conditions};

use crate::error::{AppError, FieldErrors};
use crate::vocabulary::word_enum;
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// The longest condition text.
pub const TEXT_MAX: usize = 500;
/// The longest note (met) or reason (waived).
pub const RESOLUTION_MAX: usize = 2000;

word_enum!(
    /// Where a condition stands.
    ConditionStatus, "text", "status", [
        Open => "open", "Open";
        Met => "met", "Met";
        Waived => "waived", "Waived";
    ]
);

/// One condition, as the project page shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Condition {
    pub id: Uuid,
    pub project_id: Uuid,
    pub review_id: Uuid,
    pub text: String,
    pub owner_id: Uuid,
    pub owner_name: String,
    pub due_on: NaiveDate,
    pub status: ConditionStatus,
    pub resolution: String,
    pub resolved_by: Option<String>,
    pub resolved_at: Option<DateTime<Utc>>,
}

impl Condition {
    /// Open and past its due date on `today`.
    pub fn overdue(&self, today: NaiveDate) -> bool {
        self.status == ConditionStatus::Open && self.due_on < today
    }
}

/// A new condition, validated: its text and due date (the owner is checked against the
/// accounts by the server).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewCondition {
    pub text: String,
    pub owner_email: String,
    pub due_on: NaiveDate,
}

/// Checks a condition as typed: a text of at most [`TEXT_MAX`] characters, an owner's email,
/// a due date that is a date (a past one is allowed: the condition is then overdue at once).
pub fn validate(text: &str, owner_email: &str, due_on: &str) -> Result<NewCondition, AppError> {
    let mut errors = FieldErrors::default();
    let text = text.trim();
    if text.is_empty() {
        errors.add(
            "text",
            "Say what must be done, e.g. \u{201c}Monitor drift monthly\u{201d}.",
        );
    } else if text.chars().count() > TEXT_MAX {
        errors.add(
            "text",
            format!(
                "Use at most {TEXT_MAX} characters ({} now).",
                text.chars().count()
            ),
        );
    }
    let owner_email = owner_email.trim();
    if owner_email.is_empty() || !owner_email.contains('@') || owner_email.chars().count() > 254 {
        errors.add("owner_email", "Enter the email of the person who sees to it.");
    }
    let due = NaiveDate::parse_from_str(due_on.trim(), "%Y-%m-%d").ok();
    if due.is_none() {
        errors.add("due_on", "Enter the date it is due, e.g. 2026-12-31.");
    }
    errors.into_result()?;
    Ok(NewCondition {
        text: text.to_owned(),
        owner_email: owner_email.to_owned(),
        due_on: due.unwrap_or_default(),
    })
}

/// Checks a note (met) or reason (waived): required for a waiver, at most [`RESOLUTION_MAX`].
pub fn resolution(text: &str, required: bool) -> Result<String, AppError> {
    let text = text.trim();
    if required && text.is_empty() {
        return Err(AppError::field("resolution", "Say why the condition is waived."));
    }
    if text.chars().count() > RESOLUTION_MAX {
        return Err(AppError::field(
            "resolution",
            format!(
                "Use at most {RESOLUTION_MAX} characters ({} now).",
                text.chars().count()
            ),
        ));
    }
    Ok(text.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_condition_needs_a_text_an_owner_and_a_due_date() {
        let ok = validate(" Monitor drift monthly ", "ana@example.com", "2026-12-31").expect("valid");
        assert_eq!(ok.text, "Monitor drift monthly");
        assert_eq!(ok.due_on, NaiveDate::from_ymd_opt(2026, 12, 31).expect("a day"));
        let Err(AppError::Invalid(errors)) = validate("", "ana", "31/12/2026") else {
            panic!("refused")
        };
        for field in ["text", "owner_email", "due_on"] {
            assert!(errors.get(field).is_some(), "{field}");
        }
        let long = "x".repeat(TEXT_MAX + 1);
        assert!(validate(&long, "ana@example.com", "2026-12-31").is_err());
    }

    #[test]
    fn a_waiver_needs_a_reason_and_a_note_may_be_empty() {
        assert!(resolution("", true).is_err());
        assert_eq!(resolution("", false).expect("empty note"), "");
        assert!(resolution(&"x".repeat(RESOLUTION_MAX + 1), false).is_err());
        let open = Condition {
            id: Uuid::nil(),
            project_id: Uuid::nil(),
            review_id: Uuid::nil(),
            text: "Monitor drift".into(),
            owner_id: Uuid::nil(),
            owner_name: "Ana".into(),
            due_on: NaiveDate::from_ymd_opt(2026, 11, 25).expect("a day"),
            status: ConditionStatus::Open,
            resolution: String::new(),
            resolved_by: None,
            resolved_at: None,
        };
        assert!(!open.overdue(open.due_on), "due today");
        assert!(
            open.overdue(open.due_on.succ_opt().expect("a day")),
            "due yesterday"
        );
    }
}
