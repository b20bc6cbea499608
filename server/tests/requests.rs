//! Review requests against a real PostgreSQL: asked, shown, answered by the decision,
//! withdrawn, and refused for someone who is not independent.
#![expect(clippy::expect_used, reason = "a test fails loudly on what it did not expect")]

mod common;

use app::auth::{CurrentUser, Role};
use app::error::AppError;
use app::projects::input::ProjectInput;
use app::projects::server::write;
use app::requests::{server as requests, RequestInput, RequestKind};
use axum::http::StatusCode;
use common::{account, form, post_form, send, sign_in, user};
use sqlx::PgPool;
use uuid::Uuid;

fn today() -> chrono::NaiveDate {
    chrono::Utc::now().date_naive()
}

async fn project(pool: &PgPool, by: &CurrentUser, tier: &str) -> Uuid {
    let input = ProjectInput {
        name: format!("Claims triage {tier}"),
        team: "Claims".into(),
        risk_tier: tier.into(),
        status: "active".into(),
        ..ProjectInput::default()
    };
    write::create(pool, by, input.validate().expect("valid"))
        .await
        .expect("created")
}

fn ask(kind: &str, reviewer: Option<Uuid>) -> app::requests::ValidRequest {
    RequestInput {
        kind: kind.into(),
        reviewer_id: reviewer.map(|r| r.to_string()).unwrap_or_default(),
        due_on: String::new(),
        note: "Before the steering committee".into(),
        ..RequestInput::default()
    }
    .validate(today())
    .expect("valid")
}

