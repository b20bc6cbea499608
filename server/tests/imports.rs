//! Imports against a real PostgreSQL: a preview writes no project; a commit writes each row as
//! the forms would (audit events naming the import, owners, signals); a second run of the same
//! file changes nothing; all or nothing writes nothing when a row is refused; a project saved
//! since the preview is refused; Tollgate's own export imports back into an empty database.
#![expect(clippy::expect_used, reason = "a test fails loudly on what it did not expect")]

mod common;

use app::auth::{CurrentUser, Role};
use app::health::server as signals_db;
use app::imports::plan::Action;
use app::imports::server as imports;
use app::imports::Summary;
use app::projects::input::ProjectInput;
use app::projects::server::{read, write};
use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use chrono::NaiveDate;
use common::{account, body_text, send, user};
use sqlx::PgPool;

fn today() -> NaiveDate {
    chrono::Utc::now().date_naive()
}

async fn people(pool: &PgPool) -> (CurrentUser, CurrentUser) {
    let admin = user(&account(pool, "root@example.com", Role::Admin).await);
    let ana = user(&account(pool, "ana@example.com", Role::Editor).await);
    (admin, ana)
}

async fn churn(pool: &PgPool, by: &CurrentUser) -> uuid::Uuid {
    let input = ProjectInput {
        name: "Churn model".into(),
        team: "Retention".into(),
        risk_tier: "medium".into(),
        status: "active".into(),
        ..ProjectInput::default()
    };
    write::create(pool, by, input.validate().expect("valid"))
        .await
        .expect("created")
}

/// Three good rows (two new, one update) and two bad ones.
const FILE: &str = "Name;Team;Risk tier;Stage;Owner email;Problem statement\r\n\
Fraud scoring;Risk;High;define;ana@example.com;\r\n\
Claims triage;Claims;low;Build;ANA@example.com;Claims wait nine days\r\n\
churn model;Growth;medium;define;;\r\n\
Bad stage;Ops;low;prod;;\r\n\
Nobody's;Ops;low;define;nobody@example.com;\r\n";

