//! Stage moves and the gates that guard them. Pure: no IO, unit-tested.
//!
//! A project moves forward one stage at a time, and only when the target stage's gate is met;
//! it moves back any number of stages with a note (a pivot); it never skips a stage.

use super::stage::Stage;
use serde::{Deserialize, Serialize};

/// One thing a gate asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum GateItem {
    ProblemStatement,
    SuccessMetric,
    SuccessTarget,
    BaselineMetric,
    BaselineMethod,
    DataReadiness,
    FallbackPlan,
    MonitoringOwner,
    UserResearch,
    DemoHeld,
    ExplainabilitySignoff,
    ModelRiskReview,
    /// After a pivot back before Build: user research held since.
    FreshResearch,
}

impl GateItem {
    /// What is missing, in a product manager's words.
    pub fn describe(self) -> &'static str {
        match self {
            GateItem::ProblemStatement => "A problem statement: what problem this solves and for whom",
            GateItem::SuccessMetric => "A success metric: how you will know it works",
            GateItem::SuccessTarget => "A target for the success metric",
            GateItem::BaselineMetric => "A baseline: how the problem is handled today, as a number",
            GateItem::BaselineMethod => "How the baseline was measured",
            GateItem::DataReadiness => {
                "A data-readiness statement: the data exists, is accessible and is fit for use"
            }
            GateItem::FallbackPlan => "A fallback plan: what happens when the model is wrong or switched off",
            GateItem::MonitoringOwner => "A named monitoring owner for the model in production",
            GateItem::UserResearch => "At least one piece of user-research evidence",
            GateItem::DemoHeld => "At least one demo checkpoint held",
            GateItem::ExplainabilitySignoff => {
                "An approved explainability sign-off by someone other than the owner"
            }
            GateItem::ModelRiskReview => "An approved model-risk review by an independent reviewer",
            GateItem::FreshResearch => {
                "User research held since the project last went back a stage (after a pivot, talk to users again)"
            }
        }
    }

    /// The record that meets a record-backed item, in words ("explainability sign-off"); `None`
    /// for an item met by a field.
    pub fn record(self) -> Option<&'static str> {
        match self {
            GateItem::UserResearch => Some("user-research evidence"),
            GateItem::DemoHeld => Some("demo checkpoint"),
            GateItem::ExplainabilitySignoff => Some("explainability sign-off"),
            GateItem::ModelRiskReview => Some("model-risk review"),
            GateItem::FreshResearch => Some("user research since the latest pivot"),
            _ => None,
        }
    }

    /// Where on `project`'s pages this item is put right: a field of the edit form, or the form
    /// of a record on the project page.
    pub fn fix_at(self, project: uuid::Uuid) -> String {
        let field = |name: &str| format!("/projects/{project}/edit#{name}");
        let record = |anchor: &str| format!("/projects/{project}#{anchor}");
        match self {
            GateItem::ProblemStatement => field("problem_statement"),
            GateItem::SuccessMetric => field("success_metric"),
            GateItem::SuccessTarget => field("success_target"),
            GateItem::BaselineMetric => field("baseline_metric"),
            GateItem::BaselineMethod => field("baseline_method"),
            GateItem::DataReadiness => field("data_readiness"),
            GateItem::FallbackPlan => field("fallback_plan"),
            GateItem::MonitoringOwner => field("monitoring_owner"),
            GateItem::UserResearch | GateItem::FreshResearch => record("records-evidence"),
            GateItem::DemoHeld => record("records-demos"),
            GateItem::ExplainabilitySignoff => record("records-signoffs"),
            GateItem::ModelRiskReview => record("records-reviews"),
        }
    }

    /// Where on the project page this item is satisfied: a field of the edit form, or a
    /// section of records.
    pub fn field(self) -> &'static str {
        match self {
            GateItem::UserResearch | GateItem::FreshResearch => "records-evidence",
            GateItem::DemoHeld => "records-demos",
            GateItem::ExplainabilitySignoff => "records-signoffs",
            GateItem::ModelRiskReview => "records-reviews",
            GateItem::ProblemStatement => "problem_statement",
            GateItem::SuccessMetric => "success_metric",
            GateItem::SuccessTarget => "success_target",
            GateItem::BaselineMetric => "baseline_metric",
            GateItem::BaselineMethod => "baseline_method",
            GateItem::DataReadiness => "data_readiness",
            GateItem::FallbackPlan => "fallback_plan",
            GateItem::MonitoringOwner => "monitoring_owner",
        }
    }
}

