//! User-research evidence: the form's input, its validation, adding and correcting one.

use super::{added, finish_correction, lock_project, lock_record};
use crate::audit;
use crate::auth::CurrentUser;
use crate::error::{AppError, FieldErrors};
use crate::records::{choice, optional_link, past_date, required_text, RecordKind, RESEARCH_KINDS};
use chrono::NaiveDate;
use serde_json::{json, Value};
use sqlx::PgPool;
use uuid::Uuid;

/// User-research evidence as the form posts it.
#[derive(Debug, Clone, Default)]
pub struct EvidenceInput {
    pub kind: String,
    pub title: String,
    pub findings: String,
    pub participants: String,
    pub held_on: String,
    pub link: String,
}

/// User-research evidence that passed validation.
struct Evidence {
    kind: &'static str,
    title: String,
    findings: String,
    participants: i32,
    held_on: NaiveDate,
    link: String,
}

impl Evidence {
    fn validate(input: &EvidenceInput, today: NaiveDate) -> Result<Self, AppError> {
        let mut e = FieldErrors::default();
        let kind = choice(&mut e, "kind", &input.kind, &RESEARCH_KINDS);
        let title = required_text(&mut e, "title", &input.title, 200, "Give the research a title.");
        let findings = required_text(&mut e, "findings", &input.findings, 8000, "Say what you learned.");
        let participants = match input.participants.trim().parse::<i32>() {
            Ok(n) if (0..=1_000_000).contains(&n) => Some(n),
            _ => {
                e.add(
                    "participants",
                    "Enter how many people took part, as a whole number.",
                );
                None
            }
        };
        let held_on = past_date(&mut e, "held_on", &input.held_on, today);
        let link = optional_link(&mut e, "link", &input.link);
        let (Some(kind), Some(participants), Some(held_on)) = (kind, participants, held_on) else {
            return Err(AppError::Invalid(e));
        };
        e.into_result()?;
        Ok(Evidence {
            kind,
            title,
            findings,
            participants,
            held_on,
            link,
        })
    }

    fn fields(&self) -> Vec<(&'static str, Value)> {
        vec![
            ("kind", json!(self.kind)),
            ("title", json!(self.title)),
            ("findings", json!(self.findings)),
            ("participants", json!(self.participants)),
            ("held_on", json!(self.held_on)),
            ("link", json!(self.link)),
        ]
    }
}

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
        evidence.kind,
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
        evidence.kind,
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
