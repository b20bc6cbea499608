//! Reading one project with its owners, handoffs and timeline.

use crate::error::AppError;
use crate::projects::stage::{RiskTier, Stage, Status};
use crate::projects::{FieldChange, Handoff, Person, Project, ProjectDetail, StageOwner, TimelineEntry};
use sqlx::{PgConnection, PgExecutor, PgPool};
use uuid::Uuid;

/// One project, or `None`.
pub async fn project(db: impl PgExecutor<'_>, id: Uuid) -> sqlx::Result<Option<Project>> {
    sqlx::query_as!(
        Project,
        r#"
        select p.id, p.name, p.team, p.summary, p.problem_statement, p.success_metric,
               p.success_target, p.baseline_metric, p.baseline_method, p.data_readiness,
               p.fallback_plan, p.monitoring_owner,
               p.risk_tier as "risk_tier: RiskTier", p.stage as "stage: Stage",
               p.status as "status: Status", p.stage_entered_at, p.version,
               p.created_at, p.updated_at, u.display_name as "updated_by?"
        from projects p
        left join accounts u on u.id = p.updated_by
        where p.id = $1
        "#,
        id
    )
    .fetch_optional(db)
    .await
}

/// The projects of `ids` (missing ones left out), locked for the rest of the transaction in
/// id order (so two writers locking overlapping sets cannot deadlock), read in one statement.
pub async fn lock_many(tx: &mut PgConnection, ids: &[Uuid]) -> sqlx::Result<Vec<Project>> {
    sqlx::query_scalar!(
        "select id from projects where id = any($1) order by id for update",
        ids
    )
    .fetch_all(&mut *tx)
    .await?;
    sqlx::query_as!(
        Project,
        r#"
        select p.id, p.name, p.team, p.summary, p.problem_statement, p.success_metric,
               p.success_target, p.baseline_metric, p.baseline_method, p.data_readiness,
               p.fallback_plan, p.monitoring_owner,
               p.risk_tier as "risk_tier: RiskTier", p.stage as "stage: Stage",
               p.status as "status: Status", p.stage_entered_at, p.version,
               p.created_at, p.updated_at, u.display_name as "updated_by?"
        from projects p
        left join accounts u on u.id = p.updated_by
        where p.id = any($1)
        "#,
        ids
    )
    .fetch_all(&mut *tx)
    .await
}

/// One project, locked for the rest of the transaction so concurrent changes queue up.
pub async fn lock(tx: &mut PgConnection, id: Uuid) -> Result<Project, AppError> {
    sqlx::query_scalar!("select id from projects where id = $1 for update", id)
        .fetch_optional(&mut *tx)
        .await?
        .ok_or(AppError::NotFound)?;
    project(&mut *tx, id).await?.ok_or(AppError::NotFound)
}

