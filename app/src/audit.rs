//! Writing the append-only audit trail, and reading the projects' part of it in order (server
//! only).
//!
//! Every change calls [`record`] with the same transaction as the change itself, so an event
//! exists exactly when the change does.

use chrono::{DateTime, Utc};
use serde_json::Value;
use sqlx::PgExecutor;
use uuid::Uuid;

/// One audit event: `actor` (None for the command line) did `action` to an entity;
/// `changes` maps each changed field to `{"before": …, "after": …}`.
pub async fn record(
    db: impl PgExecutor<'_>,
    actor: Option<Uuid>,
    entity_type: &str,
    entity_id: Uuid,
    action: &str,
    changes: Value,
) -> sqlx::Result<()> {
    sqlx::query!(
        r#"
        insert into audit_events (actor_id, entity_type, entity_id, action, changes)
        values ($1, $2, $3, $4, $5)
        "#,
        actor,
        entity_type,
        entity_id,
        action,
        changes,
    )
    .execute(db)
    .await?;
    Ok(())
}

/// `{"field": {"before": before, "after": after}}` for one changed field.
pub fn change(field: &str, before: impl Into<Value>, after: impl Into<Value>) -> Value {
    serde_json::json!({ field: { "before": before.into(), "after": after.into() } })
}

/// One event of the projects' trail, with its position in it.
#[derive(Debug, Clone)]
pub struct ProjectEvent {
    pub id: i64,
    /// The writing transaction (`xid8`, as text): with `id`, the event's position.
    pub tx: String,
    pub occurred_at: DateTime<Utc>,
    pub actor_id: Option<Uuid>,
    pub actor: Option<String>,
    pub entity_type: String,
    pub project_id: Uuid,
    pub action: String,
    pub changes: Value,
}

/// Up to `limit` events of the projects' trail after the position (`tx`, `id`), in order —
/// only those whose transaction is older than every transaction still running, so nothing can
/// later appear before the last one given: read from position to position, the trail is never
/// skipped and never repeated. (Event ids are taken when written, not when committed.)
pub async fn project_events_after(
    db: impl PgExecutor<'_>,
    tx: &str,
    id: i64,
    limit: i64,
) -> sqlx::Result<Vec<ProjectEvent>> {
    sqlx::query_as!(
        ProjectEvent,
        r#"
        select e.id, e.tx_id::text as "tx!", e.occurred_at, e.actor_id, a.display_name as "actor?",
               e.entity_type, e.entity_id as project_id, e.action, e.changes
        from audit_events e left join accounts a on a.id = e.actor_id
        where e.entity_type = 'project'
          and (e.tx_id, e.id) > (($1::text)::xid8, $2)
          and e.tx_id < pg_snapshot_xmin(pg_current_snapshot())
        order by e.tx_id, e.id
        limit $3
        "#,
        tx,
        id,
        limit
    )
    .fetch_all(db)
    .await
}
