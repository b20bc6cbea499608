//! Writing the append-only audit trail (server only).
//!
//! Every change calls [`record`] with the same transaction as the change itself, so an event
//! exists exactly when the change does.

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
