//! Explainability sign-offs: the form's input, its validation, adding and correcting one.

use super::{check_independent, finish_correction, lock_project, lock_record, record_decision};
use crate::auth::CurrentUser;
use crate::error::{AppError, FieldErrors};
use crate::records::{choice, past_date, required_text, RecordKind, SIGNOFF_DECISIONS};
use chrono::NaiveDate;
use serde_json::{json, Value};
use sqlx::PgPool;
use uuid::Uuid;

/// An explainability sign-off as the form posts it; the approver is the caller.
#[derive(Debug, Clone, Default)]
pub struct SignoffInput {
    pub method: String,
    pub summary: String,
    pub decision: String,
    pub decided_on: String,
}

/// An explainability sign-off that passed validation.
struct Signoff {
    method: String,
    summary: String,
    decision: &'static str,
    decided_on: NaiveDate,
}

impl Signoff {
    fn validate(input: &SignoffInput, today: NaiveDate) -> Result<Self, AppError> {
        let mut e = FieldErrors::default();
        let method = required_text(
            &mut e,
            "method",
            &input.method,
            200,
            "Name the method (SHAP, LIME, counterfactuals, …).",
        );
        let summary = required_text(
            &mut e,
            "summary",
            &input.summary,
            8000,
            "Summarise what the explanation showed.",
        );
        let decision = choice(&mut e, "decision", &input.decision, &SIGNOFF_DECISIONS);
        let decided_on = past_date(&mut e, "decided_on", &input.decided_on, today);
        let (Some(decision), Some(decided_on)) = (decision, decided_on) else {
            return Err(AppError::Invalid(e));
        };
        e.into_result()?;
        Ok(Signoff {
            method,
            summary,
            decision,
            decided_on,
        })
    }

    fn fields(&self) -> Vec<(&'static str, Value)> {
        vec![
            ("method", json!(self.method)),
            ("summary", json!(self.summary)),
            ("decision", json!(self.decision)),
            ("decided_on", json!(self.decided_on)),
        ]
    }
}

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
        signoff.decision,
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
        signoff.decision,
        signoff.decided_on,
    )
    .execute(&mut *tx)
    .await?;
    finish_correction(tx, actor, RecordKind::Signoff, record, &locked, &signoff.fields()).await
}
