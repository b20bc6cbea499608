//! Governance records against a real PostgreSQL: who may add them, independence of reviewers,
//! dates, withdrawal, and the audit trail.
#![expect(clippy::expect_used, reason = "a test fails loudly on what it did not expect")]

mod common;

use app::auth::{CurrentUser, Role};
use app::error::AppError;
use app::health::Thresholds;
use app::projects::input::ProjectInput;
use app::projects::server::write;
use app::projects::stage::Stage;
use app::records::server::{self as records, DemoInput, EvidenceInput, ReviewInput, SignoffInput};
use app::records::RecordKind;
use chrono::NaiveDate;
use common::{account, user};
use sqlx::PgPool;
use uuid::Uuid;

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 25).expect("date")
}

async fn person(pool: &PgPool, email: &str, role: Role) -> CurrentUser {
    user(&account(pool, email, role).await)
}

static NEXT: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(1);

async fn project(pool: &PgPool, owner: &CurrentUser, tier: &str) -> Uuid {
    let input = ProjectInput {
        name: format!(
            "Project {}",
            NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
        ),
        team: "Claims".into(),
        risk_tier: tier.into(),
        status: "active".into(),
        ..ProjectInput::default()
    };
    write::create(pool, owner, input.validate().expect("valid"))
        .await
        .expect("created")
}

fn demo(held_on: &str) -> DemoInput {
    DemoInput {
        held_on: held_on.into(),
        summary: "Showed the triage queue to adjusters".into(),
        attendees: "Claims leads".into(),
        outcome: "continue".into(),
        link: String::new(),
    }
}

fn signoff() -> SignoffInput {
    SignoffInput {
        method: "SHAP".into(),
        summary: "Top features are claim amount and channel".into(),
        decision: "approved".into(),
        decided_on: "2026-11-20".into(),
    }
}

