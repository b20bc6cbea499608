//! Material changes: what changes a project enough that an approval given before it no longer
//! speaks for it — a pivot (moved back a stage), its success metric, target, baseline or
//! data-readiness statement replaced, its risk tier raised. Cosmetic edits (the name, the
//! summary, a first value filled in, spaces) are not material. Pure: no IO, unit-tested.
//!
//! Each is written with the change itself (`material_changes`); the health rules read them:
//! an approval given before the first change since stops counting for the deploy gate; the gate
//! into Build asks for user research held after the project last went back before Build; a
//! success metric or target changed in Build or Deploy is goal drift until a reviewer
//! acknowledges it.

use super::input::ProjectInput;
use super::stage::{RiskTier, Stage};
use crate::vocabulary::{word_enum, Word};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

word_enum!(
    /// What changed.
    MaterialKind, "text", "material change", [
        Pivot => "pivot", "pivot";
        SuccessMetric => "success_metric", "success metric";
        SuccessTarget => "success_target", "success target";
        BaselineMetric => "baseline_metric", "baseline";
        DataReadiness => "data_readiness", "data-readiness statement";
        RiskTier => "risk_tier", "risk tier";
    ]
);

/// One material change, as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MaterialChange {
    pub id: i64,
    pub kind: MaterialKind,
    pub at: DateTime<Utc>,
    /// The stage the project was in (a pivot: the stage it left).
    pub stage: Stage,
    pub before: String,
    pub after: String,
    pub acknowledged: bool,
}

fn stage_label(text: &str) -> String {
    Stage::parse_word(text).map_or_else(|| text.to_owned(), |s| s.label().to_owned())
}

impl MaterialChange {
    /// The day it happened (UTC).
    pub fn on(&self) -> NaiveDate {
        self.at.date_naive()
    }

    /// What happened, in words: "success target changed from 0.9 to 0.8", "moved back from
    /// Build to Design", "risk tier raised from low to high".
    pub fn describe(&self) -> String {
        match self.kind {
            MaterialKind::Pivot => format!(
                "moved back from {} to {}",
                stage_label(&self.before),
                stage_label(&self.after)
            ),
            MaterialKind::RiskTier => format!("risk tier raised from {} to {}", self.before, self.after),
            kind if self.after.trim().is_empty() => format!("{} removed (was {})", kind.label(), self.before),
            kind => format!("{} changed from {} to {}", kind.label(), self.before, self.after),
        }
    }

    /// A change of what success means, made once the project was being built.
    pub fn is_goal_drift(&self) -> bool {
        matches!(
            self.kind,
            MaterialKind::SuccessMetric | MaterialKind::SuccessTarget
        ) && matches!(self.stage, Stage::Build | Stage::Deploy)
    }
}

/// The material changes of an edit from `before` to `after`: each material field whose value
/// was replaced or removed (compared without surrounding spaces; filling in a first value is
/// not a change of one agreed), and a risk tier raised. `(kind, before, after)`, trimmed.
pub fn of_edit(before: &ProjectInput, after: &ProjectInput) -> Vec<(MaterialKind, String, String)> {
    let mut changes = Vec::new();
    for (kind, b, a) in [
        (
            MaterialKind::SuccessMetric,
            &before.success_metric,
            &after.success_metric,
        ),
        (
            MaterialKind::SuccessTarget,
            &before.success_target,
            &after.success_target,
        ),
        (
            MaterialKind::BaselineMetric,
            &before.baseline_metric,
            &after.baseline_metric,
        ),
        (
            MaterialKind::DataReadiness,
            &before.data_readiness,
            &after.data_readiness,
        ),
    ] {
        let (b, a) = (b.trim(), a.trim());
        if !b.is_empty() && b != a {
            changes.push((kind, b.to_owned(), a.to_owned()));
        }
    }
    let tier = |t: &str| RiskTier::parse_word(t);
    if let (Some(b), Some(a)) = (tier(&before.risk_tier), tier(&after.risk_tier)) {
        if a > b {
            changes.push((
                MaterialKind::RiskTier,
                b.as_str().to_owned(),
                a.as_str().to_owned(),
            ));
        }
    }
    changes
}

/// Whether a move from `from` to `to` is a pivot (back at least one stage).
pub fn is_pivot(from: Stage, to: Stage) -> bool {
    to < from
}

/// The first change after `given_at`: the one that voided an approval given then (none: it
/// still counts). `changes` in any order.
pub fn voiding(changes: &[MaterialChange], given_at: DateTime<Utc>) -> Option<&MaterialChange> {
    changes
        .iter()
        .filter(|c| c.at > given_at)
        .min_by_key(|c| (c.at, c.id))
}

/// The day the project last went back to a stage before `stage` (a pivot that means it must
/// pass `stage`'s gate again).
pub fn last_pivot_before(changes: &[MaterialChange], stage: Stage) -> Option<NaiveDate> {
    changes
        .iter()
        .filter(|c| c.kind == MaterialKind::Pivot)
        .filter(|c| Stage::parse_word(&c.after).is_some_and(|to| to < stage))
        .map(MaterialChange::on)
        .max()
}

