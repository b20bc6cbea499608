//! User-research evidence: the form's input, its validation, adding and correcting one.

use super::{added, finish_correction, lock_project, lock_record};
use crate::audit;
use crate::auth::CurrentUser;
use crate::error::AppError;
use crate::records::validate::{Evidence, EvidenceInput};
use crate::records::RecordKind;
use chrono::NaiveDate;
use sqlx::PgPool;
use uuid::Uuid;

pub async fn add_evidence(
    pool: &PgPool,
    actor: &CurrentUser,
    project: Uuid,
    input: &EvidenceInput,
    today: NaiveDate,
) -> Result<Uuid, AppError> {
    let evidence = Evidence::validate(input, today)?;
    let mut tx = pool.begin().await?;
    lock_project(&mut tx, project).await?;
    let id = sqlx::query_scalar!(
        r#"
        insert into research_evidence (project_id, kind, title, findings, participants, held_on, link, author_id)
        values ($1, ($2::text)::research_kind, $3, $4, $5, $6, $7, $8)
        returning id
        "#,
        project,
        evidence.kind.as_str(),
        evidence.title,
        evidence.findings,
        evidence.participants,
        evidence.held_on,
        evidence.link,
        actor.id,
    )
    .fetch_one(&mut *tx)
    .await?;
    audit::record(
        &mut *tx,
        Some(actor.id),
        "project",
        project,
        "evidence_added",
        added(&evidence.fields()),
    )
    .await?;
    crate::health::server::refresh(&mut tx, &[project]).await?;
    tx.commit().await?;
    Ok(id)
}

/// Corrects user-research evidence: its author or an admin, never a withdrawn one.
pub async fn correct_evidence(
    pool: &PgPool,
    actor: &CurrentUser,
    record: Uuid,
    input: &EvidenceInput,
    today: NaiveDate,
) -> Result<Uuid, AppError> {
    let evidence = Evidence::validate(input, today)?;
    let mut tx = pool.begin().await?;
    let locked = lock_record(&mut tx, actor, RecordKind::Evidence, record).await?;
    sqlx::query!(
        r#"update research_evidence
           set kind = ($2::text)::research_kind, title = $3, findings = $4, participants = $5,
               held_on = $6, link = $7
           where id = $1"#,
        record,
        evidence.kind.as_str(),
        evidence.title,
        evidence.findings,
        evidence.participants,
        evidence.held_on,
        evidence.link,
    )
    .execute(&mut *tx)
    .await?;
    finish_correction(
        tx,
        actor,
        RecordKind::Evidence,
        record,
        &locked,
        &evidence.fields(),
    )
    .await
}
