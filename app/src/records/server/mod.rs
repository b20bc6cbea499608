//! Storing governance records (server only): each addition or withdrawal is one transaction
//! with its audit event on the project's trail.

use super::RecordKind;
use crate::audit;
use crate::auth::{CurrentUser, Role};
use crate::error::AppError;
use crate::projects::gate::RecordFacts;
use crate::projects::input::NOTE_MAX;
use crate::projects::stage::RiskTier;
use serde_json::{json, Map, Value};
use sqlx::{PgConnection, PgPool};
use uuid::Uuid;

mod demo;
mod evidence;
mod list;
mod review;
mod signoff;

pub use crate::records::validate::{DemoInput, EvidenceInput, ReviewInput, SignoffInput};
pub use demo::{add_demo, correct_demo};
pub use evidence::{add_evidence, correct_evidence};
pub use list::list;
pub use review::{add_review, correct_review};
pub use signoff::{add_signoff, correct_signoff};

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
