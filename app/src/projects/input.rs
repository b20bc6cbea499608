//! What people type into the project form, and its validation. Pure: no IO, unit-tested.

use super::stage::{RiskTier, Status};
use crate::error::FieldErrors;
use serde::{Deserialize, Serialize};

/// The editable fields of a project, exactly as the form posts them.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProjectInput {
    pub name: String,
    pub team: String,
    #[serde(default)]
    pub summary: String,
    #[serde(default)]
    pub problem_statement: String,
    #[serde(default)]
    pub success_metric: String,
    #[serde(default)]
    pub success_target: String,
    #[serde(default)]
    pub baseline_metric: String,
    #[serde(default)]
    pub baseline_method: String,
    #[serde(default)]
    pub data_readiness: String,
    #[serde(default)]
    pub fallback_plan: String,
    #[serde(default)]
    pub monitoring_owner: String,
    pub risk_tier: String,
    #[serde(default = "default_status")]
    pub status: String,
}

fn default_status() -> String {
    Status::Active.as_str().to_owned()
}

/// A project's fields after validation: trimmed, within their limits, enums parsed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidProject {
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
    pub status: Status,
}

/// Longest values, in characters. Short fields are one line; long ones are paragraphs.
pub const NAME_MAX: usize = 120;
pub const SHORT_MAX: usize = 200;
pub const LONG_MAX: usize = 4000;
/// Notes, reasons and justifications that travel with an action (a move back, an override, a
/// withdrawal).
pub const NOTE_MAX: usize = 5000;

/// A note, reason or justification that is too long, as a field message.
pub fn note_too_long(value: &str) -> Option<String> {
    let chars = value.trim().chars().count();
    (chars > NOTE_MAX).then(|| format!("Use at most {NOTE_MAX} characters ({chars} now)."))
}

/// One text field: trimmed, required or not, at most `max` characters.
fn text(errors: &mut FieldErrors, field: &str, value: &str, required: Option<&str>, max: usize) -> String {
    let value = value.trim();
    if value.is_empty() {
        if let Some(message) = required {
            errors.add(field, message);
        }
    } else if value.chars().count() > max {
        errors.add(
            field,
            format!("Use at most {max} characters ({} now).", value.chars().count()),
        );
    }
    value.to_owned()
}

impl ProjectInput {
    /// Validates every field at once, so the form can show each message next to its field.
    pub fn validate(&self) -> Result<ValidProject, FieldErrors> {
        let mut e = FieldErrors::default();
        let name = text(
            &mut e,
            "name",
            &self.name,
            Some("Give the project a name."),
            NAME_MAX,
        );
        let team = text(
            &mut e,
            "team",
            &self.team,
            Some("Say which team runs the project."),
            SHORT_MAX,
        );
        let summary = text(&mut e, "summary", &self.summary, None, LONG_MAX);
        let problem_statement = text(
            &mut e,
            "problem_statement",
            &self.problem_statement,
            None,
            LONG_MAX,
        );
        let success_metric = text(&mut e, "success_metric", &self.success_metric, None, SHORT_MAX);
        let success_target = text(&mut e, "success_target", &self.success_target, None, SHORT_MAX);
        let baseline_metric = text(&mut e, "baseline_metric", &self.baseline_metric, None, SHORT_MAX);
        let baseline_method = text(&mut e, "baseline_method", &self.baseline_method, None, LONG_MAX);
        let data_readiness = text(&mut e, "data_readiness", &self.data_readiness, None, LONG_MAX);
        let fallback_plan = text(&mut e, "fallback_plan", &self.fallback_plan, None, LONG_MAX);
        let monitoring_owner = text(
            &mut e,
            "monitoring_owner",
            &self.monitoring_owner,
            None,
            SHORT_MAX,
        );
        let risk_tier = self
            .risk_tier
            .parse::<RiskTier>()
            .map_err(|m| e.add("risk_tier", m))
            .ok();
        let status = self.status.parse::<Status>().map_err(|m| e.add("status", m)).ok();
        match (risk_tier, status) {
            (Some(risk_tier), Some(status)) if e.is_empty() => Ok(ValidProject {
                name,
                team,
                summary,
                problem_statement,
                success_metric,
                success_target,
                baseline_metric,
                baseline_method,
                data_readiness,
                fallback_plan,
                monitoring_owner,
                risk_tier,
                status,
            }),
            _ => Err(e),
        }
    }
}

