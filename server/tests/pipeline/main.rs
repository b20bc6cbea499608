//! Pipeline analytics against a real PostgreSQL: on a hand-built history whose answers are
//! worked out below, each stage's stays and how they ended, the median and 90th-percentile days
//! (the same as PostgreSQL's own `percentile_disc`), the conversions, prototype → production by
//! quarter, every filter, the lists behind the numbers, `GET /api/v1/pipeline` (the same numbers,
//! matching the OpenAPI document, strict about its parameters), and the stays kept by the
//! application's own writes.
#![expect(clippy::expect_used, reason = "a test fails loudly on what it did not expect")]

mod api;
#[path = "../common/mod.rs"]
mod common;
mod writes;

use app::auth::Role;
use app::clock::Clock;
use app::pipeline::rules::{Outcome, Quarter, StaySet};
use app::pipeline::server::{list, pipeline};
use app::pipeline::{ListKind, ListQuery, Pipeline, PipelineQuery, StageStays};
use app::projects::input::ProjectInput;
use app::projects::server::{read, write};
use app::projects::stage::{RiskTier, Stage};
use app::projects::OwnerFilter;
use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use chrono::NaiveDate;
use common::{account, body_text, user};
use serde_json::Value;
use sqlx::PgPool;
use tower::ServiceExt;
use uuid::Uuid;

fn day(text: &str) -> NaiveDate {
    NaiveDate::parse_from_str(text, "%Y-%m-%d").expect("a day")
}

/// The day the hand-built history is read on: open stays are measured to it.
const TODAY: &str = "2026-07-15";

/// The first half of 2026, which the hand-built history is read over.
fn half_year() -> PipelineQuery {
    PipelineQuery {
        from: Some(day("2026-01-01")),
        to: Some(day("2026-06-30")),
        ..PipelineQuery::default()
    }
}

fn id(n: u8) -> Uuid {
    Uuid::from_u128(u128::from(n))
}

