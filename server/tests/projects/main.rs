//! Projects against a real PostgreSQL: audit events, version conflicts, stage moves, owners.
#![expect(clippy::expect_used, reason = "a test fails loudly on what it did not expect")]

#[path = "../common/mod.rs"]
mod common;
mod list;
mod owners;

use app::auth::{CurrentUser, Role};
use app::error::AppError;
use app::projects::input::ProjectInput;
use app::projects::server::{read, write};
use app::projects::stage::Stage;
use common::{account, user};
use serde_json::{json, Value};
use sqlx::PgPool;
use uuid::Uuid;

fn input(name: &str) -> ProjectInput {
    ProjectInput {
        name: name.into(),
        team: "Claims".into(),
        risk_tier: "medium".into(),
        status: "active".into(),
        ..ProjectInput::default()
    }
}

async fn editor(pool: &PgPool, email: &str) -> CurrentUser {
    user(&account(pool, email, Role::Editor).await)
}

async fn create(pool: &PgPool, actor: &CurrentUser, name: &str) -> Uuid {
    write::create(pool, actor, input(name).validate().expect("valid"))
        .await
        .expect("created")
}

/// One interview, so the gate into Design can be met.
async fn add_research(pool: &PgPool, actor: &CurrentUser, project: Uuid) {
    let evidence = app::records::server::EvidenceInput {
        kind: "interview".into(),
        title: "Adjuster interviews".into(),
        findings: "Triage is the bottleneck".into(),
        participants: "8".into(),
        held_on: "2026-01-15".into(),
        link: String::new(),
    };
    app::records::server::add_evidence(pool, actor, project, &evidence, chrono::Utc::now().date_naive())
        .await
        .expect("evidence added");
}

async fn events(pool: &PgPool, project: Uuid) -> Vec<(String, Value)> {
    sqlx::query_as("select action, changes from audit_events where entity_id = $1 order by id")
        .bind(project)
        .fetch_all(pool)
        .await
        .expect("events")
}

