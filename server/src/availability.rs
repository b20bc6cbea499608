//! Failing fast while the database is away.
//!
//! A watcher asks the database every second whether it answers. While it does not, requests
//! that need it are answered at once with `503 database_unavailable` — a short page for
//! browsers, the JSON envelope for everything else — instead of each waiting for a connection
//! that will not come. `/healthz` and static files are always served. When the database
//! answers again, so does Tollgate, by itself.

use app::error::AppError;
use app::state::AppState;
use axum::extract::{Request, State};
use axum::http::{header, StatusCode};
use axum::middleware::Next;
use axum::response::{Html, IntoResponse, Response};
use std::time::Duration;

/// How often the watcher asks, and how long it waits for an answer.
const EVERY: Duration = Duration::from_secs(1);
const PATIENCE: Duration = Duration::from_secs(2);

/// Watches the database until the process ends, logging each change of state.
pub fn spawn_watcher(state: AppState) {
    tokio::spawn(async move {
        let mut every = tokio::time::interval(EVERY);
        every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            every.tick().await;
            let up = answers(&state).await;
            let was = state.database.set_up(up);
            match (was, up) {
                (true, false) => {
                    tracing::error!("the database stopped answering: requests get 503 until it is back")
                }
                (false, true) => tracing::warn!("the database answers again"),
                _ => {}
            }
        }
    });
}

/// Whether the database answers a trivial query within [`PATIENCE`].
pub async fn answers(state: &AppState) -> bool {
    let ping = sqlx::query_scalar!(r#"select 1 as "one!""#).fetch_one(&state.pool);
    matches!(tokio::time::timeout(PATIENCE, ping).await, Ok(Ok(_)))
}

/// Answers 503 at once while the watcher says the database is away.
pub async fn fail_fast(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let path = request.uri().path();
    let always = path == "/healthz"
        || path == "/favicon.ico"
        || path.starts_with(&format!("/{}/", state.leptos_options.site_pkg_dir));
    if always || state.database.is_up() {
        return next.run(request).await;
    }
    let wants_html = request
        .headers()
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|accept| accept.contains("text/html"));
    let retry = [(header::RETRY_AFTER, "5")];
    if wants_html && !path.starts_with("/api/") {
        // No script on this page: its policy allows only our stylesheet.
        let policy = (
            header::CONTENT_SECURITY_POLICY,
            "default-src 'none'; style-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
        );
        return (
            StatusCode::SERVICE_UNAVAILABLE,
            retry,
            [policy],
            Html(UNAVAILABLE_PAGE),
        )
            .into_response();
    }
    let error = AppError::DatabaseUnavailable;
    let body = serde_json::to_vec(&error).unwrap_or_default();
    (
        StatusCode::SERVICE_UNAVAILABLE,
        [
            (header::RETRY_AFTER, "5"),
            (header::CONTENT_TYPE, "application/json"),
        ],
        body,
    )
        .into_response()
}

/// The page a browser gets meanwhile: plain HTML, no script, reloads itself.
const UNAVAILABLE_PAGE: &str = r#"<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="refresh" content="10">
<title>Tollgate is unavailable for a moment</title>
<link rel="stylesheet" href="/pkg/tollgate.css">
</head>
<body>
<main id="main" class="page narrow card">
<h1>Tollgate is unavailable for a moment</h1>
<p>Tollgate can't reach its database right now. Nothing you saved is lost.</p>
<p>This page tries again by itself every 10 seconds, or <a href="">try again now</a>.</p>
</main>
</body>
</html>
"#;
