//! Creating and changing projects: edits and stage moves here, owner assignments and
//! handoffs in `owners`.
//!
//! Each function runs one transaction: lock the project, check the version the change was
//! based on, apply it, bump the version, write one audit event.

mod owners;

use owners::eligible_owner;
pub use owners::{assign_owner, reassign_all};
pub(crate) use owners::{set_owner, stage_owner};

use super::read;
use crate::audit;
use crate::auth::{CurrentUser, Role};
use crate::error::{AppError, FieldErrors};
use crate::health::server::refresh;
use crate::projects::gate::{self, MoveRefused};
use crate::projects::input::{changed_fields, note_too_long, ProjectInput, ValidProject};
use crate::projects::material::{self, MaterialKind};
use crate::projects::stage::{RiskTier, Stage, Status};
use crate::projects::Project;
use serde_json::{json, Map, Value};
use sqlx::{PgConnection, PgPool};
use uuid::Uuid;

pub(super) const ENTITY: &str = "project";

/// Refuses a change based on an older version, naming who saved since and when.
pub fn check_version(current: &Project, expected: i32) -> Result<(), AppError> {
    if current.version == expected {
        return Ok(());
    }
    Err(AppError::Conflict {
        by: current.updated_by.clone().unwrap_or_else(|| "Someone".into()),
        at: current.updated_at,
    })
}

/// Maps the unique-name constraint to a message next to the name field.
pub(crate) fn name_taken(error: sqlx::Error) -> AppError {
    crate::error::on_constraint(
        error,
        &[(
            "projects_name_key",
            "name",
            "A project with this name already exists. Choose another name.",
        )],
    )
}

/// Creates a project in `define`, owned (for that stage) by its creator.
pub async fn create(pool: &PgPool, actor: &CurrentUser, input: ValidProject) -> Result<Uuid, AppError> {
    let mut tx = pool.begin().await?;
    let id = sqlx::query_scalar!(
        r#"
        insert into projects (name, team, summary, problem_statement, success_metric, success_target,
                              baseline_metric, baseline_method, data_readiness, fallback_plan,
                              monitoring_owner, risk_tier, status, created_by, updated_by)
        values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $14)
        returning id
        "#,
        input.name,
        input.team,
        input.summary,
        input.problem_statement,
        input.success_metric,
        input.success_target,
        input.baseline_metric,
        input.baseline_method,
        input.data_readiness,
        input.fallback_plan,
        input.monitoring_owner,
        input.risk_tier as RiskTier,
        input.status as Status,
        actor.id,
    )
    .fetch_one(&mut *tx)
    .await
    .map_err(name_taken)?;
    set_owner(&mut tx, id, Stage::Define, None, actor.id, actor.id).await?;

    let mut changes = Map::new();
    for (field, value) in input.to_input().fields() {
        if !value.is_empty() {
            changes.insert(field.into(), json!({ "before": null, "after": value }));
        }
    }
    changes.insert(
        "stage".into(),
        json!({ "before": null, "after": Stage::Define.as_str() }),
    );
    changes.insert(
        "owner.define".into(),
        json!({ "before": null, "after": actor.display_name }),
    );
    audit::record(
        &mut *tx,
        Some(actor.id),
        ENTITY,
        id,
        "created",
        Value::Object(changes),
    )
    .await?;
    refresh(&mut tx, &[id]).await?;
    tx.commit().await?;
    Ok(id)
}

/// Saves an edit made on `version`. Saving with nothing changed writes nothing.
pub async fn update(
    pool: &PgPool,
    actor: &CurrentUser,
    id: Uuid,
    version: i32,
    input: ValidProject,
) -> Result<(), AppError> {
    let mut tx = pool.begin().await?;
    let current = read::lock(&mut tx, id).await?;
    check_version(&current, version)?;
    if !save_fields(&mut tx, &current, &input, actor.id, Map::new()).await? {
        return Ok(());
    }
    refresh(&mut tx, &[id]).await?;
    tx.commit().await?;
    Ok(())
}

