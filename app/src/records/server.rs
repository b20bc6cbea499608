//! Storing governance records (server only): each addition or withdrawal is one transaction
//! with its audit event on the project's trail.

use super::{
    choice, independence_problem, optional_link, past_date, required_text, words, RecordKind, RecordRow,
    Withdrawal, OUTCOMES, RESEARCH_KINDS, REVIEW_DECISIONS, SIGNOFF_DECISIONS,
};
use crate::audit;
use crate::auth::{CurrentUser, Role};
use crate::error::{AppError, FieldErrors};
use crate::health::Thresholds;
use crate::projects::gate::RecordFacts;
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
async fn lock_project(tx: &mut PgConnection, project: Uuid) -> Result<RiskTier, AppError> {
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

pub async fn add_demo(
    pool: &PgPool,
    actor: &CurrentUser,
    project: Uuid,
    input: &DemoInput,
    today: NaiveDate,
) -> Result<Uuid, AppError> {
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
    let mut tx = pool.begin().await?;
    lock_project(&mut tx, project).await?;
    let id = sqlx::query_scalar!(
        r#"
        insert into demo_checkpoints (project_id, held_on, summary, attendees, outcome, link, author_id)
        values ($1, $2, $3, $4, ($5::text)::demo_outcome, $6, $7)
        returning id
        "#,
        project,
        held_on,
        summary,
        attendees,
        outcome,
        link,
        actor.id,
    )
    .fetch_one(&mut *tx)
    .await?;
    let changes = added(&[
        ("held_on", json!(held_on)),
        ("summary", json!(summary)),
        ("attendees", json!(attendees)),
        ("outcome", json!(outcome)),
        ("link", json!(link)),
    ]);
    audit::record(
        &mut *tx,
        Some(actor.id),
        "project",
        project,
        "demo_added",
        changes,
    )
    .await?;
    tx.commit().await?;
    Ok(id)
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

pub async fn add_evidence(
    pool: &PgPool,
    actor: &CurrentUser,
    project: Uuid,
    input: &EvidenceInput,
    today: NaiveDate,
) -> Result<Uuid, AppError> {
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
    let mut tx = pool.begin().await?;
    lock_project(&mut tx, project).await?;
    let id = sqlx::query_scalar!(
        r#"
        insert into research_evidence (project_id, kind, title, findings, participants, held_on, link, author_id)
        values ($1, ($2::text)::research_kind, $3, $4, $5, $6, $7, $8)
        returning id
        "#,
        project,
        kind,
        title,
        findings,
        participants,
        held_on,
        link,
        actor.id,
    )
    .fetch_one(&mut *tx)
    .await?;
    let changes = added(&[
        ("kind", json!(kind)),
        ("title", json!(title)),
        ("findings", json!(findings)),
        ("participants", json!(participants)),
        ("held_on", json!(held_on)),
        ("link", json!(link)),
    ]);
    audit::record(
        &mut *tx,
        Some(actor.id),
        "project",
        project,
        "evidence_added",
        changes,
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

/// Refuses a reviewer who is not independent of `project` (see [`independence_problem`]).
async fn check_independent(
    tx: &mut PgConnection,
    reviewer: Uuid,
    project: Uuid,
    tier: RiskTier,
) -> Result<(), AppError> {
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
    match independence_problem(
        reviewer,
        row.current_owner,
        tier == RiskTier::High,
        row.ever_owned,
    ) {
        Some(problem) => Err(AppError::Refused(problem.to_owned())),
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

pub async fn add_signoff(
    pool: &PgPool,
    actor: &CurrentUser,
    project: Uuid,
    input: &SignoffInput,
    today: NaiveDate,
) -> Result<Uuid, AppError> {
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
        method,
        summary,
        decision,
        decided_on,
        actor.id,
    )
    .fetch_one(&mut *tx)
    .await?;
    let changes = added(&[
        ("method", json!(method)),
        ("summary", json!(summary)),
        ("decision", json!(decision)),
        ("decided_on", json!(decided_on)),
    ]);
    audit::record(
        &mut *tx,
        Some(actor.id),
        "project",
        project,
        "signoff_added",
        changes,
    )
    .await?;
    tx.commit().await?;
    Ok(id)
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

pub async fn add_review(
    pool: &PgPool,
    actor: &CurrentUser,
    project: Uuid,
    input: &ReviewInput,
    today: NaiveDate,
    limits: &Thresholds,
) -> Result<Uuid, AppError> {
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
    let mut tx = pool.begin().await?;
    let project_tier = lock_project(&mut tx, project).await?;
    // Independence follows the stricter of the project's tier and the one this review sets.
    check_independent(&mut tx, actor.id, project, project_tier.max(tier)).await?;
    let id = sqlx::query_scalar!(
        r#"
        insert into risk_reviews (project_id, risk_tier, findings, decision, reviewed_on, next_review_on, reviewer_id)
        values ($1, $2, $3, ($4::text)::review_decision, $5, $6, $7)
        returning id
        "#,
        project,
        tier as RiskTier,
        findings,
        decision,
        reviewed_on,
        next_review_on,
        actor.id,
    )
    .fetch_one(&mut *tx)
    .await?;
    let changes = added(&[
        ("risk_tier", json!(tier.as_str())),
        ("findings", json!(findings)),
        ("decision", json!(decision)),
        ("reviewed_on", json!(reviewed_on)),
        ("next_review_on", json!(next_review_on)),
    ]);
    audit::record(
        &mut *tx,
        Some(actor.id),
        "project",
        project,
        "review_added",
        changes,
    )
    .await?;
    tx.commit().await?;
    Ok(id)
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
    let mut tx = pool.begin().await?;
    // One statement per table: table names cannot be parameters of a checked query.
    let row = match kind {
        RecordKind::Demo => sqlx::query!(
            r#"select project_id, author_id as "author_id!", withdrawn_at is not null as "withdrawn!"
               from demo_checkpoints where id = $1 for update"#,
            record
        )
        .fetch_optional(&mut *tx)
        .await?
        .map(|r| (r.project_id, r.author_id, r.withdrawn)),
        RecordKind::Evidence => sqlx::query!(
            r#"select project_id, author_id as "author_id!", withdrawn_at is not null as "withdrawn!"
               from research_evidence where id = $1 for update"#,
            record
        )
        .fetch_optional(&mut *tx)
        .await?
        .map(|r| (r.project_id, r.author_id, r.withdrawn)),
        RecordKind::Signoff => sqlx::query!(
            r#"select project_id, approver_id as "author_id!", withdrawn_at is not null as "withdrawn!"
               from explainability_signoffs where id = $1 for update"#,
            record
        )
        .fetch_optional(&mut *tx)
        .await?
        .map(|r| (r.project_id, r.author_id, r.withdrawn)),
        RecordKind::Review => sqlx::query!(
            r#"select project_id, reviewer_id as "author_id!", withdrawn_at is not null as "withdrawn!"
               from risk_reviews where id = $1 for update"#,
            record
        )
        .fetch_optional(&mut *tx)
        .await?
        .map(|r| (r.project_id, r.author_id, r.withdrawn)),
    };
    let (project, author, withdrawn) = row.ok_or(AppError::NotFound)?;
    if author != actor.id && actor.role != Role::Admin {
        return Err(AppError::Forbidden);
    }
    if withdrawn {
        return Err(AppError::Refused("This record is already withdrawn.".into()));
    }
    let updated = match kind {
        RecordKind::Demo => {
            sqlx::query!(
                "update demo_checkpoints set withdrawn_at = now(), withdrawn_by = $2, withdraw_reason = $3 where id = $1",
                record, actor.id, reason
            )
            .execute(&mut *tx)
            .await?
        }
        RecordKind::Evidence => {
            sqlx::query!(
                "update research_evidence set withdrawn_at = now(), withdrawn_by = $2, withdraw_reason = $3 where id = $1",
                record, actor.id, reason
            )
            .execute(&mut *tx)
            .await?
        }
        RecordKind::Signoff => {
            sqlx::query!(
                "update explainability_signoffs set withdrawn_at = now(), withdrawn_by = $2, withdraw_reason = $3 where id = $1",
                record, actor.id, reason
            )
            .execute(&mut *tx)
            .await?
        }
        RecordKind::Review => {
            sqlx::query!(
                "update risk_reviews set withdrawn_at = now(), withdrawn_by = $2, withdraw_reason = $3 where id = $1",
                record, actor.id, reason
            )
            .execute(&mut *tx)
            .await?
        }
    };
    debug_assert_eq!(updated.rows_affected(), 1);
    let changes = json!({
        "record": { "before": null, "after": format!("{} {record}", kind.label()) },
        "reason": { "before": null, "after": reason },
    });
    audit::record(
        &mut *tx,
        Some(actor.id),
        "project",
        project,
        "record_withdrawn",
        changes,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// What a project's records establish for its gates (see [`RecordFacts`]).
///
/// The latest sign-off and the latest review decide: a later refusal supersedes an approval.
pub async fn facts(db: impl sqlx::PgExecutor<'_>, project: Uuid) -> sqlx::Result<RecordFacts> {
    let row = sqlx::query!(
        r#"
        select
          (select count(*) from research_evidence r
            where r.project_id = p.id and r.withdrawn_at is null) as "research!",
          (select count(*) from demo_checkpoints d
            where d.project_id = p.id and d.withdrawn_at is null) as "demos!",
          coalesce((select s.decision = 'approved' and s.approver_id is distinct from so.owner_id
             from explainability_signoffs s
            where s.project_id = p.id and s.withdrawn_at is null
            order by s.decided_on desc, s.created_at desc limit 1), false) as "signoff!",
          coalesce((select v.decision in ('approved', 'approved_with_conditions')
                  and v.reviewer_id is distinct from so.owner_id
                  and (p.risk_tier <> 'high' or not exists (
                        select 1 from ownership_changes c
                         where c.project_id = p.id and c.to_owner_id = v.reviewer_id))
             from risk_reviews v
            where v.project_id = p.id and v.withdrawn_at is null
            order by v.reviewed_on desc, v.created_at desc limit 1), false) as "review!"
        from projects p
        left join stage_owners so on so.project_id = p.id and so.stage = p.stage
        where p.id = $1
        "#,
        project
    )
    .fetch_one(db)
    .await?;
    Ok(RecordFacts {
        research: u32::try_from(row.research).unwrap_or(u32::MAX),
        demos: u32::try_from(row.demos).unwrap_or(u32::MAX),
        independent_signoff: row.signoff,
        independent_review: row.review,
    })
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
        let mut details = vec![("Attendees".to_owned(), r.attendees)];
        if !r.link.is_empty() {
            details.push(("Link".into(), r.link));
        }
        rows.push(RecordRow {
            kind: RecordKind::Demo,
            id: r.id,
            on: r.held_on,
            headline: r.summary,
            verdict: format!("Outcome: {}", words(&r.outcome)),
            details,
            author_id: r.author_id,
            author: r.author,
            withdrawn: withdrawal(r.withdrawn_by, r.withdrawn_at, r.withdraw_reason),
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
            verdict: capitalised(&words(&r.kind)),
            details,
            author_id: r.author_id,
            author: r.author,
            withdrawn: withdrawal(r.withdrawn_by, r.withdrawn_at, r.withdraw_reason),
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
        rows.push(RecordRow {
            kind: RecordKind::Signoff,
            id: r.id,
            on: r.decided_on,
            headline: format!("{}: {}", r.method, r.summary),
            verdict: capitalised(&words(&r.decision)),
            details: Vec::new(),
            author_id: r.approver_id,
            author: r.approver,
            withdrawn: withdrawal(r.withdrawn_by, r.withdrawn_at, r.withdraw_reason),
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
        rows.push(RecordRow {
            kind: RecordKind::Review,
            id: r.id,
            on: r.reviewed_on,
            headline: r.findings,
            verdict: capitalised(&words(&r.decision)),
            details: vec![
                ("Risk tier".to_owned(), capitalised(&r.risk_tier)),
                (
                    "Next review due".to_owned(),
                    r.next_review_on.format("%-d %b %Y").to_string(),
                ),
            ],
            author_id: r.reviewer_id,
            author: r.reviewer,
            withdrawn: withdrawal(r.withdrawn_by, r.withdrawn_at, r.withdraw_reason),
        });
    }
    rows.sort_by_key(|r| std::cmp::Reverse(r.on));
    Ok(rows)
}

fn capitalised(text: &str) -> String {
    let mut chars = text.chars();
    chars
        .next()
        .map(|first| first.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}
