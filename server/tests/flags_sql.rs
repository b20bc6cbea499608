//! The SQL that filters and counts flags at scale gives the same flags as the Rust rules, for
//! every one of a few hundred generated projects in every kind of state.
#![allow(clippy::expect_used, reason = "a test fails loudly on what it did not expect")]

mod common;

use app::auth::{CurrentUser, Role};
use app::health::{server as health, FlagCode};
use app::projects::input::ProjectInput;
use app::projects::server::{read, write};
use common::{account, user};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use sqlx::PgPool;
use std::collections::{BTreeMap, BTreeSet};
use uuid::Uuid;

const STAGES: [&str; 4] = ["define", "design", "build", "deploy"];
const STATUSES: [&str; 4] = ["active", "active", "paused", "cancelled"];
const TIERS: [&str; 3] = ["low", "medium", "high"];

async fn exec(pool: &PgPool, sql: &str, id: Uuid, a: Option<Uuid>, days: i32) {
    sqlx::query(sql)
        .bind(id)
        .bind(a)
        .bind(days)
        .execute(pool)
        .await
        .expect(sql);
}

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn sql_and_rust_give_the_same_flags_for_every_generated_project(pool: PgPool) {
    let mut rng = StdRng::seed_from_u64(20261125);
    let mut editors: Vec<CurrentUser> = Vec::new();
    for n in 0..4 {
        editors.push(user(
            &account(&pool, &format!("editor{n}@example.com"), Role::Editor).await,
        ));
    }
    let mut reviewers: Vec<CurrentUser> = Vec::new();
    for n in 0..2 {
        reviewers.push(user(
            &account(&pool, &format!("reviewer{n}@example.com"), Role::Reviewer).await,
        ));
    }

    let mut ids = Vec::new();
    for n in 0..300 {
        let creator = &editors[rng.gen_range(0..editors.len())];
        let filled = |rng: &mut StdRng| {
            if rng.gen_bool(0.7) {
                "written".to_owned()
            } else {
                String::new()
            }
        };
        let input = ProjectInput {
            name: format!("Generated {n}"),
            team: "Team".into(),
            risk_tier: TIERS[rng.gen_range(0..3)].into(),
            status: STATUSES[rng.gen_range(0..4)].into(),
            problem_statement: filled(&mut rng),
            success_metric: filled(&mut rng),
            success_target: filled(&mut rng),
            baseline_metric: filled(&mut rng),
            baseline_method: filled(&mut rng),
            data_readiness: filled(&mut rng),
            fallback_plan: filled(&mut rng),
            monitoring_owner: filled(&mut rng),
            ..ProjectInput::default()
        };
        let id = write::create(&pool, creator, input.validate().expect("valid"))
            .await
            .expect("created");
        let age = rng.gen_range(0..400);
        let in_stage = rng.gen_range(0..=age);
        let stage = STAGES[rng.gen_range(0..4)];
        sqlx::query(
            "update projects set stage = $2::project_stage,
                    created_at = now() - make_interval(days => $3),
                    stage_entered_at = now() - make_interval(days => $4) where id = $1",
        )
        .bind(id)
        .bind(stage)
        .bind(age)
        .bind(in_stage)
        .execute(&pool)
        .await
        .expect("shape");
        // Most stages have an owner; some not (ownerless).
        if stage != "define" && rng.gen_bool(0.8) {
            let owner = editors[rng.gen_range(0..editors.len())].id;
            exec(
                &pool,
                "insert into stage_owners (project_id, stage, owner_id)
                         select $1, stage, $2 from projects where id = $1",
                id,
                Some(owner),
                0,
            )
            .await;
        }
        for _ in 0..rng.gen_range(0..3) {
            let sql = if rng.gen_bool(0.2) {
                "insert into demo_checkpoints (project_id, held_on, summary, attendees, outcome, author_id, withdrawn_at, withdrawn_by)
                 values ($1, current_date - $3, 'd', 'a', 'continue', $2, now(), $2)"
            } else {
                "insert into demo_checkpoints (project_id, held_on, summary, attendees, outcome, author_id)
                 values ($1, current_date - $3, 'd', 'a', 'continue', $2)"
            };
            exec(&pool, sql, id, Some(creator.id), rng.gen_range(0..=age)).await;
        }
        for _ in 0..rng.gen_range(0..2) {
            let withdrawn = if rng.gen_bool(0.3) { "now()" } else { "null" };
            let by = if withdrawn == "now()" { "$2" } else { "null" };
            let sql = format!(
                "insert into research_evidence (project_id, kind, title, findings, participants, held_on, author_id, withdrawn_at, withdrawn_by)
                 values ($1, 'interview', 't', 'f', 5, current_date - $3, $2, {withdrawn}, {by})"
            );
            exec(&pool, &sql, id, Some(creator.id), 1).await;
        }
        for _ in 0..rng.gen_range(0..3) {
            // Sometimes the approver is an editor who owns the stage: not independent.
            let approver = if rng.gen_bool(0.3) {
                creator.id
            } else {
                reviewers[rng.gen_range(0..2)].id
            };
            let decision = ["approved", "changes_requested", "rejected"][rng.gen_range(0..3)];
            let sql = format!(
                "insert into explainability_signoffs (project_id, method, summary, decision, decided_on, approver_id)
                 values ($1, 'SHAP', 's', '{decision}', current_date - $3, $2)"
            );
            exec(&pool, &sql, id, Some(approver), rng.gen_range(0..60)).await;
        }
        for _ in 0..rng.gen_range(0..3) {
            let reviewer = reviewers[rng.gen_range(0..2)].id;
            if rng.gen_bool(0.2) {
                // A reviewer who once owned a stage: not independent on a high-risk project.
                exec(&pool, "insert into ownership_changes (project_id, stage, to_owner_id) values ($1, 'define', $2)",
                    id, Some(reviewer), 0).await;
            }
            let decision = ["approved", "approved_with_conditions", "rejected"][rng.gen_range(0..3)];
            let next_in = rng.gen_range(-90..200);
            let sql = format!(
                "insert into risk_reviews (project_id, risk_tier, findings, decision, reviewed_on, next_review_on, reviewer_id)
                 values ($1, 'medium', 'f', '{decision}', current_date - 200 - $3 % 7, current_date + $3, $2)"
            );
            exec(&pool, &sql, id, Some(reviewer), next_in).await;
        }
        ids.push(id);
    }
    // A leaver: their projects become ownerless.
    sqlx::query(
        "update accounts set active = false, deactivated_at = now() - interval '3 days' where id = $1",
    )
    .bind(editors[0].id)
    .execute(&pool)
    .await
    .expect("deactivate");

    let today = chrono::Utc::now().date_naive();
    let from_sql: BTreeMap<Uuid, BTreeSet<FlagCode>> = health::flag_codes_sql(&pool, today)
        .await
        .expect("sql flags")
        .into_iter()
        .map(|(id, codes)| (id, codes.into_iter().collect()))
        .collect();
    let mut seen: BTreeMap<FlagCode, usize> = BTreeMap::new();
    for id in &ids {
        let detail = read::detail(&pool, *id, chrono::Utc::now().date_naive())
            .await
            .expect("detail");
        let from_rust: BTreeSet<FlagCode> = detail.flags.iter().map(|f| f.code).collect();
        assert_eq!(
            from_sql.get(id),
            Some(&from_rust),
            "project {} ({:?})",
            detail.project.name,
            detail.project.stage
        );
        for code in from_rust {
            *seen.entry(code).or_default() += 1;
        }
    }
    // The generated portfolio exercises every flag, both ways.
    for code in FlagCode::ALL {
        let count = seen.get(&code).copied().unwrap_or_default();
        assert!(
            count > 5 && count < ids.len() - 5,
            "{code:?} raised on {count} of {} projects",
            ids.len()
        );
    }
}
