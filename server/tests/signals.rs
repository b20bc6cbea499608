//! Health signals are written with every change. Over a few hundred generated project
//! histories, applied as real writes (edits, status changes, moves and pivots, overrides, owner
//! assignments and hand-overs, records added, corrected and withdrawn, review conditions added,
//! met and waived, changes of goal acknowledged, an owner deactivated and reactivated, a
//! threshold change), the stored signals always equal signals recomputed from
//! scratch — read today and on days before and after — and the history keeps what was current.
//! Nothing is kept per process: two servers on one database agree right after a change.
#![expect(clippy::expect_used, reason = "a test fails loudly on what it did not expect")]

mod common;

use app::admin::server as admins;
use app::auth::{CurrentUser, Role};
use app::health::{self, server as signals_db, FlagCode, Signals};
use app::projects::input::ProjectInput;
use app::projects::server::{read, write};
use app::projects::stage::Stage;
use app::records::server::{self as records, DemoInput, EvidenceInput, ReviewInput, SignoffInput};
use app::records::RecordKind;
use chrono::{Days, NaiveDate, Utc};
use common::{account, user};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use sqlx::PgPool;
use std::collections::{BTreeMap, BTreeSet};
use uuid::Uuid;

const STATUSES: [&str; 5] = ["active", "active", "active", "paused", "cancelled"];
const TIERS: [&str; 3] = ["low", "medium", "high"];

fn input(n: usize, rng: &mut StdRng) -> ProjectInput {
    let target = ["0.9", "0.8", "0.7", ""][rng.gen_range(0..4)].to_owned();
    let mut filled = || {
        if rng.gen_bool(0.75) {
            "written".to_owned()
        } else {
            String::new()
        }
    };
    ProjectInput {
        name: format!("Generated {n}"),
        team: "Team".into(),
        risk_tier: TIERS[n % 3].into(),
        status: "active".into(),
        problem_statement: filled(),
        success_metric: filled(),
        success_target: target,
        baseline_metric: filled(),
        baseline_method: filled(),
        data_readiness: filled(),
        fallback_plan: filled(),
        monitoring_owner: filled(),
        ..ProjectInput::default()
    }
}

fn day(today: NaiveDate, ago: u64) -> String {
    (today - Days::new(ago)).format("%Y-%m-%d").to_string()
}

/// Every project's current signals, as stored.
async fn stored(pool: &PgPool, ids: &[Uuid]) -> BTreeMap<Uuid, Signals> {
    signals_db::current(pool, ids)
        .await
        .expect("stored")
        .into_iter()
        .collect()
}

/// Every project's signals, recomputed from its facts now.
async fn recomputed(pool: &PgPool, ids: &[Uuid]) -> BTreeMap<Uuid, (Signals, health::HealthFacts)> {
    let limits = signals_db::thresholds(pool).await.expect("thresholds");
    signals_db::facts(pool, ids)
        .await
        .expect("facts")
        .into_iter()
        .map(|f| (f.id, (health::signals(&f.health, &limits), f.health)))
        .collect()
}

/// Who makes the changes.
struct People {
    editors: Vec<CurrentUser>,
    reviewer: CurrentUser,
    admin: CurrentUser,
}

