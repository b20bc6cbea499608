//! Model-risk reviews: the form's input, its validation, adding and correcting one.

use super::{check_independent, finish_correction, lock_project, lock_record, record_decision};
use crate::auth::CurrentUser;
use crate::error::{AppError, FieldErrors};
use crate::health::Thresholds;
use crate::projects::stage::RiskTier;
use crate::records::{choice, past_date, required_text, RecordKind, REVIEW_DECISIONS};
use chrono::NaiveDate;
use serde_json::{json, Value};
use sqlx::PgPool;
use uuid::Uuid;

/// A model-risk review as the form posts it; the reviewer is the caller. An empty next-review
/// date takes the cadence of the risk tier.
#[derive(Debug, Clone, Default)]
pub struct ReviewInput {
    pub risk_tier: String,
    pub findings: String,
    pub decision: String,
    pub reviewed_on: String,
    pub next_review_on: String,
}

/// A model-risk review that passed validation.
struct Review {
    tier: RiskTier,
    findings: String,
    decision: &'static str,
    reviewed_on: NaiveDate,
    next_review_on: NaiveDate,
}

impl Review {
    fn validate(input: &ReviewInput, today: NaiveDate, limits: &Thresholds) -> Result<Self, AppError> {
        let mut e = FieldErrors::default();
        let tier = input
            .risk_tier
            .parse::<RiskTier>()
            .map_err(|m| e.add("risk_tier", m))
            .ok();
        let findings = required_text(&mut e, "findings", &input.findings, 8000, "Record the findings.");
        let decision = choice(&mut e, "decision", &input.decision, &REVIEW_DECISIONS);
        let reviewed_on = past_date(&mut e, "reviewed_on", &input.reviewed_on, today);
        let (Some(tier), Some(decision), Some(reviewed_on)) = (tier, decision, reviewed_on) else {
            return Err(AppError::Invalid(e));
        };
        let next_review_on = match input.next_review_on.trim() {
            "" => limits.next_review_due(tier, reviewed_on),
            text => match NaiveDate::parse_from_str(text, "%Y-%m-%d") {
                Ok(date) if date > reviewed_on => date,
                Ok(_) => {
                    e.add("next_review_on", "The next review must come after this one.");
                    reviewed_on
                }
                Err(_) => {
                    e.add(
                        "next_review_on",
                        "Enter a date like 2027-05-25, or leave it empty for the usual cadence.",
                    );
                    reviewed_on
                }
            },
        };
        e.into_result()?;
        Ok(Review {
            tier,
            findings,
            decision,
            reviewed_on,
            next_review_on,
        })
    }

    fn fields(&self) -> Vec<(&'static str, Value)> {
        vec![
            ("risk_tier", json!(self.tier.as_str())),
            ("findings", json!(self.findings)),
            ("decision", json!(self.decision)),
            ("reviewed_on", json!(self.reviewed_on)),
            ("next_review_on", json!(self.next_review_on)),
        ]
    }
}

pub async fn add_review(
    pool: &PgPool,
    actor: &CurrentUser,
    project: Uuid,
    input: &ReviewInput,
    today: NaiveDate,
    limits: &Thresholds,
) -> Result<Uuid, AppError> {
    let review = Review::validate(input, today, limits)?;
    let mut tx = pool.begin().await?;
    let project_tier = lock_project(&mut tx, project).await?;
    // Independence follows the stricter of the project's tier and the one this review sets.
    check_independent(&mut tx, actor.id, project, project_tier.max(review.tier)).await?;
    let id = sqlx::query_scalar!(
        r#"
        insert into risk_reviews (project_id, risk_tier, findings, decision, reviewed_on, next_review_on, reviewer_id)
        values ($1, $2, $3, ($4::text)::review_decision, $5, $6, $7)
        returning id
        "#,
        project,
        review.tier as RiskTier,
        review.findings,
        review.decision,
        review.reviewed_on,
        review.next_review_on,
        actor.id,
    )
    .fetch_one(&mut *tx)
    .await?;
    record_decision(
        &mut tx,
        actor,
        project,
        crate::requests::RequestKind::Review,
        id,
        "review_added",
        &review.fields(),
    )
    .await?;
    crate::health::server::refresh(&mut tx, &[project]).await?;
    tx.commit().await?;
    Ok(id)
}

/// Corrects a model-risk review: its reviewer or an admin, never a withdrawn one. The
/// reviewer stays who they were and must still be independent of the project.
pub async fn correct_review(
    pool: &PgPool,
    actor: &CurrentUser,
    record: Uuid,
    input: &ReviewInput,
    today: NaiveDate,
    limits: &Thresholds,
) -> Result<Uuid, AppError> {
    let review = Review::validate(input, today, limits)?;
    let mut tx = pool.begin().await?;
    let locked = lock_record(&mut tx, actor, RecordKind::Review, record).await?;
    let project_tier = lock_project(&mut tx, locked.project).await?;
    check_independent(
        &mut tx,
        locked.author,
        locked.project,
        project_tier.max(review.tier),
    )
    .await?;
    sqlx::query!(
        r#"update risk_reviews
           set risk_tier = $2, findings = $3, decision = ($4::text)::review_decision,
               reviewed_on = $5, next_review_on = $6
           where id = $1"#,
        record,
        review.tier as RiskTier,
        review.findings,
        review.decision,
        review.reviewed_on,
        review.next_review_on,
    )
    .execute(&mut *tx)
    .await?;
    finish_correction(tx, actor, RecordKind::Review, record, &locked, &review.fields()).await
}