async fn version(pool: &PgPool, project: Uuid) -> i32 {
    read::project(pool, project)
        .await
        .expect("read")
        .expect("exists")
        .version
}

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn creating_a_project_writes_one_audit_event_and_makes_the_creator_owner_of_define(pool: PgPool) {
    let ana = editor(&pool, "ana@example.com").await;
    let id = create(&pool, &ana, "Claims triage").await;

    let events = events(&pool, id).await;
    assert_eq!(events.len(), 1);
    let (action, changes) = &events[0];
    assert_eq!(action, "created");
    assert_eq!(
        changes["name"],
        json!({ "before": null, "after": "Claims triage" })
    );
    assert_eq!(changes["stage"]["after"], "define");
    assert_eq!(changes["owner.define"]["after"], "Ana");
    assert!(changes.get("summary").is_none(), "empty fields are not listed");

    let detail = read::detail(&pool, id, chrono::Utc::now().date_naive())
        .await
        .expect("detail");
    assert_eq!(detail.current_owner().map(|o| o.owner.id), Some(ana.id));
    assert_eq!(detail.project.version, 1);
    assert_eq!(detail.handoffs.len(), 1);
}

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn an_edit_writes_one_event_with_only_the_changed_fields_before_and_after(pool: PgPool) {
    let ana = editor(&pool, "ana@example.com").await;
    let id = create(&pool, &ana, "Claims triage").await;
    let edited = ProjectInput {
        team: "Claims Ops".into(),
        problem_statement: "Slow triage".into(),
        ..input("Claims triage")
    };
    write::update(&pool, &ana, id, 1, edited.validate().expect("valid"))
        .await
        .expect("saved");

    let events = events(&pool, id).await;
    assert_eq!(events.len(), 2);
    assert_eq!(events[1].0, "updated");
    assert_eq!(
        events[1].1,
        json!({
            "team": { "before": "Claims", "after": "Claims Ops" },
            "problem_statement": { "before": "", "after": "Slow triage" },
        })
    );
    assert_eq!(version(&pool, id).await, 2);

    // Saving again with nothing changed writes nothing and keeps the version.
    write::update(&pool, &ana, id, 2, edited.validate().expect("valid"))
        .await
        .expect("saved");
    assert_eq!(crate::events(&pool, id).await.len(), 2);
    assert_eq!(version(&pool, id).await, 2);
}

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn a_save_based_on_an_older_version_is_refused_naming_who_changed_it(pool: PgPool) {
    let ana = editor(&pool, "ana@example.com").await;
    let ben = user(&account(&pool, "ben@example.com", Role::Admin).await);
    let id = create(&pool, &ana, "Claims triage").await;
    let ben_edit = ProjectInput {
        team: "Fraud".into(),
        ..input("Claims triage")
    };
    write::update(&pool, &ben, id, 1, ben_edit.validate().expect("valid"))
        .await
        .expect("ben saves first");

    let ana_edit = ProjectInput {
        team: "Claims Ops".into(),
        ..input("Claims triage")
    };
    let refused = write::update(&pool, &ana, id, 1, ana_edit.validate().expect("valid")).await;
    let Err(AppError::Conflict { by, at }) = refused else {
        panic!("expected a conflict, got {refused:?}")
    };
    assert_eq!(by, "Ben");
    assert!(
        (chrono::Utc::now() - at).num_seconds() < 60,
        "Ben saved just now, not {at}"
    );

    let project = read::project(&pool, id).await.expect("read").expect("exists");
    assert_eq!(project.team, "Fraud", "Ben's save stands");
    assert_eq!(
        events(&pool, id).await.len(),
        2,
        "the refused save wrote no event"
    );
}

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn names_are_unique_regardless_of_case(pool: PgPool) {
    let ana = editor(&pool, "ana@example.com").await;
    create(&pool, &ana, "Claims triage").await;
    let again = write::create(&pool, &ana, input("CLAIMS TRIAGE").validate().expect("valid")).await;
    let Err(AppError::Invalid(fields)) = again else {
        panic!("expected a field error, got {again:?}")
    };
    assert!(fields.get("name").is_some_and(|m| m.contains("already exists")));
}

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn a_forward_move_is_refused_until_the_gate_is_met_then_writes_one_event(pool: PgPool) {
    let ana = editor(&pool, "ana@example.com").await;
    let id = create(&pool, &ana, "Claims triage").await;

    let refused = write::move_stage(&pool, &ana, id, 1, Stage::Design, "", "", None).await;
    let Err(AppError::GateNotMet { missing, .. }) = refused else {
        panic!("expected a gate refusal, got {refused:?}")
    };
    assert_eq!(missing.len(), 4, "{missing:?}");
    assert!(missing[0].starts_with("A problem statement"));
    assert_eq!(missing[3], "At least one piece of user-research evidence");
    assert_eq!(events(&pool, id).await.len(), 1, "a refused move writes nothing");

    let complete = ProjectInput {
        problem_statement: "Claims wait 9 days".into(),
        success_metric: "median triage time".into(),
        success_target: "2 days".into(),
        ..input("Claims triage")
    };
    write::update(&pool, &ana, id, 1, complete.validate().expect("valid"))
        .await
        .expect("saved");
    let still = write::move_stage(&pool, &ana, id, 2, Stage::Design, "", "", None).await;
    assert!(
        matches!(still, Err(AppError::GateNotMet { ref missing, .. }) if missing.len() == 1),
        "the fields are there, the research is not: {still:?}"
    );
    add_research(&pool, &ana, id).await;
    write::move_stage(&pool, &ana, id, 2, Stage::Design, "", "", None)
        .await
        .expect("moved");

    let project = read::project(&pool, id).await.expect("read").expect("exists");
    assert_eq!((project.stage, project.version), (Stage::Design, 3));
    let events = events(&pool, id).await;
    assert_eq!(events.len(), 4, "created, updated, evidence added, moved");
    assert_eq!(
        events[3],
        (
            "stage_moved".into(),
            json!({ "stage": { "before": "define", "after": "design" } })
        )
    );
    let moves: i64 = sqlx::query_scalar("select count(*) from stage_moves where project_id = $1")
        .bind(id)
        .fetch_one(&pool)
        .await
        .expect("count");
    assert_eq!(moves, 1);
}

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn skipping_is_refused_and_going_back_needs_a_note(pool: PgPool) {
    let ana = editor(&pool, "ana@example.com").await;
    let id = create(&pool, &ana, "Claims triage").await;
    let skip = write::move_stage(&pool, &ana, id, 1, Stage::Build, "", "", None).await;
    assert!(
        matches!(skip, Err(AppError::Refused(ref m)) if m.starts_with("Move one stage at a time")),
        "{skip:?}"
    );

    sqlx::query("update projects set stage = 'build' where id = $1")
        .bind(id)
        .execute(&pool)
        .await
        .expect("set");
    let no_note = write::move_stage(&pool, &ana, id, 1, Stage::Define, " ", "", None).await;
    let Err(AppError::Invalid(fields)) = no_note else {
        panic!("expected a note error, got {no_note:?}")
    };
    assert!(fields.get("note").is_some());

    write::move_stage(
        &pool,
        &ana,
        id,
        1,
        Stage::Define,
        "Users want a checklist, not a model",
        "",
        None,
    )
    .await
    .expect("pivot");
    let last = events(&pool, id).await.pop().expect("an event");
    assert_eq!(last.1["note"]["after"], "Users want a checklist, not a model");
    assert_eq!(last.1["stage"], json!({ "before": "build", "after": "define" }));
}

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn two_simultaneous_changes_from_the_same_version_let_exactly_one_through(pool: PgPool) {
    let ana = editor(&pool, "ana@example.com").await;
    let ben = editor(&pool, "ben@example.com").await;
    let id = create(&pool, &ana, "Claims triage").await;
    let (a, b) = tokio::join!(
        write::assign_owner(&pool, &ana, id, 1, Stage::Design, ben.id),
        write::assign_owner(&pool, &ben, id, 1, Stage::Build, ana.id),
    );
    let outcomes = [a.is_ok(), b.is_ok()];
    assert_eq!(outcomes.iter().filter(|ok| **ok).count(), 1, "{a:?} {b:?}");
    assert!(matches!(
        if a.is_ok() { b } else { a },
        Err(AppError::Conflict { .. })
    ));
    assert_eq!(version(&pool, id).await, 2);
}