async fn last_event(pool: &PgPool, project: Uuid) -> (String, serde_json::Value) {
    sqlx::query_as("select action, changes from audit_events where entity_id = $1 order by id desc limit 1")
        .bind(project)
        .fetch_one(pool)
        .await
        .expect("an event")
}

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn a_named_reviewer_is_asked_sees_it_and_answering_closes_it(pool: PgPool) {
    let pm = user(&account(&pool, "pam@example.com", Role::Editor).await);
    let rae = user(&account(&pool, "rae@example.com", Role::Reviewer).await);
    let id = project(&pool, &pm, "medium").await;

    requests::create(&pool, &pm, id, &ask("signoff", Some(rae.id)))
        .await
        .expect("asked");
    let open = requests::open_for_project(&pool, id).await.expect("open");
    assert_eq!(open.len(), 1);
    assert_eq!(
        (open[0].kind, open[0].reviewer.as_deref()),
        (RequestKind::Signoff, Some("Rae"))
    );
    assert_eq!(open[0].requested_by, "Pam");
    let (action, changes) = last_event(&pool, id).await;
    assert_eq!(action, "review_requested");
    assert_eq!(changes["asked"]["after"], "Rae");

    let mine = requests::asked_of(&pool, &rae).await.expect("asked of rae");
    assert_eq!(mine.len(), 1);
    assert!(mine[0].by_name);

    let signoff = app::records::server::SignoffInput {
        method: "SHAP on 200 claims".into(),
        summary: "Reasons make sense".into(),
        decision: "approved".into(),
        decided_on: today().to_string(),
    };
    app::records::server::add_signoff(&pool, &rae, id, &signoff, today())
        .await
        .expect("signed");
    assert!(
        requests::open_for_project(&pool, id)
            .await
            .expect("open")
            .is_empty(),
        "answered"
    );
    assert!(requests::asked_of(&pool, &rae).await.expect("asked").is_empty());
    let (action, changes) = last_event(&pool, id).await;
    assert_eq!(action, "signoff_added");
    assert_eq!(changes["requests_answered"]["after"], 1, "in the same event");
}

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn someone_not_independent_cannot_be_asked(pool: PgPool) {
    let admin = user(&account(&pool, "root@example.com", Role::Admin).await);
    let viewer = user(&account(&pool, "vic@example.com", Role::Viewer).await);
    // The admin created the project, so owns its current stage.
    let id = project(&pool, &admin, "medium").await;
    let refused = requests::create(&pool, &admin, id, &ask("review", Some(admin.id))).await;
    let message = refused
        .expect_err("owner")
        .fields()
        .and_then(|f| f.get("reviewer_id"))
        .map(str::to_owned)
        .expect("a field message");
    assert!(message.contains("owns this project's current stage"), "{message}");

    let refused = requests::create(&pool, &admin, id, &ask("review", Some(viewer.id))).await;
    assert!(refused
        .expect_err("viewer")
        .fields()
        .and_then(|f| f.get("reviewer_id"))
        .is_some());

    // High risk: whoever has owned any stage is out, even after handing it on.
    let rex = user(&account(&pool, "rex@example.com", Role::Admin).await);
    let high = project(&pool, &rex, "high").await;
    write::assign_owner(
        &pool,
        &rex,
        high,
        1,
        app::projects::stage::Stage::Define,
        admin.id,
    )
    .await
    .expect("handed over");
    let refused = requests::create(&pool, &admin, high, &ask("review", Some(rex.id))).await;
    let message = refused
        .expect_err("ex-owner")
        .fields()
        .and_then(|f| f.get("reviewer_id"))
        .map(str::to_owned);
    assert!(message.is_some_and(|m| m.contains("high-risk")));
    assert!(requests::open_for_project(&pool, high)
        .await
        .expect("open")
        .is_empty());
}

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn a_request_can_be_withdrawn_once(pool: PgPool) {
    let pm = user(&account(&pool, "pam@example.com", Role::Editor).await);
    let id = project(&pool, &pm, "low").await;
    let request = requests::create(&pool, &pm, id, &ask("review", None))
        .await
        .expect("asked");
    requests::withdraw(&pool, &pm, request).await.expect("withdrawn");
    assert!(requests::open_for_project(&pool, id)
        .await
        .expect("open")
        .is_empty());
    assert_eq!(last_event(&pool, id).await.0, "review_request_withdrawn");
    assert!(matches!(
        requests::withdraw(&pool, &pm, request).await,
        Err(AppError::Refused(_))
    ));
}

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn only_editors_and_admins_may_ask(pool: PgPool) {
    let pm = user(&account(&pool, "pam@example.com", Role::Editor).await);
    account(&pool, "vic@example.com", Role::Viewer).await;
    let id = project(&pool, &pm, "low").await;
    let body = form(&[("project_id", &id.to_string()), ("input[kind]", "signoff")]);
    let viewer = sign_in(&pool, "vic@example.com").await;
    let response = send(&pool, post_form("/api/requests/create", &body, Some(&viewer))).await;
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    let editor = sign_in(&pool, "pam@example.com").await;
    let response = send(&pool, post_form("/api/requests/create", &body, Some(&editor))).await;
    assert!(response.status().is_success(), "{}", response.status());
    let past = form(&[
        ("project_id", &id.to_string()),
        ("input[kind]", "signoff"),
        ("input[due_on]", "2000-01-01"),
    ]);
    let response = send(&pool, post_form("/api/requests/create", &past, Some(&editor))).await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
}

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn a_reviewer_can_be_named_by_email_address_when_reviewers_are_too_many_for_a_menu(pool: PgPool) {
    let pm = user(&account(&pool, "pam@example.com", Role::Editor).await);
    let rae = user(&account(&pool, "rae@example.com", Role::Reviewer).await);
    account(&pool, "vic@example.com", Role::Viewer).await;
    let id = project(&pool, &pm, "medium").await;
    let editor = sign_in(&pool, "pam@example.com").await;
    let asking = |email: &str| {
        form(&[
            ("project_id", &id.to_string()),
            ("input[kind]", "signoff"),
            ("input[reviewer_email]", email),
        ])
    };
    // Someone who may not review: refused next to the box, and nothing is asked.
    let response = send(
        &pool,
        post_form("/api/requests/create", &asking("vic@example.com"), Some(&editor)),
    )
    .await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let envelope: serde_json::Value = serde_json::from_str(&common::body_text(response).await).expect("json");
    assert_eq!(envelope["fields"][0]["field"], "reviewer_email", "{envelope}");
    assert_eq!(
        envelope["fields"][0]["message"],
        "No active reviewer or admin has the email address vic@example.com."
    );
    assert!(requests::open_for_project(&pool, id)
        .await
        .expect("open")
        .is_empty());

    let response = send(
        &pool,
        post_form("/api/requests/create", &asking("Rae@Example.com"), Some(&editor)),
    )
    .await;
    assert!(response.status().is_success(), "{}", response.status());
    let open = requests::open_for_project(&pool, id).await.expect("open");
    assert_eq!(open.len(), 1);
    assert_eq!(open[0].reviewer.as_deref(), Some(rae.display_name.as_str()));
}
