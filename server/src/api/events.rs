//! `GET /api/v1/events?after=<id>`: the projects' audit trail in order, for incremental sync.
//!
//! Reporting tokens see what happened to projects and their records (every change, move,
//! assignment, record, correction and withdrawal). The account directory — accounts, roles,
//! password resets — and API token and settings events stay on the admin pages.

use super::ApiError;
use app::state::AppState;
use axum::extract::{Query, State};
use axum::Json;
use chrono::{DateTime, Utc};
use serde::Serialize;
use std::collections::BTreeMap;
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

/// One audit event: who changed what, when, before → after.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ApiEvent {
    /// Increasing; pass the last one seen as `after`.
    pub id: i64,
    pub occurred_at: DateTime<Utc>,
    pub actor_id: Option<Uuid>,
    pub actor: Option<String>,
    /// Always `project` (records are events of their project).
    pub entity_type: String,
    pub entity_id: Uuid,
    /// What happened, e.g. created, stage_moved, demo_added, record_corrected.
    pub action: String,
    /// `{"field": {"before": …, "after": …}}`.
    #[schema(value_type = Object)]
    pub changes: serde_json::Value,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct EventPage {
    pub events: Vec<ApiEvent>,
    /// Pass as `after` next time (the last event's id, or `after` itself when there was none).
    pub next_after: i64,
}

#[derive(Debug, IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code, reason = "describes the parameters for the OpenAPI document")]
pub struct EventParams {
    /// Only events after this id (default 0: from the beginning).
    after: Option<i64>,
    /// Events per page, 1 to 1000 (default 500).
    limit: Option<i64>,
}

#[utoipa::path(
    get, path = "/api/v1/events", tag = "events",
    params(EventParams),
    responses(
        (status = 200, description = "Audit events after the cursor, oldest first", body = EventPage),
        (status = 400, description = "A malformed cursor or limit", body = super::error::ErrorBody),
        (status = 401, description = "Missing, wrong or revoked token", body = super::error::ErrorBody),
    ),
    security(("bearer" = []))
)]
pub async fn list(
    State(state): State<AppState>,
    Query(params): Query<BTreeMap<String, String>>,
) -> Result<Json<EventPage>, ApiError> {
    if let Some(unknown) = params.keys().find(|k| !["after", "limit"].contains(&k.as_str())) {
        return Err(ApiError::invalid_filter(format!(
            "Unknown parameter \u{201c}{unknown}\u{201d}: use after, limit."
        )));
    }
    let number = |name: &str, default: i64, range: std::ops::RangeInclusive<i64>| match params.get(name) {
        None => Ok(default),
        Some(v) => v
            .trim()
            .parse::<i64>()
            .ok()
            .filter(|n| range.contains(n))
            .ok_or_else(|| {
                ApiError::invalid_filter(format!(
                    "Unknown {name} \u{201c}{v}\u{201d}: use a whole number from {} to {}.",
                    range.start(),
                    range.end()
                ))
            }),
    };
    let after = number("after", 0, 0..=i64::MAX)?;
    let limit = number("limit", 500, 1..=1000)?;
    let events: Vec<ApiEvent> = sqlx::query_as!(
        ApiEvent,
        r#"
        select e.id, e.occurred_at, e.actor_id, a.display_name as "actor?", e.entity_type, e.entity_id,
               e.action, e.changes
        from audit_events e left join accounts a on a.id = e.actor_id
        where e.id > $1 and e.entity_type = 'project'
        order by e.id
        limit $2
        "#,
        after,
        limit
    )
    .fetch_all(&state.pool)
    .await?;
    let next_after = events.last().map_or(after, |e| e.id);
    Ok(Json(EventPage { events, next_after }))
}