/// Everything the project page shows, with its flags as of `today`.
pub async fn detail(pool: &PgPool, id: Uuid, today: chrono::NaiveDate) -> Result<ProjectDetail, AppError> {
    // Every part is read side by side, each on its own connection.
    let owners = async {
        let rows = sqlx::query!(
            r#"
            select so.stage as "stage: Stage", o.id, o.display_name, o.active,
                   b.display_name as "assigned_by?", so.assigned_at
            from stage_owners so
            join accounts o on o.id = so.owner_id
            left join accounts b on b.id = so.assigned_by
            where so.project_id = $1
            order by so.stage
            "#,
            id
        )
        .fetch_all(pool)
        .await?;
        Ok::<_, sqlx::Error>(
            rows.into_iter()
                .map(|r| StageOwner {
                    stage: r.stage,
                    owner: Person {
                        id: r.id,
                        display_name: r.display_name,
                        active: r.active,
                    },
                    assigned_by: r.assigned_by,
                    assigned_at: r.assigned_at,
                })
                .collect::<Vec<_>>(),
        )
    };
    let handoffs = sqlx::query_as!(
        Handoff,
        r#"
        select c.stage as "stage: Stage", f.display_name as "from?", t.display_name as "to!",
               b.display_name as "by?", c.changed_at as at
        from ownership_changes c
        join accounts t on t.id = c.to_owner_id
        left join accounts f on f.id = c.from_owner_id
        left join accounts b on b.id = c.changed_by
        where c.project_id = $1
        order by c.changed_at desc, c.id desc
        "#,
        id
    )
    .fetch_all(pool);
    let timeline = async {
        let rows = sqlx::query!(
            r#"
            select e.id, e.occurred_at, a.display_name as "actor?", e.action, e.changes
            from audit_events e
            left join accounts a on a.id = e.actor_id
            where e.entity_type = 'project' and e.entity_id = $1
              -- What people did; flags raised and cleared (for webhooks) show as flags.
              and e.action not in ('flag_raised', 'flag_cleared')
            order by e.id desc
            "#,
            id
        )
        .fetch_all(pool)
        .await?;
        Ok::<_, sqlx::Error>(
            rows.into_iter()
                .map(|r| TimelineEntry {
                    id: r.id,
                    at: r.occurred_at,
                    actor: r.actor,
                    action: r.action,
                    changes: field_changes(&r.changes),
                })
                .collect::<Vec<_>>(),
        )
    };
    let ids = [id];
    let (project, owners, handoffs, timeline, records, record_rows, signals, requests, conditions) = tokio::try_join!(
        project(pool, id),
        owners,
        handoffs,
        timeline,
        crate::health::server::facts(pool, &ids),
        crate::records::server::list(pool, id),
        crate::health::server::current_of(pool, id),
        crate::requests::server::open_for_project(pool, id),
        crate::conditions::server::for_project(pool, id),
    )?;
    let facts = records.into_iter().next();
    let voided = facts.as_ref().map_or_else(Vec::new, |f| {
        f.voided
            .iter()
            .map(|(item, _, change)| crate::projects::VoidedApproval {
                item: *item,
                on: change.on(),
                why: change.describe(),
            })
            .collect()
    });
    Ok(ProjectDetail {
        today,
        project: project.ok_or(AppError::NotFound)?,
        records: facts.map(|f| f.records).unwrap_or_default(),
        voided,
        conditions,
        record_rows,
        flags: signals.flags(today),
        owners,
        handoffs,
        timeline,
        requests,
    })
}

/// The order changes are listed in: as the project page and its form show the fields.
const FIELD_ORDER: [&str; 34] = [
    "record",
    "reason",
    "kind",
    "title",
    "method",
    "decision",
    "outcome",
    "risk_tier",
    "held_on",
    "decided_on",
    "reviewed_on",
    "next_review_on",
    "participants",
    "attendees",
    "findings",
    "link",
    "stage",
    "note",
    "name",
    "team",
    "status",
    "summary",
    "problem_statement",
    "success_metric",
    "success_target",
    "baseline_metric",
    "baseline_method",
    "data_readiness",
    "fallback_plan",
    "monitoring_owner",
    "owner.define",
    "owner.design",
    "owner.build",
    "owner.deploy",
];

/// `{"field": {"before": …, "after": …}}` as a list in [`FIELD_ORDER`], values shown as text.
fn field_changes(changes: &serde_json::Value) -> Vec<FieldChange> {
    let text = |v: Option<&serde_json::Value>| match v {
        None | Some(serde_json::Value::Null) => None,
        Some(serde_json::Value::String(s)) => Some(s.clone()),
        Some(other) => Some(other.to_string()),
    };
    changes
        .as_object()
        .map(|fields| {
            fields
                .iter()
                .map(|(field, change)| FieldChange {
                    field: field.clone(),
                    before: text(change.get("before")),
                    after: text(change.get("after")),
                })
                .collect::<Vec<_>>()
        })
        .map(|mut list| {
            list.sort_by_key(|c| {
                FIELD_ORDER
                    .iter()
                    .position(|f| *f == c.field)
                    .unwrap_or(FIELD_ORDER.len())
            });
            list
        })
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn changes_are_listed_in_the_order_the_page_shows_fields() {
        let changes = serde_json::json!({
            "team": { "before": "A", "after": "B" },
            "owner.design": { "before": null, "after": "Ana" },
            "name": { "before": "x", "after": "y" },
            "stage": { "before": "define", "after": "design" },
        });
        let fields: Vec<String> = field_changes(&changes).into_iter().map(|c| c.field).collect();
        assert_eq!(fields, ["stage", "name", "team", "owner.design"]);
        assert_eq!(field_changes(&changes)[3].before, None);
    }
}
