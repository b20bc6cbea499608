//! Attacks from outside, from a viewer and from a same-site page, through the whole router
//! and a real PostgreSQL: the sign-in throttle under parallel attempts, forged requests,
//! bounded input, security headers, spreadsheet-safe CSV and the smaller holes.
#![expect(clippy::expect_used, reason = "a test fails loudly on what it did not expect")]

#[path = "../common/mod.rs"]
mod common;
mod throttle;

use app::admin::server as admins;
use app::auth::server::{accounts, password::Password};
use app::auth::{CurrentUser, Role};
use app::error::AppError;
use app::projects::input::ProjectInput;
use app::projects::server::write;
use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{header, Request, StatusCode};
use common::{
    account, body_text, error_code, form, get, post_form, send, session_cookie, sign_in, user, ORIGIN,
    PASSWORD,
};
use sqlx::PgPool;
use std::net::{IpAddr, SocketAddr};
use tower::ServiceExt;
use uuid::Uuid;

async fn project(pool: &PgPool, by: &CurrentUser, name: &str) -> Uuid {
    let input = ProjectInput {
        name: name.into(),
        team: "Risk".into(),
        risk_tier: "medium".into(),
        status: "active".into(),
        ..ProjectInput::default()
    };
    write::create(pool, by, input.validate().expect("valid"))
        .await
        .expect("created")
}

async fn failures(pool: &PgPool) -> i64 {
    sqlx::query_scalar("select count(*) from login_failures")
        .fetch_one(pool)
        .await
        .expect("count")
}

// ---- forged requests -------------------------------------------------------------------

fn with_origin(mut request: Request<Body>, origin: Option<&str>, referer: Option<&str>) -> Request<Body> {
    request.headers_mut().remove(header::ORIGIN);
    if let Some(origin) = origin {
        request
            .headers_mut()
            .insert(header::ORIGIN, origin.parse().expect("header"));
    }
    if let Some(referer) = referer {
        request
            .headers_mut()
            .insert(header::REFERER, referer.parse().expect("header"));
    }
    request
}

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn a_page_on_another_port_cannot_use_the_admins_cookie(pool: PgPool) {
    account(&pool, "root@example.com", Role::Admin).await;
    let cookie = sign_in(&pool, "root@example.com").await;
    let body = form(&[
        ("display_name", "Mallory"),
        ("email", "mallory@example.com"),
        ("role", "admin"),
        ("password", "a long enough password"),
    ]);
    for (origin, referer) in [
        (Some("http://tollgate.test:8080"), None),
        (Some("https://evil.example"), None),
        (Some("null"), None),
        (None, Some("https://evil.example/page")),
        (None, None),
    ] {
        let request = with_origin(
            post_form("/api/accounts/create", &body, Some(&cookie)),
            origin,
            referer,
        );
        let response = send(&pool, request).await;
        assert_eq!(response.status(), StatusCode::FORBIDDEN, "{origin:?} {referer:?}");
        assert_eq!(error_code(response).await, "forbidden_origin");
    }
    let created: i64 =
        sqlx::query_scalar("select count(*) from accounts where email = 'mallory@example.com'")
            .fetch_one(&pool)
            .await
            .expect("count");
    assert_eq!(created, 0);

    // The same form from our own page (a Referer alone will do) is accepted.
    let request = with_origin(
        post_form("/api/accounts/create", &body, Some(&cookie)),
        None,
        Some(&format!("{ORIGIN}/admin/accounts")),
    );
    assert!(send(&pool, request).await.status().is_success());
}

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn a_cross_site_page_cannot_sign_the_victim_into_another_account(pool: PgPool) {
    account(&pool, "mallory@example.com", Role::Viewer).await;
    let body = form(&[("email", "mallory@example.com"), ("password", PASSWORD)]);
    let request = with_origin(
        post_form("/api/login", &body, None),
        Some("https://evil.example"),
        None,
    );
    let response = send(&pool, request).await;
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    assert_eq!(session_cookie(&response), None);
    let request = with_origin(
        post_form("/api/logout", "", None),
        Some("https://evil.example"),
        None,
    );
    assert_eq!(send(&pool, request).await.status(), StatusCode::FORBIDDEN);
}

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn with_a_public_url_only_that_origin_may_post(pool: PgPool) {
    account(&pool, "ana@example.com", Role::Editor).await;
    let mut state = common::state(pool.clone());
    state.auth.public_origin = Some("https://tollgate.example.com".into());
    let body = form(&[("email", "ana@example.com"), ("password", PASSWORD)]);
    let ours = with_origin(
        post_form("/api/login", &body, None),
        Some("https://tollgate.example.com"),
        None,
    );
    let response = server::app(state.clone()).oneshot(ours).await.expect("answered");
    assert!(response.status().is_success(), "{}", response.status());
    // The Host header says tollgate.test, but the configured public origin is what counts.
    let host_only = post_form("/api/login", &body, None);
    let response = server::app(state).oneshot(host_only).await.expect("answered");
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
}

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn text_plain_bodies_are_refused(pool: PgPool) {
    let mut request = post_form("/api/login", "email=a%40b.c&password=whatever+it+is", None);
    request
        .headers_mut()
        .insert(header::CONTENT_TYPE, "text/plain".parse().expect("header"));
    let response = send(&pool, request).await;
    assert_eq!(response.status(), StatusCode::UNSUPPORTED_MEDIA_TYPE);
    assert_eq!(error_code(response).await, "unsupported_media_type");
    assert_eq!(failures(&pool).await, 0, "no password was checked");
}

