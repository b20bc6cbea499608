//! Unit tests of `rules`.

use super::*;

fn day(text: &str) -> NaiveDate {
    NaiveDate::parse_from_str(text, "%Y-%m-%d").expect("a date")
}

#[test]
fn a_move_forward_is_moving_on_and_any_move_back_a_pivot() {
    assert_eq!(
        Outcome::of(Stage::Define, Some(Stage::Design), None),
        Outcome::MovedOn
    );
    assert_eq!(
        Outcome::of(Stage::Build, Some(Stage::Deploy), None),
        Outcome::MovedOn
    );
    assert_eq!(
        Outcome::of(Stage::Build, Some(Stage::Design), None),
        Outcome::MovedBack
    );
    assert_eq!(
        Outcome::of(Stage::Deploy, Some(Stage::Define), None),
        Outcome::MovedBack
    );
}

#[test]
fn a_last_stay_ends_only_when_the_project_is_cancelled_or_retired() {
    let last = |status| Outcome::of(Stage::Build, None, Some(status));
    assert_eq!(last(Status::Cancelled), Outcome::Cancelled);
    assert_eq!(last(Status::Retired), Outcome::Retired);
    assert_eq!(last(Status::Active), Outcome::Open);
    assert_eq!(last(Status::Paused), Outcome::Open);
    assert!(!Outcome::Open.completed());
    assert!(Outcome::Cancelled.completed());
    assert_eq!(
        stay_days(Outcome::Open, 3, 40),
        40,
        "an open stay counts its days so far"
    );
    assert_eq!(stay_days(Outcome::Retired, 3, 40), 3);
}

#[test]
fn each_outcome_names_the_facts_that_mean_it() {
    // Any move forward moves on (skipping a stage is refused when moving, not here).
    assert_eq!(Outcome::MovedOn.facts(Stage::Design), vec!["build", "deploy"]);
    assert_eq!(Outcome::MovedBack.facts(Stage::Build), vec!["define", "design"]);
    assert!(Outcome::MovedOn.facts(Stage::Deploy).is_empty());
    assert_eq!(Outcome::Open.facts(Stage::Define), vec!["active", "paused"]);
    assert_eq!(
        StaySet::Completed.facts(Stage::Design),
        Some(vec!["build", "deploy", "define", "cancelled", "retired"])
    );
    assert_eq!(StaySet::Entered.facts(Stage::Design), None);
    for set in [
        "entered",
        "completed",
        "moved_on",
        "moved_back",
        "cancelled",
        "retired",
        "open",
    ] {
        assert_eq!(StaySet::parse(set).map(StaySet::as_str), Some(set));
    }
    assert_eq!(StaySet::parse("pivoted"), None);
}

#[test]
fn percentiles_are_discrete_like_postgres() {
    // 1, 2, 3, 4: the median is the 2nd (⌈0.5 × 4⌉), the 90th percentile the 4th.
    let four = [(3, 1), (1, 1), (4, 1), (2, 1)];
    assert_eq!(percentile_disc(&four, MEDIAN), Some(2));
    assert_eq!(percentile_disc(&four, P90), Some(4));
    // 10, 10, 10, 20, 30 (counted): the 3rd and the 5th.
    let five = [(10, 3), (20, 1), (30, 1)];
    assert_eq!(percentile_disc(&five, MEDIAN), Some(10));
    assert_eq!(percentile_disc(&five, P90), Some(30));
    // Ten stays 1..=10: the 5th and the 9th.
    let ten: Vec<(i64, i64)> = (1..=10).map(|d| (d, 1)).collect();
    assert_eq!(percentile_disc(&ten, MEDIAN), Some(5));
    assert_eq!(percentile_disc(&ten, P90), Some(9));
    assert_eq!(percentile_disc(&[(7, 1)], P90), Some(7));
    assert_eq!(percentile_disc(&[], MEDIAN), None);
    assert_eq!(percentile_disc(&[(5, 0)], MEDIAN), None);
}

#[test]
fn shares_are_fractions_and_read_as_whole_percents() {
    assert_eq!(share(1, 4), Some(0.25));
    assert_eq!(share(0, 0), None);
    assert_eq!(percent(share(53, 100)), "53%");
    assert_eq!(percent(share(2, 3)), "67%");
    assert_eq!(percent(share(1, 8)), "13%");
    assert_eq!(percent(None), "\u{2014}");
}

