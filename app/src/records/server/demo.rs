//! Demo checkpoints: the form's input, its validation, adding and correcting one.

use super::{added, finish_correction, lock_project, lock_record};
use crate::audit;
use crate::auth::CurrentUser;
use crate::error::{AppError, FieldErrors};
use crate::records::{choice, optional_link, past_date, required_text, RecordKind, OUTCOMES};
use chrono::NaiveDate;
use serde_json::{json, Value};
use sqlx::PgPool;
use uuid::Uuid;

/// A demo checkpoint as the form posts it.
#[derive(Debug, Clone, Default)]
pub struct DemoInput {
    pub held_on: String,
    pub summary: String,
    pub attendees: String,
    pub outcome: String,
    pub link: String,
}

/// A demo checkpoint that passed validation.
struct Demo {
    held_on: NaiveDate,
    summary: String,
    attendees: String,
    outcome: &'static str,
    link: String,
}

impl Demo {
    fn validate(input: &DemoInput, today: NaiveDate) -> Result<Self, AppError> {
        let mut e = FieldErrors::default();
        let held_on = past_date(&mut e, "held_on", &input.held_on, today);
        let summary = required_text(
            &mut e,
            "summary",
            &input.summary,
            4000,
            "Say what was shown and learned.",
        );
        let attendees = required_text(&mut e, "attendees", &input.attendees, 1000, "List who attended.");
        let outcome = choice(&mut e, "outcome", &input.outcome, &OUTCOMES);
        let link = optional_link(&mut e, "link", &input.link);
        let (Some(held_on), Some(outcome)) = (held_on, outcome) else {
            return Err(AppError::Invalid(e));
        };
        e.into_result()?;
        Ok(Demo {
            held_on,
            summary,
            attendees,
            outcome,
            link,
        })
    }

    fn fields(&self) -> Vec<(&'static str, Value)> {
        vec![
            ("held_on", json!(self.held_on)),
            ("summary", json!(self.summary)),
            ("attendees", json!(self.attendees)),
            ("outcome", json!(self.outcome)),
            ("link", json!(self.link)),
        ]
    }
}

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
        demo.outcome,
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
        demo.outcome,
        demo.link,
    )
    .execute(&mut *tx)
    .await?;
    finish_correction(tx, actor, RecordKind::Demo, record, &locked, &demo.fields()).await
}