// ---- bounded input ---------------------------------------------------------------------

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn a_body_over_the_cap_is_413(pool: PgPool) {
    let huge = format!(
        "email=a%40b.c&password={}",
        "x".repeat(server::security::MAX_BODY_BYTES)
    );
    let response = send(&pool, post_form("/api/login", &huge, None)).await;
    assert_eq!(response.status(), StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(error_code(response).await, "payload_too_large");
}

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn nul_bytes_and_invalid_text_get_a_field_message_not_a_500(pool: PgPool) {
    account(&pool, "ana@example.com", Role::Editor).await;
    let cookie = sign_in(&pool, "ana@example.com").await;
    for (body, field) in [
        (
            "input%5Bname%5D=Churn%00model&input%5Bteam%5D=Risk&input%5Brisk_tier%5D=low",
            "name",
        ),
        (
            "input%5Bname%5D=Churn&input%5Bteam%5D=%FF%FE&input%5Brisk_tier%5D=low",
            "team",
        ),
    ] {
        let response = send(&pool, post_form("/api/projects/create", body, Some(&cookie))).await;
        assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let envelope: serde_json::Value = serde_json::from_str(&body_text(response).await).expect("json");
        assert_eq!(envelope["code"], "invalid");
        assert_eq!(envelope["fields"][0]["field"], field, "{envelope}");
    }
}

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn searches_are_bounded_before_any_query_runs(pool: PgPool) {
    account(&pool, "vic@example.com", Role::Viewer).await;
    let cookie = sign_in(&pool, "vic@example.com").await;
    let long = "x".repeat(201);
    let response = send(
        &pool,
        post_form("/api/projects/list", &form(&[("query[q]", &long)]), Some(&cookie)),
    )
    .await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let envelope: serde_json::Value = serde_json::from_str(&body_text(response).await).expect("json");
    assert_eq!(envelope["fields"][0]["field"], "q");

    // A NUL in an address is refused at the door, for pages and for the export alike.
    let page = send(&pool, get("/projects?q=%00", Some(&cookie))).await;
    assert_eq!(page.status(), StatusCode::BAD_REQUEST);
    let csv = send(&pool, get("/api/v1/projects.csv?team=a%00b", None)).await;
    assert_eq!(csv.status(), StatusCode::BAD_REQUEST);
    assert_eq!(error_code(csv).await, "invalid_filter");
}

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn move_notes_and_withdrawal_reasons_are_bounded(pool: PgPool) {
    let ana = user(&account(&pool, "ana@example.com", Role::Admin).await);
    let id = project(&pool, &ana, "Churn").await;
    let long = "n".repeat(5001);
    let refused = write::move_stage(
        &pool,
        &ana,
        id,
        1,
        app::projects::stage::Stage::Design,
        &long,
        "",
        None,
    )
    .await
    .expect_err("too long");
    assert!(
        refused.fields().and_then(|f| f.get("note")).is_some(),
        "{refused:?}"
    );
    let refused =
        app::records::server::withdraw(&pool, &ana, app::records::RecordKind::Demo, Uuid::nil(), &long)
            .await
            .expect_err("too long");
    assert!(
        refused.fields().and_then(|f| f.get("reason")).is_some(),
        "{refused:?}"
    );
}

// ---- headers ---------------------------------------------------------------------------

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn pages_carry_a_nonce_policy_and_every_response_the_safety_headers(pool: PgPool) {
    // With an account, so the sign-in page renders (without one it sends visitors to setup).
    account(&pool, "ana@example.com", Role::Editor).await;
    let page = send(&pool, get("/login", None)).await;
    let headers = page.headers().clone();
    let policy = headers
        .get(header::CONTENT_SECURITY_POLICY)
        .and_then(|v| v.to_str().ok())
        .expect("a policy")
        .to_owned();
    let html = body_text(page).await;
    let nonce = html
        .split("nonce=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .expect("inline scripts carry a nonce");
    assert!(policy.contains(&format!("'nonce-{nonce}'")), "{policy}");
    for part in ["object-src 'none'", "base-uri 'self'", "frame-ancestors 'none'"] {
        assert!(policy.contains(part), "{policy}");
    }
    assert!(!policy.contains("unsafe-inline"), "{policy}");
    // Every inline script carries it.
    assert_eq!(
        html.matches("<script").count(),
        html.matches(&format!("nonce=\"{nonce}\"")).count()
    );
    assert_eq!(headers[header::X_CONTENT_TYPE_OPTIONS], "nosniff");
    assert_eq!(headers[header::REFERRER_POLICY], "same-origin");
    assert_eq!(headers[header::CACHE_CONTROL], "no-store");
    assert!(
        headers.get(header::STRICT_TRANSPORT_SECURITY).is_none(),
        "no HSTS over plain HTTP"
    );

    let health = send(&pool, get("/healthz", None)).await;
    assert_eq!(health.headers()[header::CACHE_CONTROL], "no-store");
    assert!(health.headers()[header::CONTENT_SECURITY_POLICY]
        .to_str()
        .expect("text")
        .contains("default-src 'none'"));

    let mut state = common::state(pool.clone());
    state.auth.secure_cookies = true;
    let secure = server::app(state)
        .oneshot(get("/healthz", None))
        .await
        .expect("answered");
    assert!(secure.headers().contains_key(header::STRICT_TRANSPORT_SECURITY));
}

// ---- CSV and the smaller holes ---------------------------------------------------------

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn csv_cells_that_a_spreadsheet_would_run_read_as_text(pool: PgPool) {
    let ana = user(&account(&pool, "ana@example.com", Role::Editor).await);
    project(&pool, &ana, "=HYPERLINK(\"http://evil.example\",\"Open\")").await;
    let cookie = sign_in(&pool, "ana@example.com").await;
    let response = send(&pool, get("/portfolio/export.csv", Some(&cookie))).await;
    assert_eq!(response.status(), StatusCode::OK);
    let csv = body_text(response).await;
    assert!(
        csv.contains("\"'=HYPERLINK(\"\"http://evil.example\"\",\"\"Open\"\")\""),
        "{csv}"
    );
}

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn a_temporary_password_cannot_download_the_csv(pool: PgPool) {
    let admin = account(&pool, "root@example.com", Role::Admin).await;
    let ana = account(&pool, "ana@example.com", Role::Editor).await;
    let (_, temporary) = admins::reset_password(&pool, admin.id, ana.id)
        .await
        .expect("reset");
    let login = send(
        &pool,
        post_form(
            "/api/login",
            &form(&[("email", "ana@example.com"), ("password", &temporary)]),
            None,
        ),
    )
    .await;
    let cookie = session_cookie(&login).expect("signed in");
    let response = send(&pool, get("/portfolio/export.csv", Some(&cookie))).await;
    assert_eq!(response.status(), StatusCode::CONFLICT);
    assert_eq!(error_code(response).await, "refused");
}

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn an_author_since_demoted_cannot_withdraw_their_record(pool: PgPool) {
    let admin = account(&pool, "root@example.com", Role::Admin).await;
    let ana = user(&account(&pool, "ana@example.com", Role::Editor).await);
    let id = project(&pool, &ana, "Churn").await;
    let demo = app::records::server::DemoInput {
        held_on: chrono::Utc::now().date_naive().to_string(),
        summary: "First look".into(),
        attendees: "Ops".into(),
        outcome: "continue".into(),
        link: String::new(),
    };
    let record = app::records::server::add_demo(&pool, &ana, id, &demo, chrono::Utc::now().date_naive())
        .await
        .expect("demo");
    let cookie = sign_in(&pool, "ana@example.com").await;
    admins::change_role(&pool, admin.id, ana.id, Role::Viewer)
        .await
        .expect("demoted");
    let body = form(&[
        ("kind", "demo"),
        ("record_id", &record.to_string()),
        ("reason", "mine"),
    ]);
    let response = send(&pool, post_form("/api/records/withdraw", &body, Some(&cookie))).await;
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    let withdrawn: bool =
        sqlx::query_scalar("select withdrawn_at is not null from demo_checkpoints where id = $1")
            .bind(record)
            .fetch_one(&pool)
            .await
            .expect("demo");
    assert!(!withdrawn);
}

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn the_events_feed_carries_projects_not_the_account_directory(pool: PgPool) {
    let admin = user(&account(&pool, "root@example.com", Role::Admin).await);
    let other = account(&pool, "ana@example.com", Role::Editor).await;
    admins::reset_password(&pool, admin.id, other.id)
        .await
        .expect("reset");
    project(&pool, &admin, "Churn").await;
    let token = app::tokens::server::create(&pool, admin.id, "BI", "read")
        .await
        .expect("token");
    // The feed waits for older writing transactions anywhere in the cluster: ask until it answers.
    let started = std::time::Instant::now();
    let body = loop {
        let mut request = get("/api/v1/events", None);
        request.headers_mut().insert(
            header::AUTHORIZATION,
            format!("Bearer {}", token.secret).parse().expect("header"),
        );
        let body: serde_json::Value =
            serde_json::from_str(&body_text(send(&pool, request).await).await).expect("json");
        let some = body["events"].as_array().is_some_and(|e| !e.is_empty());
        if some || started.elapsed().as_secs() > 10 {
            break body;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    };
    let events = body["events"].as_array().expect("events");
    assert!(!events.is_empty());
    assert!(events.iter().all(|e| e["entity_type"] == "project"), "{events:?}");
}

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn the_sign_in_page_shows_no_message_planted_in_its_address(pool: PgPool) {
    let planted =
        serde_json::json!({ "code": "refused", "message": "Call +1 555 0100 to unlock your account" });
    let address = format!(
        "/login?__err={}",
        percent_encoding::utf8_percent_encode(&planted.to_string(), percent_encoding::NON_ALPHANUMERIC)
    );
    let html = body_text(send(&pool, get(&address, None)).await).await;
    assert!(!html.contains("555 0100"), "the planted text is not shown");
}