/// The hand-built history (every instant UTC; days are whole UTC days). Stays begun from
/// 1 January to 30 June 2026, with how they ended and their days (or age on 15 July):
///
/// | project | team, tier | define | design | build | deploy |
/// |---|---|---|---|---|---|
/// | P1 | Claims, high | 01-05 on 10 | 01-15 on 40 | 02-24 on 20 | 03-16 open 121 |
/// | P2 | claims, low | 01-10 on 20 | 01-30 on 30; 03-11 on 30 | 03-01 back 10; 04-10 on 40 | 05-20 open 56 |
/// | P3 | Fraud, medium | 02-01 on 5 | 02-06 cancelled 50 (updated_at) | | |
/// | P4 | Fraud, medium | 03-01 open 136 | | | |
/// | P5 | Claims, high (paused) | 2025-12-01 (outside) | 01-04 on 30 | 02-03 open 162 | |
/// | P6 | Fraud, low | 01-20 on 20 | 02-09 on 30 | 03-11 on 30 | 04-10 retired 60 (history) |
/// | P7 | Claims, medium | 04-01 on 10 | 04-11 open 95 | | |
/// | P8 | Fraud, high | 03-20 on 5 | 03-25 on 20 | 04-14 open 92 | |
/// | P9 | Ops, low | 06-30 23:30 on 1 | (07-01: outside) | | |
///
/// P6 was retired on 9 June: its history says so (active until then, retired since), although
/// its current version began on 20 June and it was last updated on 1 July. The owner `A` owns
/// Build of P1 and P2 and Design of P7; nobody owns any other stage.
async fn hand_built(pool: &PgPool) -> Uuid {
    let owner = account(pool, "ana@example.com", Role::Editor).await.id;
    sqlx::query(
        "insert into projects (id, name, team, risk_tier, status, created_at, updated_at, signals_from) values
          ($1, 'P1', 'Claims', 'high',   'active',    '2026-01-05T09:00Z', '2026-03-16T10:00Z', null),
          ($2, 'P2', 'claims', 'low',    'active',    '2026-01-10T12:00Z', '2026-05-20T12:00Z', null),
          ($3, 'P3', 'Fraud',  'medium', 'cancelled', '2026-02-01T08:00Z', '2026-03-28T08:00Z', null),
          ($4, 'P4', 'Fraud',  'medium', 'active',    '2026-03-01T08:00Z', '2026-03-01T08:00Z', null),
          ($5, 'P5', 'Claims', 'high',   'paused',    '2025-12-01T08:00Z', '2026-03-01T08:00Z', null),
          ($6, 'P6', 'Fraud',  'low',    'retired',   '2026-01-20T08:00Z', '2026-07-01T08:00Z', '2026-06-20T00:00Z'),
          ($7, 'P7', 'Claims', 'medium', 'active',    '2026-04-01T08:00Z', '2026-04-11T08:00Z', null),
          ($8, 'P8', 'Fraud',  'high',   'active',    '2026-03-20T08:00Z', '2026-04-14T08:00Z', null),
          ($9, 'P9', 'Ops',    'low',    'active',    '2026-06-30T23:30Z', '2026-07-01T00:30Z', null)",
    )
    .bind(id(1))
    .bind(id(2))
    .bind(id(3))
    .bind(id(4))
    .bind(id(5))
    .bind(id(6))
    .bind(id(7))
    .bind(id(8))
    .bind(id(9))
    .execute(pool)
    .await
    .expect("projects");
    sqlx::query(
        "insert into project_signals_history
           (project_id, valid_from, valid_to, stage, status, team, risk_tier, stage_entered_at) values
          ($1, '2026-01-20T08:00Z', '2026-06-09T00:00Z', 'deploy', 'active',  'Fraud', 'low', '2026-04-10T08:00Z'),
          ($1, '2026-06-09T00:00Z', '2026-06-20T00:00Z', 'deploy', 'retired', 'Fraud', 'low', '2026-04-10T08:00Z')",
    )
    .bind(id(6))
    .execute(pool)
    .await
    .expect("history");
    let moves = [
        (1, "define", "design", "2026-01-15T10:00Z"),
        (1, "design", "build", "2026-02-24T10:00Z"),
        (1, "build", "deploy", "2026-03-16T10:00Z"),
        (2, "define", "design", "2026-01-30T12:00Z"),
        (2, "design", "build", "2026-03-01T12:00Z"),
        (2, "build", "design", "2026-03-11T12:00Z"),
        (2, "design", "build", "2026-04-10T12:00Z"),
        (2, "build", "deploy", "2026-05-20T12:00Z"),
        (3, "define", "design", "2026-02-06T08:00Z"),
        (5, "define", "design", "2026-01-04T08:00Z"),
        (5, "design", "build", "2026-02-03T08:00Z"),
        (6, "define", "design", "2026-02-09T08:00Z"),
        (6, "design", "build", "2026-03-11T08:00Z"),
        (6, "build", "deploy", "2026-04-10T08:00Z"),
        (7, "define", "design", "2026-04-11T08:00Z"),
        (8, "define", "design", "2026-03-25T08:00Z"),
        (8, "design", "build", "2026-04-14T08:00Z"),
        (9, "define", "design", "2026-07-01T00:30Z"),
    ];
    // One statement, as a bulk load would: the stays of every project it touches are rebuilt.
    let (projects, from, to, at): (Vec<Uuid>, Vec<String>, Vec<String>, Vec<String>) = moves.iter().fold(
        (Vec::new(), Vec::new(), Vec::new(), Vec::new()),
        |(mut p, mut f, mut t, mut a), (n, from, to, at)| {
            p.push(id(*n));
            f.push((*from).to_owned());
            t.push((*to).to_owned());
            a.push((*at).to_owned());
            (p, f, t, a)
        },
    );
    sqlx::query(
        "insert into stage_moves (project_id, from_stage, to_stage, moved_at)
         select p, f::project_stage, t::project_stage, a::timestamptz
         from unnest($1::uuid[], $2::text[], $3::text[], $4::text[]) as m (p, f, t, a)",
    )
    .bind(&projects)
    .bind(&from)
    .bind(&to)
    .bind(&at)
    .execute(pool)
    .await
    .expect("moves");
    sqlx::query(
        "insert into stage_owners (project_id, stage, owner_id) values
          ($1, 'build', $4), ($2, 'build', $4), ($3, 'design', $4)",
    )
    .bind(id(1))
    .bind(id(2))
    .bind(id(7))
    .bind(owner)
    .execute(pool)
    .await
    .expect("owners");
    owner
}