async fn project_count(pool: &PgPool) -> i64 {
    sqlx::query_scalar("select count(*) from projects")
        .fetch_one(pool)
        .await
        .expect("count")
}

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn a_preview_writes_no_project_and_a_commit_writes_each_row_as_the_forms_would(pool: PgPool) {
    let (admin, ana) = people(&pool).await;
    let churn = churn(&pool, &ana).await;
    let id = imports::preview(
        &pool,
        &admin,
        "inventory.csv",
        FILE.as_bytes(),
        None,
        &[],
        today(),
    )
    .await
    .expect("previewed");
    assert_eq!(project_count(&pool).await, 1, "a preview writes no project");
    let report = imports::preview_report(&pool, id).await.expect("report");
    let verdicts: Vec<(usize, Action)> = report.iter().map(|r| (r.row, r.action)).collect();
    assert_eq!(
        verdicts,
        [
            (2, Action::Create),
            (3, Action::Create),
            (4, Action::Update),
            (5, Action::Refused),
            (6, Action::Refused)
        ]
    );
    assert_eq!(
        report[3].problems,
        ["unknown stage \"prod\" — allowed: define, design, build, deploy"]
    );
    assert_eq!(report[4].problems, ["owner nobody@example.com not found"]);
    assert!(report[1].notes[0].contains("flagged gate_gap (imported)"));
    let csv = String::from_utf8(imports::report_csv(&report).expect("csv")).expect("utf-8");
    assert!(csv.starts_with("row,name,outcome,problems,notes\n"));
    assert!(
        csv.contains("6,Nobody's,refused,owner nobody@example.com not found,\n"),
        "{csv}"
    );

    let summary = imports::commit(&pool, &admin, id, false, today())
        .await
        .expect("committed");
    assert_eq!(
        summary,
        Summary {
            created: 2,
            updated: 1,
            unchanged: 0,
            refused: 2
        }
    );
    assert_eq!(project_count(&pool).await, 3);
    let updated = read::project(&pool, churn).await.expect("read").expect("found");
    assert_eq!(updated.team, "Growth");
    // Each write is audited as the importer's, naming the import.
    let via: Vec<(String, String)> = sqlx::query_as(
        "select action, changes->'via'->>'after' from audit_events where entity_type = 'project' and changes ? 'via' order by id",
    )
    .fetch_all(&pool)
    .await
    .expect("events");
    assert_eq!(
        via.iter().map(|(a, _)| a.as_str()).collect::<Vec<_>>(),
        ["created", "created", "updated"]
    );
    assert!(via.iter().all(|(_, v)| v == "import inventory.csv"));
    // Claims triage: in Build, owned by Ana, flagged gate_gap because it was imported there.
    let claims: uuid::Uuid = sqlx::query_scalar("select id from projects where name = 'Claims triage'")
        .fetch_one(&pool)
        .await
        .expect("claims");
    let flags = signals_db::current_of(&pool, claims)
        .await
        .expect("signals")
        .flags(today());
    let gap = flags
        .iter()
        .find(|f| f.code == app::health::FlagCode::GateGap)
        .expect("a gate gap");
    assert!(gap.reason.starts_with("Build imported without"), "{}", gap.reason);
    let owner: String = sqlx::query_scalar(
        "select a.email from stage_owners so join accounts a on a.id = so.owner_id where so.project_id = $1 and so.stage = 'build'",
    )
    .bind(claims)
    .fetch_one(&pool)
    .await
    .expect("owner");
    assert_eq!(owner, "ana@example.com");
    let status: String = sqlx::query_scalar("select status from imports where id = $1")
        .bind(id)
        .fetch_one(&pool)
        .await
        .expect("status");
    assert_eq!(status, "done");
    assert!(
        imports::commit(&pool, &admin, id, false, today()).await.is_err(),
        "an import is applied once"
    );

    // The same file again: nothing changes.
    let again = imports::preview(
        &pool,
        &admin,
        "inventory.csv",
        FILE.as_bytes(),
        None,
        &[],
        today(),
    )
    .await
    .expect("previewed");
    let actions: Vec<Action> = imports::preview_report(&pool, again)
        .await
        .expect("report")
        .iter()
        .map(|r| r.action)
        .collect();
    assert_eq!(
        actions,
        [
            Action::Unchanged,
            Action::Unchanged,
            Action::Unchanged,
            Action::Refused,
            Action::Refused
        ]
    );
    let events_before =
        sqlx::query_scalar::<_, i64>("select count(*) from audit_events where entity_type = 'project'")
            .fetch_one(&pool)
            .await
            .expect("count");
    let summary = imports::commit(&pool, &admin, again, false, today())
        .await
        .expect("committed");
    assert_eq!((summary.created, summary.updated, summary.unchanged), (0, 0, 3));
    let events_after =
        sqlx::query_scalar::<_, i64>("select count(*) from audit_events where entity_type = 'project'")
            .fetch_one(&pool)
            .await
            .expect("count");
    assert_eq!(events_before, events_after, "a second run writes nothing");
}

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn all_or_nothing_writes_nothing_when_a_row_is_refused(pool: PgPool) {
    let (admin, ana) = people(&pool).await;
    churn(&pool, &ana).await;
    let id = imports::preview(
        &pool,
        &admin,
        "inventory.csv",
        FILE.as_bytes(),
        None,
        &[],
        today(),
    )
    .await
    .expect("previewed");
    let refused = imports::commit(&pool, &admin, id, true, today())
        .await
        .expect_err("refused");
    assert!(
        refused
            .to_string()
            .contains("Nothing was imported: 2 of 5 rows are refused"),
        "{refused}"
    );
    assert_eq!(project_count(&pool).await, 1);
    let team: String = sqlx::query_scalar("select team from projects")
        .fetch_one(&pool)
        .await
        .expect("team");
    assert_eq!(team, "Retention", "the update was not written either");
}

/// Previews and commits `file` as `by`, all or nothing; returns its summary.
async fn import(pool: &PgPool, by: &CurrentUser, name: &str, file: &str) -> Summary {
    let id = imports::preview(pool, by, name, file.as_bytes(), None, &[], today())
        .await
        .expect("previewed");
    imports::commit(pool, by, id, true, today())
        .await
        .expect("committed")
}

