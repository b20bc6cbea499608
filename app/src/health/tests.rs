//! Unit tests of `health`.

use super::*;
use crate::projects::gate::GateItem;

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).expect("a date")
}

fn healthy() -> HealthFacts {
    HealthFacts {
        status: Status::Active,
        created_on: d(2026, 1, 5),
        stage_entered_on: d(2026, 10, 1),
        stage_label: "Build",
        owner: Some(OwnerFact {
            name: "Ana Lopez".into(),
            deactivated_on: None,
        }),
        last_demo_on: Some(d(2026, 11, 1)),
        review_due_on: None,
        gate: GateGapFacts::default(),
        material: vec![],
        demos_in_stage: vec![],
        open_conditions: vec![],
    }
}

fn codes(facts: &HealthFacts, today: NaiveDate) -> Vec<FlagCode> {
    flags(facts, today, &Thresholds::default())
        .into_iter()
        .map(|f| f.code)
        .collect()
}

#[test]
fn a_healthy_project_is_green() {
    let flags = flags(&healthy(), d(2026, 11, 25), &Thresholds::default());
    assert!(flags.is_empty());
    assert_eq!(health(&flags), Health::Green);
}

#[test]
fn a_demo_31_days_old_is_on_time_and_32_is_overdue() {
    let facts = HealthFacts {
        last_demo_on: Some(d(2026, 8, 2)),
        stage_entered_on: d(2026, 8, 1),
        ..healthy()
    };
    assert!(
        !codes(&facts, d(2026, 9, 2)).contains(&FlagCode::DemoOverdue),
        "31 days"
    );
    let flags = flags(&facts, d(2026, 9, 3), &Thresholds::default());
    let demo = flags
        .iter()
        .find(|f| f.code == FlagCode::DemoOverdue)
        .expect("overdue at 32 days");
    assert_eq!(demo.reason, "no demo since 2 Aug 2026 — 32 days");
    assert_eq!(demo.since, d(2026, 9, 3));
    assert_eq!(demo.severity, Severity::Amber);
}

#[test]
fn without_any_demo_the_clock_starts_at_creation() {
    let facts = HealthFacts {
        last_demo_on: None,
        created_on: d(2026, 10, 1),
        stage_entered_on: d(2026, 10, 1),
        ..healthy()
    };
    let flags = flags(&facts, d(2026, 11, 25), &Thresholds::default());
    let demo = flags
        .iter()
        .find(|f| f.code == FlagCode::DemoOverdue)
        .expect("overdue");
    assert_eq!(
        demo.reason,
        "no demo since the project began on 1 Oct 2026 — 55 days"
    );
}

#[test]
fn a_project_stalls_after_62_days_without_a_stage_change_or_demo() {
    let facts = HealthFacts {
        last_demo_on: Some(d(2026, 8, 1)),
        stage_entered_on: d(2026, 7, 1),
        ..healthy()
    };
    assert!(
        !codes(&facts, d(2026, 10, 2)).contains(&FlagCode::Stalled),
        "62 days"
    );
    let flags = flags(&facts, d(2026, 10, 3), &Thresholds::default());
    let stalled = flags
        .iter()
        .find(|f| f.code == FlagCode::Stalled)
        .expect("stalled at 63 days");
    assert_eq!(
        stalled.reason,
        "no stage change or demo since 1 Aug 2026 — 63 days"
    );
    assert_eq!((stalled.since, stalled.severity), (d(2026, 10, 3), Severity::Red));
    // A stage change counts as progress too.
    let moved = HealthFacts {
        stage_entered_on: d(2026, 9, 1),
        ..facts
    };
    assert!(!codes(&moved, d(2026, 10, 3)).contains(&FlagCode::Stalled));
}

#[test]
fn paused_projects_are_neither_stalled_nor_demo_overdue() {
    let facts = HealthFacts {
        status: Status::Paused,
        last_demo_on: Some(d(2025, 1, 1)),
        stage_entered_on: d(2025, 1, 1),
        ..healthy()
    };
    assert!(codes(&facts, d(2026, 11, 25)).is_empty());
}

