//! A project's signals: for each flag the day it turns true (its onset), and what its reason
//! needs. Computed once, when something about the project changes, and stored with the change;
//! a project's flags on any day are then its onsets compared with that day.
//!
//! Every flag is either a state that became true on a day (`ownerless`, `gate_gap`) or a clock
//! that turns true on a day known in advance (`stalled`, `demo_overdue`, `review_overdue`), so
//! nothing needs recomputing because a day passed.

use super::{Flag, FlagCode, Health, HealthFacts, OwnerFact, Severity, Thresholds};
use crate::projects::gate::GateItem;
use crate::projects::stage::Status;
use chrono::{Days, NaiveDate};
use serde::{Deserialize, Serialize};

/// What the rules concluded about one project, independent of today.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Signals {
    pub ownerless_on: Option<NaiveDate>,
    pub ownerless_reason: Option<String>,
    pub stalled_on: Option<NaiveDate>,
    /// The day of the latest progress (stage change, demo or creation): the stall clock's start.
    pub progress_on: NaiveDate,
    pub demo_overdue_on: Option<NaiveDate>,
    /// The latest demo held, if any (the demo clock starts at creation without one).
    pub last_demo_on: Option<NaiveDate>,
    pub created_on: NaiveDate,
    pub review_overdue_on: Option<NaiveDate>,
    /// When the latest model-risk review asked for the next one.
    pub review_due_on: Option<NaiveDate>,
    pub gate_gap_on: Option<NaiveDate>,
    pub gate_gap_reason: Option<String>,
    pub conditions_overdue_on: Option<NaiveDate>,
    pub conditions_overdue_reason: Option<String>,
    pub goal_drift_on: Option<NaiveDate>,
    pub goal_drift_reason: Option<String>,
    pub continue_loop_on: Option<NaiveDate>,
    pub continue_loop_reason: Option<String>,
}

/// What the gate of the current stage still lacks, and since when each record-backed item
/// has been missing.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct GateGapFacts {
    /// The items of the current stage's gate that are not met.
    pub unmet: Vec<GateItem>,
    /// The stage was entered by an admin override.
    pub overridden: bool,
    /// The stage was reached by an import, not through its gate.
    pub imported: bool,
    /// For record-backed items: the day the last record of that kind was withdrawn, when that
    /// happened after the stage was entered.
    pub withdrawn: Vec<(GateItem, NaiveDate)>,
    /// Approvals voided by a material change: the item, the day, the change in words.
    pub voided: Vec<(GateItem, NaiveDate, String)>,
}

fn day(date: NaiveDate) -> String {
    date.format("%-d %b %Y").to_string()
}

fn days(n: i64) -> String {
    if n == 1 {
        "1 day".into()
    } else {
        format!("{n} days")
    }
}

fn after(date: NaiveDate, n: i64) -> NaiveDate {
    date.checked_add_days(Days::new(n.max(0) as u64 + 1))
        .unwrap_or(NaiveDate::MAX)
}

/// The record a record-backed gate item needs, in words ("user-research evidence").
fn record_noun(item: GateItem) -> String {
    let record = item.record().unwrap_or("record");
    match item {
        GateItem::ExplainabilitySignoff | GateItem::ModelRiskReview => format!("approved {record}"),
        _ => record.to_owned(),
    }
}