impl ProjectInput {
    /// Every editable field with its name, in form order: what audit diffs compare.
    pub fn fields(&self) -> [(&'static str, &str); 13] {
        [
            ("name", &self.name),
            ("team", &self.team),
            ("summary", &self.summary),
            ("problem_statement", &self.problem_statement),
            ("success_metric", &self.success_metric),
            ("success_target", &self.success_target),
            ("baseline_metric", &self.baseline_metric),
            ("baseline_method", &self.baseline_method),
            ("data_readiness", &self.data_readiness),
            ("fallback_plan", &self.fallback_plan),
            ("monitoring_owner", &self.monitoring_owner),
            ("risk_tier", &self.risk_tier),
            ("status", &self.status),
        ]
    }
}

/// The form's values of anything with the editable fields by name (a stored [`Project`], a
/// [`ValidProject`]): the one list of which fields a person edits, enums as their names.
///
/// [`Project`]: crate::projects::Project
macro_rules! form_values {
    ($p:expr) => {
        $crate::projects::input::ProjectInput {
            name: $p.name.clone(),
            team: $p.team.clone(),
            summary: $p.summary.clone(),
            problem_statement: $p.problem_statement.clone(),
            success_metric: $p.success_metric.clone(),
            success_target: $p.success_target.clone(),
            baseline_metric: $p.baseline_metric.clone(),
            baseline_method: $p.baseline_method.clone(),
            data_readiness: $p.data_readiness.clone(),
            fallback_plan: $p.fallback_plan.clone(),
            monitoring_owner: $p.monitoring_owner.clone(),
            risk_tier: $p.risk_tier.as_str().to_owned(),
            status: $p.status.as_str().to_owned(),
        }
    };
}
pub(crate) use form_values;

impl ValidProject {
    /// Back to the form's shape (enums as their names).
    pub fn to_input(&self) -> ProjectInput {
        form_values!(self)
    }
}

/// The fields that differ between `before` and `after`: `(name, before, after)`.
pub fn changed_fields<'a>(
    before: &'a ProjectInput,
    after: &'a ProjectInput,
) -> Vec<(&'static str, &'a str, &'a str)> {
    before
        .fields()
        .into_iter()
        .zip(after.fields())
        .filter(|((_, b), (_, a))| b != a)
        .map(|((name, b), (_, a))| (name, b, a))
        .collect()
}

/// The label of a project field, for the timeline and messages.
pub fn field_label(field: &str) -> &str {
    match field {
        "name" => "Name",
        "team" => "Team",
        "summary" => "Summary",
        "problem_statement" => "Problem statement",
        "success_metric" => "Success metric",
        "success_target" => "Success target",
        "baseline_metric" => "Baseline metric",
        "baseline_method" => "Baseline method",
        "data_readiness" => "Data readiness",
        "fallback_plan" => "Fallback plan",
        "monitoring_owner" => "Monitoring owner",
        "risk_tier" => "Risk tier",
        "status" => "Status",
        "stage" => "Stage",
        "note" => "Note",
        "held_on" => "Held on",
        "attendees" => "Attendees",
        "outcome" => "Outcome",
        "link" => "Link",
        "kind" => "Kind",
        "title" => "Title",
        "findings" => "Findings",
        "participants" => "Participants",
        "method" => "Method",
        "decision" => "Decision",
        "decided_on" => "Decided on",
        "reviewed_on" => "Reviewed on",
        "next_review_on" => "Next review due",
        "record" => "Record",
        "reason" => "Reason",
        "request" => "Request",
        "asked" => "Asked",
        "due_on" => "Due by",
        "requests_answered" => "Requests answered",
        "override" => "Override",
        "missing" => "Missing",
        "via" => "Via",
        "condition" => "Condition",
        "owner" => "Owner",
        "resolution" => "Note",
        "goal_change" => "Change of goal",
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn minimal() -> ProjectInput {
        ProjectInput {
            name: "  Claims triage  ".into(),
            team: "Claims".into(),
            risk_tier: "medium".into(),
            status: "active".into(),
            ..ProjectInput::default()
        }
    }

    #[test]
    fn a_name_team_and_risk_tier_are_enough_to_start() {
        let valid = minimal().validate().expect("valid");
        assert_eq!(valid.name, "Claims triage", "trimmed");
        assert_eq!(valid.risk_tier, RiskTier::Medium);
        assert_eq!(valid.status, Status::Active);
    }

    #[test]
    fn every_wrong_field_gets_its_own_message() {
        let input = ProjectInput {
            name: " ".into(),
            team: String::new(),
            risk_tier: "extreme".into(),
            status: "done".into(),
            success_metric: "x".repeat(SHORT_MAX + 1),
            ..ProjectInput::default()
        };
        let errors = input.validate().unwrap_err();
        assert_eq!(errors.get("name"), Some("Give the project a name."));
        assert_eq!(errors.get("team"), Some("Say which team runs the project."));
        assert_eq!(
            errors.get("risk_tier"),
            Some("Choose a risk tier (low, medium, high).")
        );
        assert_eq!(
            errors.get("status"),
            Some("Choose a status (active, paused, cancelled, retired).")
        );
        assert_eq!(
            errors.get("success_metric"),
            Some("Use at most 200 characters (201 now).")
        );
        assert_eq!(errors.0.len(), 5);
    }

    #[test]
    fn only_the_fields_that_differ_are_reported_as_changed() {
        let before = minimal();
        let after = ProjectInput {
            team: "Claims Ops".into(),
            risk_tier: "high".into(),
            ..minimal()
        };
        assert_eq!(
            changed_fields(&before, &after),
            vec![("team", "Claims", "Claims Ops"), ("risk_tier", "medium", "high")]
        );
        assert!(changed_fields(&before, &before).is_empty());
    }

    #[test]
    fn lengths_are_counted_in_characters_not_bytes() {
        let input = ProjectInput {
            name: "é".repeat(NAME_MAX),
            ..minimal()
        };
        assert!(input.validate().is_ok());
        let input = ProjectInput {
            name: "é".repeat(NAME_MAX + 1),
            ..minimal()
        };
        assert!(input.validate().unwrap_err().get("name").is_some());
    }
}