async fn version_of(pool: &PgPool, name: &str) -> i32 {
    sqlx::query_scalar("select version from projects where name = $1")
        .bind(name)
        .fetch_one(pool)
        .await
        .expect("version")
}

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn updates_move_stages_hand_over_owners_and_record_material_changes_as_the_forms_do(pool: PgPool) {
    let (admin, _ana) = people(&pool).await;
    let first = "name,team,risk_tier,stage,owner_email,success_target\n\
                 Claims triage,Claims,low,build,ana@example.com,0.9\n\
                 Fraud scoring,Risk,high,define,ana@example.com,\n";
    import(&pool, &admin, "first.csv", first).await;
    let claims_before = version_of(&pool, "Claims triage").await;
    let fraud_before = version_of(&pool, "Fraud scoring").await;

    // Claims goes back to Design with a lower target and a Design owner; Fraud changes hands.
    let second = "name,team,risk_tier,stage,owner_email,success_target\n\
                  Claims triage,Claims,low,design,root@example.com,0.8\n\
                  Fraud scoring,Risk,high,define,root@example.com,\n";
    let summary = import(&pool, &admin, "second.csv", second).await;
    assert_eq!((summary.updated, summary.refused), (2, 0));

    let claims: uuid::Uuid = sqlx::query_scalar("select id from projects where name = 'Claims triage'")
        .fetch_one(&pool)
        .await
        .expect("claims");
    let project = read::project(&pool, claims).await.expect("read").expect("found");
    assert_eq!(project.stage, app::projects::stage::Stage::Design);
    assert_eq!(project.success_target, "0.8");
    assert_eq!(
        project.version,
        claims_before + 3,
        "an edit, a move and an owner: three versions"
    );
    assert_eq!(version_of(&pool, "Fraud scoring").await, fraud_before + 1);

    // Each change is its own event, in the order the forms write them, naming the import.
    let events: Vec<(String, serde_json::Value)> = sqlx::query_as(
        "select e.action, e.changes from audit_events e join projects p on p.id = e.entity_id \
         where e.changes->'via'->>'after' = 'import second.csv' order by e.id",
    )
    .fetch_all(&pool)
    .await
    .expect("events");
    let actions: Vec<&str> = events.iter().map(|(a, _)| a.as_str()).collect();
    assert_eq!(
        actions,
        ["updated", "stage_moved", "owner_assigned", "owner_assigned"],
        "{events:?}"
    );
    assert_eq!(events[0].1["success_target"]["before"], "0.9");
    assert_eq!(events[1].1["stage"]["after"], "design");
    assert_eq!(events[2].1["owner.design"]["before"], serde_json::Value::Null);
    assert_eq!(events[2].1["owner.design"]["after"], "Root");
    assert_eq!(events[3].1["owner.define"]["before"], "Ana");
    assert_eq!(events[3].1["owner.define"]["after"], "Root");

    let moves: Vec<(String, String, String)> = sqlx::query_as(
        "select from_stage::text, to_stage::text, note from stage_moves where project_id = $1",
    )
    .bind(claims)
    .fetch_all(&pool)
    .await
    .expect("moves");
    assert_eq!(
        moves,
        [(
            "build".into(),
            "design".into(),
            "Imported (import second.csv)".into()
        )]
    );
    // The lower target and the move back void earlier approvals, as on the forms.
    let material: Vec<(String, String, String)> = sqlx::query_as(
        "select kind, before, after from material_changes where project_id = $1 order by kind",
    )
    .bind(claims)
    .fetch_all(&pool)
    .await
    .expect("material");
    assert_eq!(
        material,
        [
            ("pivot".into(), "build".into(), "design".into()),
            ("success_target".into(), "0.9".into(), "0.8".into())
        ]
    );
    let handovers: Vec<(Option<String>, String)> = sqlx::query_as(
        "select f.email, t.email from ownership_changes c join projects p on p.id = c.project_id \
         left join accounts f on f.id = c.from_owner_id join accounts t on t.id = c.to_owner_id \
         where p.name = 'Fraud scoring' order by c.id",
    )
    .fetch_all(&pool)
    .await
    .expect("hand-overs");
    assert_eq!(
        handovers,
        [
            (None, "ana@example.com".into()),
            (Some("ana@example.com".into()), "root@example.com".into())
        ]
    );
    // The same file again changes nothing.
    let again = import(&pool, &admin, "second.csv", second).await;
    assert_eq!((again.updated, again.unchanged), (0, 2));
}

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn a_project_saved_since_the_preview_is_refused_with_the_conflict(pool: PgPool) {
    let (admin, ana) = people(&pool).await;
    let churn = churn(&pool, &ana).await;
    let id = imports::preview(
        &pool,
        &admin,
        "inventory.csv",
        FILE.as_bytes(),
        None,
        &[],
        today(),
    )
    .await
    .expect("previewed");
    let project = read::project(&pool, churn).await.expect("read").expect("found");
    let edit = ProjectInput {
        summary: "Predicts churn a month ahead.".into(),
        ..project.to_input()
    };
    write::update(
        &pool,
        &ana,
        churn,
        project.version,
        edit.validate().expect("valid"),
    )
    .await
    .expect("saved");
    let summary = imports::commit(&pool, &admin, id, false, today())
        .await
        .expect("committed");
    assert_eq!((summary.created, summary.updated, summary.refused), (2, 0, 3));
    let team: String = sqlx::query_scalar("select team from projects where id = $1")
        .bind(churn)
        .fetch_one(&pool)
        .await
        .expect("team");
    assert_eq!(team, "Retention", "Ana's save stands");
}

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn bad_files_are_refused_with_one_message_next_to_the_file(pool: PgPool) {
    let (admin, _) = people(&pool).await;
    for (name, bytes, message) in [
        ("empty.csv", &b""[..], "The file is empty."),
        (
            "x.csv",
            &b"team\nOps\n"[..],
            "No column holds the projects' names",
        ),
        ("x.xlsx", &b"name\nA\n"[..], "not an Excel workbook"),
    ] {
        let error = imports::preview(&pool, &admin, name, bytes, None, &[], today())
            .await
            .expect_err("refused");
        let app::error::AppError::Invalid(fields) = error else {
            panic!("{name}: {error:?}")
        };
        assert!(
            fields.get("file").unwrap_or_default().contains(message),
            "{name}: {fields:?}"
        );
    }
    assert_eq!(
        sqlx::query_scalar::<_, i64>("select count(*) from imports")
            .fetch_one(&pool)
            .await
            .expect("count"),
        0
    );
}