#[test]
fn an_owner_deactivated_yesterday_makes_the_project_ownerless_since_yesterday() {
    let facts = HealthFacts {
        owner: Some(OwnerFact {
            name: "Ana Lopez".into(),
            deactivated_on: Some(d(2026, 11, 24)),
        }),
        ..healthy()
    };
    let flags = flags(&facts, d(2026, 11, 25), &Thresholds::default());
    assert_eq!(flags[0].code, FlagCode::Ownerless);
    assert_eq!(flags[0].reason, "owner Ana Lopez was deactivated on 24 Nov 2026");
    assert_eq!(flags[0].since, d(2026, 11, 24));
    assert_eq!(health(&flags), Health::Red);
}

#[test]
fn a_stage_without_an_owner_is_ownerless_since_it_was_entered() {
    let facts = HealthFacts {
        owner: None,
        ..healthy()
    };
    let flags = flags(&facts, d(2026, 11, 25), &Thresholds::default());
    assert_eq!(
        (flags[0].code, flags[0].since),
        (FlagCode::Ownerless, d(2026, 10, 1))
    );
    assert_eq!(flags[0].reason, "nobody owns the Build stage");
}

#[test]
fn a_review_is_overdue_the_day_after_it_was_due() {
    let facts = HealthFacts {
        review_due_on: Some(d(2026, 11, 24)),
        ..healthy()
    };
    assert!(!codes(&facts, d(2026, 11, 24)).contains(&FlagCode::ReviewOverdue));
    let flags = flags(&facts, d(2026, 11, 25), &Thresholds::default());
    assert_eq!(
        flags[0].reason,
        "model-risk review was due on 24 Nov 2026 — 1 day ago"
    );
    assert_eq!(health(&flags), Health::Amber);
}

#[test]
fn review_cadence_follows_the_risk_tier() {
    let limits = Thresholds::default();
    assert_eq!(
        limits.next_review_due(RiskTier::High, d(2026, 8, 31)),
        d(2027, 2, 28)
    );
    assert_eq!(
        limits.next_review_due(RiskTier::Medium, d(2026, 1, 15)),
        d(2027, 1, 15)
    );
    assert_eq!(
        limits.next_review_due(RiskTier::Low, d(2026, 1, 15)),
        d(2028, 1, 15)
    );
}

#[test]
fn red_flags_come_first_and_decide_health() {
    let facts = HealthFacts {
        owner: None,
        gate: GateGapFacts {
            unmet: vec![GateItem::FallbackPlan],
            overridden: true,
            imported: false,
            withdrawn: vec![],
            voided: vec![],
        },
        ..healthy()
    };
    let flags = flags(&facts, d(2026, 11, 25), &Thresholds::default());
    assert_eq!(
        flags.iter().map(|f| f.code).collect::<Vec<_>>(),
        vec![FlagCode::Ownerless, FlagCode::GateGap]
    );
    assert_eq!(health(&flags), Health::Red);
}

#[test]
fn thresholds_change_the_rules_at_once() {
    let strict = Thresholds {
        demo_cadence_days: 7,
        ..Thresholds::default()
    };
    let flags = flags(&healthy(), d(2026, 11, 9), &strict);
    assert_eq!(
        flags.iter().map(|f| f.code).collect::<Vec<_>>(),
        vec![FlagCode::DemoOverdue]
    );
}

/// A project in `status` with every reason for a flag: no owner, no demo or move for years,
/// a review long overdue, its gate not met.
fn neglected(status: Status) -> HealthFacts {
    HealthFacts {
        status,
        owner: None,
        last_demo_on: Some(d(2024, 1, 1)),
        stage_entered_on: d(2024, 1, 1),
        review_due_on: Some(d(2024, 6, 1)),
        gate: GateGapFacts {
            unmet: vec![GateItem::DemoHeld],
            ..GateGapFacts::default()
        },
        ..healthy()
    }
}