/// What a gate can see of a project: its own fields and what its records establish.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct GateFacts<'a> {
    pub records: RecordFacts,
    pub problem_statement: &'a str,
    pub success_metric: &'a str,
    pub success_target: &'a str,
    pub baseline_metric: &'a str,
    pub baseline_method: &'a str,
    pub data_readiness: &'a str,
    pub fallback_plan: &'a str,
    pub monitoring_owner: &'a str,
}

/// What the governance records establish (withdrawn records do not count).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecordFacts {
    pub research: u32,
    pub demos: u32,
    /// An approved explainability sign-off whose approver does not own the current stage.
    pub independent_signoff: bool,
    /// An approved (or approved with conditions) model-risk review by an independent reviewer:
    /// not the current owner and, for a high-risk project, nobody who ever owned a stage.
    pub independent_review: bool,
    /// The project went back before Build and no user research has been held since.
    #[serde(default)]
    pub stale_research: bool,
}

/// The items the gate into `stage` asks for, in the order a checklist shows them.
pub fn gate_items(stage: Stage) -> &'static [GateItem] {
    use GateItem::*;
    match stage {
        Stage::Define => &[],
        Stage::Design => &[ProblemStatement, SuccessMetric, SuccessTarget, UserResearch],
        Stage::Build => &[
            BaselineMetric,
            BaselineMethod,
            DataReadiness,
            DemoHeld,
            FreshResearch,
        ],
        Stage::Deploy => &[
            ExplainabilitySignoff,
            ModelRiskReview,
            FallbackPlan,
            MonitoringOwner,
        ],
    }
}

/// Whether `facts` satisfy one item.
pub fn is_met(item: GateItem, facts: &GateFacts<'_>) -> bool {
    let value = match item {
        GateItem::ProblemStatement => facts.problem_statement,
        GateItem::SuccessMetric => facts.success_metric,
        GateItem::SuccessTarget => facts.success_target,
        GateItem::BaselineMetric => facts.baseline_metric,
        GateItem::BaselineMethod => facts.baseline_method,
        GateItem::DataReadiness => facts.data_readiness,
        GateItem::FallbackPlan => facts.fallback_plan,
        GateItem::MonitoringOwner => facts.monitoring_owner,
        GateItem::UserResearch => return facts.records.research > 0,
        GateItem::DemoHeld => return facts.records.demos > 0,
        GateItem::ExplainabilitySignoff => return facts.records.independent_signoff,
        GateItem::ModelRiskReview => return facts.records.independent_review,
        GateItem::FreshResearch => return !facts.records.stale_research,
    };
    !value.trim().is_empty()
}

/// The items of the gate into `stage` that `facts` do not satisfy.
pub fn missing(stage: Stage, facts: &GateFacts<'_>) -> Vec<GateItem> {
    gate_items(stage)
        .iter()
        .copied()
        .filter(|item| !is_met(*item, facts))
        .collect()
}

/// An allowed move.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum MoveKind {
    Forward,
    /// Back one or more stages.
    Pivot,
}

/// Why a move was refused.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum MoveRefused {
    #[error("The project is already in {}.", .0.label())]
    SameStage(Stage),
    #[error("Move one stage at a time: from {} the next stage is {}.", .from.label(), .next.label())]
    Skips { from: Stage, next: Stage },
    #[error("Say why the project is going back to {}: a note is required.", .0.label())]
    NoteRequired(Stage),
    #[error("{} can't start yet. Still missing: {}.", .stage.label(), describe_all(.missing))]
    GateNotMet { stage: Stage, missing: Vec<GateItem> },
}

