//! Storing conditions (server only): each change locks the project, writes the condition, its
//! audit event on the project's trail and the project's signals, in one transaction.

use super::{Condition, ConditionStatus, NewCondition};
use crate::audit;
use crate::auth::{CurrentUser, Permission, Role};
use crate::error::AppError;
use crate::records::server::lock_project;
use serde_json::json;
use sqlx::{PgExecutor, PgPool};
use uuid::Uuid;

/// Every condition of `project`, open ones first, soonest due first.
pub async fn for_project(db: impl PgExecutor<'_>, project: Uuid) -> sqlx::Result<Vec<Condition>> {
    sqlx::query_as!(
        Condition,
        r#"
        select c.id, c.project_id, c.review_id, c.text, c.owner_id, o.display_name as owner_name,
               c.due_on, c.status as "status: ConditionStatus", c.resolution,
               r.display_name as "resolved_by?", c.resolved_at
        from review_conditions c
        join accounts o on o.id = c.owner_id
        left join accounts r on r.id = c.resolved_by
        join risk_reviews v on v.id = c.review_id and v.withdrawn_at is null
        where c.project_id = $1
        order by c.status <> 'open', c.due_on, c.created_at
        "#,
        project
    )
    .fetch_all(db)
    .await
}

/// The open conditions `owner` sees to, soonest due first (at most 50), with their project's
/// name.
pub async fn open_for_owner(pool: &PgPool, owner: Uuid) -> sqlx::Result<Vec<(Condition, String)>> {
    let rows = sqlx::query!(
        r#"
        select c.id, c.project_id, c.review_id, c.text, c.owner_id, o.display_name as owner_name,
               c.due_on, c.status as "status: ConditionStatus", c.resolution, p.name as project_name
        from review_conditions c
        join accounts o on o.id = c.owner_id
        join projects p on p.id = c.project_id
        join risk_reviews v on v.id = c.review_id and v.withdrawn_at is null
        where c.owner_id = $1 and c.status = 'open'
        order by c.due_on, c.created_at
        limit 50
        "#,
        owner
    )
    .fetch_all(pool)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| {
            (
                Condition {
                    id: r.id,
                    project_id: r.project_id,
                    review_id: r.review_id,
                    text: r.text,
                    owner_id: r.owner_id,
                    owner_name: r.owner_name,
                    due_on: r.due_on,
                    status: r.status,
                    resolution: r.resolution,
                    resolved_by: None,
                    resolved_at: None,
                },
                r.project_name,
            )
        })
        .collect())
}

/// Adds a condition to a standing review approved with conditions of `project`: its reviewer
/// or an admin. The owner must be an active account.
pub async fn add(
    pool: &PgPool,
    actor: &CurrentUser,
    project: Uuid,
    review: Uuid,
    condition: &NewCondition,
) -> Result<Uuid, AppError> {
    let mut tx = pool.begin().await?;
    lock_project(&mut tx, project).await?;
    let reviewer = sqlx::query_scalar!(
        r#"
        select reviewer_id from risk_reviews
        where id = $1 and project_id = $2 and withdrawn_at is null
          and decision = 'approved_with_conditions'
        "#,
        review,
        project
    )
    .fetch_optional(&mut *tx)
    .await?
    .ok_or_else(|| {
        AppError::Refused("Conditions belong to a standing review approved with conditions.".into())
    })?;
    if reviewer != actor.id && actor.role != Role::Admin {
        return Err(AppError::Forbidden);
    }
    let owner = sqlx::query!(
        "select id, display_name from accounts where lower(email) = lower($1) and active and role <> 'viewer'",
        condition.owner_email
    )
    .fetch_optional(&mut *tx)
    .await?
    .ok_or_else(|| {
        AppError::field(
            "owner_email",
            "No active editor, reviewer or admin has this email.",
        )
    })?;
    let id = sqlx::query_scalar!(
        r#"
        insert into review_conditions (project_id, review_id, text, owner_id, due_on, created_by)
        values ($1, $2, $3, $4, $5, $6)
        returning id
        "#,
        project,
        review,
        condition.text,
        owner.id,
        condition.due_on,
        actor.id,
    )
    .fetch_one(&mut *tx)
    .await?;
    let changes = json!({
        "condition": { "before": null, "after": condition.text },
        "owner": { "before": null, "after": owner.display_name },
        "due_on": { "before": null, "after": condition.due_on },
    });
    audit::record(
        &mut *tx,
        Some(actor.id),
        "project",
        project,
        "condition_added",
        changes,
    )
    .await?;
    crate::health::server::refresh(&mut tx, &[project]).await?;
    tx.commit().await?;
    Ok(id)
}

