//! Storing governance records (server only): each addition or withdrawal is one transaction
//! with its audit event on the project's trail.

use super::{
    choice, optional_link, past_date, required_text, FormValues, RecordKind, RecordRow, Withdrawal, OUTCOMES,
    RESEARCH_KINDS, REVIEW_DECISIONS, SIGNOFF_DECISIONS,
};
use crate::audit;
use crate::auth::{CurrentUser, Role};
use crate::error::{AppError, FieldErrors};
use crate::health::Thresholds;
use crate::projects::gate::RecordFacts;
use crate::projects::input::NOTE_MAX;
use crate::projects::stage::RiskTier;
use chrono::NaiveDate;
use serde_json::{json, Map, Value};
use sqlx::{PgConnection, PgPool};
use uuid::Uuid;

/// `{"field": {"before": null, "after": value}}` for every filled-in field of a new record.
fn added(fields: &[(&str, Value)]) -> Value {
    let map: Map<String, Value> = fields
        .iter()
        .filter(|(_, value)| value.as_str() != Some(""))
        .map(|(field, value)| (field.to_string(), json!({ "before": null, "after": value })))
        .collect();
    Value::Object(map)
}

/// Locks the project and returns its risk tier (records of a missing project are refused).
/// Audits a decision just recorded, answering any open request for it in the same transaction
/// and event.
async fn record_decision(
    tx: &mut PgConnection,
    actor: &CurrentUser,
    project: Uuid,
    kind: crate::requests::RequestKind,
    record: Uuid,
    action: &str,
    fields: &[(&str, Value)],
) -> Result<(), AppError> {
    let mut changes = added(fields);
    let answered = crate::requests::server::close_for(&mut *tx, project, kind, actor.id, record).await?;
    if answered > 0 {
        changes["requests_answered"] = json!({ "before": null, "after": answered });
    }
    audit::record(&mut *tx, Some(actor.id), "project", project, action, changes).await?;
    Ok(())
}

/// Locks a project for a change of its records; returns its risk tier.
pub async fn lock_project(tx: &mut PgConnection, project: Uuid) -> Result<RiskTier, AppError> {
    sqlx::query_scalar!(
        r#"select risk_tier as "risk_tier: RiskTier" from projects where id = $1 for update"#,
        project
    )
    .fetch_optional(&mut *tx)
    .await?
    .ok_or(AppError::NotFound)
}

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

/// Whether `reviewer` is independent of `project` (see [`super::dependence`]).
pub async fn dependence_of(
    tx: &mut PgConnection,
    reviewer: Uuid,
    project: Uuid,
    tier: RiskTier,
) -> Result<Option<super::Dependence>, AppError> {
    let row = sqlx::query!(
        r#"
        select so.owner_id as "current_owner?",
               exists (select 1 from ownership_changes c
                       where c.project_id = $1 and c.to_owner_id = $2) as "ever_owned!"
        from projects p
        left join stage_owners so on so.project_id = p.id and so.stage = p.stage
        where p.id = $1
        "#,
        project,
        reviewer,
    )
    .fetch_one(&mut *tx)
    .await?;
    Ok(super::dependence(
        reviewer,
        row.current_owner,
        tier == RiskTier::High,
        row.ever_owned,
    ))
}

/// Refuses a reviewer who is not independent of `project`.
async fn check_independent(
    tx: &mut PgConnection,
    reviewer: Uuid,
    project: Uuid,
    tier: RiskTier,
) -> Result<(), AppError> {
    match dependence_of(tx, reviewer, project, tier).await? {
        Some(problem) => Err(AppError::Refused(problem.to_reviewer().to_owned())),
        None => Ok(()),
    }
}

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

/// A record locked for a change by its author or an admin: its project, author and columns.
struct Locked {
    project: Uuid,
    author: Uuid,
    before: Value,
}

impl RecordKind {
    /// The record's table and the column naming who recorded it. Only ever these fixed names
    /// are put into SQL text.
    fn table(self) -> (&'static str, &'static str) {
        match self {
            RecordKind::Demo => ("demo_checkpoints", "author_id"),
            RecordKind::Evidence => ("research_evidence", "author_id"),
            RecordKind::Signoff => ("explainability_signoffs", "approver_id"),
            RecordKind::Review => ("risk_reviews", "reviewer_id"),
        }
    }
}

/// Locks a record for a correction or withdrawal by `actor`: only its author or an admin may
/// change it, and a withdrawn record stays as it was withdrawn.
async fn lock_record(
    tx: &mut PgConnection,
    actor: &CurrentUser,
    kind: RecordKind,
    record: Uuid,
) -> Result<Locked, AppError> {
    let (table, author) = kind.table();
    let sql = format!(
        "select project_id, {author}, withdrawn_at is not null, to_jsonb(r) from {table} r where id = $1 for update"
    );
    let (project, author, withdrawn, before): (Uuid, Uuid, bool, Value) = sqlx::query_as(&sql)
        .bind(record)
        .fetch_optional(&mut *tx)
        .await?
        .ok_or(AppError::NotFound)?;
    if author != actor.id && actor.role != Role::Admin {
        return Err(AppError::Forbidden);
    }
    if withdrawn {
        return Err(AppError::Refused(format!(
            "This {} is withdrawn: it stays as it was.",
            kind.label()
        )));
    }
    Ok(Locked {
        project,
        author,
        before,
    })
}

