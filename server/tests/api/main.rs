//! The REST export against a real PostgreSQL: tokens, filters, cursor paging under concurrent
//! inserts, CSV quoting, and every response checked against the OpenAPI document.
#![expect(clippy::expect_used, reason = "a test fails loudly on what it did not expect")]

#[path = "../common/mod.rs"]
mod common;
mod openapi;

use app::auth::{CurrentUser, Role};
use app::projects::input::ProjectInput;
use app::projects::server::write;
use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use common::{account, body_text, send, user};
use serde_json::Value;
use sqlx::PgPool;
use std::collections::{BTreeMap, HashSet};
use uuid::Uuid;

/// A GET with a bearer token (or none).
fn api(path: &str, token: Option<&str>) -> Request<Body> {
    let mut builder = Request::get(path);
    if let Some(token) = token {
        builder = builder.header(header::AUTHORIZATION, format!("Bearer {token}"));
    }
    builder.body(Body::empty()).expect("valid request")
}

/// The events feed from `path`, read again until it holds at least `at_least` events: the feed
/// waits for every older writing transaction in the cluster to end, and other tests' databases
/// share this cluster.
async fn feed(pool: &PgPool, path: &str, token: &str, at_least: usize) -> Value {
    let started = std::time::Instant::now();
    loop {
        let (status, body) = json(pool, path, token).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let have = body["events"].as_array().map_or(0, Vec::len);
        if have >= at_least || started.elapsed() > std::time::Duration::from_secs(10) {
            return body;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
}

async fn json(pool: &PgPool, path: &str, token: &str) -> (StatusCode, Value) {
    let response = send(pool, api(path, Some(token))).await;
    let status = response.status();
    let body = body_text(response).await;
    (
        status,
        serde_json::from_str(&body).unwrap_or_else(|_| panic!("JSON from {path}: {body}")),
    )
}

async fn admin_and_token(pool: &PgPool) -> (CurrentUser, String) {
    let admin = user(&account(pool, "root@example.com", Role::Admin).await);
    let token = app::tokens::server::create(pool, admin.id, "Finance BI", "read")
        .await
        .expect("token");
    (admin, token.secret)
}

async fn project(pool: &PgPool, by: &CurrentUser, name: &str, team: &str, tier: &str) -> Uuid {
    let input = ProjectInput {
        name: name.into(),
        team: team.into(),
        risk_tier: tier.into(),
        status: "active".into(),
        ..ProjectInput::default()
    };
    write::create(pool, by, input.validate().expect("valid"))
        .await
        .expect("created")
}

/// Validates `body` against the schema the OpenAPI document gives `GET path` for `status`.
fn assert_matches_openapi(doc: &Value, path: &str, status: u16, body: &Value) {
    assert_operation_matches_openapi(doc, "get", path, status, body);
}

/// Validates `body` against the schema the OpenAPI document gives `method path` for `status`.
fn assert_operation_matches_openapi(doc: &Value, method: &str, path: &str, status: u16, body: &Value) {
    let response = &doc["paths"][path][method]["responses"][status.to_string()];
    let schema = &response["content"]["application/json"]["schema"];
    assert!(
        schema.is_object(),
        "the document describes {path} {status}: {response}"
    );
    let mut root = schema.clone();
    root["components"] = doc["components"].clone();
    let validator = jsonschema::validator_for(&root).expect("a valid schema");
    let errors: Vec<String> = validator
        .iter_errors(body)
        .map(|e| format!("{e} at {}", e.instance_path))
        .collect();
    assert!(
        errors.is_empty(),
        "{path} {status} does not match the OpenAPI document: {errors:?}\n{body}"
    );
}

async fn openapi(pool: &PgPool) -> Value {
    let response = send(pool, api("/api/v1/openapi.json", None)).await;
    assert_eq!(response.status(), StatusCode::OK, "the document needs no token");
    serde_json::from_str(&body_text(response).await).expect("JSON")
}

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn a_missing_wrong_or_revoked_token_is_refused_with_401(pool: PgPool) {
    let (admin, token) = admin_and_token(&pool).await;
    let doc = openapi(&pool).await;
    for (token, why) in [
        (None, "missing"),
        (Some("tg_wrong"), "wrong"),
        (Some("Basic x"), "not a token"),
    ] {
        let response = send(&pool, api("/api/v1/projects", token)).await;
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED, "{why}");
        let body: Value = serde_json::from_str(&body_text(response).await).expect("JSON");
        assert_eq!(body["code"], "unauthenticated", "{why}");
        assert_matches_openapi(&doc, "/api/v1/projects", 401, &body);
    }
    let (status, _) = json(&pool, "/api/v1/projects", &token).await;
    assert_eq!(status, StatusCode::OK);
    let last_used: Option<chrono::DateTime<chrono::Utc>> =
        sqlx::query_scalar("select last_used_at from api_tokens")
            .fetch_one(&pool)
            .await
            .expect("row");
    assert!(last_used.is_some(), "use is recorded");

    let id: Uuid = sqlx::query_scalar("select id from api_tokens")
        .fetch_one(&pool)
        .await
        .expect("id");
    app::tokens::server::revoke(&pool, admin.id, id)
        .await
        .expect("revoked");
    let response = send(&pool, api("/api/v1/projects", Some(&token))).await;
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED, "revoked");
    let actions: Vec<String> =
        sqlx::query_scalar("select action from audit_events where entity_type = 'api_token' order by id")
            .fetch_all(&pool)
            .await
            .expect("events");
    assert_eq!(actions, ["token_created", "token_revoked"]);
}

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn every_filter_selects_its_projects_and_an_unknown_value_names_the_allowed_ones(pool: PgPool) {
    let (admin, token) = admin_and_token(&pool).await;
    let ana = user(&account(&pool, "ana@example.com", Role::Editor).await);
    let doc = openapi(&pool).await;
    let fraud = project(&pool, &ana, "Fraud scoring", "Risk", "high").await;
    let churn = project(&pool, &admin, "Churn model", "Retention", "low").await;
    let pricing = project(&pool, &ana, "Pricing", "risk", "medium").await;
    // Pricing moves back to nobody: its define stage loses its owner.
    sqlx::query("delete from stage_owners where project_id = $1")
        .bind(pricing)
        .execute(&pool)
        .await
        .expect("unowned");
    common::resignal(&pool, &[pricing]).await;
    let before_update = chrono::Utc::now();
    sqlx::query("update projects set stage = 'design' where id = $1")
        .bind(churn)
        .execute(&pool)
        .await
        .expect("moved");
    common::resignal(&pool, &[churn]).await;

    let ids = |body: &Value| -> HashSet<Uuid> {
        body["items"]
            .as_array()
            .expect("items")
            .iter()
            .map(|p| p["id"].as_str().expect("id").parse().expect("uuid"))
            .collect()
    };
    let since = before_update
        .to_rfc3339_opts(chrono::SecondsFormat::Micros, true)
        .replace('+', "%2B");
    let cases: Vec<(String, Vec<Uuid>)> = vec![
        ("".into(), vec![fraud, churn, pricing]),
        ("stage=design".into(), vec![churn]),
        ("team=RISK".into(), vec![fraud, pricing]),
        ("risk_tier=high".into(), vec![fraud]),
        (format!("owner={}", ana.id), vec![fraud]),
        ("owner=ANA%40example.com".into(), vec![fraud]),
        // Nobody owns Pricing's define stage, nor the design stage Churn moved into.
        ("owner=none".into(), vec![pricing, churn]),
        ("health=red".into(), vec![pricing, churn]),
        ("health=green".into(), vec![fraud]),
        ("health=amber".into(), vec![]),
        ("flag=ownerless".into(), vec![pricing, churn]),
        // Churn sits in design without research: its entry gate is not met.
        ("flag=gate_gap".into(), vec![churn]),
        (format!("updated_since={since}"), vec![churn]),
    ];
    for (filter, expected) in cases {
        let (status, body) = json(&pool, &format!("/api/v1/projects?{filter}"), &token).await;
        assert_eq!(status, StatusCode::OK, "{filter}: {body}");
        assert_eq!(ids(&body), expected.into_iter().collect(), "{filter}");
        assert_matches_openapi(&doc, "/api/v1/projects", 200, &body);
    }
    for (filter, allowed) in [
        ("stage=launch", "define, design, build, deploy"),
        ("health=purple", "green, amber, red"),
        (
            "flag=late",
            "ownerless, stalled, demo_overdue, review_overdue, gate_gap, conditions_overdue, goal_drift, continue_loop",
        ),
        ("risk_tier=extreme", "low, medium, high"),
        ("owner=bob", "none"),
        ("updated_since=yesterday", "RFC 3339"),
        ("colour=red", "stage, health"),
        ("limit=5000", "1 to 1000"),
    ] {
        let (status, body) = json(&pool, &format!("/api/v1/projects?{filter}"), &token).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{filter}");
        assert_eq!(body["code"], "invalid_filter", "{filter}");
        assert!(
            body["message"].as_str().expect("message").contains(allowed),
            "{filter}: {body}"
        );
        assert_matches_openapi(&doc, "/api/v1/projects", 400, &body);
    }
    let csv = send(&pool, api("/api/v1/projects.csv?stage=launch", Some(&token))).await;
    assert_eq!(
        csv.status(),
        StatusCode::BAD_REQUEST,
        "the CSV reads the same filters"
    );
}

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn paging_never_repeats_or_skips_a_project_while_others_are_added(pool: PgPool) {
    let (admin, token) = admin_and_token(&pool).await;
    let mut existing = HashSet::new();
    for i in 0..23 {
        existing.insert(project(&pool, &admin, &format!("Existing {i:02}"), "Ops", "low").await);
    }
    // Another client keeps adding projects while this one pages.
    let writer = {
        let (pool, admin) = (pool.clone(), admin.clone());
        tokio::spawn(async move {
            for i in 0..30 {
                project(&pool, &admin, &format!("Added {i:02}"), "Ops", "low").await;
                tokio::task::yield_now().await;
            }
        })
    };
    let mut seen = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let path = match &cursor {
            Some(c) => format!("/api/v1/projects?limit=4&cursor={c}"),
            None => "/api/v1/projects?limit=4".into(),
        };
        let (status, body) = json(&pool, &path, &token).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let page = body["items"].as_array().expect("items");
        assert!(page.len() <= 4);
        seen.extend(
            page.iter()
                .map(|p| p["id"].as_str().expect("id").parse::<Uuid>().expect("uuid")),
        );
        match body["next_cursor"].as_str() {
            Some(next) => cursor = Some(next.to_owned()),
            None => break,
        }
    }
    writer.await.expect("writer");
    let unique: HashSet<Uuid> = seen.iter().copied().collect();
    assert_eq!(unique.len(), seen.len(), "no project twice");
    assert!(
        existing.is_subset(&unique),
        "every project that existed is listed"
    );

    let (status, body) = json(&pool, "/api/v1/projects?cursor=forged", &token).await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::BAD_REQUEST, Some("invalid_cursor"))
    );
}

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn the_csv_quotes_commas_quotes_newlines_and_keeps_non_ascii_text(pool: PgPool) {
    let (admin, token) = admin_and_token(&pool).await;
    let names = [
        "Churn, retention and upsell",
        "The \"smart\" router",
        "Two\nlines",
        "Prévision de la demande — 需求预测",
    ];
    for name in names {
        project(&pool, &admin, name, "Team, with comma", "medium").await;
    }
    let response = send(&pool, api("/api/v1/projects.csv", Some(&token))).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(
        response.headers()[header::CONTENT_TYPE],
        "text/csv; charset=utf-8"
    );
    let text = body_text(response).await;
    assert!(
        text.contains("\"The \"\"smart\"\" router\""),
        "quotes are doubled inside quotes"
    );
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let headers: Vec<String> = reader
        .headers()
        .expect("header row")
        .iter()
        .map(str::to_owned)
        .collect();
    assert_eq!(headers[..4], ["id", "name", "team", "stage"]);
    let rows: Vec<BTreeMap<String, String>> = reader
        .records()
        .map(|r| {
            headers
                .iter()
                .cloned()
                .zip(r.expect("row").iter().map(str::to_owned))
                .collect()
        })
        .collect();
    let found: HashSet<&str> = rows.iter().map(|r| r["name"].as_str()).collect();
    assert_eq!(found, names.into_iter().collect());
    assert!(rows.iter().all(|r| r["team"] == "Team, with comma"));
    let created = &rows[0]["created_at"];
    assert!(
        chrono::DateTime::parse_from_rfc3339(created).is_ok(),
        "ISO 8601: {created}"
    );
    assert!(chrono::NaiveDate::parse_from_str(&rows[0]["stage_entered_on"], "%Y-%m-%d").is_ok());
    for row in &rows {
        assert!(
            row["flags"]
                .split(' ')
                .filter(|c| !c.is_empty())
                .all(|c| app::health::FlagCode::parse(c).is_some()),
            "flags are space-separated codes: {:?}",
            row["flags"]
        );
    }
}

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn with_too_many_people_for_a_menu_the_owner_filter_asks_for_an_email(pool: PgPool) {
    use app::projects::server::list::owner_choices;
    use app::projects::{OwnerChoices, OWNER_MENU_LIMIT};
    account(&pool, "ana@example.com", Role::Editor).await;
    assert!(
        matches!(owner_choices(&pool).await.expect("choices"), OwnerChoices::Menu(people) if people.len() == 1)
    );
    sqlx::query(
        "insert into accounts (email, display_name, role, password_hash)
         select 'editor' || n || '@example.com', 'Editor ' || n, 'editor', 'not-a-hash'
         from generate_series(1, $1::int) n",
    )
    .bind(OWNER_MENU_LIMIT as i32)
    .execute(&pool)
    .await
    .expect("many editors");
    assert_eq!(
        owner_choices(&pool).await.expect("choices"),
        OwnerChoices::ByEmail
    );
}

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn an_event_whose_transaction_commits_late_is_delivered_exactly_once(pool: PgPool) {
    let (admin, token) = admin_and_token(&pool).await;
    project(&pool, &admin, "First", "Claims", "low").await;
    let events = |body: &Value| -> Vec<String> {
        body["events"]
            .as_array()
            .expect("events")
            .iter()
            .map(|e| e["action"].as_str().expect("action").to_owned())
            .collect()
    };

    // A writer takes an event id and holds its transaction open...
    let mut slow = pool.begin().await.expect("begin");
    sqlx::query(
        "insert into audit_events (entity_type, entity_id, action) values ('project', gen_random_uuid(), 'slow_change')",
    )
    .execute(&mut *slow)
    .await
    .expect("slow event");
    // ...while another change, with a higher id, commits first.
    project(&pool, &admin, "Second", "Claims", "low").await;

    let first = feed(&pool, "/api/v1/events", &token, 1).await;
    assert_eq!(events(&first), ["created"], "only what nothing open can precede");
    let cursor = first["next_after"].as_str().expect("cursor").to_owned();

    slow.commit().await.expect("commit");
    let second = feed(&pool, &format!("/api/v1/events?after={cursor}"), &token, 2).await;
    assert_eq!(
        events(&second),
        ["slow_change", "created"],
        "the late event is not skipped"
    );
    let cursor = second["next_after"].as_str().expect("cursor").to_owned();
    let (_, third) = json(&pool, &format!("/api/v1/events?after={cursor}"), &token).await;
    assert!(events(&third).is_empty(), "and not repeated");

    // The feed's first form, a plain event id, still reads as "after that event".
    let first_id = first["events"][0]["id"].as_i64().expect("id");
    let legacy = feed(&pool, &format!("/api/v1/events?after={first_id}"), &token, 2).await;
    assert_eq!(events(&legacy), ["slow_change", "created"]);
    let (status, _) = json(&pool, "/api/v1/events?after=nonsense", &token).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
}
