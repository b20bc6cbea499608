//! What each record form posts, and its validation. Pure: no IO, unit-tested below (the
//! checks of single fields are in [`super::fields`]).
//!
//! A form's text becomes a record that passed validation (typed: dates, counts, the record
//! vocabularies), or a message next to every field that is wrong.

use super::fields::{choice, optional_link, past_date, required_text};
use super::{Outcome, ResearchKind, ReviewDecision, SignoffDecision};
use crate::error::{AppError, FieldErrors};
use crate::health::Thresholds;
use crate::projects::stage::RiskTier;
use chrono::NaiveDate;
#[cfg(feature = "ssr")]
use serde_json::{json, Value};

/// A demo checkpoint as the form posts it.
#[derive(Debug, Clone, Default)]
pub struct DemoInput {
    pub held_on: String,
    pub summary: String,
    pub attendees: String,
    pub outcome: String,
    pub link: String,
}

/// A demo checkpoint that passed validation.
#[derive(Debug, Clone, PartialEq)]
pub struct Demo {
    pub held_on: NaiveDate,
    pub summary: String,
    pub attendees: String,
    pub outcome: Outcome,
    pub link: String,
}

impl Demo {
    pub fn validate(input: &DemoInput, today: NaiveDate) -> Result<Self, AppError> {
        let mut e = FieldErrors::default();
        let held_on = past_date(&mut e, "held_on", &input.held_on, today);
        let summary = required_text(
            &mut e,
            "summary",
            &input.summary,
            4000,
            "Say what was shown and learned.",
        );
        let attendees = required_text(&mut e, "attendees", &input.attendees, 1000, "List who attended.");
        let outcome = choice(&mut e, "outcome", &input.outcome);
        let link = optional_link(&mut e, "link", &input.link);
        let (Some(held_on), Some(outcome)) = (held_on, outcome) else {
            return Err(AppError::Invalid(e));
        };
        e.into_result()?;
        Ok(Demo {
            held_on,
            summary,
            attendees,
            outcome,
            link,
        })
    }

    /// The fields as the audit trail records them.
    #[cfg(feature = "ssr")]
    pub fn fields(&self) -> Vec<(&'static str, Value)> {
        vec![
            ("held_on", json!(self.held_on)),
            ("summary", json!(self.summary)),
            ("attendees", json!(self.attendees)),
            ("outcome", json!(self.outcome.as_str())),
            ("link", json!(self.link)),
        ]
    }
}

/// User-research evidence as the form posts it.
#[derive(Debug, Clone, Default)]
pub struct EvidenceInput {
    pub kind: String,
    pub title: String,
    pub findings: String,
    pub participants: String,
    pub held_on: String,
    pub link: String,
}

/// User-research evidence that passed validation.
#[derive(Debug, Clone, PartialEq)]
pub struct Evidence {
    pub kind: ResearchKind,
    pub title: String,
    pub findings: String,
    pub participants: i32,
    pub held_on: NaiveDate,
    pub link: String,
}

impl Evidence {
    pub fn validate(input: &EvidenceInput, today: NaiveDate) -> Result<Self, AppError> {
        let mut e = FieldErrors::default();
        let kind = choice(&mut e, "kind", &input.kind);
        let title = required_text(&mut e, "title", &input.title, 200, "Give the research a title.");
        let findings = required_text(&mut e, "findings", &input.findings, 8000, "Say what you learned.");
        let participants = match input.participants.trim().parse::<i32>() {
            Ok(n) if (0..=1_000_000).contains(&n) => Some(n),
            _ => {
                e.add(
                    "participants",
                    "Enter how many people took part, as a whole number.",
                );
                None
            }
        };
        let held_on = past_date(&mut e, "held_on", &input.held_on, today);
        let link = optional_link(&mut e, "link", &input.link);
        let (Some(kind), Some(participants), Some(held_on)) = (kind, participants, held_on) else {
            return Err(AppError::Invalid(e));
        };
        e.into_result()?;
        Ok(Evidence {
            kind,
            title,
            findings,
            participants,
            held_on,
            link,
        })
    }

    /// The fields as the audit trail records them.
    #[cfg(feature = "ssr")]
    pub fn fields(&self) -> Vec<(&'static str, Value)> {
        vec![
            ("kind", json!(self.kind.as_str())),
            ("title", json!(self.title)),
            ("findings", json!(self.findings)),
            ("participants", json!(self.participants)),
            ("held_on", json!(self.held_on)),
            ("link", json!(self.link)),
        ]
    }
}