#[test]
fn cancelled_and_retired_projects_carry_no_flag_whatever_their_facts() {
    for status in [Status::Cancelled, Status::Retired] {
        let signals = signals(&neglected(status), &Thresholds::default());
        assert!(
            FlagCode::ALL.iter().all(|c| signals.onset(*c).is_none()),
            "{status:?}"
        );
        assert_eq!(signals.health(d(2026, 11, 25)), Health::Green);
    }
}

#[test]
fn a_paused_project_keeps_ownerless_review_and_gate_gap_but_its_clocks_stop() {
    assert_eq!(
        codes(&neglected(Status::Paused), d(2026, 11, 25)),
        vec![FlagCode::Ownerless, FlagCode::ReviewOverdue, FlagCode::GateGap]
    );
}

#[test]
fn the_clocks_are_onset_dates_known_in_advance() {
    let facts = HealthFacts {
        last_demo_on: Some(d(2026, 8, 2)),
        stage_entered_on: d(2026, 8, 1),
        review_due_on: Some(d(2026, 12, 31)),
        ..healthy()
    };
    let s = signals(&facts, &Thresholds::default());
    assert_eq!(s.demo_overdue_on, Some(d(2026, 9, 3)), "day 32 after the demo");
    assert_eq!(s.demo_due_on(), Some(d(2026, 9, 2)), "day 31 is still on time");
    assert_eq!(
        s.stalled_on,
        Some(d(2026, 10, 4)),
        "day 63 after the last progress"
    );
    assert_eq!(s.review_overdue_on, Some(d(2027, 1, 1)));
    assert_eq!(s.health(d(2026, 9, 2)), Health::Green);
    assert_eq!(s.health(d(2026, 9, 3)), Health::Amber);
    assert_eq!(s.health(d(2026, 10, 4)), Health::Red);
    // Reading a day is the same as running the rules on that day.
    for day in [
        d(2026, 9, 2),
        d(2026, 9, 3),
        d(2026, 10, 3),
        d(2026, 10, 4),
        d(2027, 1, 1),
    ] {
        assert_eq!(s.flags(day), flags(&facts, day, &Thresholds::default()));
    }
}

#[test]
fn a_gate_gap_caused_by_a_withdrawal_is_true_since_the_withdrawal() {
    let facts = HealthFacts {
        stage_label: "Design",
        stage_entered_on: d(2026, 10, 1),
        gate: GateGapFacts {
            unmet: vec![GateItem::UserResearch],
            overridden: false,
            imported: false,
            withdrawn: vec![(GateItem::UserResearch, d(2026, 11, 16))],
            voided: vec![],
        },
        ..healthy()
    };
    let flags = flags(&facts, d(2026, 11, 25), &Thresholds::default());
    let gap = flags.iter().find(|f| f.code == FlagCode::GateGap).expect("a gap");
    assert_eq!(gap.since, d(2026, 11, 16));
    assert_eq!(
        gap.reason,
        "the last user-research evidence was withdrawn on 16 Nov 2026"
    );
    // A withdrawal from before the stage was entered does not explain the gap.
    let earlier = HealthFacts {
        gate: GateGapFacts {
            withdrawn: vec![(GateItem::UserResearch, d(2026, 9, 1))],
            ..facts.gate.clone()
        },
        ..facts
    };
    let s = signals(&earlier, &Thresholds::default());
    assert_eq!(s.gate_gap_on, Some(d(2026, 10, 1)));
    assert_eq!(
        s.gate_gap_reason.as_deref(),
        Some("Design entered without at least one piece of user-research evidence")
    );
}