/// One random change to project `id`, made the way a person would make it. Refusals (a gate
/// not met, a record already withdrawn…) are part of the history too: they must change nothing.
async fn change(pool: &PgPool, rng: &mut StdRng, id: Uuid, n: usize, people: &People, today: NaiveDate) {
    let People {
        editors,
        reviewer,
        admin,
    } = people;
    let editor = &editors[rng.gen_range(0..editors.len())];
    let project = read::project(pool, id).await.expect("read").expect("exists");
    let limits = signals_db::thresholds(pool).await.expect("thresholds");
    match rng.gen_range(0..19) {
        0 | 17 | 18 => {
            let mut edited = input(n, rng);
            edited.status = STATUSES[rng.gen_range(0..STATUSES.len())].into();
            edited.risk_tier = TIERS[rng.gen_range(0..3)].into();
            let valid = edited.validate().expect("valid");
            let _ = write::update(pool, editor, id, project.version, valid).await;
        }
        1 | 2 | 14 | 15 | 16 => {
            // Forward one stage (sometimes by an admin override), or a pivot back.
            let forward = Stage::ALL.iter().position(|s| *s == project.stage).map(|i| i + 1);
            let (to, note, by, justification) = match forward.and_then(|i| Stage::ALL.get(i)) {
                Some(next) if rng.gen_bool(0.8) => {
                    if rng.gen_bool(0.3) {
                        (*next, "", admin, "Approved by the risk committee")
                    } else {
                        (*next, "", editor, "")
                    }
                }
                _ => (Stage::Define, "Back to the drawing board", editor, ""),
            };
            let next_owner = rng
                .gen_bool(0.7)
                .then(|| editors[rng.gen_range(0..editors.len())].id);
            let _ =
                write::move_stage(pool, by, id, project.version, to, note, justification, next_owner).await;
        }
        3 => {
            let owner = editors[rng.gen_range(0..editors.len())].id;
            let _ = write::assign_owner(pool, admin, id, project.version, project.stage, owner).await;
        }
        4 | 5 => {
            // One to four demos, mostly held today (in the current stage: a loop may form).
            for _ in 0..rng.gen_range(1..=4) {
                let ago = if rng.gen_bool(0.7) {
                    0
                } else {
                    rng.gen_range(0..120)
                };
                let outcome =
                    ["continue", "continue", "continue", "continue", "pivot", "stop"][rng.gen_range(0..6)];
                let demo = DemoInput {
                    held_on: day(today, ago),
                    summary: "Showed the model".into(),
                    attendees: "Ops".into(),
                    outcome: outcome.into(),
                    link: String::new(),
                };
                let _ = records::add_demo(pool, editor, id, &demo, today).await;
            }
        }
        6 => {
            let evidence = EvidenceInput {
                kind: "interview".into(),
                title: "Talked to users".into(),
                findings: "They want it".into(),
                participants: "5".into(),
                held_on: day(today, rng.gen_range(0..60)),
                link: String::new(),
            };
            let _ = records::add_evidence(pool, editor, id, &evidence, today).await;
        }
        7 => {
            let decision = ["approved", "approved", "changes_requested"][rng.gen_range(0..3)];
            let signoff = SignoffInput {
                method: "SHAP".into(),
                summary: "Explained".into(),
                decision: decision.into(),
                decided_on: day(today, rng.gen_range(0..30)),
            };
            let _ = records::add_signoff(pool, reviewer, id, &signoff, today).await;
        }
        8 => {
            let decision = ["approved", "approved_with_conditions", "rejected"][rng.gen_range(0..3)];
            let reviewed = rng.gen_range(0..400);
            let review = ReviewInput {
                risk_tier: TIERS[rng.gen_range(0..3)].into(),
                findings: "Reviewed".into(),
                decision: decision.into(),
                reviewed_on: day(today, reviewed),
                next_review_on: String::new(),
            };
            let added = records::add_review(pool, reviewer, id, &review, today, &limits).await;
            if let (Ok(review), "approved_with_conditions") = (added, decision) {
                // Most reviews approved with conditions list one at once.
                let owner = &editors[rng.gen_range(0..editors.len())];
                let due = today + Days::new(60) - Days::new(rng.gen_range(0..120));
                let condition =
                    app::conditions::validate("Retrain quarterly", &owner.email, &due.to_string())
                        .expect("valid");
                let _ = app::conditions::server::add(pool, reviewer, id, review, &condition).await;
            }
        }
        9 | 10 => {
            // Withdraw (or sometimes correct) one standing record of the project.
            let standing = records::list(pool, id).await.expect("records");
            let standing: Vec<_> = standing.iter().filter(|r| r.withdrawn.is_none()).collect();
            if standing.is_empty() {
                return;
            }
            let record = standing[rng.gen_range(0..standing.len())];
            if record.kind == RecordKind::Demo && rng.gen_bool(0.4) {
                let demo = DemoInput {
                    held_on: day(today, rng.gen_range(0..200)),
                    summary: "Corrected".into(),
                    attendees: "Ops".into(),
                    outcome: "continue".into(),
                    link: String::new(),
                };
                let _ = records::correct_demo(pool, admin, record.id, &demo, today).await;
            } else {
                let _ = records::withdraw(pool, admin, record.kind, record.id, "Entered by mistake").await;
            }
        }
        11 => {
            // A condition on a review approved with conditions, due before or after today.
            let review: Option<Uuid> = sqlx::query_scalar(
                "select id from risk_reviews where project_id = $1 and withdrawn_at is null
                   and decision = 'approved_with_conditions' order by created_at desc limit 1",
            )
            .bind(id)
            .fetch_optional(pool)
            .await
            .expect("reviews");
            if let Some(review) = review {
                let owner = &editors[rng.gen_range(0..editors.len())];
                let due = today + Days::new(60) - Days::new(rng.gen_range(0..120));
                let condition =
                    app::conditions::validate("Monitor drift monthly", &owner.email, &due.to_string())
                        .expect("valid");
                let _ = app::conditions::server::add(pool, reviewer, id, review, &condition).await;
            }
        }
        12 => {
            // An open condition met by its owner or waived by an admin.
            let open: Option<(Uuid, Uuid)> = sqlx::query_as(
                "select id, owner_id from review_conditions where project_id = $1 and status = 'open' limit 1",
            )
            .bind(id)
            .fetch_optional(pool)
            .await
            .expect("conditions");
            if let Some((condition, owner)) = open {
                let by = editors.iter().find(|e| e.id == owner).unwrap_or(admin);
                let to = if rng.gen_bool(0.7) {
                    app::conditions::ConditionStatus::Met
                } else {
                    app::conditions::ConditionStatus::Waived
                };
                let by = if to == app::conditions::ConditionStatus::Waived {
                    admin
                } else {
                    by
                };
                let _ = app::conditions::server::resolve(pool, by, condition, to, "Done: see the dashboard")
                    .await;
            }
        }
        13 => {
            let _ = app::conditions::server::acknowledge_drift(pool, reviewer, id).await;
        }
        _ => unreachable!(),
    }
}

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn stored_signals_always_equal_signals_recomputed_from_scratch(pool: PgPool) {
    let mut rng = StdRng::seed_from_u64(20261202);
    let admin = user(&account(&pool, "admin@example.com", Role::Admin).await);
    let mut editors = Vec::new();
    for n in 0..4 {
        editors.push(user(
            &account(&pool, &format!("editor{n}@example.com"), Role::Editor).await,
        ));
    }
    let reviewer = user(&account(&pool, "reviewer@example.com", Role::Reviewer).await);
    let today = Utc::now().date_naive();
    let people = People {
        editors: editors.clone(),
        reviewer,
        admin: admin.clone(),
    };

    let mut ids = Vec::new();
    for n in 0..240 {
        let creator = &editors[n % editors.len()];
        let created = write::create(&pool, creator, input(n, &mut rng).validate().expect("valid"))
            .await
            .expect("created");
        // Every fifth is pushed through to Build by an admin: its goal may then drift.
        if n % 5 == 0 {
            for stage in [Stage::Design, Stage::Build] {
                let version = read::project(&pool, created)
                    .await
                    .expect("read")
                    .expect("exists")
                    .version;
                write::move_stage(
                    &pool,
                    &admin,
                    created,
                    version,
                    stage,
                    "",
                    "Piloted elsewhere",
                    None,
                )
                .await
                .expect("pushed through");
            }
        }
        ids.push(created);
    }
    // From here on every write keeps today's portfolio counts.
    sqlx::query("select portfolio_now_refresh($1)")
        .bind(today)
        .execute(&pool)
        .await
        .expect("today's counts");
    for _ in 0..900 {
        let n = rng.gen_range(0..ids.len());
        change(&pool, &mut rng, ids[n], n, &people, today).await;
    }

    // A checkpoint: what is current now must be what the history says of this instant later.
    let checkpoint = Utc::now();
    let then = stored(&pool, &ids).await;

    // A leaver and a returner: deactivating ends ownership, reactivating restores it.
    admins::set_active(&pool, admin.id, editors[0].id, false)
        .await
        .expect("deactivated");
    admins::set_active(&pool, admin.id, editors[1].id, false)
        .await
        .expect("deactivated");
    admins::set_active(&pool, admin.id, editors[1].id, true)
        .await
        .expect("reactivated");
    // Stricter thresholds move every clock.
    let mut tx = pool.begin().await.expect("tx");
    sqlx::query("update health_settings set demo_cadence_days = 20, stall_days = 40")
        .execute(&mut *tx)
        .await
        .expect("thresholds");
    signals_db::refresh_all(&mut tx).await.expect("refresh all");
    tx.commit().await.expect("commit");
    for _ in 0..300 {
        let n = rng.gen_range(0..ids.len());
        change(&pool, &mut rng, ids[n], n, &people, today).await;
    }

    let now = stored(&pool, &ids).await;
    let fresh = recomputed(&pool, &ids).await;
    let limits = signals_db::thresholds(&pool).await.expect("thresholds");
    let days = [
        today - Days::new(90),
        today,
        today + Days::new(21),
        today + Days::new(45),
        today + Days::new(400),
    ];
    let mut seen: BTreeMap<FlagCode, BTreeSet<Uuid>> = BTreeMap::new();
    for id in &ids {
        let (expected, facts) = &fresh[id];
        assert_eq!(now.get(id), Some(expected), "project {id}");
        for day in days {
            let flags = now[id].flags(day);
            assert_eq!(flags, health::flags(facts, day, &limits), "project {id} on {day}");
            for flag in flags {
                seen.entry(flag.code).or_default().insert(*id);
            }
        }
    }
    // The generated histories exercise every flag, both ways.
    for code in FlagCode::ALL {
        let count = seen.get(&code).map(BTreeSet::len).unwrap_or_default();
        assert!(
            count > 5 && count < ids.len() - 5,
            "{code:?} raised on {count} of {}",
            ids.len()
        );
    }

    // History: the row valid at the checkpoint is what was current then; rows never overlap.
    let past: BTreeMap<Uuid, Signals> = signals_db::as_of(&pool, &ids, checkpoint)
        .await
        .expect("as of")
        .into_iter()
        .collect();
    assert_eq!(past, then, "the history keeps what was current at the checkpoint");
    let overlaps = sqlx::query_scalar::<_, i64>(
        "with rows as (select project_id, valid_from, valid_to from project_signals_history
                       union all select id, signals_from, null from projects)
         select count(*) from rows a join rows b
           on a.project_id = b.project_id and a.valid_from < b.valid_from
          where a.valid_to is null or a.valid_to > b.valid_from",
    )
    .fetch_one(&pool)
    .await
    .expect("overlaps");
    assert_eq!(overlaps, 0);
    let changed =
        sqlx::query_scalar::<_, i64>("select count(distinct project_id) from project_signals_history")
            .fetch_one(&pool)
            .await
            .expect("history");
    assert!(changed > 100, "only {changed} projects have a history");

    // The projects per group that list totals read were kept through every write.
    let drift = sqlx::query_scalar::<_, i64>(
        "with kept as (select stage, status, team, risk_tier, owned, projects
                       from project_counts where projects <> 0),
              counted as (select stage, status, team, risk_tier, signals_owner_id is not null,
                                 count(*)::integer
                          from projects group by 1, 2, 3, 4, 5)
         select count(*) from ((table kept except table counted)
                               union all (table counted except table kept)) d",
    )
    .fetch_one(&pool)
    .await
    .expect("kept counts");
    assert_eq!(drift, 0, "project_counts differs from counting the projects");
    // And the entries per stage and day that the portfolio's medians read.
    let drift = sqlx::query_scalar::<_, i64>(
        "with kept as (select stage, entered_on, projects from stage_entry_days where projects <> 0),
              counted as (select stage, (stage_entered_at at time zone 'UTC')::date, count(*)::integer
                          from projects group by 1, 2)
         select count(*) from ((table kept except table counted)
                               union all (table counted except table kept)) d",
    )
    .fetch_one(&pool)
    .await
    .expect("kept entries");
    assert_eq!(drift, 0, "stage_entry_days differs from counting the projects");

    // Today's portfolio counts were kept through every write too, and a refresh counts any day.
    for (day, refresh) in [(today, false), (today + Days::new(21), true)] {
        if refresh {
            sqlx::query("select portfolio_now_refresh($1)")
                .bind(day)
                .execute(&pool)
                .await
                .expect("refreshed");
        }
        let drift = sqlx::query_scalar::<_, i64>(
            "with kept as (select stage, status, team, risk_tier, owned, projects, red, flagged,
                                  ownerless, stalled, demo_overdue, review_overdue, gate_gap,
                                  conditions_overdue, goal_drift, continue_loop
                           from portfolio_now
                           where projects <> 0 or red <> 0 or flagged <> 0 or ownerless <> 0
                              or stalled <> 0 or demo_overdue <> 0 or review_overdue <> 0
                              or gate_gap <> 0 or conditions_overdue <> 0 or goal_drift <> 0
                              or continue_loop <> 0),
                  counted as (select r.stage, r.status, r.team, r.risk_tier, r.owner_id is not null,
                                     count(*)::integer,
                                     (count(*) filter (where r.health = 'red'))::integer,
                                     (count(*) filter (where r.health <> 'green'))::integer,
                                     (count(*) filter (where r.ownerless))::integer,
                                     (count(*) filter (where r.stalled))::integer,
                                     (count(*) filter (where r.demo_overdue))::integer,
                                     (count(*) filter (where r.review_overdue))::integer,
                                     (count(*) filter (where r.gate_gap))::integer,
                                     (count(*) filter (where r.conditions_overdue))::integer,
                                     (count(*) filter (where r.goal_drift))::integer,
                                     (count(*) filter (where r.continue_loop))::integer
                              from project_rows($1) r group by 1, 2, 3, 4, 5)
             select count(*) from ((table kept except table counted)
                                   union all (table counted except table kept)) d",
        )
        .bind(day)
        .fetch_one(&pool)
        .await
        .expect("today's kept counts");
        assert_eq!(
            drift, 0,
            "portfolio_now differs from counting the projects on {day}"
        );
    }
}

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn a_write_that_fails_leaves_signals_and_history_untouched(pool: PgPool) {
    let ana = user(&account(&pool, "ana@example.com", Role::Editor).await);
    let id = write::create(
        &pool,
        &ana,
        input(1, &mut StdRng::seed_from_u64(1)).validate().expect("valid"),
    )
    .await
    .expect("created");
    let rows = || async {
        sqlx::query_scalar::<_, i64>("select count(*) from project_signals_history")
            .fetch_one(&pool)
            .await
            .expect("count")
    };
    let before = (stored(&pool, &[id]).await, rows().await);
    // A stale version is refused after nothing was written.
    let stale = write::update(
        &pool,
        &ana,
        id,
        0,
        input(1, &mut StdRng::seed_from_u64(2)).validate().expect("valid"),
    )
    .await;
    assert!(stale.is_err());
    // A write whose signals are stored but whose transaction then fails rolls both back.
    let mut tx = pool.begin().await.expect("tx");
    sqlx::query("update projects set status = 'cancelled' where id = $1")
        .bind(id)
        .execute(&mut *tx)
        .await
        .expect("cancel");
    signals_db::refresh(&mut tx, &[id]).await.expect("refresh");
    let failed = sqlx::query("select 1 / 0").execute(&mut *tx).await;
    assert!(failed.is_err());
    drop(tx);
    assert_eq!((stored(&pool, &[id]).await, rows().await), before);
}