/// An account as copied between databases: id, email, name, role, password hash, active, when
/// deactivated.
type AccountRow = (
    uuid::Uuid,
    String,
    String,
    String,
    String,
    bool,
    Option<chrono::DateTime<chrono::Utc>>,
);

/// `GET /api/v1/projects.csv` of `pool`, as a reporting system reads it.
async fn export(pool: &PgPool, admin: uuid::Uuid) -> String {
    let token = app::tokens::server::create(pool, admin, "Round trip", "read")
        .await
        .expect("token")
        .secret;
    let request = Request::get("/api/v1/projects.csv")
        .header(header::AUTHORIZATION, format!("Bearer {token}"))
        .body(Body::empty())
        .expect("request");
    let response = send(pool, request).await;
    assert_eq!(response.status(), StatusCode::OK);
    body_text(response).await
}

/// The columns an import brings back (what records decide — demos, reviews, health — and the
/// instants of the writes are Tollgate's own), by id.
fn importable(csv: &str) -> Vec<Vec<String>> {
    let mut reader = csv::Reader::from_reader(csv.as_bytes());
    let headers = reader.headers().expect("headers").clone();
    let keep = [
        "id",
        "name",
        "team",
        "stage",
        "status",
        "risk_tier",
        "owner_name",
        "owner_email",
        "stage_entered_on",
        "days_in_stage",
    ];
    let mut rows: Vec<Vec<String>> = reader
        .records()
        .map(|r| {
            let r = r.expect("a row");
            let mut row: Vec<String> = keep
                .iter()
                .map(|k| r[headers.iter().position(|h| h == *k).expect(k)].to_owned())
                .collect();
            let created = &r[headers
                .iter()
                .position(|h| h == "created_at")
                .expect("created_at")];
            row.push(created[..10].to_owned());
            row
        })
        .collect();
    rows.sort();
    rows
}

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn tollgates_own_export_imports_back_into_an_empty_database(pool: PgPool) {
    server::seed::run(
        &pool,
        server::seed::SeedPlan {
            projects: 60,
            seed: 7,
            today: today(),
        },
    )
    .await
    .expect("seeded");
    let admin: uuid::Uuid =
        sqlx::query_scalar("select id from accounts where role = 'admin' order by email limit 1")
            .fetch_one(&pool)
            .await
            .expect("an admin");
    let exported = export(&pool, admin).await;

    // An empty database with the same people (owners are named by email).
    let name = format!(
        "tg_import_{}",
        std::process::id() ^ (chrono::Utc::now().timestamp_subsec_nanos())
    );
    // From template0, which nobody connects to (another test copying template1 would block it).
    sqlx::query(&format!("create database {name} template template0"))
        .execute(&pool)
        .await
        .expect("created");
    let options = pool.connect_options().as_ref().clone().database(&name);
    let empty = PgPool::connect_with(options).await.expect("connected");
    server::MIGRATOR.run(&empty).await.expect("migrated");
    let accounts: Vec<AccountRow> = sqlx::query_as(
        "select id, email, display_name, role::text, password_hash, active, deactivated_at from accounts",
    )
    .fetch_all(&pool)
    .await
    .expect("accounts");
    for (id, email, display, role, hash, active, deactivated) in accounts {
        sqlx::query(
            "insert into accounts (id, email, display_name, role, password_hash, active, deactivated_at)
             values ($1, $2, $3, $4::account_role, $5, $6, $7)",
        )
        .bind(id)
        .bind(email)
        .bind(display)
        .bind(role)
        .bind(hash)
        .bind(active)
        .bind(deactivated)
        .execute(&empty)
        .await
        .expect("copied");
    }
    let importer = sqlx::query_as::<_, (uuid::Uuid, String, String)>(
        "select id, email, display_name from accounts where id = $1",
    )
    .bind(admin)
    .fetch_one(&empty)
    .await
    .expect("admin");
    let importer = CurrentUser {
        id: importer.0,
        email: importer.1,
        display_name: importer.2,
        role: Role::Admin,
        must_change_password: false,
    };
    let id = imports::preview(
        &empty,
        &importer,
        "projects.csv",
        exported.as_bytes(),
        None,
        &[],
        today(),
    )
    .await
    .expect("previewed");
    let report = imports::preview_report(&empty, id).await.expect("report");
    let refused: Vec<_> = report.iter().filter(|r| r.action == Action::Refused).collect();
    assert!(refused.is_empty(), "{refused:#?}");
    let summary = imports::commit(&empty, &importer, id, true, today())
        .await
        .expect("committed");
    assert_eq!(summary.created, 60);

    let again = export(&empty, admin).await;
    assert_eq!(importable(&again), importable(&exported));
    empty.close().await;
    // Forced: a connection of the finished export may not have closed yet.
    sqlx::query(&format!("drop database {name} with (force)"))
        .execute(&pool)
        .await
        .expect("dropped");
}

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn a_column_can_be_read_as_another_field_and_the_rows_are_planned_again(pool: PgPool) {
    let (admin, _) = people(&pool).await;
    let file = "Project,Squad,Risk\nFraud scoring,Risk,high\n";
    let id = imports::preview(&pool, &admin, "squads.csv", file.as_bytes(), None, &[], today())
        .await
        .expect("previewed");
    let before = imports::preview_report(&pool, id).await.expect("report");
    assert_eq!(before[0].action, Action::Refused);
    assert_eq!(before[0].problems, ["team: Say which team runs the project."]);
    imports::remap(
        &pool,
        &admin,
        id,
        "Squad",
        Some(app::imports::columns::Column::Team),
        today(),
    )
    .await
    .expect("remapped");
    let after = imports::view(&pool, id).await.expect("view");
    assert_eq!(after.counts.created, 1);
    assert!(after.unknown_columns.is_empty());
    assert_eq!(
        after.chosen_columns,
        [("Squad".to_owned(), app::imports::columns::Column::Team)]
    );
    // Put back: the column is left out again.
    imports::remap(&pool, &admin, id, "Squad", None, today())
        .await
        .expect("put back");
    assert_eq!(imports::view(&pool, id).await.expect("view").counts.refused, 1);
    assert!(
        imports::remap(&pool, &admin, id, "Nope", None, today())
            .await
            .is_err(),
        "a column the file does not have"
    );
}