#[test]
fn a_range_is_cut_into_its_quarters() {
    let spans = quarters(day("2025-12-02"), day("2026-12-01"));
    let labels: Vec<String> = spans.iter().map(|(q, _, _)| q.label()).collect();
    assert_eq!(labels, ["2025 Q4", "2026 Q1", "2026 Q2", "2026 Q3", "2026 Q4"]);
    assert_eq!(spans[0].1, day("2025-12-02"));
    assert_eq!(spans[0].2, day("2025-12-31"));
    assert_eq!((spans[2].1, spans[2].2), (day("2026-04-01"), day("2026-06-30")));
    assert_eq!((spans[4].1, spans[4].2), (day("2026-10-01"), day("2026-12-01")));
    assert_eq!(quarters(day("2026-02-10"), day("2026-02-10")).len(), 1);
    assert!(quarters(day("2026-02-11"), day("2026-02-10")).is_empty());
    assert_eq!(
        Quarter::parse("2026-Q3"),
        Some(Quarter {
            year: 2026,
            number: 3
        })
    );
    assert_eq!(Quarter::parse("2026-Q5"), None);
    assert_eq!(Quarter::parse("2026Q1"), None);
    assert_eq!(Quarter::of(day("2026-09-30")).param(), "2026-Q3");
    assert_eq!(Quarter::of(day("2024-02-29")).last_day(), day("2024-03-31"));
}

#[test]
fn counted_stays_become_each_stages_outcomes_and_days() {
    let row = |stage, next, status, days, age, stays| Counted {
        stage,
        next,
        status,
        days,
        age,
        stays,
    };
    let flows = stage_flows(&[
        // Build: 2 moved on after 10 days, 1 back after 30, 1 cancelled after 4; 3 open.
        row(Stage::Build, Some(Stage::Deploy), None, Some(10), None, 2),
        row(Stage::Build, Some(Stage::Design), None, Some(30), None, 1),
        row(Stage::Build, None, Some(Status::Cancelled), Some(4), None, 1),
        row(Stage::Build, None, Some(Status::Active), Some(0), None, 2),
        row(Stage::Build, None, Some(Status::Paused), Some(0), None, 1),
        // The last stays again by age: only the open ones' ages count.
        row(Stage::Build, None, Some(Status::Cancelled), None, Some(99), 1),
        row(Stage::Build, None, Some(Status::Active), None, Some(5), 2),
        row(Stage::Build, None, Some(Status::Paused), None, Some(50), 1),
        row(Stage::Build, None, None, None, None, 3),
    ]);
    let build = &flows[2];
    assert_eq!(flows.len(), 4);
    assert_eq!(
        (
            build.entered,
            build.moved_on,
            build.moved_back,
            build.cancelled,
            build.retired,
            build.open
        ),
        (7, 2, 1, 1, 0, 3)
    );
    // Completed 4, 10, 10, 30: median the 2nd, p90 the 4th. Open 5, 5, 50.
    assert_eq!(
        build.completed,
        DaySpread {
            stays: 4,
            median_days: Some(10),
            p90_days: Some(30)
        }
    );
    assert_eq!(
        build.open_so_far,
        DaySpread {
            stays: 3,
            median_days: Some(5),
            p90_days: Some(50)
        }
    );
    assert_eq!(
        flows[0].completed,
        DaySpread::default(),
        "an empty stage has no days"
    );
    let conversions = conversions(&flows);
    assert_eq!(conversions.len(), 3);
    assert_eq!(
        (conversions[2].from, conversions[2].to),
        (Stage::Build, Stage::Deploy)
    );
    assert_eq!(conversions[2].share, Some(2.0 / 7.0));
    assert_eq!(conversions[0].share, None, "nothing entered");
}

#[test]
fn production_reads_each_quarter_of_the_range_and_the_whole() {
    let counts = [
        CohortCount {
            quarter: None,
            entered_build: 5,
            reached_deploy: 2,
        },
        CohortCount {
            quarter: Some(1),
            entered_build: 4,
            reached_deploy: 2,
        },
    ];
    let p = production(day("2025-12-02"), day("2026-04-15"), &counts);
    let quarters: Vec<(Option<&str>, i64, Option<f64>)> = p
        .quarters
        .iter()
        .map(|c| (c.quarter.as_deref(), c.entered_build, c.share))
        .collect();
    assert_eq!(
        quarters,
        vec![
            (Some("2025-Q4"), 0, None),
            (Some("2026-Q1"), 4, Some(0.5)),
            (Some("2026-Q2"), 0, None)
        ]
    );
    assert_eq!(
        (p.quarters[2].from, p.quarters[2].to),
        (day("2026-04-01"), day("2026-04-15"))
    );
    assert_eq!((p.overall.entered_build, p.overall.share), (5, Some(0.4)));
    assert_eq!(percent(Some(p.reference.share)), "53%");
}

#[test]
fn the_default_range_is_the_last_twelve_months_and_odd_ranges_are_refused() {
    assert_eq!(
        default_range(day("2026-12-01")),
        (day("2025-12-02"), day("2026-12-01"))
    );
    assert_eq!(
        default_range(day("2024-02-29")),
        (day("2023-03-01"), day("2024-02-29"))
    );
    assert!(range_problem(day("2026-01-02"), day("2026-01-01")).is_some());
    assert!(range_problem(day("2026-01-01"), day("2026-01-01")).is_none());
    assert!(range_problem(day("2010-01-01"), day("2026-01-01")).is_some());
}
