//! The REST API under `/api/v1`: for reporting systems, projects as JSON (cursor paged) and as
//! streamed CSV, one project with its records and flags, the portfolio's numbers, and the audit
//! trail for incremental sync; for migrations, imports (a token with the write scope). Every
//! route but the OpenAPI document needs `Authorization: Bearer <token>`; every error is one
//! JSON envelope with a stable code.

mod error;
mod events;
mod export;
mod filters;
mod imports;
mod openapi;
mod pipeline;
mod projects;
mod trend;

pub use error::ApiError;
pub use export::session_csv;
pub use openapi::ApiDoc;

use app::state::AppState;
use axum::extract::{DefaultBodyLimit, Request, State};
use axum::middleware::Next;
use axum::response::Response;
use axum::routing::{get, post};
use axum::Router;

/// The `/api/v1` routes.
pub fn routes(state: AppState) -> Router<AppState> {
    let authenticated = Router::new()
        .route("/projects", get(projects::list))
        .route("/projects.csv", get(export::csv))
        .route("/projects/{id}", get(projects::one))
        .route("/portfolio", get(projects::portfolio))
        .route("/pipeline", get(pipeline::pipeline))
        .route("/portfolio/trend", get(trend::trend))
        .route("/events", get(events::list))
        .route(
            "/imports",
            post(imports::create).layer(DefaultBodyLimit::max(app::imports::parse::MAX_BYTES + 64 * 1024)),
        )
        .route("/imports/{id}", get(imports::one))
        .route_layer(axum::middleware::from_fn_with_state(state, bearer));
    Router::new()
        .merge(authenticated)
        .route("/openapi.json", get(openapi::document))
        .fallback(|| async { ApiError::not_found("There is no such endpoint in /api/v1.") })
}

/// Lets a request through only with a live API token, which handlers find among the request's
/// extensions (its scope, whom a write token acts as). Clients are not throttled: a wrong token
/// costs one indexed lookup, and secrets are 256 random bits.
async fn bearer(
    State(state): State<AppState>,
    mut request: Request,
    next: Next,
) -> Result<Response, ApiError> {
    let secret = request
        .headers()
        .get(axum::http::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim)
        .ok_or_else(|| ApiError::unauthenticated("Send an API token: Authorization: Bearer <token>."))?;
    let now = chrono::Utc::now();
    match app::tokens::server::authenticate(&state.pool, secret, now).await? {
        Some(token) => {
            request.extensions_mut().insert(token);
            Ok(next.run(request).await)
        }
        None => Err(ApiError::unauthenticated(
            "This API token is not valid: it is wrong or has been revoked.",
        )),
    }
}