/// (entered, moved on, moved back, cancelled, retired, open)
fn counts(flow: &StageStays) -> (i64, i64, i64, i64, i64, i64) {
    (
        flow.entered,
        flow.moved_on,
        flow.moved_back,
        flow.cancelled,
        flow.retired,
        flow.open,
    )
}

/// (completed stays, median, p90, open stays, median so far, p90 so far)
fn spreads(flow: &StageStays) -> (i64, Option<i64>, Option<i64>, i64, Option<i64>, Option<i64>) {
    (
        flow.completed.stays,
        flow.completed.median_days,
        flow.completed.p90_days,
        flow.open_so_far.stays,
        flow.open_so_far.median_days,
        flow.open_so_far.p90_days,
    )
}

fn stage(p: &Pipeline, stage: Stage) -> &StageStays {
    p.stages.iter().find(|s| s.stage == stage).expect("every stage")
}

async fn read(pool: &PgPool, query: PipelineQuery) -> Pipeline {
    pipeline(pool, &query, day(TODAY)).await.expect("the pipeline")
}

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn the_hand_built_history_gives_the_counts_days_and_conversions_worked_out_by_hand(pool: PgPool) {
    hand_built(&pool).await;
    let p = read(&pool, half_year()).await;
    assert_eq!(
        (p.from, p.to, p.today),
        (day("2026-01-01"), day("2026-06-30"), day(TODAY))
    );

    // Define: P1 10, P2 20, P3 5, P6 20, P7 10, P8 5, P9 1 moved on; P4 open 136.
    // Completed sorted 1 5 5 10 10 20 20: median the 4th (10), p90 the 7th (20).
    let define = stage(&p, Stage::Define);
    assert_eq!(counts(define), (8, 7, 0, 0, 0, 1));
    assert_eq!(spreads(define), (7, Some(10), Some(20), 1, Some(136), Some(136)));
    // Design: 40, 30, 30, 30, 30, 20 moved on, 50 cancelled; P7 open 95.
    // Sorted 20 30 30 30 30 40 50: median 30, p90 50.
    let design = stage(&p, Stage::Design);
    assert_eq!(counts(design), (8, 6, 0, 1, 0, 1));
    assert_eq!(spreads(design), (7, Some(30), Some(50), 1, Some(95), Some(95)));
    // Build: 20, 40, 30 moved on, 10 moved back; P5 (paused) 162 and P8 92 open.
    // Sorted 10 20 30 40: median the 2nd (20), p90 the 4th (40); open 92 162.
    let build = stage(&p, Stage::Build);
    assert_eq!(counts(build), (6, 3, 1, 0, 0, 2));
    assert_eq!(spreads(build), (4, Some(20), Some(40), 2, Some(92), Some(162)));
    // Deploy: P6 retired after 60 days (on the day its history says, not its last update);
    // P1 121 and P2 56 open.
    let deploy = stage(&p, Stage::Deploy);
    assert_eq!(counts(deploy), (3, 0, 0, 0, 1, 2));
    assert_eq!(spreads(deploy), (1, Some(60), Some(60), 2, Some(56), Some(121)));

    let conversions: Vec<(Stage, Stage, i64, i64, Option<f64>)> = p
        .conversions
        .iter()
        .map(|c| (c.from, c.to, c.moved_on, c.entered, c.share))
        .collect();
    assert_eq!(
        conversions,
        vec![
            (Stage::Define, Stage::Design, 7, 8, Some(0.875)),
            (Stage::Design, Stage::Build, 6, 8, Some(0.75)),
            (Stage::Build, Stage::Deploy, 3, 6, Some(0.5)),
        ]
    );

    // Prototype → production: Q1 P1, P2, P5, P6 entered Build, all but P5 reached Deploy;
    // Q2 P2 (again) and P8, only P2. Over the half year: P1, P2, P5, P6, P8, three reached.
    let production = &p.production;
    let quarters: Vec<(Option<&str>, i64, i64, Option<f64>)> = production
        .quarters
        .iter()
        .map(|c| (c.quarter.as_deref(), c.entered_build, c.reached_deploy, c.share))
        .collect();
    assert_eq!(
        quarters,
        vec![
            (Some("2026-Q1"), 4, 3, Some(0.75)),
            (Some("2026-Q2"), 2, 1, Some(0.5))
        ]
    );
    let overall = &production.overall;
    assert_eq!(
        (overall.entered_build, overall.reached_deploy, overall.share),
        (5, 3, Some(0.6))
    );
    assert_eq!(production.reference.share, 0.53);
    assert_eq!(production.reference.source, "Gartner, 2020");
}

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn the_median_and_90th_percentile_are_postgres_own_percentile_disc(pool: PgPool) {
    hand_built(&pool).await;
    let p = read(&pool, half_year()).await;
    for flow in &p.stages {
        let (median, p90) = sqlx::query_as::<_, (Option<i32>, Option<i32>)>(
            "select percentile_disc(0.5) within group (order by days),
                    percentile_disc(0.9) within group (order by days)
             from stage_stays
             where stage = $1::project_stage
               and began_at >= '2026-01-01T00:00Z' and began_at < '2026-07-01T00:00Z'
               and (next_stage is not null or status in ('cancelled', 'retired'))",
        )
        .bind(flow.stage.as_str())
        .fetch_one(&pool)
        .await
        .expect("percentiles");
        assert_eq!(
            (flow.completed.median_days, flow.completed.p90_days),
            (median.map(i64::from), p90.map(i64::from)),
            "{:?}",
            flow.stage
        );
    }
}

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn team_tier_owner_and_range_narrow_every_number(pool: PgPool) {
    let owner = hand_built(&pool).await;
    let entered = |p: &Pipeline| -> Vec<i64> { p.stages.iter().map(|s| s.entered).collect() };

    // The team case-insensitively: P1, P2 ("claims"), P5, P7.
    let claims = read(
        &pool,
        PipelineQuery {
            team: Some("CLAIMS".into()),
            ..half_year()
        },
    )
    .await;
    assert_eq!(entered(&claims), vec![3, 5, 4, 2]);
    assert_eq!(claims.production.overall.entered_build, 3);

    let high = read(
        &pool,
        PipelineQuery {
            tier: Some(RiskTier::High),
            ..half_year()
        },
    )
    .await;
    assert_eq!(entered(&high), vec![2, 3, 3, 1]);

    // The owner of the stage a stay is in: Ana owns Build of P1 and P2, Design of P7.
    let ana = read(
        &pool,
        PipelineQuery {
            owner: OwnerFilter::Account(owner),
            ..half_year()
        },
    )
    .await;
    assert_eq!(entered(&ana), vec![0, 1, 3, 0]);
    let by_email = read(
        &pool,
        PipelineQuery {
            owner: OwnerFilter::Email("ANA@example.com".into()),
            ..half_year()
        },
    )
    .await;
    assert_eq!(entered(&by_email), vec![0, 1, 3, 0]);
    let nobody = read(
        &pool,
        PipelineQuery {
            owner: OwnerFilter::Nobody,
            ..half_year()
        },
    )
    .await;
    assert_eq!(entered(&nobody), vec![8, 7, 3, 3]);

    // The range counts the days stays began on, both included: P9's Define began in the last
    // minutes of 30 June; its Design on 1 July is outside.
    let june = read(
        &pool,
        PipelineQuery {
            from: Some(day("2026-06-30")),
            to: Some(day("2026-06-30")),
            ..PipelineQuery::default()
        },
    )
    .await;
    assert_eq!(entered(&june), vec![1, 0, 0, 0]);
    assert_eq!(stage(&june, Stage::Define).completed.median_days, Some(1));
    let july = read(
        &pool,
        PipelineQuery {
            from: Some(day("2026-07-01")),
            to: Some(day("2026-07-15")),
            ..PipelineQuery::default()
        },
    )
    .await;
    assert_eq!(entered(&july), vec![0, 1, 0, 0]);

    // Without a range: the last twelve months ending today.
    let default = read(&pool, PipelineQuery::default()).await;
    assert_eq!((default.from, default.to), (day("2025-07-16"), day(TODAY)));
    assert_eq!(entered(&default), vec![9, 9, 6, 3]);

    let backwards = pipeline(
        &pool,
        &PipelineQuery {
            from: Some(day("2026-06-30")),
            to: Some(day("2026-01-01")),
            ..PipelineQuery::default()
        },
        day(TODAY),
    )
    .await
    .expect_err("refused");
    assert_eq!(backwards.code(), "invalid");
}