async fn actions(pool: &PgPool, project: Uuid) -> Vec<String> {
    sqlx::query_scalar("select action from audit_events where entity_id = $1 order by id")
        .bind(project)
        .fetch_all(pool)
        .await
        .expect("actions")
}

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn a_demo_is_stored_with_one_audit_event_and_a_future_date_is_refused(pool: PgPool) {
    let ana = person(&pool, "ana@example.com", Role::Editor).await;
    let id = project(&pool, &ana, "medium").await;
    records::add_demo(&pool, &ana, id, &demo("2026-11-20"), today())
        .await
        .expect("added");
    assert_eq!(actions(&pool, id).await, ["created", "demo_added"]);

    let future = records::add_demo(&pool, &ana, id, &demo("2026-11-26"), today()).await;
    let Err(AppError::Invalid(fields)) = future else {
        panic!("expected a field error, got {future:?}")
    };
    assert_eq!(
        fields.get("held_on"),
        Some("This already happened: the date can't be in the future.")
    );
    let bad_outcome = records::add_demo(
        &pool,
        &ana,
        id,
        &DemoInput {
            outcome: "abandon".into(),
            ..demo("2026-11-20")
        },
        today(),
    )
    .await;
    assert!(matches!(bad_outcome, Err(AppError::Invalid(_))));
    assert_eq!(actions(&pool, id).await.len(), 2, "refused records write nothing");
}

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn evidence_needs_a_whole_number_of_participants(pool: PgPool) {
    let ana = person(&pool, "ana@example.com", Role::Editor).await;
    let id = project(&pool, &ana, "medium").await;
    let mut input = EvidenceInput {
        kind: "interview".into(),
        title: "Adjuster interviews".into(),
        findings: "Triage is the bottleneck".into(),
        participants: "twelve".into(),
        held_on: "2026-10-01".into(),
        link: "https://wiki.example.com/research".into(),
    };
    let refused = records::add_evidence(&pool, &ana, id, &input, today()).await;
    let Err(AppError::Invalid(fields)) = refused else {
        panic!("expected a field error, got {refused:?}")
    };
    assert!(fields.get("participants").is_some());
    input.participants = "12".into();
    records::add_evidence(&pool, &ana, id, &input, today())
        .await
        .expect("added");
    let count: i64 = sqlx::query_scalar(
        "select count(*) from research_evidence where project_id = $1 and participants = 12",
    )
    .bind(id)
    .fetch_one(&pool)
    .await
    .expect("count");
    assert_eq!(count, 1);
}

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn the_current_owner_may_not_sign_off_their_own_project(pool: PgPool) {
    let admin = person(&pool, "admin@example.com", Role::Admin).await;
    let rae = person(&pool, "rae@example.com", Role::Reviewer).await;
    let id = project(&pool, &admin, "medium").await;
    let own = records::add_signoff(&pool, &admin, id, &signoff(), today()).await;
    assert!(
        matches!(own, Err(AppError::Refused(ref m)) if m.starts_with("You own this project's current stage")),
        "{own:?}"
    );
    records::add_signoff(&pool, &rae, id, &signoff(), today())
        .await
        .expect("an independent reviewer signs off");
    assert_eq!(actions(&pool, id).await, ["created", "signoff_added"]);
}

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn a_past_owner_may_not_review_a_high_risk_project_but_may_review_a_medium_one(pool: PgPool) {
    let ana = person(&pool, "ana@example.com", Role::Editor).await;
    let former = person(&pool, "former@example.com", Role::Admin).await;
    let high = project(&pool, &ana, "high").await;
    let medium = project(&pool, &ana, "medium").await;
    for id in [high, medium] {
        write::assign_owner(&pool, &ana, id, 1, Stage::Design, former.id)
            .await
            .expect("former owns design");
        write::assign_owner(&pool, &ana, id, 2, Stage::Design, ana.id)
            .await
            .expect("handed back");
    }
    let review = ReviewInput {
        risk_tier: "medium".into(),
        findings: "Drift monitoring in place".into(),
        decision: "approved".into(),
        reviewed_on: "2026-11-24".into(),
        next_review_on: String::new(),
    };
    let refused = records::add_review(&pool, &former, high, &review, today(), &Thresholds::default()).await;
    assert!(
        matches!(refused, Err(AppError::Refused(ref m)) if m.contains("high-risk")),
        "{refused:?}"
    );
    records::add_review(&pool, &former, medium, &review, today(), &Thresholds::default())
        .await
        .expect("allowed");
    let next: NaiveDate = sqlx::query_scalar("select next_review_on from risk_reviews where project_id = $1")
        .bind(medium)
        .fetch_one(&pool)
        .await
        .expect("next review");
    assert_eq!(
        next,
        NaiveDate::from_ymd_opt(2027, 11, 24).expect("date"),
        "medium tier: 12 months by default"
    );

    // A review that raises the tier to high is held to the high-risk rule too.
    let raising = ReviewInput {
        risk_tier: "high".into(),
        ..review
    };
    let refused =
        records::add_review(&pool, &former, medium, &raising, today(), &Thresholds::default()).await;
    assert!(matches!(refused, Err(AppError::Refused(_))), "{refused:?}");
}

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn only_the_author_or_an_admin_withdraws_a_record_and_it_is_kept(pool: PgPool) {
    let ana = person(&pool, "ana@example.com", Role::Editor).await;
    let ben = person(&pool, "ben@example.com", Role::Editor).await;
    let id = project(&pool, &ana, "low").await;
    let demo_id = records::add_demo(&pool, &ana, id, &demo("2026-11-20"), today())
        .await
        .expect("added");

    let by_ben = records::withdraw(&pool, &ben, RecordKind::Demo, demo_id, "wrong project").await;
    assert_eq!(by_ben, Err(AppError::Forbidden));
    let no_reason = records::withdraw(&pool, &ana, RecordKind::Demo, demo_id, " ").await;
    assert!(matches!(no_reason, Err(AppError::Invalid(_))));
    records::withdraw(
        &pool,
        &ana,
        RecordKind::Demo,
        demo_id,
        "logged on the wrong project",
    )
    .await
    .expect("withdrawn");
    let again = records::withdraw(&pool, &ana, RecordKind::Demo, demo_id, "twice").await;
    assert!(matches!(again, Err(AppError::Refused(_))));

    let (reason, withdrawn): (String, bool) = sqlx::query_as(
        "select withdraw_reason, withdrawn_at is not null from demo_checkpoints where id = $1",
    )
    .bind(demo_id)
    .fetch_one(&pool)
    .await
    .expect("still there");
    assert_eq!(
        (reason.as_str(), withdrawn),
        ("logged on the wrong project", true)
    );
    assert_eq!(
        actions(&pool, id).await,
        ["created", "demo_added", "record_withdrawn"]
    );
}

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn editors_add_demos_and_reviewers_add_signoffs_over_http_and_not_the_other_way_round(pool: PgPool) {
    use axum::http::StatusCode;
    use common::{form, post_form, send, sign_in};

    let owner = person(&pool, "owner@example.com", Role::Editor).await;
    for role in Role::ALL {
        account(&pool, &format!("{role}@example.com"), role).await;
    }
    let id = project(&pool, &owner, "low").await.to_string();
    let held_on = chrono::Utc::now().date_naive().to_string();
    let demo_form = form(&[
        ("project_id", &id),
        ("held_on", &held_on),
        ("summary", "Demo"),
        ("attendees", "Team"),
        ("outcome", "continue"),
    ]);
    let signoff_form = form(&[
        ("project_id", &id),
        ("method", "SHAP"),
        ("summary", "Fine"),
        ("decision", "approved"),
        ("decided_on", &held_on),
    ]);
    let expectations = [
        (Role::Viewer, StatusCode::FORBIDDEN, StatusCode::FORBIDDEN),
        (Role::Reviewer, StatusCode::FORBIDDEN, StatusCode::OK),
        (Role::Editor, StatusCode::OK, StatusCode::FORBIDDEN),
        (Role::Admin, StatusCode::OK, StatusCode::OK),
    ];
    for (role, demo_status, signoff_status) in expectations {
        let cookie = sign_in(&pool, &format!("{role}%40example.com")).await;
        let demo = send(&pool, post_form("/api/records/demo", &demo_form, Some(&cookie))).await;
        assert_eq!(demo.status(), demo_status, "{role} demo");
        let signoff = send(
            &pool,
            post_form("/api/records/signoff", &signoff_form, Some(&cookie)),
        )
        .await;
        assert_eq!(signoff.status(), signoff_status, "{role} signoff");
    }
    let anonymous = send(&pool, post_form("/api/records/demo", &demo_form, None)).await;
    assert_eq!(anonymous.status(), StatusCode::UNAUTHORIZED);
}

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn gates_count_only_live_records_and_the_latest_independent_decision(pool: PgPool) {
    let ana = person(&pool, "ana@example.com", Role::Editor).await;
    let rae = person(&pool, "rae@example.com", Role::Reviewer).await;
    let id = project(&pool, &ana, "medium").await;
    let facts = || records::facts(&pool, id);
    assert_eq!(facts().await.expect("facts"), Default::default());

    let demo_id = records::add_demo(&pool, &ana, id, &demo("2026-11-01"), today())
        .await
        .expect("demo");
    assert_eq!(facts().await.expect("facts").demos, 1);
    records::withdraw(&pool, &ana, RecordKind::Demo, demo_id, "duplicate")
        .await
        .expect("withdrawn");
    assert_eq!(
        facts().await.expect("facts").demos,
        0,
        "a withdrawn demo does not count"
    );

    records::add_signoff(&pool, &rae, id, &signoff(), today())
        .await
        .expect("approved");
    assert!(facts().await.expect("facts").independent_signoff);
    let later = SignoffInput {
        decision: "changes_requested".into(),
        decided_on: "2026-11-24".into(),
        ..signoff()
    };
    records::add_signoff(&pool, &rae, id, &later, today())
        .await
        .expect("changes requested");
    assert!(
        !facts().await.expect("facts").independent_signoff,
        "the latest decision stands"
    );

    let review = ReviewInput {
        risk_tier: "medium".into(),
        findings: "Fine".into(),
        decision: "approved_with_conditions".into(),
        reviewed_on: "2026-11-24".into(),
        next_review_on: String::new(),
    };
    records::add_review(&pool, &rae, id, &review, today(), &Thresholds::default())
        .await
        .expect("review");
    assert!(facts().await.expect("facts").independent_review);
    // If the reviewer later owns the current stage, the review no longer counts as independent.
    write::assign_owner(&pool, &ana, id, 1, Stage::Define, rae.id)
        .await
        .expect_err("reviewers cannot own stages");
}

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn the_author_or_an_admin_corrects_a_record_and_the_trail_keeps_before_and_after(pool: PgPool) {
    let ana = person(&pool, "ana@example.com", Role::Editor).await;
    let ben = person(&pool, "ben@example.com", Role::Editor).await;
    let admin = person(&pool, "root@example.com", Role::Admin).await;
    let id = project(&pool, &ana, "low").await;
    let demo_id = records::add_demo(&pool, &ana, id, &demo("2026-11-20"), today())
        .await
        .expect("added");

    let fixed = DemoInput {
        held_on: "2026-11-19".into(),
        ..demo("2026-11-19")
    };
    let by_ben = records::correct_demo(&pool, &ben, demo_id, &fixed, today()).await;
    assert_eq!(by_ben, Err(AppError::Forbidden), "another editor may not");
    let future = records::correct_demo(&pool, &ana, demo_id, &demo("2026-12-01"), today()).await;
    assert!(matches!(future, Err(AppError::Invalid(_))), "{future:?}");
    records::correct_demo(&pool, &ana, demo_id, &fixed, today())
        .await
        .expect("the author corrects");
    let unchanged = records::correct_demo(&pool, &ana, demo_id, &fixed, today()).await;
    assert_eq!(unchanged, Ok(demo_id), "saving it unchanged is no change");
    let by_admin = DemoInput {
        outcome: "pivot".into(),
        ..fixed.clone()
    };
    records::correct_demo(&pool, &admin, demo_id, &by_admin, today())
        .await
        .expect("an admin corrects");

    let held: (NaiveDate, String) =
        sqlx::query_as("select held_on, outcome::text from demo_checkpoints where id = $1")
            .bind(demo_id)
            .fetch_one(&pool)
            .await
            .expect("row");
    assert_eq!(
        held,
        (
            NaiveDate::from_ymd_opt(2026, 11, 19).expect("date"),
            "pivot".into()
        )
    );
    assert_eq!(
        actions(&pool, id).await,
        ["created", "demo_added", "record_corrected", "record_corrected"],
        "one event per real change"
    );
    let first: serde_json::Value = sqlx::query_scalar(
        "select changes from audit_events where entity_id = $1 and action = 'record_corrected' order by id limit 1",
    )
    .bind(id)
    .fetch_one(&pool)
    .await
    .expect("event");
    assert_eq!(
        first["held_on"],
        serde_json::json!({"before": "2026-11-20", "after": "2026-11-19"})
    );
    assert!(
        first.get("summary").is_none(),
        "unchanged fields are not listed: {first}"
    );

    records::withdraw(&pool, &ana, RecordKind::Demo, demo_id, "duplicate")
        .await
        .expect("withdrawn");
    let after_withdrawal = records::correct_demo(&pool, &admin, demo_id, &demo("2026-11-18"), today()).await;
    assert!(
        matches!(after_withdrawal, Err(AppError::Refused(_))),
        "{after_withdrawal:?}"
    );
}

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn a_corrected_signoff_keeps_its_approver_who_must_stay_independent(pool: PgPool) {
    let ana = person(&pool, "ana@example.com", Role::Editor).await;
    let rae = person(&pool, "rae@example.com", Role::Reviewer).await;
    let admin = person(&pool, "root@example.com", Role::Admin).await;
    let id = project(&pool, &ana, "medium").await;
    let signoff_id = records::add_signoff(&pool, &rae, id, &signoff(), today())
        .await
        .expect("rae signs off");
    let rejected = SignoffInput {
        decision: "rejected".into(),
        ..signoff()
    };
    records::correct_signoff(&pool, &admin, signoff_id, &rejected, today())
        .await
        .expect("an admin corrects it");
    let (approver, decision): (Uuid, String) =
        sqlx::query_as("select approver_id, decision::text from explainability_signoffs where id = $1")
            .bind(signoff_id)
            .fetch_one(&pool)
            .await
            .expect("row");
    assert_eq!((approver, decision.as_str()), (rae.id, "rejected"));
    assert!(
        !records::facts(&pool, id)
            .await
            .expect("facts")
            .independent_signoff,
        "the corrected decision is what counts"
    );
    // An approver who has since come to own the project may no longer correct their decision.
    let by_admin = records::add_signoff(&pool, &admin, id, &signoff(), today())
        .await
        .expect("the admin signs off too");
    write::assign_owner(&pool, &ana, id, 1, Stage::Define, admin.id)
        .await
        .expect("the admin takes over the stage");
    let refused = records::correct_signoff(&pool, &admin, by_admin, &rejected, today()).await;
    assert!(matches!(refused, Err(AppError::Refused(_))), "{refused:?}");
}