/// Goal drift: the first change of the success metric or target made in Build or Deploy that
/// no reviewer has acknowledged.
pub fn drift(changes: &[MaterialChange]) -> Option<&MaterialChange> {
    changes
        .iter()
        .filter(|c| c.is_goal_drift() && !c.acknowledged)
        .min_by_key(|c| (c.at, c.id))
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn at(day: u32, hour: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, day, hour, 0, 0)
            .single()
            .expect("a time")
    }

    fn change(
        id: i64,
        kind: MaterialKind,
        at: DateTime<Utc>,
        stage: Stage,
        before: &str,
        after: &str,
    ) -> MaterialChange {
        MaterialChange {
            id,
            kind,
            at,
            stage,
            before: before.into(),
            after: after.into(),
            acknowledged: false,
        }
    }

    fn input(target: &str, tier: &str) -> ProjectInput {
        ProjectInput {
            name: "Claims triage".into(),
            summary: "Routes claims".into(),
            success_metric: "Median days to triage".into(),
            success_target: target.into(),
            risk_tier: tier.into(),
            ..ProjectInput::default()
        }
    }

    #[test]
    fn a_replaced_goal_or_a_raised_tier_is_material_and_a_cosmetic_edit_is_not() {
        let before = input("0.9", "medium");
        let mut cosmetic = before.clone();
        cosmetic.name = "Claims triage v2".into();
        cosmetic.summary = "Routes incoming claims".into();
        cosmetic.success_target = " 0.9 ".into();
        assert_eq!(of_edit(&before, &cosmetic), vec![]);
        assert_eq!(
            of_edit(&input("", "medium"), &before),
            vec![],
            "a first target filled in"
        );
        assert_eq!(of_edit(&before, &input("0.9", "low")), vec![], "a tier lowered");
        assert_eq!(
            of_edit(&before, &input("0.8", "high")),
            vec![
                (MaterialKind::SuccessTarget, "0.9".into(), "0.8".into()),
                (MaterialKind::RiskTier, "medium".into(), "high".into()),
            ]
        );
        assert_eq!(
            of_edit(&before, &input("", "medium")),
            vec![(MaterialKind::SuccessTarget, "0.9".into(), String::new())]
        );
    }

    #[test]
    fn an_approval_is_voided_by_the_first_change_after_it_and_not_by_one_before() {
        let pivot = change(1, MaterialKind::Pivot, at(10, 9), Stage::Build, "build", "design");
        let target = change(
            2,
            MaterialKind::SuccessTarget,
            at(20, 9),
            Stage::Build,
            "0.9",
            "0.8",
        );
        let changes = [target.clone(), pivot.clone()];
        assert_eq!(
            voiding(&changes, at(5, 9)),
            Some(&pivot),
            "a sign-off before the pivot"
        );
        assert_eq!(
            voiding(&changes, at(10, 10)),
            Some(&target),
            "after the pivot, before the edit"
        );
        assert_eq!(
            voiding(&changes, at(20, 9)),
            None,
            "given at the same instant: not after"
        );
        assert_eq!(voiding(&changes, at(21, 9)), None);
        assert_eq!(target.describe(), "success target changed from 0.9 to 0.8");
        assert_eq!(pivot.describe(), "moved back from Build to Design");
    }

    #[test]
    fn research_is_asked_again_after_a_pivot_back_before_build_only() {
        let to_design = change(1, MaterialKind::Pivot, at(10, 9), Stage::Build, "build", "design");
        let to_build = change(
            2,
            MaterialKind::Pivot,
            at(12, 9),
            Stage::Deploy,
            "deploy",
            "build",
        );
        assert_eq!(
            last_pivot_before(std::slice::from_ref(&to_build), Stage::Build),
            None
        );
        assert_eq!(
            last_pivot_before(&[to_design, to_build], Stage::Build),
            Some(NaiveDate::from_ymd_opt(2026, 11, 10).expect("a day"))
        );
    }

    #[test]
    fn goal_drift_is_a_goal_changed_in_build_or_deploy_until_acknowledged() {
        let in_design = change(
            1,
            MaterialKind::SuccessTarget,
            at(3, 9),
            Stage::Design,
            "0.9",
            "0.8",
        );
        let baseline = change(2, MaterialKind::BaselineMetric, at(4, 9), Stage::Build, "9", "8");
        let mut in_build = change(
            3,
            MaterialKind::SuccessMetric,
            at(5, 9),
            Stage::Build,
            "AUC",
            "Recall",
        );
        assert_eq!(drift(&[in_design.clone(), baseline.clone()]), None);
        assert_eq!(drift(&[in_design.clone(), in_build.clone()]), Some(&in_build));
        in_build.acknowledged = true;
        assert_eq!(drift(&[in_design, baseline, in_build]), None);
    }
}
