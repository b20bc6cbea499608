//! Shared helpers for the database and HTTP tests.
#![allow(dead_code, reason = "each test binary uses its own share of these helpers")]

use app::admin::AccountSummary;
use app::auth::server::{accounts, password::Password};
use app::auth::Role;
use app::state::{AppState, AuthSettings};
use axum::body::Body;
use axum::http::{header, Request, Response, StatusCode};
use http_body_util::BodyExt;
use leptos::prelude::LeptosOptions;
use sqlx::PgPool;
use tower::ServiceExt;

pub const PASSWORD: &str = "a perfectly long password";

pub fn state(pool: PgPool) -> AppState {
    AppState {
        leptos_options: LeptosOptions::builder().output_name("tollgate").build(),
        pool,
        auth: AuthSettings::default(),
        clock: app::clock::Clock::System,
        database: Default::default(),
        mail: Default::default(),
    }
}

/// Creates an account with [`PASSWORD`] the way an admin would.
pub async fn account(pool: &PgPool, email: &str, role: Role) -> AccountSummary {
    accounts::create(
        pool,
        None,
        accounts::NewAccount {
            // "ana@example.com" is called "Ana".
            display_name: capitalised(email.split('@').next().unwrap_or(email)),
            email: email.into(),
            role,
            password: Password::new(PASSWORD.into()),
        },
    )
    .await
    .expect("creating a test account")
}

fn capitalised(word: &str) -> String {
    let mut chars = word.chars();
    chars
        .next()
        .map(|first| first.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}

/// An `application/x-www-form-urlencoded` body from name/value pairs.
pub fn form(pairs: &[(&str, &str)]) -> String {
    let encode = |text: &str| -> String {
        text.bytes()
            .map(|b| match b {
                b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                    (b as char).to_string()
                }
                b' ' => "+".to_owned(),
                _ => format!("%{b:02X}"),
            })
            .collect()
    };
    pairs
        .iter()
        .map(|(name, value)| format!("{}={}", encode(name), encode(value)))
        .collect::<Vec<_>>()
        .join("&")
}

/// The signed-in form of an account, as server code sees the caller.
pub fn user(account: &AccountSummary) -> app::auth::CurrentUser {
    app::auth::CurrentUser {
        id: account.id,
        email: account.email.clone(),
        display_name: account.display_name.clone(),
        role: account.role,
        must_change_password: false,
    }
}

/// A request through the whole router, as a browser's JavaScript client would send it.
pub async fn send(pool: &PgPool, request: Request<Body>) -> Response<Body> {
    server::app(state(pool.clone()))
        .oneshot(request)
        .await
        .expect("the router never fails")
}

/// The host the in-process requests are addressed to, and so Tollgate's own origin.
pub const HOST: &str = "tollgate.test";
pub const ORIGIN: &str = "http://tollgate.test";

/// A form POST to a server function, with an optional session cookie, from our own pages.
pub fn post_form(path: &str, body: &str, cookie: Option<&str>) -> Request<Body> {
    let mut builder = Request::post(path)
        .header(header::HOST, HOST)
        .header(header::ORIGIN, ORIGIN)
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(header::ACCEPT, "application/json");
    if let Some(cookie) = cookie {
        builder = builder.header(header::COOKIE, cookie);
    }
    builder.body(Body::from(body.to_owned())).expect("valid request")
}

pub fn get(path: &str, cookie: Option<&str>) -> Request<Body> {
    let mut builder = Request::get(path)
        .header(header::HOST, HOST)
        .header(header::ACCEPT, "text/html");
    if let Some(cookie) = cookie {
        builder = builder.header(header::COOKIE, cookie);
    }
    builder.body(Body::empty()).expect("valid request")
}

pub async fn body_text(response: Response<Body>) -> String {
    let bytes = response.into_body().collect().await.expect("body").to_bytes();
    String::from_utf8_lossy(&bytes).into_owned()
}

/// The stable `code` of a JSON error envelope.
pub async fn error_code(response: Response<Body>) -> String {
    let body = body_text(response).await;
    let envelope: serde_json::Value = serde_json::from_str(&body).expect("a JSON error envelope");
    envelope["code"].as_str().expect("a code").to_owned()
}

/// The `name=value` of the session cookie a response sets.
pub fn session_cookie(response: &Response<Body>) -> Option<String> {
    response
        .headers()
        .get_all(header::SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with("tollgate_session=") && !v.starts_with("tollgate_session=;"))
        .map(|v| v.split(';').next().unwrap_or_default().to_owned())
}

/// Signs in over HTTP and returns the session cookie.
pub async fn sign_in(pool: &PgPool, email: &str) -> String {
    let response = send(
        pool,
        post_form("/api/login", &format!("email={email}&password={PASSWORD}"), None),
    )
    .await;
    assert!(
        response.status().is_success() || response.status() == StatusCode::FOUND,
        "{}",
        response.status()
    );
    session_cookie(&response).expect("a session cookie")
}

/// Recomputes the stored health signals of `projects` after a test shaped their data with raw
/// SQL, as every write of the application does in its own transaction.
pub async fn resignal(pool: &PgPool, projects: &[uuid::Uuid]) {
    let mut tx = pool.begin().await.expect("a transaction");
    app::health::server::refresh(&mut tx, projects)
        .await
        .expect("recomputing signals");
    tx.commit().await.expect("committing signals");
}
