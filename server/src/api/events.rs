//! `GET /api/v1/events?after=<cursor>`: the projects' audit trail in order, for incremental sync.
//!
//! **Never skips, never repeats.** Event ids are taken when an event is written, not when its
//! transaction commits, so paging by id alone would skip an event whose transaction commits
//! after a higher id was read. The feed instead pages by (writing transaction, id) and hands
//! out only events whose transaction is older than every transaction still running
//! (`pg_snapshot_xmin`): nothing can later appear before the cursor. An event therefore shows
//! up once every transaction that started before it has ended — normally at once.
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
    /// The event's id (unique; not a cursor: pass `next_after` instead).
    pub id: i64,
    /// When it happened.
    pub occurred_at: DateTime<Utc>,
    /// Who did it; null for Tollgate itself.
    pub actor_id: Option<Uuid>,
    /// Their name; null for Tollgate itself.
    pub actor: Option<String>,
    /// Always `project` (records are events of their project).
    pub entity_type: String,
    /// The project's id.
    pub entity_id: Uuid,
    /// What happened, e.g. created, stage_moved, demo_added, record_corrected.
    pub action: String,
    /// `{"field": {"before": …, "after": …}}`.
    #[schema(value_type = Object)]
    pub changes: serde_json::Value,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct EventPage {
    /// The events after the cursor, in order.
    pub events: Vec<ApiEvent>,
    /// Pass as `after` next time: an opaque cursor (the position after the last event given,
    /// or `after` itself when there was none).
    pub next_after: String,
}

/// A position in the feed: the writing transaction and the event id of the last event given.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FeedCursor {
    pub tx: u64,
    pub id: i64,
}

impl FeedCursor {
    pub const START: FeedCursor = FeedCursor { tx: 0, id: 0 };

    pub fn encode(self) -> String {
        format!("{}-{}", self.tx, self.id)
    }

    pub fn decode(text: &str) -> Option<FeedCursor> {
        let (tx, id) = text.trim().split_once('-')?;
        Some(FeedCursor {
            tx: tx.parse().ok()?,
            id: id.parse().ok().filter(|id: &i64| *id >= 0)?,
        })
    }
}

#[derive(Debug, IntoParams)]
#[into_params(parameter_in = Query)]
#[expect(dead_code, reason = "describes the parameters for the OpenAPI document")]
pub struct EventParams {
    /// Only events after this cursor (a `next_after`); default: from the beginning. A plain
    /// event id (the feed's first form) is read as "after that event".
    after: Option<String>,
    /// Events per page.
    #[param(minimum = 1, maximum = 1000, default = 500, example = 500)]
    limit: Option<i64>,
}

/// The projects' audit trail.
///
/// Every change to a project and its records, in order, for incremental sync: pass the returned
/// `next_after` as `after` next time. Never skips or repeats an event: one appears once every
/// transaction that started before it has ended.
#[utoipa::path(
    get, path = "/api/v1/events", tag = "events",
    params(EventParams),
    responses(
        (status = 200, description = "Audit events after the cursor, oldest first", body = EventPage),
        (status = 400, description = "A cursor this API did not give out (`invalid_cursor`) or a limit out of range (`invalid_filter`)", body = super::error::ErrorBody),
        (status = 401, description = "Missing, wrong or revoked token (`unauthenticated`)", body = super::error::ErrorBody),
        (status = 500, description = "Something went wrong on our side (`internal`)", body = super::error::ErrorBody),
        (status = 503, description = "The database is not answering; try again shortly (`database_unavailable`)", body = super::error::ErrorBody),
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
    let limit = number("limit", 500, 1..=1000)?;
    let after = match params.get("after").map(|v| v.trim()).filter(|v| !v.is_empty()) {
        None => FeedCursor::START,
        Some(text) => match (FeedCursor::decode(text), text.parse::<i64>()) {
            (Some(cursor), _) => cursor,
            (None, Ok(0)) => FeedCursor::START,
            (None, Ok(id)) if id > 0 => legacy_cursor(&state, id).await?,
            _ => return Err(ApiError::invalid_cursor()),
        },
    };
    let rows = app::audit::project_events_after(&state.pool, &after.tx.to_string(), after.id, limit).await?;
    let next = rows
        .last()
        .map(|row| FeedCursor {
            tx: row.tx.parse().unwrap_or(after.tx),
            id: row.id,
        })
        .unwrap_or(after);
    let events = rows
        .into_iter()
        .map(|row| ApiEvent {
            id: row.id,
            occurred_at: row.occurred_at,
            actor_id: row.actor_id,
            actor: row.actor,
            entity_type: row.entity_type,
            entity_id: row.project_id,
            action: row.action,
            changes: row.changes,
        })
        .collect();
    let next_after = next.encode();
    Ok(Json(EventPage { events, next_after }))
}

/// The cursor just after event `id`, for clients still holding a plain id.
async fn legacy_cursor(state: &AppState, id: i64) -> Result<FeedCursor, ApiError> {
    let tx = sqlx::query_scalar!(
        r#"select tx_id::text as "tx!" from audit_events where id = $1"#,
        id
    )
    .fetch_optional(&state.pool)
    .await?
    .ok_or_else(ApiError::invalid_cursor)?;
    Ok(FeedCursor {
        tx: tx.parse().map_err(|_| ApiError::invalid_cursor())?,
        id,
    })
}

#[cfg(test)]
mod tests {
    use super::FeedCursor;

    #[test]
    fn cursors_round_trip_and_nonsense_is_refused() {
        let cursor = FeedCursor { tx: 7421, id: 93 };
        assert_eq!(FeedCursor::decode(&cursor.encode()), Some(cursor));
        for nonsense in ["", "abc", "1-", "-5", "1--5", "x-1"] {
            assert_eq!(FeedCursor::decode(nonsense), None, "{nonsense}");
        }
    }
}
