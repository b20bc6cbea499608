//! Storing review requests (server only). Each change is one transaction with its audit event
//! on the project's timeline.

use super::{AskedOfMe, RequestKind, ReviewRequest, ValidRequest};
use crate::audit;
use crate::auth::server::people;
use crate::auth::{CurrentUser, Permission, Role};
use crate::error::AppError;
use crate::projects::OwnerChoices;
use serde_json::json;
use sqlx::{PgConnection, PgPool};
use uuid::Uuid;

fn kind_of(text: &str) -> RequestKind {
    RequestKind::parse(text).unwrap_or(RequestKind::Signoff)
}

/// Records a request. A named reviewer must be an active reviewer or admin and independent of
/// the project; otherwise the request is refused with the reason.
pub async fn create(
    pool: &PgPool,
    actor: &CurrentUser,
    project: Uuid,
    request: &ValidRequest,
) -> Result<Uuid, AppError> {
    let mut tx = pool.begin().await?;
    let tier = crate::records::server::lock_project(&mut tx, project).await?;
    let reviewer_name = match request.reviewer {
        None => None,
        Some(reviewer) => {
            let row = sqlx::query!(
                r#"select display_name, active, role as "role: Role" from accounts where id = $1"#,
                reviewer
            )
            .fetch_optional(&mut *tx)
            .await?;
            let name = match row {
                Some(r) if r.active && matches!(r.role, Role::Reviewer | Role::Admin) => r.display_name,
                _ => {
                    return Err(AppError::field(
                        "reviewer_id",
                        "Choose an active reviewer, or any reviewer.",
                    ))
                }
            };
            if let Some(problem) =
                crate::records::server::dependence_of(&mut tx, reviewer, project, tier).await?
            {
                return Err(AppError::field("reviewer_id", problem.about(&name)));
            }
            Some(name)
        }
    };
    let id = sqlx::query_scalar!(
        r#"
        insert into review_requests (project_id, kind, reviewer_id, requested_by, due_on, note)
        values ($1, $2, $3, $4, $5, $6)
        returning id
        "#,
        project,
        request.kind.as_str(),
        request.reviewer,
        actor.id,
        request.due_on,
        request.note,
    )
    .fetch_one(&mut *tx)
    .await?;
    let mut changes = json!({
        "request": { "before": null, "after": request.kind.label() },
        "asked": { "before": null, "after": reviewer_name.unwrap_or_else(|| "any reviewer".into()) },
    });
    if let Some(due) = request.due_on {
        changes["due_on"] = json!({ "before": null, "after": due.to_string() });
    }
    if !request.note.is_empty() {
        changes["note"] = json!({ "before": null, "after": request.note });
    }
    audit::record(
        &mut *tx,
        Some(actor.id),
        "project",
        project,
        "review_requested",
        changes,
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

/// Withdraws an open request (any editor or admin may: the request belongs to the project).
pub async fn withdraw(pool: &PgPool, actor: &CurrentUser, request: Uuid) -> Result<(), AppError> {
    let mut tx = pool.begin().await?;
    let row = sqlx::query!(
        r#"
        select project_id, kind, closed_at is not null as "closed!", withdrawn_at is not null as "withdrawn!"
        from review_requests where id = $1 for update
        "#,
        request
    )
    .fetch_optional(&mut *tx)
    .await?
    .ok_or(AppError::NotFound)?;
    if row.closed || row.withdrawn {
        return Err(AppError::Refused("This request is no longer open.".into()));
    }
    sqlx::query!(
        "update review_requests set withdrawn_at = now(), withdrawn_by = $2 where id = $1",
        request,
        actor.id
    )
    .execute(&mut *tx)
    .await?;
    let changes = json!({ "request": { "before": kind_of(&row.kind).label(), "after": null } });
    audit::record(
        &mut *tx,
        Some(actor.id),
        "project",
        row.project_id,
        "review_request_withdrawn",
        changes,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Answers every open request of `kind` on `project` with the record just made; returns how
/// many. Runs in the transaction that records the decision.
pub async fn close_for(
    tx: &mut PgConnection,
    project: Uuid,
    kind: RequestKind,
    actor: Uuid,
    record: Uuid,
) -> sqlx::Result<u64> {
    let done = sqlx::query!(
        r#"
        update review_requests
        set closed_at = now(), closed_by = $3, closed_record = $4
        where project_id = $1 and kind = $2 and closed_at is null and withdrawn_at is null
        "#,
        project,
        kind.as_str(),
        actor,
        record,
    )
    .execute(&mut *tx)
    .await?;
    Ok(done.rows_affected())
}

/// The open requests of one project, oldest first.
pub async fn open_for_project(pool: &PgPool, project: Uuid) -> sqlx::Result<Vec<ReviewRequest>> {
    let rows = sqlx::query!(
        r#"
        select r.id, r.kind, v.display_name as "reviewer?", a.display_name as requested_by,
               r.created_at, r.due_on, r.note
        from review_requests r
        join accounts a on a.id = r.requested_by
        left join accounts v on v.id = r.reviewer_id
        where r.project_id = $1 and r.closed_at is null and r.withdrawn_at is null
        order by r.created_at
        "#,
        project
    )
    .fetch_all(pool)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| ReviewRequest {
            id: r.id,
            kind: kind_of(&r.kind),
            reviewer: r.reviewer,
            requested_by: r.requested_by,
            requested_at: r.created_at,
            due_on: r.due_on,
            note: r.note,
        })
        .collect())
}

/// The open requests `user` is asked to answer: by name, or any reviewer's, oldest first.
pub async fn asked_of(pool: &PgPool, user: &CurrentUser) -> sqlx::Result<Vec<AskedOfMe>> {
    let rows = sqlx::query!(
        r#"
        select r.project_id, p.name as project_name, r.kind, r.reviewer_id is not null as "by_name!",
               a.display_name as requested_by, r.created_at, r.due_on, r.note
        from review_requests r
        join projects p on p.id = r.project_id
        join accounts a on a.id = r.requested_by
        where r.closed_at is null and r.withdrawn_at is null
          and (r.reviewer_id = $1 or r.reviewer_id is null)
        order by r.reviewer_id is null, coalesce(r.due_on, 'infinity'::date), r.created_at
        limit 100
        "#,
        user.id
    )
    .fetch_all(pool)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| AskedOfMe {
            project_id: r.project_id,
            project_name: r.project_name,
            kind: kind_of(&r.kind),
            by_name: r.by_name,
            requested_by: r.requested_by,
            requested_at: r.created_at,
            due_on: r.due_on,
            note: r.note,
        })
        .collect())
}

/// Who may be asked: a menu of the active reviewers and admins by name, or (when they are too
/// many for a menu) a box for an email address.
pub async fn reviewers(pool: &PgPool) -> Result<OwnerChoices, AppError> {
    people::choices(pool, Permission::ReviewModels).await
}

/// The active reviewer or admin whose email address is `email` (in any case).
pub async fn reviewer_by_email(pool: &PgPool, email: &str) -> Result<Option<Uuid>, AppError> {
    people::by_email(pool, email, Permission::ReviewModels).await
}
