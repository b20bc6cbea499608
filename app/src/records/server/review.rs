//! Model-risk reviews: the form's input, its validation, adding and correcting one.

use super::{check_independent, finish_correction, lock_project, lock_record, record_decision};
use crate::auth::CurrentUser;
use crate::error::AppError;
use crate::health::Thresholds;
use crate::projects::stage::RiskTier;
use crate::records::validate::{Review, ReviewInput};
use crate::records::RecordKind;
use chrono::NaiveDate;
use sqlx::PgPool;
use uuid::Uuid;

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
        review.decision.as_str(),
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
        review.decision.as_str(),
        review.reviewed_on,
        review.next_review_on,
    )
    .execute(&mut *tx)
    .await?;
    finish_correction(tx, actor, RecordKind::Review, record, &locked, &review.fields()).await
}