/// Closes an open condition: `Met` (its owner, a reviewer or an admin, with an optional note
/// or link) or `Waived` (an admin, with a reason).
pub async fn resolve(
    pool: &PgPool,
    actor: &CurrentUser,
    condition: Uuid,
    to: ConditionStatus,
    resolution: &str,
) -> Result<(), AppError> {
    let resolution = super::resolution(resolution, to == ConditionStatus::Waived)?;
    let mut tx = pool.begin().await?;
    let project = sqlx::query_scalar!(
        "select project_id from review_conditions where id = $1",
        condition
    )
    .fetch_optional(&mut *tx)
    .await?
    .ok_or(AppError::NotFound)?;
    lock_project(&mut tx, project).await?;
    let current = sqlx::query!(
        r#"select text, owner_id, status as "status: ConditionStatus" from review_conditions where id = $1"#,
        condition
    )
    .fetch_one(&mut *tx)
    .await?;
    let allowed = match to {
        ConditionStatus::Met => current.owner_id == actor.id || actor.role.can(Permission::ReviewModels),
        ConditionStatus::Waived => actor.role == Role::Admin,
        ConditionStatus::Open => false,
    };
    if !allowed {
        return Err(AppError::Forbidden);
    }
    if current.status != ConditionStatus::Open {
        return Err(AppError::Refused(format!(
            "This condition is already {}.",
            current.status.label().to_lowercase()
        )));
    }
    sqlx::query!(
        r#"
        update review_conditions
        set status = $2, resolution = $3, resolved_at = now(), resolved_by = $4
        where id = $1
        "#,
        condition,
        to as ConditionStatus,
        resolution,
        actor.id,
    )
    .execute(&mut *tx)
    .await?;
    let action = if to == ConditionStatus::Met {
        "condition_met"
    } else {
        "condition_waived"
    };
    let mut changes = json!({
        "condition": { "before": current.text, "after": current.text },
        "status": { "before": "open", "after": to.as_str() },
    });
    if !resolution.is_empty() {
        changes["resolution"] = json!({ "before": null, "after": resolution });
    }
    audit::record(&mut *tx, Some(actor.id), "project", project, action, changes).await?;
    crate::health::server::refresh(&mut tx, &[project]).await?;
    tx.commit().await?;
    Ok(())
}

/// A reviewer (or admin) acknowledges the changes of the success metric or target that made
/// `project` drift: each is recorded as acknowledged, audited, and the flag clears.
pub async fn acknowledge_drift(pool: &PgPool, actor: &CurrentUser, project: Uuid) -> Result<usize, AppError> {
    let mut tx = pool.begin().await?;
    lock_project(&mut tx, project).await?;
    let acknowledged = sqlx::query!(
        r#"
        update material_changes
        set acknowledged_at = now(), acknowledged_by = $2
        where project_id = $1 and acknowledged_at is null
          and kind in ('success_metric', 'success_target') and stage in ('build', 'deploy')
        returning kind, before, after
        "#,
        project,
        actor.id
    )
    .fetch_all(&mut *tx)
    .await?;
    if acknowledged.is_empty() {
        return Err(AppError::Refused(
            "There is no change of goal to acknowledge.".into(),
        ));
    }
    let what: Vec<String> = acknowledged
        .iter()
        .map(|c| format!("{}: {} \u{2192} {}", c.kind.replace('_', " "), c.before, c.after))
        .collect();
    let changes = json!({ "goal_change": { "before": null, "after": what.join("; ") } });
    audit::record(
        &mut *tx,
        Some(actor.id),
        "project",
        project,
        "goal_change_acknowledged",
        changes,
    )
    .await?;
    crate::health::server::refresh(&mut tx, &[project]).await?;
    tx.commit().await?;
    Ok(acknowledged.len())
}
