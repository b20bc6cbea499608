//! `GET /healthz`: 200 when the database answers, 503 when it does not; with the database's
//! mode (`embedded` or `external`) and the newest migration applied to it.

use app::state::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use serde_json::{json, Value};
use std::time::Duration;

pub async fn healthz(State(state): State<AppState>) -> (StatusCode, Json<Value>) {
    // Public by design: load balancers and the test harness call it without credentials.
    // Read at run time: `_sqlx_migrations` belongs to the migrator, not to our schema.
    let migration =
        sqlx::query_scalar::<_, Option<i64>>("select max(version) from _sqlx_migrations where success")
            .fetch_one(&state.pool);
    let mode = state.database.mode;
    match tokio::time::timeout(Duration::from_secs(2), migration).await {
        Ok(Ok(migration)) => (
            StatusCode::OK,
            Json(json!({ "status": "ok", "database": mode, "migration": migration })),
        ),
        Ok(Err(error)) => {
            tracing::warn!(%error, "health check: database error");
            unavailable(mode)
        }
        Err(_) => {
            tracing::warn!("health check: database timed out");
            unavailable(mode)
        }
    }
}

fn unavailable(mode: &str) -> (StatusCode, Json<Value>) {
    (
        StatusCode::SERVICE_UNAVAILABLE,
        Json(json!({ "status": "unavailable", "database": mode, "reason": "database not answering" })),
    )
}