#[test]
fn an_owner_deactivated_then_reactivated_leaves_no_flag() {
    let gone = HealthFacts {
        owner: Some(OwnerFact {
            name: "Ana Lopez".into(),
            deactivated_on: Some(d(2026, 11, 20)),
        }),
        ..healthy()
    };
    assert_eq!(
        signals(&gone, &Thresholds::default()).ownerless_on,
        Some(d(2026, 11, 20))
    );
    let back = HealthFacts {
        owner: Some(OwnerFact {
            name: "Ana Lopez".into(),
            deactivated_on: None,
        }),
        ..gone
    };
    assert_eq!(signals(&back, &Thresholds::default()).ownerless_on, None);
}

#[test]
fn a_pivot_restarts_the_stall_clock_and_a_threshold_change_moves_it() {
    let before = HealthFacts {
        last_demo_on: None,
        created_on: d(2026, 1, 5),
        stage_entered_on: d(2026, 3, 1),
        ..healthy()
    };
    let limits = Thresholds::default();
    assert_eq!(signals(&before, &limits).stalled_on, Some(d(2026, 5, 3)));
    let pivoted = HealthFacts {
        stage_entered_on: d(2026, 11, 1),
        stage_label: "Design",
        ..before.clone()
    };
    assert_eq!(signals(&pivoted, &limits).stalled_on, Some(d(2027, 1, 3)));
    let stricter = Thresholds {
        stall_days: 10,
        ..limits
    };
    assert_eq!(signals(&pivoted, &stricter).stalled_on, Some(d(2026, 11, 12)));
}

#[test]
fn a_stage_reached_by_an_import_says_so_in_its_gate_gap() {
    let facts = HealthFacts {
        gate: GateGapFacts {
            unmet: vec![GateItem::FallbackPlan],
            overridden: true,
            imported: true,
            withdrawn: vec![],
            voided: vec![],
        },
        ..healthy()
    };
    let gap = flags(&facts, d(2026, 11, 25), &Thresholds::default())
        .into_iter()
        .find(|f| f.code == FlagCode::GateGap)
        .expect("a gate gap");
    assert!(gap.reason.contains(" imported without "), "{}", gap.reason);
}

#[test]
fn an_approval_voided_by_a_material_change_is_a_gate_gap_since_that_day_saying_why() {
    let facts = HealthFacts {
        stage_label: "Deploy",
        stage_entered_on: d(2026, 10, 1),
        gate: GateGapFacts {
            unmet: vec![GateItem::ExplainabilitySignoff],
            voided: vec![(
                GateItem::ExplainabilitySignoff,
                d(2026, 11, 20),
                "success target changed from 0.9 to 0.8".into(),
            )],
            ..GateGapFacts::default()
        },
        ..healthy()
    };
    let gap = flags(&facts, d(2026, 11, 25), &Thresholds::default())
        .into_iter()
        .find(|f| f.code == FlagCode::GateGap)
        .expect("a gate gap");
    assert_eq!(gap.since, d(2026, 11, 20));
    assert_eq!(
        gap.reason,
        "the explainability sign-off was voided on 20 Nov 2026: success target changed from 0.9 to 0.8"
    );
    // Voided before the stage was entered (then pushed through by an override): the stage was
    // entered without it.
    let before = HealthFacts {
        gate: GateGapFacts {
            voided: vec![(
                GateItem::ExplainabilitySignoff,
                d(2026, 9, 1),
                "moved back".into(),
            )],
            overridden: true,
            ..facts.gate.clone()
        },
        ..facts
    };
    let s = signals(&before, &Thresholds::default());
    assert_eq!(s.gate_gap_on, Some(d(2026, 10, 1)));
    assert!(
        s.gate_gap_reason
            .as_deref()
            .is_some_and(|r| r.starts_with("Deploy entered by an admin override without")),
        "{:?}",
        s.gate_gap_reason
    );
}