// ---- over HTTP: the form's large files, and the REST API with a write token -----------------

/// A `multipart/form-data` body with one file part `file` named `name`.
fn multipart(name: &str, bytes: &[u8]) -> (String, Vec<u8>) {
    let boundary = "----tollgate-test-boundary";
    let mut body = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{name}\"\r\nContent-Type: text/csv\r\n\r\n"
    )
    .into_bytes();
    body.extend_from_slice(bytes);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn a_file_of_several_megabytes_uploads_through_the_form(pool: PgPool) {
    account(&pool, "ana@example.com", Role::Editor).await;
    let cookie = common::sign_in(&pool, "ana@example.com").await;
    // 2,500 rows of 1,200-character problem statements: about 3 MB, over the 1 MB a form may send.
    let mut file = String::from("Name,Team,Risk tier,Problem statement\n");
    for n in 0..2500 {
        file.push_str(&format!("Model {n},Ops,low,{}\n", "x".repeat(1200)));
    }
    assert!(file.len() > 3_000_000);
    let (content_type, body) = multipart("big.csv", file.as_bytes());
    let request = Request::post("/projects/import")
        .header(header::HOST, common::HOST)
        .header(header::ORIGIN, common::ORIGIN)
        .header(header::COOKIE, &cookie)
        .header(header::CONTENT_TYPE, content_type)
        .body(Body::from(body))
        .expect("request");
    let response = send(&pool, request).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let location = response.headers()[header::LOCATION].to_str().expect("location");
    let id: uuid::Uuid = location
        .strip_prefix("/projects/import/")
        .and_then(|id| id.parse().ok())
        .unwrap_or_else(|| panic!("to the preview, not {location}"));
    let report = imports::preview_report(&pool, id).await.expect("report");
    assert_eq!(report.len(), 2500);
    assert!(
        report.iter().all(|r| r.action == Action::Create),
        "{:?}",
        report[0]
    );
}

