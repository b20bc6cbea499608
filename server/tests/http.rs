//! The router end to end in-process: server functions, pages, statuses and cookies.
#![expect(clippy::expect_used, reason = "a test fails loudly on what it did not expect")]

mod common;

use app::auth::Role;
use axum::http::{header, StatusCode};
use common::{account, body_text, error_code, get, post_form, send, session_cookie, sign_in, PASSWORD};
use sqlx::PgPool;

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn healthz_is_200_while_the_database_answers_and_503_when_it_does_not(pool: PgPool) {
    let ok = send(&pool, get("/healthz", None)).await;
    assert_eq!(ok.status(), StatusCode::OK);

    pool.close().await;
    let down = send(&pool, get("/healthz", None)).await;
    assert_eq!(down.status(), StatusCode::SERVICE_UNAVAILABLE);
}

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn signing_in_sets_an_http_only_lax_cookie_with_a_fresh_session(pool: PgPool) {
    account(&pool, "ana@example.com", Role::Editor).await;
    let body = format!("email=ana%40example.com&password={}", PASSWORD.replace(' ', "+"));
    let first = send(&pool, post_form("/api/login", &body, None)).await;
    assert!(first.status().is_success(), "{}", first.status());
    let set_cookie = first
        .headers()
        .get(header::SET_COOKIE)
        .unwrap()
        .to_str()
        .unwrap()
        .to_owned();
    assert!(
        set_cookie.contains("HttpOnly") && set_cookie.contains("SameSite=Lax"),
        "{set_cookie}"
    );

    let old = session_cookie(&first).unwrap();
    let second = send(&pool, post_form("/api/login", &body, Some(&old))).await;
    let new = session_cookie(&second).unwrap();
    assert_ne!(old, new, "a new session id at sign-in");
    let sessions: i64 = sqlx::query_scalar("select count(*) from sessions")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(sessions, 1, "the previous session ended");
}

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn a_wrong_password_is_401_with_no_cookie(pool: PgPool) {
    account(&pool, "ana@example.com", Role::Editor).await;
    let response = send(
        &pool,
        post_form(
            "/api/login",
            "email=ana%40example.com&password=wrongwrongwrong",
            None,
        ),
    )
    .await;
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(session_cookie(&response), None);
    assert_eq!(error_code(response).await, "invalid_credentials");
}

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn the_setup_endpoint_refuses_once_an_account_exists(pool: PgPool) {
    let form = format!(
        "display_name=Ada&email=ada%40example.com&password={p}&password_confirmation={p}",
        p = PASSWORD.replace(' ', "+")
    );
    let first = send(&pool, post_form("/api/setup", &form, None)).await;
    assert!(first.status().is_success(), "{}", first.status());
    assert!(session_cookie(&first).is_some(), "the new admin is signed in");

    let again = send(
        &pool,
        post_form("/api/setup", &form.replace("ada%40", "eve%40"), None),
    )
    .await;
    assert_eq!(again.status(), StatusCode::CONFLICT);
    assert_eq!(error_code(again).await, "setup_closed");
}

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn only_admins_may_call_the_account_server_functions(pool: PgPool) {
    let admin = account(&pool, "admin@example.com", Role::Admin).await;
    let target = account(&pool, "target@example.com", Role::Viewer).await;
    for role in [Role::Editor, Role::Reviewer, Role::Viewer] {
        account(&pool, &format!("{role}@example.com"), role).await;
    }
    let calls = [
        ("/api/accounts/list", String::new()),
        (
            "/api/accounts/create",
            format!(
                "display_name=New&email=new%40example.com&role=viewer&password={}",
                PASSWORD.replace(' ', "+")
            ),
        ),
        (
            "/api/accounts/role",
            format!("account_id={}&role=reviewer", target.id),
        ),
        (
            "/api/accounts/active",
            format!("account_id={}&active=false", target.id),
        ),
    ];
    for (path, body) in &calls {
        let anonymous = send(&pool, post_form(path, body, None)).await;
        assert_eq!(anonymous.status(), StatusCode::UNAUTHORIZED, "anonymous {path}");
        for role in [Role::Editor, Role::Reviewer, Role::Viewer] {
            let cookie = sign_in(&pool, &format!("{role}%40example.com")).await;
            let response = send(&pool, post_form(path, body, Some(&cookie))).await;
            assert_eq!(response.status(), StatusCode::FORBIDDEN, "{role} {path}");
        }
    }
    // Nothing the refused calls asked for happened.
    let row: (Role, bool) = sqlx::query_as("select role, active from accounts where id = $1")
        .bind(target.id)
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(row, (Role::Viewer, true));

    let cookie = sign_in(&pool, "admin%40example.com").await;
    for (path, body) in &calls {
        let response = send(&pool, post_form(path, body, Some(&cookie))).await;
        assert_eq!(
            response.status(),
            StatusCode::OK,
            "admin {path}: {}",
            body_text(response).await
        );
    }
    let _ = admin;
}

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn an_unknown_role_is_a_field_error_not_a_server_error(pool: PgPool) {
    account(&pool, "admin@example.com", Role::Admin).await;
    let cookie = sign_in(&pool, "admin%40example.com").await;
    let body = format!(
        "display_name=New&email=new%40example.com&role=superuser&password={}",
        PASSWORD.replace(' ', "+")
    );
    let response = send(&pool, post_form("/api/accounts/create", &body, Some(&cookie))).await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let error: serde_json::Value = serde_json::from_str(&body_text(response).await).unwrap();
    assert_eq!(error["code"], "invalid");
    assert_eq!(error["fields"][0]["field"], "role");
    assert_eq!(
        error["fields"][0]["message"],
        "Choose one of: admin, editor, reviewer, viewer."
    );
}

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn pages_send_visitors_to_setup_then_to_sign_in(pool: PgPool) {
    let before = send(&pool, get("/", None)).await;
    assert_eq!(before.status(), StatusCode::SEE_OTHER);
    assert_eq!(before.headers().get(header::LOCATION).unwrap(), "/setup");

    account(&pool, "ana@example.com", Role::Editor).await;
    let after = send(&pool, get("/admin/accounts?x=1", None)).await;
    assert_eq!(after.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        after.headers().get(header::LOCATION).unwrap(),
        "/login?next=%2Fadmin%2Faccounts%3Fx%3D1"
    );
    assert!(body_text(after).await.is_empty());

    // Whatever the client accepts (curl says */*), never a blank 200.
    let mut curl = get("/projects", None);
    curl.headers_mut().insert(header::ACCEPT, "*/*".parse().unwrap());
    let response = send(&pool, curl).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        response.headers().get(header::LOCATION).unwrap(),
        "/login?next=%2Fprojects"
    );
}

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn signing_in_returns_to_the_page_asked_for_but_never_to_another_site(pool: PgPool) {
    account(&pool, "ana@example.com", Role::Editor).await;
    for (next, expected) in [
        ("/projects?stage=build", "/projects?stage=build"),
        ("//evil.example/x", "/"),
        ("https://evil.example/", "/"),
        ("", "/"),
    ] {
        let mut request = post_form(
            "/api/login",
            &common::form(&[
                ("email", "ana@example.com"),
                ("password", PASSWORD),
                ("next", next),
            ]),
            None,
        );
        // A plain HTML form (no JavaScript) asks for a page.
        request
            .headers_mut()
            .insert(header::ACCEPT, "text/html".parse().unwrap());
        let response = send(&pool, request).await;
        assert_eq!(
            response.headers().get(header::LOCATION).unwrap(),
            expected,
            "next = {next:?}"
        );
    }
}

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn a_signed_in_editor_sees_home_but_not_the_admin_page(pool: PgPool) {
    account(&pool, "ana@example.com", Role::Editor).await;
    let cookie = sign_in(&pool, "ana%40example.com").await;
    let home = send(&pool, get("/", Some(&cookie))).await;
    assert_eq!(home.status(), StatusCode::OK);
    assert!(body_text(home).await.contains("No projects yet"));

    let admin = send(&pool, get("/admin/accounts", Some(&cookie))).await;
    assert_eq!(admin.status(), StatusCode::FORBIDDEN);
}

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn an_unknown_path_is_a_404_page(pool: PgPool) {
    let response = send(&pool, get("/no/such/page", None)).await;
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
    assert!(body_text(response).await.contains("Page not found"));
}

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn the_bundle_and_favicon_are_served_from_the_site_root_despite_the_catch_all_page(pool: PgPool) {
    use tower::ServiceExt;
    let site = tempfile::tempdir().expect("temp dir");
    std::fs::create_dir(site.path().join("pkg")).expect("pkg dir");
    std::fs::write(site.path().join("pkg/tollgate.css"), "body { color: black }").expect("css");
    std::fs::write(site.path().join("favicon.ico"), [0u8, 0, 1, 0]).expect("icon");
    let mut state = common::state(pool);
    state.leptos_options = leptos::prelude::LeptosOptions::builder()
        .output_name("tollgate")
        .site_root(site.path().to_string_lossy().into_owned())
        .build();

    let css = server::app(state.clone())
        .oneshot(get("/pkg/tollgate.css", None))
        .await
        .expect("response");
    assert_eq!(css.status(), StatusCode::OK);
    assert_eq!(body_text(css).await, "body { color: black }");
    let icon = server::app(state.clone())
        .oneshot(get("/favicon.ico", None))
        .await
        .expect("response");
    assert_eq!(icon.status(), StatusCode::OK);
    let missing = server::app(state)
        .oneshot(get("/pkg/nothing.js", None))
        .await
        .expect("response");
    assert_eq!(missing.status(), StatusCode::NOT_FOUND);
}