/// `{"field": {"before": old, "after": new}}` for every field a correction changed.
fn corrected(before: &Value, fields: &[(&str, Value)]) -> Map<String, Value> {
    fields
        .iter()
        .filter(|(field, after)| before.get(*field) != Some(after))
        .map(|(field, after)| {
            let old = before.get(*field).cloned().unwrap_or(Value::Null);
            (field.to_string(), json!({ "before": old, "after": after }))
        })
        .collect()
}

/// Audits a correction (when anything changed) and commits it.
async fn finish_correction(
    mut tx: sqlx::Transaction<'_, sqlx::Postgres>,
    actor: &CurrentUser,
    kind: RecordKind,
    record: Uuid,
    locked: &Locked,
    fields: &[(&str, Value)],
) -> Result<Uuid, AppError> {
    let mut changes = corrected(&locked.before, fields);
    if !changes.is_empty() {
        changes.insert(
            "record".into(),
            json!({ "before": null, "after": format!("{} {record}", kind.label()) }),
        );
        audit::record(
            &mut *tx,
            Some(actor.id),
            "project",
            locked.project,
            "record_corrected",
            Value::Object(changes),
        )
        .await?;
    }
    crate::health::server::refresh(&mut tx, &[locked.project]).await?;
    tx.commit().await?;
    Ok(record)
}

/// Withdraws a record: kept, marked withdrawn with the reason, audited. Only its author (or
/// an admin) may; a withdrawn record no longer counts for gates and flags.
pub async fn withdraw(
    pool: &PgPool,
    actor: &CurrentUser,
    kind: RecordKind,
    record: Uuid,
    reason: &str,
) -> Result<(), AppError> {
    let reason = reason.trim();
    if reason.is_empty() {
        return Err(AppError::field("reason", "Say why the record is withdrawn."));
    }
    let chars = reason.chars().count();
    if chars > NOTE_MAX {
        return Err(AppError::field(
            "reason",
            format!("Use at most {NOTE_MAX} characters ({chars} now)."),
        ));
    }
    let mut tx = pool.begin().await?;
    let locked = lock_record(&mut tx, actor, kind, record).await?;
    let (table, _) = kind.table();
    let sql = format!(
        "update {table} set withdrawn_at = now(), withdrawn_by = $2, withdraw_reason = $3 where id = $1"
    );
    sqlx::query(&sql)
        .bind(record)
        .bind(actor.id)
        .bind(reason)
        .execute(&mut *tx)
        .await?;
    let changes = json!({
        "record": { "before": null, "after": format!("{} {record}", kind.label()) },
        "reason": { "before": null, "after": reason },
    });
    audit::record(
        &mut *tx,
        Some(actor.id),
        "project",
        locked.project,
        "record_withdrawn",
        changes,
    )
    .await?;
    crate::health::server::refresh(&mut tx, &[locked.project]).await?;
    tx.commit().await?;
    Ok(())
}

/// What a project's records establish for its gates (see [`RecordFacts`]).
pub async fn facts(db: impl sqlx::PgExecutor<'_>, project: Uuid) -> sqlx::Result<RecordFacts> {
    let facts = crate::health::server::facts(db, &[project]).await?;
    Ok(facts.into_iter().next().map(|f| f.records).unwrap_or_default())
}