fn stays(stage: Stage, set: StaySet) -> ListQuery {
    ListQuery {
        filters: half_year(),
        kind: Some(ListKind::Stays { stage, set }),
        page: 1,
    }
}

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn every_number_lists_the_projects_behind_it(pool: PgPool) {
    hand_built(&pool).await;
    let p = read(&pool, half_year()).await;
    let today = day(TODAY);
    // Every count of every stage is the length of its list.
    for flow in &p.stages {
        for set in [
            StaySet::Entered,
            StaySet::Completed,
            StaySet::Ended(Outcome::MovedOn),
            StaySet::Ended(Outcome::MovedBack),
            StaySet::Ended(Outcome::Cancelled),
            StaySet::Ended(Outcome::Retired),
            StaySet::Ended(Outcome::Open),
        ] {
            let listed = list(&pool, &stays(flow.stage, set), today).await.expect("list");
            let expected = match set {
                StaySet::Entered => flow.entered,
                StaySet::Completed => flow.completed.stays,
                StaySet::Ended(outcome) => flow.count(outcome),
            };
            assert_eq!(listed.total, expected, "{:?} {set:?}", flow.stage);
            assert_eq!(listed.rows.len() as i64, expected);
            assert!(listed
                .rows
                .iter()
                .all(|r| r.outcome.is_some_and(|o| set.holds(o))));
        }
    }
    // The rows say who, and the days of that stay (so far, when open).
    let back = list(
        &pool,
        &stays(Stage::Build, StaySet::Ended(Outcome::MovedBack)),
        today,
    )
    .await
    .expect("list");
    let rows: Vec<(&str, NaiveDate, Option<i64>)> = back
        .rows
        .iter()
        .map(|r| (r.name.as_str(), r.began_on, r.days))
        .collect();
    assert_eq!(rows, vec![("P2", day("2026-03-01"), Some(10))]);
    let open = list(&pool, &stays(Stage::Build, StaySet::Ended(Outcome::Open)), today)
        .await
        .expect("list");
    let rows: Vec<(&str, Option<i64>)> = open.rows.iter().map(|r| (r.name.as_str(), r.days)).collect();
    assert_eq!(rows, vec![("P8", Some(92)), ("P5", Some(162))], "newest first");

    // Each cohort number lists its projects, each once.
    for cohort in p.production.quarters.iter().chain([&p.production.overall]) {
        let quarter = cohort.quarter.as_deref().and_then(Quarter::parse);
        for reached in [false, true] {
            let listed = list(
                &pool,
                &ListQuery {
                    filters: half_year(),
                    kind: Some(ListKind::Cohort { quarter, reached }),
                    page: 1,
                },
                today,
            )
            .await
            .expect("cohort");
            let expected = if reached {
                cohort.reached_deploy
            } else {
                cohort.entered_build
            };
            assert_eq!(listed.total, expected, "{:?} reached {reached}", cohort.quarter);
            let mut names: Vec<&str> = listed.rows.iter().map(|r| r.name.as_str()).collect();
            names.dedup();
            assert_eq!(names.len() as i64, expected);
            assert!(!reached || listed.rows.iter().all(|r| r.deployed_on.is_some()));
        }
    }
}