/// The gate gap of a project in `stage_label` entered on `entered_on`: true since the stage was
/// entered without an item, or since the day the last record an item needed was withdrawn.
fn gate_gap(gate: &GateGapFacts, stage_label: &str, entered_on: NaiveDate) -> Option<(NaiveDate, String)> {
    if gate.unmet.is_empty() {
        return None;
    }
    let withdrawn_on = |item: GateItem| {
        gate.withdrawn
            .iter()
            .filter(|(i, on)| *i == item && *on >= entered_on)
            .map(|(_, on)| *on)
            .max()
    };
    let voided = |item: GateItem| {
        gate.voided
            .iter()
            .find(|(i, on, _)| *i == item && *on >= entered_on)
    };
    let mut without = Vec::new();
    let mut withdrawals = Vec::new();
    let mut since = NaiveDate::MAX;
    for &item in &gate.unmet {
        if let Some((_, on, why)) = voided(item) {
            since = since.min(*on);
            withdrawals.push(format!(
                "the {} was voided on {}: {why}",
                item.record().unwrap_or("approval"),
                day(*on)
            ));
            continue;
        }
        match withdrawn_on(item) {
            Some(on) => {
                since = since.min(on);
                withdrawals.push(format!(
                    "the last {} was withdrawn on {}",
                    record_noun(item),
                    day(on)
                ));
            }
            None => {
                since = since.min(entered_on);
                without.push(item.describe().to_lowercase());
            }
        }
    }
    let mut parts = Vec::new();
    if !without.is_empty() {
        let how = if gate.imported {
            "imported"
        } else if gate.overridden {
            "entered by an admin override"
        } else {
            "entered"
        };
        parts.push(format!("{stage_label} {how} without {}", without.join("; ")));
    }
    parts.extend(withdrawals);
    Some((since, parts.join("; ")))
}

/// The signals of a project with `facts` under `limits`.
///
/// A cancelled or retired project needs no attention: no signal. A paused one keeps
/// `ownerless`, `review_overdue` and `gate_gap`, but its clocks (`stalled`, `demo_overdue`) stop.
pub fn signals(facts: &HealthFacts, limits: &Thresholds) -> Signals {
    let progress_on = [
        Some(facts.stage_entered_on),
        facts.last_demo_on,
        Some(facts.created_on),
    ]
    .into_iter()
    .flatten()
    .max()
    .unwrap_or(facts.created_on);
    let mut signals = Signals {
        progress_on,
        last_demo_on: facts.last_demo_on,
        created_on: facts.created_on,
        review_due_on: facts.review_due_on,
        ..Signals::default()
    };
    if matches!(facts.status, Status::Cancelled | Status::Retired) {
        return signals;
    }

    match &facts.owner {
        None => {
            signals.ownerless_on = Some(facts.stage_entered_on);
            signals.ownerless_reason = Some(format!("nobody owns the {} stage", facts.stage_label));
        }
        Some(OwnerFact {
            name,
            deactivated_on: Some(on),
        }) => {
            signals.ownerless_on = Some(*on);
            signals.ownerless_reason = Some(format!("owner {name} was deactivated on {}", day(*on)));
        }
        Some(_) => {}
    }

    if facts.status == Status::Active {
        signals.stalled_on = Some(after(progress_on, limits.stall_days));
        let demo_base = facts.last_demo_on.unwrap_or(facts.created_on);
        signals.demo_overdue_on = Some(after(demo_base, limits.demo_cadence_days));
    }

    signals.review_overdue_on = facts.review_due_on.map(|due| after(due, 0));

    if let Some((on, reason)) = gate_gap(&facts.gate, facts.stage_label, facts.stage_entered_on) {
        signals.gate_gap_on = Some(on);
        signals.gate_gap_reason = Some(reason);
    }

    if let Some(first) = facts.open_conditions.iter().min_by_key(|c| c.due_on) {
        signals.conditions_overdue_on = Some(after(first.due_on, 0));
        let others = facts.open_conditions.len() - 1;
        let more = match others {
            0 => String::new(),
            1 => " (1 more condition open)".to_owned(),
            n => format!(" ({n} more conditions open)"),
        };
        signals.conditions_overdue_reason = Some(format!(
            "condition \u{201c}{}\u{201d} (owner {}) was due on {}{more}",
            first.text,
            first.owner,
            day(first.due_on)
        ));
    }

    if let Some(change) = crate::projects::material::drift(&facts.material) {
        signals.goal_drift_on = Some(change.on());
        signals.goal_drift_reason = Some(format!(
            "{} on {}, after entering Build",
            change.describe(),
            day(change.on())
        ));
    }

    if let Some((on, run, since)) = continue_loop(&facts.demos_in_stage, limits.continue_loop_demos) {
        signals.continue_loop_on = Some(on);
        signals.continue_loop_reason = Some(format!(
            "{run} demos said continue since {} with no stage change",
            day(since)
        ));
    }
    signals
}