/// Every record of a project, newest first, withdrawn ones included (and marked).
pub async fn list(pool: &PgPool, project: Uuid) -> sqlx::Result<Vec<RecordRow>> {
    let mut rows = Vec::new();
    let withdrawal = |by: Option<String>, at: Option<chrono::DateTime<chrono::Utc>>, reason: String| {
        at.map(|at| Withdrawal {
            by: by.unwrap_or_default(),
            at,
            reason,
        })
    };
    for r in sqlx::query!(
        r#"
        select d.id, d.held_on, d.summary, d.attendees, d.outcome::text as "outcome!", d.link,
               d.author_id, a.display_name as author, w.display_name as "withdrawn_by?",
               d.withdrawn_at, d.withdraw_reason
        from demo_checkpoints d
        join accounts a on a.id = d.author_id
        left join accounts w on w.id = d.withdrawn_by
        where d.project_id = $1
        "#,
        project
    )
    .fetch_all(pool)
    .await?
    {
        let values = form_values(&[
            ("held_on", r.held_on.to_string()),
            ("summary", r.summary.clone()),
            ("attendees", r.attendees.clone()),
            ("outcome", r.outcome.clone()),
            ("link", r.link.clone()),
        ]);
        let mut details = vec![("Attendees".to_owned(), r.attendees)];
        if !r.link.is_empty() {
            details.push(("Link".into(), r.link));
        }
        rows.push(RecordRow {
            kind: RecordKind::Demo,
            id: r.id,
            on: r.held_on,
            headline: r.summary,
            verdict: format!("Outcome: {}", super::label(&r.outcome)),
            details,
            author_id: r.author_id,
            author: r.author,
            withdrawn: withdrawal(r.withdrawn_by, r.withdrawn_at, r.withdraw_reason),
            values,
        });
    }
    for r in sqlx::query!(
        r#"
        select e.id, e.held_on, e.kind::text as "kind!", e.title, e.findings, e.participants, e.link,
               e.author_id, a.display_name as author, w.display_name as "withdrawn_by?",
               e.withdrawn_at, e.withdraw_reason
        from research_evidence e
        join accounts a on a.id = e.author_id
        left join accounts w on w.id = e.withdrawn_by
        where e.project_id = $1
        "#,
        project
    )
    .fetch_all(pool)
    .await?
    {
        let values = form_values(&[
            ("kind", r.kind.clone()),
            ("title", r.title.clone()),
            ("findings", r.findings.clone()),
            ("participants", r.participants.to_string()),
            ("held_on", r.held_on.to_string()),
            ("link", r.link.clone()),
        ]);
        let mut details = vec![
            ("Findings".to_owned(), r.findings),
            ("Participants".to_owned(), r.participants.to_string()),
        ];
        if !r.link.is_empty() {
            details.push(("Link".into(), r.link));
        }
        rows.push(RecordRow {
            kind: RecordKind::Evidence,
            id: r.id,
            on: r.held_on,
            headline: r.title,
            verdict: super::label(&r.kind),
            details,
            author_id: r.author_id,
            author: r.author,
            withdrawn: withdrawal(r.withdrawn_by, r.withdrawn_at, r.withdraw_reason),
            values,
        });
    }
    for r in sqlx::query!(
        r#"
        select s.id, s.decided_on, s.method, s.summary, s.decision::text as "decision!",
               s.approver_id, a.display_name as approver, w.display_name as "withdrawn_by?",
               s.withdrawn_at, s.withdraw_reason
        from explainability_signoffs s
        join accounts a on a.id = s.approver_id
        left join accounts w on w.id = s.withdrawn_by
        where s.project_id = $1
        "#,
        project
    )
    .fetch_all(pool)
    .await?
    {
        let values = form_values(&[
            ("method", r.method.clone()),
            ("summary", r.summary.clone()),
            ("decision", r.decision.clone()),
            ("decided_on", r.decided_on.to_string()),
        ]);
        rows.push(RecordRow {
            kind: RecordKind::Signoff,
            id: r.id,
            on: r.decided_on,
            headline: format!("{}: {}", r.method, r.summary),
            verdict: super::label(&r.decision),
            details: Vec::new(),
            author_id: r.approver_id,
            author: r.approver,
            withdrawn: withdrawal(r.withdrawn_by, r.withdrawn_at, r.withdraw_reason),
            values,
        });
    }
    for r in sqlx::query!(
        r#"
        select v.id, v.reviewed_on, v.next_review_on, v.risk_tier::text as "risk_tier!", v.findings,
               v.decision::text as "decision!", v.reviewer_id, a.display_name as reviewer,
               w.display_name as "withdrawn_by?", v.withdrawn_at, v.withdraw_reason
        from risk_reviews v
        join accounts a on a.id = v.reviewer_id
        left join accounts w on w.id = v.withdrawn_by
        where v.project_id = $1
        "#,
        project
    )
    .fetch_all(pool)
    .await?
    {
        let values = form_values(&[
            ("risk_tier", r.risk_tier.clone()),
            ("findings", r.findings.clone()),
            ("decision", r.decision.clone()),
            ("reviewed_on", r.reviewed_on.to_string()),
            ("next_review_on", r.next_review_on.to_string()),
        ]);
        rows.push(RecordRow {
            kind: RecordKind::Review,
            id: r.id,
            on: r.reviewed_on,
            headline: r.findings,
            verdict: super::label(&r.decision),
            details: vec![
                ("Risk tier".to_owned(), super::label(&r.risk_tier)),
                (
                    "Next review due".to_owned(),
                    r.next_review_on.format("%-d %b %Y").to_string(),
                ),
            ],
            author_id: r.reviewer_id,
            author: r.reviewer,
            withdrawn: withdrawal(r.withdrawn_by, r.withdrawn_at, r.withdraw_reason),
            values,
        });
    }
    rows.sort_by_key(|r| std::cmp::Reverse(r.on));
    Ok(rows)
}

fn form_values(fields: &[(&str, String)]) -> FormValues {
    FormValues(
        fields
            .iter()
            .map(|(name, value)| (name.to_string(), value.clone()))
            .collect(),
    )
}