async fn api(
    pool: &PgPool,
    method: &str,
    path: &str,
    token: &str,
    body: Body,
    content_type: &str,
) -> (StatusCode, serde_json::Value) {
    let request = Request::builder()
        .method(method)
        .uri(path)
        .header(header::AUTHORIZATION, format!("Bearer {token}"))
        .header(header::CONTENT_TYPE, content_type)
        .body(body)
        .expect("request");
    let response = send(pool, request).await;
    let status = response.status();
    let text = body_text(response).await;
    (
        status,
        serde_json::from_str(&text).unwrap_or_else(|_| panic!("JSON, not {text}")),
    )
}

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn a_write_token_imports_through_the_api_and_a_read_token_may_not(pool: PgPool) {
    let (admin, _ana) = people(&pool).await;
    churn(&pool, &admin).await;
    let read = app::tokens::server::create(&pool, admin.id, "BI", "read")
        .await
        .expect("token")
        .secret;
    let write = app::tokens::server::create(&pool, admin.id, "Migration", "write")
        .await
        .expect("token")
        .secret;
    let csv = || Body::from(FILE.to_owned());

    let (status, body) = api(&pool, "POST", "/api/v1/imports", &read, csv(), "text/csv").await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::FORBIDDEN, Some("insufficient_scope"))
    );
    for (query, code) in [
        ("?dry_run=maybe", "invalid_filter"),
        ("?dryrun=false", "invalid_filter"),
    ] {
        let (status, body) = api(
            &pool,
            "POST",
            &format!("/api/v1/imports{query}"),
            &write,
            csv(),
            "text/csv",
        )
        .await;
        assert_eq!(
            (status, body["code"].as_str()),
            (StatusCode::BAD_REQUEST, Some(code)),
            "{query}"
        );
    }
    let (status, body) = api(
        &pool,
        "POST",
        "/api/v1/imports",
        &write,
        Body::empty(),
        "text/csv",
    )
    .await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("invalid_file"))
    );
    assert_eq!(project_count(&pool).await, 1, "nothing written so far");

    // A dry run (the default): every row's verdict, nothing written.
    let (status, dry) = api(
        &pool,
        "POST",
        "/api/v1/imports?file_name=inventory.csv",
        &write,
        csv(),
        "text/csv",
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{dry}");
    assert_eq!(
        (dry["status"].as_str(), dry["dry_run"].as_bool()),
        (Some("previewed"), Some(true))
    );
    assert_eq!(
        dry["preview"],
        serde_json::json!({ "created": 2, "updated": 1, "unchanged": 0, "refused": 2 })
    );
    let rows = dry["rows"].as_array().expect("rows");
    assert_eq!(
        rows.iter()
            .map(|r| r["row"].as_u64().unwrap_or(0))
            .collect::<Vec<_>>(),
        [2, 3, 4, 5, 6]
    );
    assert_eq!(rows[3]["action"], "refused");
    assert!(
        rows[3]["problems"][0]
            .as_str()
            .unwrap_or("")
            .contains("unknown stage \"prod\""),
        "{}",
        rows[3]
    );
    assert_eq!(project_count(&pool).await, 1, "a dry run writes no project");

    // For real, as a multipart form: queued, then applied by the background run.
    let (content_type, form) = multipart("inventory.csv", FILE.as_bytes());
    let (status, queued) = api(
        &pool,
        "POST",
        "/api/v1/imports?dry_run=false",
        &write,
        Body::from(form),
        &content_type,
    )
    .await;
    assert_eq!(status, StatusCode::ACCEPTED, "{queued}");
    assert_eq!(
        (queued["status"].as_str(), queued["dry_run"].as_bool()),
        (Some("queued"), Some(false))
    );
    let url = queued["url"].as_str().expect("url").to_owned();
    app::jobs::run_due(
        &common::state(pool.clone()),
        "test-worker",
        chrono::Duration::seconds(60),
    )
    .await
    .expect("ran");
    let (status, done) = api(&pool, "GET", &url, &write, Body::empty(), "application/json").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(done["status"], "done", "{done}");
    assert_eq!(
        done["result"],
        serde_json::json!({ "created": 2, "updated": 1, "unchanged": 0, "refused": 2 })
    );
    assert_eq!(project_count(&pool).await, 3);
    let via: String = sqlx::query_scalar(
        "select changes->'via'->>'after' from audit_events where action = 'created' and actor_id = $1 and changes ? 'via' limit 1",
    )
    .bind(admin.id)
    .fetch_one(&pool)
    .await
    .expect("a created event, by the token's admin, via the import");
    assert!(
        via.contains("inventory.csv (API token \u{201c}Migration\u{201d})"),
        "{via}"
    );
    let (status, body) = api(&pool, "GET", &url, &read, Body::empty(), "application/json").await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::FORBIDDEN, Some("insufficient_scope"))
    );

    // A write token whose admin is deactivated can only read.
    sqlx::query("update accounts set active = false, deactivated_at = now() where id = $1")
        .bind(admin.id)
        .execute(&pool)
        .await
        .expect("deactivated");
    let (status, body) = api(&pool, "POST", "/api/v1/imports", &write, csv(), "text/csv").await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::FORBIDDEN, Some("insufficient_scope"))
    );
}

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn both_templates_read_back_as_one_project_to_create(pool: PgPool) {
    let (admin, _ana) = people(&pool).await;
    let cookie = common::sign_in(&pool, "ana@example.com").await;
    for (path, content_type) in [
        ("/projects/import/template.csv", "text/csv; charset=utf-8"),
        (
            "/projects/import/template.xlsx",
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        ),
    ] {
        let response = send(&pool, common::get(path, Some(&cookie))).await;
        assert_eq!(response.status(), StatusCode::OK, "{path}");
        assert_eq!(response.headers()[header::CONTENT_TYPE], content_type);
        let bytes = http_body_util::BodyExt::collect(response.into_body())
            .await
            .expect("body")
            .to_bytes();
        let table = app::imports::parse::read(path, &bytes, None).expect("the template reads back");
        let keys: Vec<&str> = app::imports::columns::Column::ALL.map(|c| c.key()).to_vec();
        assert_eq!(table.headers, keys, "{path}");
        let id = imports::preview(&pool, &admin, path, &bytes, None, &[], today())
            .await
            .expect("previewed");
        let report = imports::preview_report(&pool, id).await.expect("report");
        assert_eq!(report.len(), 1, "{path}");
        assert_eq!(report[0].action, Action::Create, "{path}: {:?}", report[0]);
    }
    let signed_out = send(&pool, common::get("/projects/import/template.xlsx", None)).await;
    assert_eq!(signed_out.status(), StatusCode::SEE_OTHER, "to the sign-in page");
}
