//! Health flags, thresholds and "My work" against a real PostgreSQL.
#![expect(clippy::expect_used, reason = "a test fails loudly on what it did not expect")]

mod common;

use app::auth::Role;
use app::health::FlagCode;
use app::projects::input::ProjectInput;
use app::projects::server::{read, write};
use axum::http::StatusCode;
use common::{account, form, post_form, send, sign_in, user};
use sqlx::PgPool;

async fn backdated_project(pool: &PgPool, owner: &app::auth::CurrentUser, days_ago: i32) -> uuid::Uuid {
    let input = ProjectInput {
        name: format!("Project {days_ago} of {}", owner.display_name),
        team: "Claims".into(),
        risk_tier: "medium".into(),
        status: "active".into(),
        ..ProjectInput::default()
    };
    let id = write::create(pool, owner, input.validate().expect("valid"))
        .await
        .expect("created");
    sqlx::query(
        "update projects set created_at = now() - make_interval(days => $2),
                stage_entered_at = now() - make_interval(days => $2) where id = $1",
    )
    .bind(id)
    .bind(days_ago)
    .execute(pool)
    .await
    .expect("backdated");
    common::resignal(pool, &[id]).await;
    id
}

async fn codes(pool: &PgPool, id: uuid::Uuid) -> Vec<FlagCode> {
    read::detail(pool, id, chrono::Utc::now().date_naive())
        .await
        .expect("detail")
        .flags
        .iter()
        .map(|f| f.code)
        .collect()
}

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn new_thresholds_take_effect_at_once_and_only_admins_set_them(pool: PgPool) {
    let ana = user(&account(&pool, "ana@example.com", Role::Editor).await);
    account(&pool, "ada@example.com", Role::Admin).await;
    let id = backdated_project(&pool, &ana, 20).await;
    assert_eq!(
        codes(&pool, id).await,
        Vec::<FlagCode>::new(),
        "20 days without a demo is fine at 31"
    );

    let body = form(&[
        ("demo_cadence_days", "14"),
        ("stall_days", "62"),
        ("review_months_high", "6"),
        ("review_months_medium", "12"),
        ("review_months_low", "24"),
    ]);
    let editor = sign_in(&pool, "ana%40example.com").await;
    let refused = send(
        &pool,
        post_form("/api/settings/thresholds/save", &body, Some(&editor)),
    )
    .await;
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);
    let admin = sign_in(&pool, "ada%40example.com").await;
    let saved = send(
        &pool,
        post_form("/api/settings/thresholds/save", &body, Some(&admin)),
    )
    .await;
    assert_eq!(saved.status(), StatusCode::OK);
    assert_eq!(codes(&pool, id).await, vec![FlagCode::DemoOverdue]);

    let nonsense = body.replace("demo_cadence_days=14", "demo_cadence_days=0");
    let invalid = send(
        &pool,
        post_form("/api/settings/thresholds/save", &nonsense, Some(&admin)),
    )
    .await;
    assert_eq!(invalid.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let changes: i64 =
        sqlx::query_scalar("select count(*) from audit_events where action = 'thresholds_changed'")
            .fetch_one(&pool)
            .await
            .expect("count");
    assert_eq!(changes, 1, "one audited change; the refused ones wrote nothing");
}

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn a_quiet_project_stalls_after_62_days(pool: PgPool) {
    let ana = user(&account(&pool, "ana@example.com", Role::Editor).await);
    let fresh = backdated_project(&pool, &ana, 62).await;
    let quiet = backdated_project(&pool, &ana, 63).await;
    assert!(!codes(&pool, fresh).await.contains(&FlagCode::Stalled));
    assert_eq!(
        codes(&pool, quiet).await,
        vec![FlagCode::Stalled, FlagCode::DemoOverdue]
    );
}

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn my_work_lists_my_projects_with_flags_and_demos_due(pool: PgPool) {
    let ana = user(&account(&pool, "ana@example.com", Role::Editor).await);
    let ben = user(&account(&pool, "ben@example.com", Role::Editor).await);
    let overdue = backdated_project(&pool, &ana, 40).await;
    let due_soon = backdated_project(&pool, &ana, 27).await;
    backdated_project(&pool, &ben, 40).await;

    let cookie = sign_in(&pool, "ana%40example.com").await;
    let response = send(&pool, post_form("/api/my-work", "", Some(&cookie))).await;
    assert_eq!(response.status(), StatusCode::OK);
    let work: serde_json::Value = serde_json::from_str(&common::body_text(response).await).expect("json");
    let owned: Vec<&str> = work["owned"]
        .as_array()
        .expect("owned")
        .iter()
        .map(|p| p["name"].as_str().unwrap_or_default())
        .collect();
    assert_eq!(
        owned,
        ["Project 27 of Ana", "Project 40 of Ana"],
        "Ben's project is not mine"
    );
    let demos = work["demos_due"].as_array().expect("demos");
    assert_eq!(demos.len(), 2);
    assert_eq!(
        (demos[0]["id"].as_str(), demos[0]["overdue"].as_bool()),
        (Some(overdue.to_string().as_str()), Some(true))
    );
    assert_eq!(
        (demos[1]["id"].as_str(), demos[1]["overdue"].as_bool()),
        (Some(due_soon.to_string().as_str()), Some(false))
    );
}

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn the_rules_read_one_clock_that_a_test_can_pin(pool: PgPool) {
    use tower::ServiceExt;
    let ana = user(&account(&pool, "ana@example.com", Role::Editor).await);
    let id = backdated_project(&pool, &ana, 0).await;
    let cookie = sign_in(&pool, "ana%40example.com").await;
    let flags_on = |day: chrono::NaiveDate| {
        let mut state = common::state(pool.clone());
        state.clock = app::clock::Clock::Fixed(day);
        let request = post_form("/api/projects/get", &format!("id={id}"), Some(&cookie));
        async move {
            let response = server::app(state).oneshot(request).await.expect("response");
            let detail: serde_json::Value =
                serde_json::from_str(&common::body_text(response).await).expect("json");
            detail["flags"]
                .as_array()
                .expect("flags")
                .iter()
                .map(|f| f["code"].as_str().unwrap_or_default().to_owned())
                .collect::<Vec<_>>()
        }
    };
    let today = chrono::Utc::now().date_naive();
    assert!(flags_on(today).await.is_empty());
    assert_eq!(flags_on(today + chrono::Days::new(32)).await, ["demo_overdue"]);
    assert_eq!(
        flags_on(today + chrono::Days::new(63)).await,
        ["stalled", "demo_overdue"]
    );
}

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn the_portfolio_gives_each_stage_its_median_and_longest_time(pool: PgPool) {
    let ana = user(&account(&pool, "ana@example.com", Role::Editor).await);
    let today = chrono::Utc::now().date_naive();
    let define = |portfolio: &app::portfolio::Portfolio| {
        let s = &portfolio.stages[0];
        (s.projects, s.median_days_in_stage, s.max_days_in_stage)
    };
    for days in [20, 1, 9, 5] {
        backdated_project(&pool, &ana, days).await;
    }
    let query = app::projects::ProjectQuery::default();
    let four = app::portfolio::server::portfolio(&pool, &query, today)
        .await
        .expect("portfolio");
    // percentile_disc(0.5) of 1, 5, 9, 20: the 2nd smallest.
    assert_eq!(define(&four), (4, 5, 20));
    backdated_project(&pool, &ana, 30).await;
    let five = app::portfolio::server::portfolio(&pool, &query, today)
        .await
        .expect("portfolio");
    assert_eq!(define(&five), (5, 9, 30), "of 1, 5, 9, 20, 30: the 3rd");
    // Kept per entry day (no filter, or a stage) and walked through the entries (a team): the same.
    for view in [
        app::projects::ProjectQuery {
            stage: Some(app::projects::stage::Stage::Define),
            ..query.clone()
        },
        app::projects::ProjectQuery {
            team: Some("claims".into()),
            ..query.clone()
        },
    ] {
        let shown = app::portfolio::server::portfolio(&pool, &view, today)
            .await
            .expect("portfolio");
        assert_eq!(define(&shown), (5, 9, 30), "{view:?}");
    }
    assert_eq!(five.stages[1].projects, 0);
    assert_eq!(
        (
            five.stages[1].median_days_in_stage,
            five.stages[1].max_days_in_stage
        ),
        (0, 0)
    );
}
