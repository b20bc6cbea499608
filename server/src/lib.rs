//! Tollgate's server: configuration, database start-up and migrations, the router.
//!
//! [`app`] builds the router so tests can drive it without a socket; `main` serves it.

pub mod api;
pub mod availability;
pub mod config;
pub mod embedded_pg;
pub mod health;
pub mod imports;
pub mod security;
pub mod seed;
mod seed_history;
mod server_fn_status;

use anyhow::Context;
use app::state::AppState;
use app::{shell, App};
use axum::routing::get;
use axum::Router;
use leptos_axum::{generate_route_list, site_pkg_dir_service, site_pkg_dir_service_route_path, LeptosRoutes};
use sqlx::migrate::Migrator;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::{Connection, PgConnection, PgPool};
use std::time::Duration;
use tower_http::services::ServeFile;
use tower_http::trace::{DefaultOnResponse, TraceLayer};
use tracing::Level;

pub static MIGRATOR: Migrator = sqlx::migrate!("../migrations");

/// The whole application as an axum router.
pub fn app(state: AppState) -> Router {
    let routes = generate_route_list(App);
    let options = state.leptos_options.clone();
    let favicon = ServeFile::new(format!("{}/favicon.ico", options.site_root));
    Router::new()
        .route("/healthz", get(health::healthz))
        .nest("/api/v1", api::routes(state.clone()))
        .route("/portfolio/export.csv", get(api::session_csv))
        .merge(imports::routes())
        // Named routes, because the app's own catch-all 404 route would otherwise answer them.
        .route_service(&site_pkg_dir_service_route_path(&options), site_pkg_dir_service(&options))
        .route_service("/favicon.ico", favicon)
        .leptos_routes(&state, routes, move || shell(options.clone()))
        .fallback(leptos_axum::file_and_error_handler::<AppState, _>(shell))
        .layer(axum::middleware::map_request(one_session_lookup))
        .layer(axum::middleware::from_fn(server_fn_status::set_error_status))
        .layer(axum::middleware::from_fn(see_other))
        .layer(axum::middleware::from_fn(tidy_address))
        .layer(axum::middleware::from_fn_with_state(state.clone(), availability::fail_fast))
        .layer(axum::middleware::from_fn_with_state(state.clone(), security::check_requests))
        .layer(axum::middleware::from_fn_with_state(state.clone(), security::add_headers))
        .layer(
            // Method, path (never the query), status and latency; no headers, so no cookies.
            TraceLayer::new_for_http()
                .make_span_with(|request: &axum::http::Request<_>| {
                    tracing::info_span!("http", method = %request.method(), path = %request.uri().path())
                })
                .on_response(
                    DefaultOnResponse::new()
                        .level(Level::INFO)
                        .latency_unit(tower_http::LatencyUnit::Millis),
                ),
        )
        .with_state(state)
}

/// Gives the request a place for its signed-in account, so the page and every server function
/// it calls look the session up once between them.
async fn one_session_lookup(mut request: axum::extract::Request) -> axum::extract::Request {
    request
        .extensions_mut()
        .insert(app::auth::server::guard::RequestSession::default());
    request
}

/// A page that decided to send the visitor elsewhere (sign in first, or set up) answers
/// `303 See Other` with an empty body, so a browser follows it before — or without — any
/// WebAssembly, instead of showing a blank page.
async fn see_other(
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    use axum::http::{header, Method, StatusCode};
    let page = request.method() == Method::GET && !request.uri().path().starts_with("/api/");
    let mut response = next.run(request).await;
    let redirecting = response.headers().contains_key(header::LOCATION)
        && (response.status().is_success() || response.status() == StatusCode::FOUND);
    if page && redirecting {
        *response.status_mut() = StatusCode::SEE_OTHER;
        *response.body_mut() = axum::body::Body::empty();
        response.headers_mut().remove(header::CONTENT_LENGTH);
    }
    response
}

/// A page address with empty parameters (a filter form sent without JavaScript) is answered
/// with `303` to the same address without them, so addresses people share stay tidy.
async fn tidy_address(
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    use axum::http::{header, Method, StatusCode};
    use axum::response::IntoResponse;
    let path = request.uri().path();
    if request.method() == Method::GET && !path.starts_with("/api/") && !path.starts_with("/pkg/") {
        if let Some(tidy) = request.uri().query().and_then(app::ui::without_empty_parameters) {
            let to = if tidy.is_empty() {
                path.to_owned()
            } else {
                format!("{path}?{tidy}")
            };
            return (StatusCode::SEE_OTHER, [(header::LOCATION, to)]).into_response();
        }
    }
    next.run(request).await
}

/// Connects to PostgreSQL and applies every pending migration; refuses to go on if one fails.
///
/// With a `statement_timeout`, every statement the pool runs is cancelled after that long
/// (migrations run first, on their own connection, without it).
pub async fn connect_and_migrate(
    url: &str,
    max_connections: u32,
    statement_timeout: Option<Duration>,
) -> anyhow::Result<PgPool> {
    // Serving: a request waits at most 2 s for a connection, then gets 503 database_unavailable.
    let acquire_timeout = if statement_timeout.is_some() {
        Duration::from_secs(2)
    } else {
        Duration::from_secs(10)
    };
    let options: PgConnectOptions = url.parse().context("reading DATABASE_URL")?;
    let mut migrating = PgConnection::connect_with(&options)
        .await
        .context("connecting to PostgreSQL")?;
    MIGRATOR
        .run(&mut migrating)
        .await
        .context("applying database migrations (the server will not start until they succeed)")?;
    let filled = app::health::server::backfill(&mut migrating)
        .await
        .context("computing the health signals of projects that have none")?;
    if filled > 0 {
        tracing::info!(projects = filled, "computed first health signals");
    }
    migrating
        .close()
        .await
        .context("closing the migration connection")?;
    // Each statement is planned once per connection, for no particular values: the statements
    // over `project_rows` are written for their filters (`projects::server::rows`), so that
    // one plan is the plan for them, and no plan changes after a few runs (see README,
    // "Query plans"). A name search is planned for its pattern, in a transaction of its own.
    // Sorts and aggregates of a past day's tens of thousands of versions stay in memory
    // (the default 4 MB spilled them to disk). No JIT compilation: a plan made for no particular
    // values is costed for many rows, which crosses `jit_above_cost` at 100,000 projects, and
    // compiling takes tens of milliseconds on every execution of statements that run in one or
    // two (a portfolio's stage flows: 98 ms with JIT, 1.6 ms without).
    let options = options.options([
        ("plan_cache_mode", "force_generic_plan"),
        ("work_mem", "16MB"),
        ("jit", "off"),
    ]);
    let options = match statement_timeout {
        Some(limit) => options.options([("statement_timeout", format!("{}ms", limit.as_millis()))]),
        None => options,
    };
    let pool = PgPoolOptions::new()
        .max_connections(max_connections)
        .acquire_timeout(acquire_timeout)
        .connect_with(options)
        .await
        .context("connecting to PostgreSQL")?;
    Ok(pool)
}