fn describe_all(items: &[GateItem]) -> String {
    items
        .iter()
        .map(|i| i.describe().to_lowercase())
        .collect::<Vec<_>>()
        .join("; ")
}

/// Decides whether a project in `from` may move to `to`, given its gate facts and the note
/// the person wrote. The one place the stage rules live.
pub fn check_move(
    from: Stage,
    to: Stage,
    note: &str,
    facts: &GateFacts<'_>,
) -> Result<MoveKind, MoveRefused> {
    if to == from {
        return Err(MoveRefused::SameStage(from));
    }
    if to < from {
        return if note.trim().is_empty() {
            Err(MoveRefused::NoteRequired(to))
        } else {
            Ok(MoveKind::Pivot)
        };
    }
    let next = from.next().unwrap_or(from);
    if to != next {
        return Err(MoveRefused::Skips { from, next });
    }
    let missing = missing(to, facts);
    if missing.is_empty() {
        Ok(MoveKind::Forward)
    } else {
        Err(MoveRefused::GateNotMet { stage: to, missing })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_missing_item_points_at_the_form_that_fixes_it() {
        let id = uuid::Uuid::nil();
        assert_eq!(
            GateItem::SuccessTarget.fix_at(id),
            format!("/projects/{id}/edit#success_target")
        );
        assert_eq!(
            GateItem::DemoHeld.fix_at(id),
            format!("/projects/{id}#records-demos")
        );
    }
    use GateItem::*;

    fn complete() -> GateFacts<'static> {
        GateFacts {
            records: RecordFacts {
                research: 2,
                demos: 1,
                independent_signoff: true,
                independent_review: true,
                stale_research: false,
            },
            problem_statement: "Claims take 9 days to triage",
            success_metric: "median triage time",
            success_target: "under 2 days",
            baseline_metric: "9 days",
            baseline_method: "sampled 400 claims from Q2",
            data_readiness: "claims history 2019-2026 in the warehouse",
            fallback_plan: "route to the manual queue",
            monitoring_owner: "Claims analytics on-call",
        }
    }

    #[test]
    fn a_complete_project_moves_forward_one_stage_at_a_time() {
        let facts = complete();
        assert_eq!(
            check_move(Stage::Define, Stage::Design, "", &facts),
            Ok(MoveKind::Forward)
        );
        assert_eq!(
            check_move(Stage::Design, Stage::Build, "", &facts),
            Ok(MoveKind::Forward)
        );
        assert_eq!(
            check_move(Stage::Build, Stage::Deploy, "", &facts),
            Ok(MoveKind::Forward)
        );
    }

    #[test]
    fn after_a_pivot_the_gate_into_build_asks_for_user_research_held_since() {
        let mut facts = complete();
        facts.records.stale_research = true;
        assert_eq!(
            check_move(Stage::Design, Stage::Build, "", &facts),
            Err(MoveRefused::GateNotMet {
                stage: Stage::Build,
                missing: vec![FreshResearch]
            })
        );
        // Only the gate into Build asks.
        assert_eq!(missing(Stage::Design, &facts), vec![]);
        assert_eq!(missing(Stage::Deploy, &facts), vec![]);
    }

    #[test]
    fn skipping_a_stage_is_refused_even_when_every_gate_is_met() {
        let facts = complete();
        assert_eq!(
            check_move(Stage::Define, Stage::Build, "", &facts),
            Err(MoveRefused::Skips {
                from: Stage::Define,
                next: Stage::Design
            })
        );
        assert_eq!(
            check_move(Stage::Define, Stage::Deploy, "", &facts),
            Err(MoveRefused::Skips {
                from: Stage::Define,
                next: Stage::Design
            })
        );
    }

    #[test]
    fn moving_to_the_current_stage_is_refused() {
        assert_eq!(
            check_move(Stage::Build, Stage::Build, "note", &complete()),
            Err(MoveRefused::SameStage(Stage::Build))
        );
    }

    #[test]
    fn going_back_needs_a_note_and_no_gate() {
        let empty = GateFacts::default();
        assert_eq!(
            check_move(Stage::Deploy, Stage::Define, "  ", &empty),
            Err(MoveRefused::NoteRequired(Stage::Define))
        );
        assert_eq!(
            check_move(
                Stage::Deploy,
                Stage::Define,
                "users wanted a different tool",
                &empty
            ),
            Ok(MoveKind::Pivot)
        );
        assert_eq!(
            check_move(Stage::Design, Stage::Define, "rethink", &empty),
            Ok(MoveKind::Pivot)
        );
    }

    #[test]
    fn the_design_gate_lists_exactly_what_is_missing() {
        let facts = GateFacts {
            success_metric: "triage time",
            ..GateFacts::default()
        };
        assert_eq!(
            check_move(Stage::Define, Stage::Design, "", &facts),
            Err(MoveRefused::GateNotMet {
                stage: Stage::Design,
                missing: vec![ProblemStatement, SuccessTarget, UserResearch]
            })
        );
    }

    #[test]
    fn the_record_gates_ask_for_research_a_demo_and_independent_decisions() {
        let no_records = GateFacts {
            records: RecordFacts::default(),
            ..complete()
        };
        assert_eq!(missing(Stage::Design, &no_records), vec![UserResearch]);
        assert_eq!(missing(Stage::Build, &no_records), vec![DemoHeld]);
        assert_eq!(
            missing(Stage::Deploy, &no_records),
            vec![ExplainabilitySignoff, ModelRiskReview]
        );
        let signed_only = GateFacts {
            records: RecordFacts {
                independent_signoff: true,
                ..RecordFacts::default()
            },
            ..complete()
        };
        assert_eq!(missing(Stage::Deploy, &signed_only), vec![ModelRiskReview]);
    }

    #[test]
    fn whitespace_does_not_satisfy_a_gate_item() {
        let facts = GateFacts {
            problem_statement: " \n\t",
            ..complete()
        };
        assert_eq!(missing(Stage::Design, &facts), vec![ProblemStatement]);
    }

    #[test]
    fn the_build_gate_asks_for_baseline_method_and_data_readiness() {
        let facts = GateFacts {
            baseline_metric: "",
            baseline_method: "",
            data_readiness: "",
            ..complete()
        };
        assert_eq!(
            missing(Stage::Build, &facts),
            vec![BaselineMetric, BaselineMethod, DataReadiness]
        );
        let facts = GateFacts {
            baseline_method: "",
            ..complete()
        };
        assert_eq!(missing(Stage::Build, &facts), vec![BaselineMethod]);
    }

    #[test]
    fn the_deploy_gate_asks_for_a_fallback_plan_and_a_monitoring_owner() {
        let facts = GateFacts {
            fallback_plan: "",
            monitoring_owner: "",
            ..complete()
        };
        assert_eq!(
            check_move(Stage::Build, Stage::Deploy, "", &facts),
            Err(MoveRefused::GateNotMet {
                stage: Stage::Deploy,
                missing: vec![FallbackPlan, MonitoringOwner]
            })
        );
    }

    #[test]
    fn a_later_gate_ignores_earlier_items() {
        // The deploy gate checks only its own items; earlier gates were checked on the way in.
        let facts = GateFacts {
            problem_statement: "",
            ..complete()
        };
        assert_eq!(
            check_move(Stage::Build, Stage::Deploy, "", &facts),
            Ok(MoveKind::Forward)
        );
    }

    #[test]
    fn a_refusal_reads_as_a_sentence_naming_each_missing_item() {
        let refusal = check_move(Stage::Define, Stage::Design, "", &GateFacts::default()).unwrap_err();
        let text = refusal.to_string();
        assert!(
            text.starts_with("Design can't start yet. Still missing: a problem statement"),
            "{text}"
        );
        assert!(text.contains("a target for the success metric"), "{text}");
    }
}