/// Writes `input` over the fields of `current` (locked by the caller) and one `updated` audit
/// event with what changed, plus `extra` entries (an import names itself); returns whether
/// anything changed (nothing is written when nothing did).
pub(crate) async fn save_fields(
    tx: &mut PgConnection,
    current: &Project,
    input: &ValidProject,
    actor: Uuid,
    extra: Map<String, Value>,
) -> Result<bool, AppError> {
    let id = current.id;
    let before = current.to_input();
    let after = input.to_input();
    let changed = changed_fields(&before, &after);
    if changed.is_empty() {
        return Ok(false);
    }
    for (kind, b, a) in material::of_edit(&before, &after) {
        record_material(tx, id, actor, kind, current.stage, &b, &a).await?;
    }
    sqlx::query!(
        r#"
        update projects
        set name = $2, team = $3, summary = $4, problem_statement = $5, success_metric = $6,
            success_target = $7, baseline_metric = $8, baseline_method = $9, data_readiness = $10,
            fallback_plan = $11, monitoring_owner = $12, risk_tier = $13, status = $14,
            updated_by = $15, version = version + 1
        where id = $1
        "#,
        id,
        input.name,
        input.team,
        input.summary,
        input.problem_statement,
        input.success_metric,
        input.success_target,
        input.baseline_metric,
        input.baseline_method,
        input.data_readiness,
        input.fallback_plan,
        input.monitoring_owner,
        input.risk_tier as RiskTier,
        input.status as Status,
        actor,
    )
    .execute(&mut *tx)
    .await
    .map_err(name_taken)?;
    let mut changes: Map<String, Value> = changed
        .into_iter()
        .map(|(field, b, a)| (field.to_owned(), json!({ "before": b, "after": a })))
        .collect();
    changes.extend(extra);
    audit::record(
        &mut *tx,
        Some(actor),
        ENTITY,
        id,
        "updated",
        Value::Object(changes),
    )
    .await?;
    Ok(true)
}

/// Moves the project to `to`: forward one stage through its gate, or back with a note.
///
/// An admin may push a forward move whose gate is not met by writing a `justification`: the
/// override is recorded with what was missing, and the project shows a `gate_gap` flag until
/// the missing items exist.
///
/// `next_owner`, when given, becomes the owner of `to` in the same transaction and the same
/// audit event, so a clean move never leaves the new stage ownerless by accident.
#[expect(
    clippy::too_many_arguments,
    reason = "one argument per field of the move form"
)]
pub async fn move_stage(
    pool: &PgPool,
    actor: &CurrentUser,
    id: Uuid,
    version: i32,
    to: Stage,
    note: &str,
    justification: &str,
    next_owner: Option<Uuid>,
) -> Result<(), AppError> {
    let mut errors = FieldErrors::default();
    for (field, text) in [("note", note), ("justification", justification)] {
        if let Some(message) = note_too_long(text) {
            errors.add(field, message);
        }
    }
    errors.into_result()?;
    let mut tx = pool.begin().await?;
    let current = read::lock(&mut tx, id).await?;
    check_version(&current, version)?;
    let note = note.trim();
    let justification = justification.trim();
    let records = crate::records::server::facts(&mut *tx, id).await?;
    let mut overridden: Option<Vec<String>> = None;
    match gate::check_move(current.stage, to, note, &current.gate_facts(records)) {
        Ok(_) => {}
        Err(MoveRefused::GateNotMet { missing, .. }) if !justification.is_empty() => {
            if actor.role != Role::Admin {
                return Err(AppError::Forbidden);
            }
            let missing: Vec<String> = missing.iter().map(|i| i.describe().to_owned()).collect();
            sqlx::query!(
                r#"
                insert into gate_overrides (project_id, stage, missing, justification, overridden_by)
                values ($1, $2, $3, $4, $5)
                "#,
                id,
                to as Stage,
                &missing,
                justification,
                actor.id,
            )
            .execute(&mut *tx)
            .await?;
            overridden = Some(missing);
        }
        Err(refused) => return Err(refusal(refused)),
    }
    sqlx::query!(
        r#"
        update projects
        set stage = $2, stage_entered_at = now(), updated_by = $3, version = version + 1
        where id = $1
        "#,
        id,
        to as Stage,
        actor.id,
    )
    .execute(&mut *tx)
    .await?;
    sqlx::query!(
        r#"
        insert into stage_moves (project_id, from_stage, to_stage, note, moved_by)
        values ($1, $2, $3, $4, $5)
        "#,
        id,
        current.stage as Stage,
        to as Stage,
        note,
        actor.id,
    )
    .execute(&mut *tx)
    .await?;
    if material::is_pivot(current.stage, to) {
        record_material(
            &mut tx,
            id,
            actor.id,
            MaterialKind::Pivot,
            current.stage,
            current.stage.as_str(),
            to.as_str(),
        )
        .await?;
    }
    let mut changes = audit::change("stage", current.stage.as_str(), to.as_str());
    if !note.is_empty() {
        changes["note"] = json!({ "before": null, "after": note });
    }
    if let Some(missing) = overridden {
        changes["override"] = json!({ "before": null, "after": justification });
        changes["missing"] = json!({ "before": null, "after": missing.join("; ") });
    }
    if let Some(owner) = next_owner {
        let to_name = eligible_owner(&mut tx, owner).await.map_err(|_| {
            AppError::field(
                "next_owner",
                "Choose an active editor or admin, or nobody for now.",
            )
        })?;
        let from = stage_owner(&mut tx, id, to).await?;
        if from.as_ref().map(|(from, _)| *from) != Some(owner) {
            set_owner(&mut tx, id, to, from.as_ref().map(|(id, _)| *id), owner, actor.id).await?;
            changes[format!("owner.{to}")] = json!({
                "before": from.map(|(_, name)| name),
                "after": to_name,
            });
        }
    }
    audit::record(&mut *tx, Some(actor.id), ENTITY, id, "stage_moved", changes).await?;
    refresh(&mut tx, &[id]).await?;
    tx.commit().await?;
    Ok(())
}