/// Project `id`'s version now, for an edit based on it.
async fn version(pool: &PgPool, id: Uuid) -> i32 {
    sqlx::query_scalar("select version from projects where id = $1")
        .bind(id)
        .fetch_one(pool)
        .await
        .expect("version")
}

async fn edit(pool: &PgPool, by: &CurrentUser, id: Uuid, change: impl FnOnce(&mut ProjectInput)) {
    let current = app::projects::server::read::detail(pool, id, today())
        .await
        .expect("project")
        .project;
    let mut input = current.to_input();
    change(&mut input);
    write::update(
        pool,
        by,
        id,
        version(pool, id).await,
        input.validate().expect("valid"),
    )
    .await
    .expect("saved");
}

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn a_material_change_voids_an_approval_given_before_it_and_a_cosmetic_one_does_not(pool: PgPool) {
    let ana = person(&pool, "ana@example.com", Role::Editor).await;
    let rae = person(&pool, "rae@example.com", Role::Reviewer).await;
    let id = project(&pool, &ana, "medium").await;
    edit(&pool, &ana, id, |p| {
        p.success_metric = "Median days to triage".into();
        p.success_target = "0.9".into();
    })
    .await;
    let facts = || async {
        app::health::server::facts(&pool, &[id])
            .await
            .expect("facts")
            .remove(0)
    };
    records::add_signoff(&pool, &rae, id, &signoff(), today())
        .await
        .expect("approved");
    assert!(facts().await.records.independent_signoff);

    edit(&pool, &ana, id, |p| {
        p.name = "Claims triage, renamed".into();
        p.summary = "Routes claims".into();
        p.risk_tier = "low".into();
    })
    .await;
    assert!(
        facts().await.records.independent_signoff,
        "a cosmetic edit voids nothing"
    );

    edit(&pool, &ana, id, |p| p.success_target = "0.8".into()).await;
    let now = facts().await;
    assert!(
        !now.records.independent_signoff,
        "the target changed since the sign-off"
    );
    let (item, by, change) = now.voided.first().expect("voided");
    assert_eq!(
        (*item, *by),
        (app::projects::gate::GateItem::ExplainabilitySignoff, rae.id)
    );
    assert_eq!(change.describe(), "success target changed from 0.9 to 0.8");

    records::add_signoff(&pool, &rae, id, &signoff(), today())
        .await
        .expect("approved again");
    assert!(
        facts().await.records.independent_signoff,
        "a sign-off given since counts"
    );
    edit(&pool, &ana, id, |p| p.risk_tier = "high".into()).await;
    assert_eq!(
        facts().await.voided.first().map(|(_, _, c)| c.describe()),
        Some("risk tier raised from low to high".to_owned())
    );
}

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn after_a_pivot_back_to_design_the_gate_into_build_asks_for_research_held_since(pool: PgPool) {
    let ana = person(&pool, "ana@example.com", Role::Editor).await;
    let id = project(&pool, &ana, "medium").await;
    edit(&pool, &ana, id, |p| {
        p.problem_statement = "Claims wait nine days".into();
        p.success_metric = "Median days to triage".into();
        p.success_target = "2 days".into();
        p.baseline_metric = "9 days".into();
        p.baseline_method = "Q2 sample".into();
        p.data_readiness = "Two years of claims".into();
    })
    .await;
    let real_today = chrono::Utc::now().date_naive();
    let research = |held_on: NaiveDate| EvidenceInput {
        kind: "interview".into(),
        title: "Adjuster interviews".into(),
        findings: "Triage is the bottleneck".into(),
        participants: "12".into(),
        held_on: held_on.to_string(),
        link: String::new(),
    };
    records::add_evidence(
        &pool,
        &ana,
        id,
        &research(real_today - chrono::Days::new(30)),
        real_today,
    )
    .await
    .expect("research");
    records::add_demo(
        &pool,
        &ana,
        id,
        &demo(&(real_today - chrono::Days::new(20)).to_string()),
        real_today,
    )
    .await
    .expect("demo");
    let to = |stage: Stage, note: &'static str| {
        let pool = pool.clone();
        let ana = ana.clone();
        async move { write::move_stage(&pool, &ana, id, version(&pool, id).await, stage, note, "", None).await }
    };
    to(Stage::Design, "").await.expect("into design");
    to(Stage::Build, "").await.expect("into build");
    to(Stage::Design, "The adjusters need a different queue")
        .await
        .expect("pivot");
    let refused = to(Stage::Build, "")
        .await
        .expect_err("research is older than the pivot");
    assert!(
        matches!(&refused, AppError::GateNotMet { missing, .. }
            if missing == &[app::projects::gate::GateItem::FreshResearch.describe().to_owned()]),
        "{refused:?}"
    );
    records::add_evidence(&pool, &ana, id, &research(real_today), real_today)
        .await
        .expect("talked to users again");
    to(Stage::Build, "").await.expect("into build again");
}