/// An explainability sign-off as the form posts it; the approver is the caller.
#[derive(Debug, Clone, Default)]
pub struct SignoffInput {
    pub method: String,
    pub summary: String,
    pub decision: String,
    pub decided_on: String,
}

/// An explainability sign-off that passed validation.
#[derive(Debug, Clone, PartialEq)]
pub struct Signoff {
    pub method: String,
    pub summary: String,
    pub decision: SignoffDecision,
    pub decided_on: NaiveDate,
}

impl Signoff {
    pub fn validate(input: &SignoffInput, today: NaiveDate) -> Result<Self, AppError> {
        let mut e = FieldErrors::default();
        let method = required_text(
            &mut e,
            "method",
            &input.method,
            200,
            "Name the method (SHAP, LIME, counterfactuals, …).",
        );
        let summary = required_text(
            &mut e,
            "summary",
            &input.summary,
            8000,
            "Summarise what the explanation showed.",
        );
        let decision = choice(&mut e, "decision", &input.decision);
        let decided_on = past_date(&mut e, "decided_on", &input.decided_on, today);
        let (Some(decision), Some(decided_on)) = (decision, decided_on) else {
            return Err(AppError::Invalid(e));
        };
        e.into_result()?;
        Ok(Signoff {
            method,
            summary,
            decision,
            decided_on,
        })
    }

    /// The fields as the audit trail records them.
    #[cfg(feature = "ssr")]
    pub fn fields(&self) -> Vec<(&'static str, Value)> {
        vec![
            ("method", json!(self.method)),
            ("summary", json!(self.summary)),
            ("decision", json!(self.decision.as_str())),
            ("decided_on", json!(self.decided_on)),
        ]
    }
}

/// A model-risk review as the form posts it; the reviewer is the caller. An empty next-review
/// date takes the cadence of the risk tier.
#[derive(Debug, Clone, Default)]
pub struct ReviewInput {
    pub risk_tier: String,
    pub findings: String,
    pub decision: String,
    pub reviewed_on: String,
    pub next_review_on: String,
}

/// A model-risk review that passed validation.
#[derive(Debug, Clone, PartialEq)]
pub struct Review {
    pub tier: RiskTier,
    pub findings: String,
    pub decision: ReviewDecision,
    pub reviewed_on: NaiveDate,
    pub next_review_on: NaiveDate,
}

impl Review {
    pub fn validate(input: &ReviewInput, today: NaiveDate, limits: &Thresholds) -> Result<Self, AppError> {
        let mut e = FieldErrors::default();
        let tier = input
            .risk_tier
            .parse::<RiskTier>()
            .map_err(|m| e.add("risk_tier", m))
            .ok();
        let findings = required_text(&mut e, "findings", &input.findings, 8000, "Record the findings.");
        let decision = choice(&mut e, "decision", &input.decision);
        let reviewed_on = past_date(&mut e, "reviewed_on", &input.reviewed_on, today);
        let (Some(tier), Some(decision), Some(reviewed_on)) = (tier, decision, reviewed_on) else {
            return Err(AppError::Invalid(e));
        };
        let next_review_on = match input.next_review_on.trim() {
            "" => limits.next_review_due(tier, reviewed_on),
            text => match NaiveDate::parse_from_str(text, "%Y-%m-%d") {
                Ok(date) if date > reviewed_on => date,
                Ok(_) => {
                    e.add("next_review_on", "The next review must come after this one.");
                    reviewed_on
                }
                Err(_) => {
                    e.add(
                        "next_review_on",
                        "Enter a date like 2027-05-25, or leave it empty for the usual cadence.",
                    );
                    reviewed_on
                }
            },
        };
        e.into_result()?;
        Ok(Review {
            tier,
            findings,
            decision,
            reviewed_on,
            next_review_on,
        })
    }