/// The portfolio as one server answers it (its JSON, through the page's server function).
async fn portfolio_from(state: app::state::AppState, cookie: &str) -> serde_json::Value {
    use tower::ServiceExt;
    let response = server::app(state)
        .oneshot(common::post_form("/api/portfolio/view", "", Some(cookie)))
        .await
        .expect("a response");
    let body: serde_json::Value = serde_json::from_str(&common::body_text(response).await).expect("json");
    body["portfolio"].clone()
}

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn two_servers_on_one_database_show_the_same_portfolio_right_after_a_change(pool: PgPool) {
    use sqlx::postgres::PgPoolOptions;
    account(&pool, "admin@example.com", Role::Admin).await;
    let ana = user(&account(&pool, "ana@example.com", Role::Editor).await);
    for n in 0..5 {
        write::create(
            &pool,
            &ana,
            input(n, &mut StdRng::seed_from_u64(n as u64))
                .validate()
                .expect("valid"),
        )
        .await
        .expect("created");
    }
    // Two servers, each with its own pool, as two processes would have.
    let other_pool = PgPoolOptions::new()
        .connect_with(pool.connect_options().as_ref().clone())
        .await
        .expect("a second pool");
    let (first, second) = (common::state(pool.clone()), common::state(other_pool));
    let cookie = common::sign_in(&pool, "admin%40example.com").await;
    let before = portfolio_from(second.clone(), &cookie).await;
    assert_eq!(before["health"]["red"], 0);
    assert_eq!(portfolio_from(first.clone(), &cookie).await, before);

    // Through the first server: Ana leaves; all five of her projects lose their owner.
    use tower::ServiceExt;
    let body = format!("account_id={}&active=false", ana.id);
    let response = server::app(first.clone())
        .oneshot(common::post_form("/api/accounts/active", &body, Some(&cookie)))
        .await
        .expect("a response");
    assert_eq!(response.status(), axum::http::StatusCode::OK);

    let after = portfolio_from(second, &cookie).await;
    assert_eq!(
        after["health"]["red"], 5,
        "the second server sees the change at once"
    );
    assert_eq!(after["flags"]["ownerless"], 5);
    assert_eq!(portfolio_from(first, &cookie).await, after);
}

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn signals_stored_under_older_rules_are_recomputed_once_and_not_announced(pool: PgPool) {
    let ana = user(&account(&pool, "ana@example.com", Role::Editor).await);
    let admin = user(&account(&pool, "admin@example.com", Role::Admin).await);
    let id = write::create(
        &pool,
        &ana,
        ProjectInput {
            success_target: "0.9".into(),
            ..input(1, &mut StdRng::seed_from_u64(3))
        }
        .validate()
        .expect("valid"),
    )
    .await
    .expect("created");
    for stage in [Stage::Design, Stage::Build] {
        let version = read::project(&pool, id)
            .await
            .expect("read")
            .expect("exists")
            .version;
        write::move_stage(&pool, &admin, id, version, stage, "", "Piloted elsewhere", None)
            .await
            .expect("moved");
    }
    // A change of goal in Build, stored as an older program would have: without goal drift.
    let project = read::project(&pool, id).await.expect("read").expect("exists");
    let mut edited = project.to_input();
    edited.success_target = "a new target".into();
    write::update(
        &pool,
        &ana,
        id,
        project.version,
        edited.validate().expect("valid"),
    )
    .await
    .expect("saved");
    sqlx::query("update projects set goal_drift_on = null, goal_drift_reason = null where id = $1")
        .bind(id)
        .execute(&pool)
        .await
        .expect("as before");
    sqlx::query("update signals_rules set version = 1")
        .execute(&pool)
        .await
        .expect("older rules");
    let today = Utc::now().date_naive();

    let mut conn = pool.acquire().await.expect("a connection");
    assert_eq!(
        signals_db::upgrade_rules(&mut conn, today)
            .await
            .expect("upgraded"),
        1
    );
    let now = &stored(&pool, &[id]).await[&id];
    assert_eq!(now.goal_drift_on, Some(today), "recomputed under the new rules");
    let announced: Vec<String> = sqlx::query_scalar("select code from flags_announced where project_id = $1")
        .bind(id)
        .fetch_all(&pool)
        .await
        .expect("announced");
    assert!(announced.contains(&"goal_drift".to_owned()), "{announced:?}");
    // Once current, nothing more is done.
    assert_eq!(
        signals_db::upgrade_rules(&mut conn, today)
            .await
            .expect("current"),
        0
    );
}
