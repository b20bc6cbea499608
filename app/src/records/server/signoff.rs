//! Explainability sign-offs: the form's input, its validation, adding and correcting one.

use super::{check_independent, finish_correction, lock_project, lock_record, record_decision};
use crate::auth::CurrentUser;
use crate::error::AppError;
use crate::records::validate::{Signoff, SignoffInput};
use crate::records::RecordKind;
use chrono::NaiveDate;
use sqlx::PgPool;
use uuid::Uuid;

pub async fn add_signoff(
    pool: &PgPool,
    actor: &CurrentUser,
    project: Uuid,
    input: &SignoffInput,
    today: NaiveDate,
) -> Result<Uuid, AppError> {
    let signoff = Signoff::validate(input, today)?;
    let mut tx = pool.begin().await?;
    let tier = lock_project(&mut tx, project).await?;
    check_independent(&mut tx, actor.id, project, tier).await?;
    let id = sqlx::query_scalar!(
        r#"
        insert into explainability_signoffs (project_id, method, summary, decision, decided_on, approver_id)
        values ($1, $2, $3, ($4::text)::signoff_decision, $5, $6)
        returning id
        "#,
        project,
        signoff.method,
        signoff.summary,
        signoff.decision.as_str(),
        signoff.decided_on,
        actor.id,
    )
    .fetch_one(&mut *tx)
    .await?;
    record_decision(
        &mut tx,
        actor,
        project,
        crate::requests::RequestKind::Signoff,
        id,
        "signoff_added",
        &signoff.fields(),
    )
    .await?;
    crate::health::server::refresh(&mut tx, &[project]).await?;
    tx.commit().await?;
    Ok(id)
}

/// Corrects a sign-off: its approver or an admin, never a withdrawn one. The approver stays
/// who they were and must still be independent of the project.
pub async fn correct_signoff(
    pool: &PgPool,
    actor: &CurrentUser,
    record: Uuid,
    input: &SignoffInput,
    today: NaiveDate,
) -> Result<Uuid, AppError> {
    let signoff = Signoff::validate(input, today)?;
    let mut tx = pool.begin().await?;
    let locked = lock_record(&mut tx, actor, RecordKind::Signoff, record).await?;
    let tier = lock_project(&mut tx, locked.project).await?;
    check_independent(&mut tx, locked.author, locked.project, tier).await?;
    sqlx::query!(
        r#"update explainability_signoffs
           set method = $2, summary = $3, decision = ($4::text)::signoff_decision, decided_on = $5
           where id = $1"#,
        record,
        signoff.method,
        signoff.summary,
        signoff.decision.as_str(),
        signoff.decided_on,
    )
    .execute(&mut *tx)
    .await?;
    finish_correction(tx, actor, RecordKind::Signoff, record, &locked, &signoff.fields()).await
}