/// A refused move as the error the page shows: gates list what is missing.
fn refusal(refused: MoveRefused) -> AppError {
    match &refused {
        MoveRefused::GateNotMet { missing, .. } => AppError::GateNotMet {
            message: refused.to_string(),
            missing: missing.iter().map(|item| item.describe().to_owned()).collect(),
        },
        MoveRefused::NoteRequired(_) => AppError::field("note", refused.to_string()),
        _ => AppError::Refused(refused.to_string()),
    }
}

/// Records a material change of project `id` (in `stage`), in the caller's transaction.
pub(crate) async fn record_material(
    tx: &mut PgConnection,
    id: Uuid,
    actor: Uuid,
    kind: MaterialKind,
    stage: Stage,
    before: &str,
    after: &str,
) -> sqlx::Result<()> {
    sqlx::query!(
        "insert into material_changes (project_id, changed_by, kind, stage, before, after) values ($1, $2, $3, $4, $5, $6)",
        id,
        actor,
        kind as MaterialKind,
        stage as Stage,
        before,
        after,
    )
    .execute(&mut *tx)
    .await?;
    Ok(())
}

/// Marks the project changed by `actor` (new version) without touching its fields.
pub(crate) async fn bump(tx: &mut PgConnection, id: Uuid, actor: Uuid) -> sqlx::Result<()> {
    sqlx::query!(
        "update projects set version = version + 1, updated_by = $2 where id = $1",
        id,
        actor
    )
    .execute(&mut *tx)
    .await?;
    Ok(())
}

/// The edit form's input, validated, as the error the form shows when it is not.
pub fn validate(input: &ProjectInput) -> Result<ValidProject, AppError> {
    input.validate().map_err(AppError::Invalid)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn a_stale_version_names_who_changed_the_project_and_when() {
        let project = Project {
            id: Uuid::nil(),
            name: "Claims triage".into(),
            team: "Claims".into(),
            summary: String::new(),
            problem_statement: String::new(),
            success_metric: String::new(),
            success_target: String::new(),
            baseline_metric: String::new(),
            baseline_method: String::new(),
            data_readiness: String::new(),
            fallback_plan: String::new(),
            monitoring_owner: String::new(),
            risk_tier: RiskTier::Low,
            stage: Stage::Define,
            status: Status::Active,
            stage_entered_at: chrono::Utc::now(),
            version: 4,
            created_at: chrono::Utc::now(),
            updated_at: chrono::Utc.with_ymd_and_hms(2026, 11, 25, 9, 5, 0).unwrap(),
            updated_by: Some("Ana Lopez".into()),
        };
        assert_eq!(check_version(&project, 4), Ok(()));
        let Err(conflict @ AppError::Conflict { .. }) = check_version(&project, 3) else {
            panic!("expected a conflict");
        };
        let message = conflict.to_string();
        assert!(
            message.starts_with("Ana Lopez changed this project at 25 Nov 2026, 09:05 UTC"),
            "{message}"
        );
    }
}