    /// The fields as the audit trail records them.
    #[cfg(feature = "ssr")]
    pub fn fields(&self) -> Vec<(&'static str, Value)> {
        vec![
            ("risk_tier", json!(self.tier.as_str())),
            ("findings", json!(self.findings)),
            ("decision", json!(self.decision.as_str())),
            ("reviewed_on", json!(self.reviewed_on)),
            ("next_review_on", json!(self.next_review_on)),
        ]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 25).unwrap_or_default()
    }

    fn message(result: Result<impl std::fmt::Debug, AppError>, field: &str) -> String {
        match result {
            Err(AppError::Invalid(errors)) => errors.get(field).unwrap_or("(no message)").to_owned(),
            other => format!("not refused: {other:?}"),
        }
    }

    fn demo() -> DemoInput {
        DemoInput {
            held_on: "2026-11-20".into(),
            summary: " Showed the churn model ".into(),
            attendees: "Ana, Ben".into(),
            outcome: "pivot".into(),
            link: String::new(),
        }
    }

    #[test]
    fn a_demo_is_trimmed_and_typed_and_every_wrong_field_is_named() {
        let demo_ok = Demo::validate(&demo(), today()).expect("valid");
        assert_eq!(demo_ok.summary, "Showed the churn model");
        assert_eq!(demo_ok.outcome, Outcome::Pivot);
        let too_long = DemoInput {
            summary: "x".repeat(4001),
            ..demo()
        };
        assert_eq!(
            message(Demo::validate(&too_long, today()), "summary"),
            "Use at most 4000 characters (4001 now)."
        );
        let empty = DemoInput::default();
        for field in ["held_on", "summary", "attendees", "outcome"] {
            assert_ne!(
                message(Demo::validate(&empty, today()), field),
                "(no message)",
                "{field}"
            );
        }
    }

    #[test]
    fn evidence_counts_whole_people() {
        let input = EvidenceInput {
            kind: "survey".into(),
            title: "Churn survey".into(),
            findings: "Price matters".into(),
            participants: "412".into(),
            held_on: "2026-11-01".into(),
            link: "https://example.com/s".into(),
        };
        let evidence = Evidence::validate(&input, today()).expect("valid");
        assert_eq!(
            (evidence.kind, evidence.participants),
            (ResearchKind::Survey, 412)
        );
        for bad in ["-1", "2.5", "many", "1000001"] {
            let input = EvidenceInput {
                participants: bad.into(),
                ..input.clone()
            };
            assert_eq!(
                message(Evidence::validate(&input, today()), "participants"),
                "Enter how many people took part, as a whole number.",
                "{bad}"
            );
        }
    }

    #[test]
    fn a_signoff_needs_a_method_and_a_decision() {
        let input = SignoffInput {
            method: "SHAP".into(),
            summary: "Top features make sense".into(),
            decision: "changes_requested".into(),
            decided_on: "2026-11-25".into(),
        };
        let signoff = Signoff::validate(&input, today()).expect("valid");
        assert_eq!(signoff.decision, SignoffDecision::ChangesRequested);
        let no_method = SignoffInput {
            method: " ".into(),
            decision: "approved_with_conditions".into(),
            ..input
        };
        let refused = Signoff::validate(&no_method, today());
        assert_eq!(
            message(refused.clone(), "method"),
            "Name the method (SHAP, LIME, counterfactuals, …)."
        );
        assert_eq!(
            message(refused, "decision"),
            "Choose one of: approved, changes_requested, rejected."
        );
    }

    #[test]
    fn a_review_without_a_next_date_takes_its_tiers_cadence_and_a_next_date_comes_after() {
        let limits = Thresholds::default();
        let input = ReviewInput {
            risk_tier: "high".into(),
            findings: "Drift monitored".into(),
            decision: "approved_with_conditions".into(),
            reviewed_on: "2026-11-20".into(),
            next_review_on: String::new(),
        };
        let review = Review::validate(&input, today(), &limits).expect("valid");
        assert_eq!(review.decision, ReviewDecision::ApprovedWithConditions);
        assert_eq!(
            review.next_review_on,
            limits.next_review_due(RiskTier::High, review.reviewed_on)
        );
        let before = ReviewInput {
            next_review_on: "2026-11-20".into(),
            ..input.clone()
        };
        assert_eq!(
            message(Review::validate(&before, today(), &limits), "next_review_on"),
            "The next review must come after this one."
        );
        let tier = ReviewInput {
            risk_tier: "extreme".into(),
            ..input
        };
        assert_eq!(
            message(Review::validate(&tier, today(), &limits), "risk_tier"),
            "Choose a risk tier (low, medium, high)."
        );
    }
}