#[test]
fn three_demos_in_a_row_saying_continue_are_a_loop_and_two_are_not() {
    use crate::records::Outcome::{Continue, Pivot};
    let with = |demos: Vec<(NaiveDate, crate::records::Outcome)>| HealthFacts {
        demos_in_stage: demos,
        ..healthy()
    };
    let two = with(vec![(d(2026, 6, 2), Continue), (d(2026, 7, 2), Continue)]);
    assert_eq!(signals(&two, &Thresholds::default()).continue_loop_on, None);
    let three = with(vec![
        (d(2026, 5, 2), Pivot),
        (d(2026, 6, 2), Continue),
        (d(2026, 7, 2), Continue),
        (d(2026, 8, 2), Continue),
    ]);
    let s = signals(&three, &Thresholds::default());
    assert_eq!(s.continue_loop_on, Some(d(2026, 8, 2)), "true from the third");
    assert_eq!(
        s.continue_loop_reason.as_deref(),
        Some("3 demos said continue since 2 Jun 2026 with no stage change")
    );
    // A pivot at the end breaks the loop; a higher threshold needs more.
    let broken = with(vec![
        (d(2026, 6, 2), Continue),
        (d(2026, 7, 2), Continue),
        (d(2026, 8, 2), Continue),
        (d(2026, 9, 2), Pivot),
    ]);
    assert_eq!(signals(&broken, &Thresholds::default()).continue_loop_on, None);
    let four = Thresholds {
        continue_loop_demos: 4,
        ..Thresholds::default()
    };
    assert_eq!(signals(&three, &four).continue_loop_on, None);
}

#[test]
fn a_goal_changed_in_build_is_goal_drift_until_acknowledged_and_one_changed_in_design_is_not() {
    use crate::projects::material::{MaterialChange, MaterialKind};
    use crate::projects::stage::Stage;
    let change = |stage: Stage, acknowledged: bool| MaterialChange {
        id: 1,
        kind: MaterialKind::SuccessTarget,
        at: d(2026, 11, 20).and_hms_opt(9, 0, 0).expect("a time").and_utc(),
        stage,
        before: "0.9".into(),
        after: "0.8".into(),
        acknowledged,
    };
    let with = |c: MaterialChange| HealthFacts {
        material: vec![c],
        ..healthy()
    };
    let s = signals(&with(change(Stage::Build, false)), &Thresholds::default());
    assert_eq!(s.goal_drift_on, Some(d(2026, 11, 20)));
    assert_eq!(
        s.goal_drift_reason.as_deref(),
        Some("success target changed from 0.9 to 0.8 on 20 Nov 2026, after entering Build")
    );
    assert_eq!(
        signals(&with(change(Stage::Build, true)), &Thresholds::default()).goal_drift_on,
        None
    );
    assert_eq!(
        signals(&with(change(Stage::Design, false)), &Thresholds::default()).goal_drift_on,
        None
    );
}

#[test]
fn a_condition_due_today_is_not_overdue_and_one_due_yesterday_is() {
    let condition = |due_on: NaiveDate| crate::health::ConditionFact {
        text: "Monitor drift monthly".into(),
        owner: "Ana Lopez".into(),
        due_on,
    };
    let facts = HealthFacts {
        open_conditions: vec![condition(d(2026, 11, 25)), condition(d(2026, 12, 20))],
        ..healthy()
    };
    let on = |today: NaiveDate| codes(&facts, today).contains(&FlagCode::ConditionsOverdue);
    assert!(!on(d(2026, 11, 25)), "due today");
    assert!(on(d(2026, 11, 26)), "due yesterday");
    let s = signals(&facts, &Thresholds::default());
    assert_eq!(
        s.conditions_overdue_reason.as_deref(),
        Some("condition \u{201c}Monitor drift monthly\u{201d} (owner Ana Lopez) was due on 25 Nov 2026 (1 more condition open)")
    );
    // A cancelled project carries none.
    let cancelled = HealthFacts {
        status: Status::Cancelled,
        ..facts
    };
    assert_eq!(
        signals(&cancelled, &Thresholds::default()).conditions_overdue_on,
        None
    );
}