/// A loop of demos saying "continue": the trailing run of `continue` outcomes (after the last
/// pivot or stop) among `demos`, when it has at least `limit` of them — the day the `limit`-th
/// was held (the loop's onset), the run's length, and the day its first was held.
pub fn continue_loop(
    demos: &[(NaiveDate, crate::records::Outcome)],
    limit: u32,
) -> Option<(NaiveDate, usize, NaiveDate)> {
    let limit = usize::try_from(limit.max(1)).unwrap_or(usize::MAX);
    let start = demos
        .iter()
        .rposition(|(_, outcome)| *outcome != crate::records::Outcome::Continue)
        .map_or(0, |at| at + 1);
    let run = &demos[start..];
    (run.len() >= limit).then(|| (run[limit - 1].0, run.len(), run[0].0))
}

impl Signals {
    /// The day `code` turns (or turned) true, if it ever does with these facts.
    pub fn onset(&self, code: FlagCode) -> Option<NaiveDate> {
        match code {
            FlagCode::Ownerless => self.ownerless_on,
            FlagCode::Stalled => self.stalled_on,
            FlagCode::DemoOverdue => self.demo_overdue_on,
            FlagCode::ReviewOverdue => self.review_overdue_on,
            FlagCode::GateGap => self.gate_gap_on,
            FlagCode::ConditionsOverdue => self.conditions_overdue_on,
            FlagCode::GoalDrift => self.goal_drift_on,
            FlagCode::ContinueLoop => self.continue_loop_on,
        }
    }

    /// The last day the next demo is on time (an active project's demo clock), if it runs.
    pub fn demo_due_on(&self) -> Option<NaiveDate> {
        self.demo_overdue_on.and_then(|on| on.pred_opt())
    }

    /// The first day the project shows a flag of `severity` (or worse).
    pub fn onset_of(&self, severity: Severity) -> Option<NaiveDate> {
        FlagCode::ALL
            .into_iter()
            .filter(|code| code.severity() >= severity)
            .filter_map(|code| self.onset(code))
            .min()
    }

    /// The project's health on `today` (red if any flag then is red, amber if any is amber).
    pub fn health(&self, today: NaiveDate) -> Health {
        super::health(&self.flags(today))
    }

    /// Every flag true on `today`, most severe first, each with its reason in words.
    pub fn flags(&self, today: NaiveDate) -> Vec<Flag> {
        let mut flags: Vec<Flag> = FlagCode::ALL
            .into_iter()
            .filter_map(|code| {
                let since = self.onset(code).filter(|on| *on <= today)?;
                Some(Flag {
                    code,
                    severity: code.severity(),
                    reason: self.reason(code, today),
                    since,
                })
            })
            .collect();
        flags.sort_by(|a, b| b.severity.cmp(&a.severity).then(a.code.cmp(&b.code)));
        flags
    }

    fn reason(&self, code: FlagCode, today: NaiveDate) -> String {
        let stored = |reason: &Option<String>| reason.clone().unwrap_or_else(|| code.label().to_owned());
        match code {
            FlagCode::Ownerless => stored(&self.ownerless_reason),
            FlagCode::GateGap => stored(&self.gate_gap_reason),
            FlagCode::ConditionsOverdue => stored(&self.conditions_overdue_reason),
            FlagCode::GoalDrift => stored(&self.goal_drift_reason),
            FlagCode::ContinueLoop => stored(&self.continue_loop_reason),
            FlagCode::Stalled => format!(
                "no stage change or demo since {} — {}",
                day(self.progress_on),
                days((today - self.progress_on).num_days())
            ),
            FlagCode::DemoOverdue => match self.last_demo_on {
                Some(on) => format!("no demo since {} — {}", day(on), days((today - on).num_days())),
                None => format!(
                    "no demo since the project began on {} — {}",
                    day(self.created_on),
                    days((today - self.created_on).num_days())
                ),
            },
            FlagCode::ReviewOverdue => match self.review_due_on {
                Some(due) => format!(
                    "model-risk review was due on {} — {} ago",
                    day(due),
                    days((today - due).num_days())
                ),
                None => code.label().to_owned(),
            },
        }
    }
}