/// Every project server function that writes, called over HTTP by each kind of caller.
#[sqlx::test(migrator = "server::MIGRATOR")]
async fn only_editors_and_admins_may_write_projects_and_only_admins_hand_over(pool: PgPool) {
    use axum::http::StatusCode;
    use common::{form, post_form, send, sign_in};

    let owner = editor(&pool, "owner@example.com").await;
    for role in Role::ALL {
        account(&pool, &format!("{role}@example.com"), role).await;
    }
    let callers: Vec<(Option<Role>, bool)> = vec![
        (None, false),
        (Some(Role::Viewer), false),
        (Some(Role::Reviewer), false),
        (Some(Role::Editor), true),
        (Some(Role::Admin), true),
    ];
    for (role, may_write) in callers {
        let who = role.map_or("anonymous".to_owned(), |r| r.to_string());
        let cookie = match role {
            Some(role) => Some(sign_in(&pool, &format!("{role}%40example.com")).await),
            None => None,
        };
        let refused = if role.is_some() {
            StatusCode::FORBIDDEN
        } else {
            StatusCode::UNAUTHORIZED
        };
        let complete = ProjectInput {
            problem_statement: "p".into(),
            success_metric: "m".into(),
            success_target: "t".into(),
            ..input(&format!("Project of {who}"))
        };
        let id = write::create(&pool, &owner, complete.validate().expect("valid"))
            .await
            .expect("created");
        add_research(&pool, &owner, id).await;
        let id_text = id.to_string();
        let calls = [
            (
                "/api/projects/create",
                form(&[
                    ("input[name]", &format!("New by {who}")),
                    ("input[team]", "Claims"),
                    ("input[risk_tier]", "low"),
                ]),
            ),
            (
                "/api/projects/update",
                form(&[
                    ("id", &id_text),
                    ("version", "1"),
                    ("input[name]", &complete.name),
                    ("input[team]", "Fraud"),
                    ("input[risk_tier]", "high"),
                    ("input[problem_statement]", "p"),
                    ("input[success_metric]", "m"),
                    ("input[success_target]", "t"),
                ]),
            ),
            (
                "/api/projects/assign-owner",
                form(&[
                    ("id", &id_text),
                    ("version", "2"),
                    ("stage", "design"),
                    ("owner_id", &owner.id.to_string()),
                ]),
            ),
            (
                "/api/projects/move",
                form(&[("id", &id_text), ("version", "3"), ("to", "design")]),
            ),
        ];
        for (path, body) in &calls {
            let response = send(&pool, post_form(path, body, cookie.as_deref())).await;
            let status = response.status();
            if may_write {
                assert!(
                    status.is_success(),
                    "{who} {path}: {status} {}",
                    common::body_text(response).await
                );
            } else {
                assert_eq!(status, refused, "{who} {path}");
            }
        }
        let expected_version = if may_write { 4 } else { 1 };
        assert_eq!(version(&pool, id).await, expected_version, "{who}");

        let hand_over = form(&[
            ("from_owner_id", &owner.id.to_string()),
            ("to_owner_id", &owner.id.to_string()),
        ]);
        let response = send(
            &pool,
            post_form("/api/projects/reassign-all", &hand_over, cookie.as_deref()),
        )
        .await;
        let expected = match role {
            None => StatusCode::UNAUTHORIZED,
            Some(Role::Admin) => StatusCode::UNPROCESSABLE_ENTITY, // allowed in, refused as the same person
            Some(_) => StatusCode::FORBIDDEN,
        };
        assert_eq!(response.status(), expected, "{who} reassign-all");
    }
}

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn a_stage_move_based_on_an_older_version_is_refused_after_someone_else_saved(pool: PgPool) {
    let ana = editor(&pool, "ana@example.com").await;
    let ben = editor(&pool, "ben@example.com").await;
    let complete = ProjectInput {
        problem_statement: "p".into(),
        success_metric: "m".into(),
        success_target: "t".into(),
        ..input("Claims triage")
    };
    let id = write::create(&pool, &ana, complete.validate().expect("valid"))
        .await
        .expect("created");
    let edited = ProjectInput {
        team: "Claims Ops".into(),
        ..complete
    };
    write::update(&pool, &ben, id, 1, edited.validate().expect("valid"))
        .await
        .expect("Ben saves");

    let moved = write::move_stage(&pool, &ana, id, 1, Stage::Design, "", "", None).await;
    let Err(AppError::Conflict { by, .. }) = moved else {
        panic!("expected a conflict, got {moved:?}")
    };
    assert_eq!(by, "Ben");
    let project = read::project(&pool, id).await.expect("read").expect("exists");
    assert_eq!((project.stage, project.version), (Stage::Define, 2));
}

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn an_admin_override_moves_past_the_gate_and_leaves_a_gate_gap_flag(pool: PgPool) {
    use app::health::FlagCode;
    let ana = editor(&pool, "ana@example.com").await;
    let admin = user(&account(&pool, "ada@example.com", Role::Admin).await);
    let id = create(&pool, &ana, "Claims triage").await;

    let by_editor = write::move_stage(&pool, &ana, id, 1, Stage::Design, "", "Leadership asked", None).await;
    assert_eq!(by_editor, Err(AppError::Forbidden), "only admins override");
    write::move_stage(
        &pool,
        &admin,
        id,
        1,
        Stage::Design,
        "",
        "Leadership asked for a fast start",
        None,
    )
    .await
    .expect("overridden");

    let (missing, justification): (Vec<String>, String) =
        sqlx::query_as("select missing, justification from gate_overrides where project_id = $1")
            .bind(id)
            .fetch_one(&pool)
            .await
            .expect("override recorded");
    assert_eq!(missing.len(), 4);
    assert_eq!(justification, "Leadership asked for a fast start");
    let last = events(&pool, id).await.pop().expect("an event");
    assert_eq!(last.1["override"]["after"], "Leadership asked for a fast start");

    let detail = read::detail(&pool, id, chrono::Utc::now().date_naive())
        .await
        .expect("detail");
    let gap = detail
        .flags
        .iter()
        .find(|f| f.code == FlagCode::GateGap)
        .expect("a gate gap");
    assert!(
        gap.reason
            .starts_with("Design entered by an admin override without a problem statement"),
        "{}",
        gap.reason
    );
}

/// Today, as the list's health filters see it.
fn today() -> chrono::NaiveDate {
    chrono::Utc::now().date_naive()
}
