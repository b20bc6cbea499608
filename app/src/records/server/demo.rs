//! Demo checkpoints: the form's input, its validation, adding and correcting one.

use super::{added, finish_correction, lock_project, lock_record};
use crate::audit;
use crate::auth::CurrentUser;
use crate::error::AppError;
use crate::records::validate::{Demo, DemoInput};
use crate::records::RecordKind;
use chrono::NaiveDate;
use sqlx::PgPool;
use uuid::Uuid;

pub async fn add_demo(
    pool: &PgPool,
    actor: &CurrentUser,
    project: Uuid,
    input: &DemoInput,
    today: NaiveDate,
) -> Result<Uuid, AppError> {
    let demo = Demo::validate(input, today)?;
    let mut tx = pool.begin().await?;
    lock_project(&mut tx, project).await?;
    let id = sqlx::query_scalar!(
        r#"
        insert into demo_checkpoints (project_id, held_on, summary, attendees, outcome, link, author_id)
        values ($1, $2, $3, $4, ($5::text)::demo_outcome, $6, $7)
        returning id
        "#,
        project,
        demo.held_on,
        demo.summary,
        demo.attendees,
        demo.outcome.as_str(),
        demo.link,
        actor.id,
    )
    .fetch_one(&mut *tx)
    .await?;
    audit::record(
        &mut *tx,
        Some(actor.id),
        "project",
        project,
        "demo_added",
        added(&demo.fields()),
    )
    .await?;
    crate::health::server::refresh(&mut tx, &[project]).await?;
    tx.commit().await?;
    Ok(id)
}

/// Corrects a demo checkpoint: its author or an admin, never a withdrawn one.
pub async fn correct_demo(
    pool: &PgPool,
    actor: &CurrentUser,
    record: Uuid,
    input: &DemoInput,
    today: NaiveDate,
) -> Result<Uuid, AppError> {
    let demo = Demo::validate(input, today)?;
    let mut tx = pool.begin().await?;
    let locked = lock_record(&mut tx, actor, RecordKind::Demo, record).await?;
    sqlx::query!(
        r#"update demo_checkpoints
           set held_on = $2, summary = $3, attendees = $4, outcome = ($5::text)::demo_outcome, link = $6
           where id = $1"#,
        record,
        demo.held_on,
        demo.summary,
        demo.attendees,
        demo.outcome.as_str(),
        demo.link,
    )
    .execute(&mut *tx)
    .await?;
    finish_correction(tx, actor, RecordKind::Demo, record, &locked, &demo.fields()).await
}
