//! Imports on the server: the preview (read, plan, keep) and the commit (plan again against
//! what stands now, then write each row as if entered by hand).

use super::columns::{map_headers, Column, Mapping};
use super::parse::{read, Table};
use super::plan::{plan, Action, Change, Existing, Known, Person, RowPlan};
use super::{RowReport, Summary};
use crate::audit;
use crate::auth::{CurrentUser, Role};
use crate::error::{AppError, FieldErrors};
use crate::health::server::refresh;
use crate::projects::input::{changed_fields, ProjectInput, ValidProject};
use crate::projects::material::{self, MaterialKind};
use crate::projects::server::{read as projects, write};
use crate::projects::stage::{RiskTier, Stage, Status};
use crate::projects::Project;
use chrono::NaiveDate;
use serde_json::{json, Map, Value};
use sqlx::{PgConnection, PgPool};
use std::collections::{HashMap, HashSet};
use uuid::Uuid;

/// How many rows one transaction of a commit writes (when not all or nothing).
const BATCH: usize = 200;

fn file_error(message: String) -> AppError {
    let mut errors = FieldErrors::default();
    errors.add("file", message);
    AppError::Invalid(errors)
}

/// The projects and people a file's rows name, as the plan compares them.
async fn known(db: &mut PgConnection, mapping: &Mapping, table: &Table) -> sqlx::Result<Known> {
    let cells = |column: Column| -> Vec<String> {
        let Some(at) = mapping.position(column) else {
            return Vec::new();
        };
        table
            .rows
            .iter()
            .filter_map(|(_, cells)| cells.get(at))
            .map(|c| c.trim().to_lowercase())
            .filter(|c| !c.is_empty())
            .collect()
    };
    let names = cells(Column::Name);
    let ids: Vec<Uuid> = cells(Column::Id)
        .iter()
        .filter_map(|t| Uuid::parse_str(t).ok())
        .collect();
    let emails = cells(Column::OwnerEmail);
    let rows = sqlx::query!(
        r#"
        select p.id, p.version, p.name, p.team, p.summary, p.problem_statement, p.success_metric,
               p.success_target, p.baseline_metric, p.baseline_method, p.data_readiness,
               p.fallback_plan, p.monitoring_owner, p.risk_tier as "risk_tier: RiskTier",
               p.status as "status: Status", p.stage as "stage: Stage", lower(a.email) as "owner_email?"
        from projects p
        left join stage_owners so on so.project_id = p.id and so.stage = p.stage
        left join accounts a on a.id = so.owner_id
        where lower(p.name) = any($1) or p.id = any($2)
        "#,
        &names,
        &ids,
    )
    .fetch_all(&mut *db)
    .await?;
    // What the records establish for each project's gates, for a row that moves its stage: one
    // statement for them all.
    let found: Vec<Uuid> = rows.iter().map(|r| r.id).collect();
    let records: HashMap<Uuid, crate::projects::gate::RecordFacts> =
        crate::health::server::facts(&mut *db, &found)
            .await?
            .into_iter()
            .map(|f| (f.id, f.records))
            .collect();
    let mut existing = Vec::with_capacity(rows.len());
    for r in rows {
        let records = records.get(&r.id).copied().unwrap_or_default();
        existing.push(Existing {
            id: r.id,
            version: r.version,
            input: ProjectInput {
                name: r.name,
                team: r.team,
                summary: r.summary,
                problem_statement: r.problem_statement,
                success_metric: r.success_metric,
                success_target: r.success_target,
                baseline_metric: r.baseline_metric,
                baseline_method: r.baseline_method,
                data_readiness: r.data_readiness,
                fallback_plan: r.fallback_plan,
                monitoring_owner: r.monitoring_owner,
                risk_tier: r.risk_tier.as_str().into(),
                status: r.status.as_str().into(),
            },
            stage: r.stage,
            owner_email: r.owner_email,
            records,
        });
    }
    let people = sqlx::query!(
        r#"select id, lower(email) as "email!", role as "role: Role", active from accounts where lower(email) = any($1)"#,
        &emails
    )
    .fetch_all(&mut *db)
    .await?
    .into_iter()
    .map(|p| {
        (
            p.email,
            Person {
                id: p.id,
                role: p.role,
                active: p.active,
            },
        )
    })
    .collect();
    Ok(Known::new(existing, people))
}

fn report(plans: &[RowPlan]) -> Vec<RowReport> {
    plans
        .iter()
        .map(|p| RowReport {
            row: p.row,
            name: p.name.clone(),
            action: p.action,
            problems: p.problems.clone(),
            notes: p.notes.clone(),
            version: p.change.as_ref().and_then(|c| c.version),
        })
        .collect()
}

/// Reads `bytes` (the file `file_name`, its sheet `sheet`, columns read as `chosen`), plans
/// every row against what stands now, and keeps the import for its commit. Nothing else is
/// written. Returns the import's id.
pub async fn preview(
    pool: &PgPool,
    actor: &CurrentUser,
    file_name: &str,
    bytes: &[u8],
    sheet: Option<&str>,
    chosen: &[(String, Column)],
    today: NaiveDate,
) -> Result<Uuid, AppError> {
    let file_name: String = file_name.trim().chars().take(255).collect();
    let file_name = if file_name.is_empty() {
        "upload".to_owned()
    } else {
        file_name
    };
    let table = read(&file_name, bytes, sheet).map_err(file_error)?;
    let mapping = map_headers(&table.headers, chosen).map_err(file_error)?;
    let mut tx = pool.begin().await?;
    let known = known(&mut tx, &mapping, &table).await?;
    let plans = plan(&mapping, &table.rows, &known, today);
    let id = sqlx::query_scalar!(
        r#"
        insert into imports (file_name, created_by, headers, mapping, rows, report, rows_total)
        values ($1, $2, $3, $4, $5, $6, $7)
        returning id
        "#,
        file_name,
        actor.id,
        json!(table.headers),
        json!(mapping),
        json!(table.rows),
        json!(report(&plans)),
        table.rows.len() as i32,
    )
    .fetch_one(&mut *tx)
    .await?;
    audit::record(
        &mut *tx,
        Some(actor.id),
        "import",
        id,
        "import_previewed",
        json!({ "file": { "before": null, "after": file_name }, "rows": { "before": null, "after": table.rows.len() } }),
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

/// The rows' verdicts a preview kept.
pub async fn preview_report(pool: &PgPool, id: Uuid) -> Result<Vec<RowReport>, AppError> {
    let report = sqlx::query_scalar!("select report from imports where id = $1", id)
        .fetch_optional(pool)
        .await?
        .ok_or(AppError::NotFound)?;
    serde_json::from_value(report).map_err(|e| AppError::from(anyhow::Error::from(e)))
}

/// Applies a previewed import: its rows are planned again against what stands now (a project
/// changed since the preview is refused, as two people saving at once are), then the valid
/// ones are written — in one transaction when `all_or_nothing` (any refusal writes nothing),
/// else a batch at a time, the progress kept on the import.
pub async fn commit(
    pool: &PgPool,
    actor: &CurrentUser,
    id: Uuid,
    all_or_nothing: bool,
    today: NaiveDate,
) -> Result<Summary, AppError> {
    let started = sqlx::query!(
        r#"
        update imports set status = 'running', all_or_nothing = $3
        where id = $1 and created_by = $2 and status in ('previewed', 'queued')
        returning file_name, headers, mapping, rows, report
        "#,
        id,
        actor.id,
        all_or_nothing,
    )
    .fetch_optional(pool)
    .await?
    .ok_or_else(|| {
        AppError::Refused(
            "This import is not waiting to be applied: it ran already, or it is not yours.".into(),
        )
    })?;
    let result = apply(
        pool,
        actor,
        id,
        all_or_nothing,
        today,
        started.file_name,
        started.mapping,
        started.rows,
        started.report,
    )
    .await;
    let (status, summary, error) = match &result {
        Ok(summary) => ("done", Some(json!(summary)), None),
        Err(error) => (
            "failed",
            None,
            Some(error.to_string().chars().take(2000).collect::<String>()),
        ),
    };
    sqlx::query!(
        "update imports set status = $2, summary = $3, error = $4, finished_at = now() where id = $1",
        id,
        status,
        summary,
        error,
    )
    .execute(pool)
    .await?;
    result
}

#[expect(
    clippy::too_many_arguments,
    reason = "the import's stored parts, read once by commit"
)]
async fn apply(
    pool: &PgPool,
    actor: &CurrentUser,
    id: Uuid,
    all_or_nothing: bool,
    today: NaiveDate,
    file_name: String,
    mapping: Value,
    rows: Value,
    preview: Value,
) -> Result<Summary, AppError> {
    let bad = |e: serde_json::Error| AppError::from(anyhow::Error::from(e));
    let mapping: Mapping = serde_json::from_value(mapping).map_err(bad)?;
    let table = Table {
        rows: serde_json::from_value(rows).map_err(bad)?,
        ..Table::default()
    };
    let seen: Vec<RowReport> = serde_json::from_value(preview).map_err(bad)?;
    let seen: HashMap<usize, Option<i32>> = seen.into_iter().map(|r| (r.row, r.version)).collect();
    let mut conn = pool.acquire().await?;
    let known = known(&mut conn, &mapping, &table).await?;
    drop(conn);
    let mut plans = plan(&mapping, &table.rows, &known, today);
    // A project saved since the preview is refused, naming who and when.
    for p in &mut plans {
        let Some(change) = &p.change else { continue };
        if let (Some(now), Some(Some(then))) = (change.version, seen.get(&p.row)) {
            if now != *then {
                let project = projects::project(pool, change.id.unwrap_or_default()).await?;
                let conflict = project
                    .map(|p| write::check_version(&p, *then))
                    .and_then(Result::err)
                    .map(|e| e.to_string())
                    .unwrap_or_else(|| "the project changed since the preview".into());
                p.problems.push(conflict);
                p.action = Action::Refused;
                p.change = None;
            }
        }
    }
    let mut summary = Summary::default();
    for p in &plans {
        match p.action {
            Action::Create => summary.created += 1,
            Action::Update => summary.updated += 1,
            Action::Unchanged => summary.unchanged += 1,
            Action::Refused => summary.refused += 1,
        }
    }
    if all_or_nothing && summary.refused > 0 {
        return Err(AppError::Refused(format!(
            "Nothing was imported: {} of {} rows are refused, and the import was to be all or nothing.",
            summary.refused,
            plans.len()
        )));
    }
    let writes: Vec<&RowPlan> = plans
        .iter()
        .filter(|p| matches!(p.action, Action::Create | Action::Update))
        .collect();
    let via = format!("import {file_name}");
    let size = if all_or_nothing {
        writes.len().max(1)
    } else {
        BATCH
    };
    let mut done = plans.len() - writes.len();
    for batch in writes.chunks(size) {
        let mut tx = pool.begin().await?;
        let creates: Vec<&Change> = batch
            .iter()
            .filter(|p| p.action == Action::Create)
            .filter_map(|p| p.change.as_ref())
            .collect();
        let mut touched = create_rows(&mut tx, actor, &creates, &via).await?;
        let updates: Vec<&Change> = batch
            .iter()
            .filter(|p| p.action == Action::Update)
            .filter_map(|p| p.change.as_ref())
            .collect();
        // The batch's projects are locked and read at once, not a statement pair per row.
        let ids: Vec<Uuid> = updates.iter().map(|c| c.id.unwrap_or_default()).collect();
        let mut current: HashMap<Uuid, Project> = projects::lock_many(&mut tx, &ids)
            .await?
            .into_iter()
            .map(|p| (p.id, p))
            .collect();
        let mut rows = Vec::with_capacity(updates.len());
        for change in updates {
            let id = change.id.unwrap_or_default();
            let project = match current.remove(&id) {
                Some(project) => project,
                None => projects::lock(&mut tx, id).await?,
            };
            rows.push((project, change));
        }
        touched.extend(update_rows(&mut tx, actor, &rows, &via).await?);
        refresh(&mut tx, &touched).await?;
        done += batch.len();
        sqlx::query!("update imports set rows_done = $2 where id = $1", id, done as i32)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
    }
    Ok(summary)
}

/// A batch's project fields, one array per column, as `unnest` takes them.
struct Columns {
    name: Vec<String>,
    team: Vec<String>,
    summary: Vec<String>,
    problem_statement: Vec<String>,
    success_metric: Vec<String>,
    success_target: Vec<String>,
    baseline_metric: Vec<String>,
    baseline_method: Vec<String>,
    data_readiness: Vec<String>,
    fallback_plan: Vec<String>,
    monitoring_owner: Vec<String>,
    risk_tier: Vec<String>,
    status: Vec<String>,
}

impl Columns {
    fn of<'a>(projects: impl Iterator<Item = &'a ValidProject> + Clone) -> Self {
        let column = |field: fn(&ValidProject) -> String| projects.clone().map(field).collect();
        Self {
            name: column(|p| p.name.clone()),
            team: column(|p| p.team.clone()),
            summary: column(|p| p.summary.clone()),
            problem_statement: column(|p| p.problem_statement.clone()),
            success_metric: column(|p| p.success_metric.clone()),
            success_target: column(|p| p.success_target.clone()),
            baseline_metric: column(|p| p.baseline_metric.clone()),
            baseline_method: column(|p| p.baseline_method.clone()),
            data_readiness: column(|p| p.data_readiness.clone()),
            fallback_plan: column(|p| p.fallback_plan.clone()),
            monitoring_owner: column(|p| p.monitoring_owner.clone()),
            risk_tier: column(|p| p.risk_tier.as_str().to_owned()),
            status: column(|p| p.status.as_str().to_owned()),
        }
    }
}

/// Creates the projects of `changes` as the new-project form would — each with its stage and
/// owner, a stage past its gate recorded as imported, and its audit event naming the import —
/// a few statements for the whole batch. Returns their ids.
async fn create_rows(
    tx: &mut PgConnection,
    actor: &CurrentUser,
    changes: &[&Change],
    via: &str,
) -> Result<Vec<Uuid>, AppError> {
    if changes.is_empty() {
        return Ok(Vec::new());
    }
    let fresh: Vec<Uuid> = sqlx::query_scalar!(
        r#"select gen_random_uuid() as "id!" from generate_series(1, $1)"#,
        changes.len() as i32
    )
    .fetch_all(&mut *tx)
    .await?;
    let ids: Vec<Uuid> = changes
        .iter()
        .zip(fresh)
        .map(|(c, fresh)| c.id.unwrap_or(fresh))
        .collect();
    let fields = Columns::of(changes.iter().map(|c| &c.project));
    let stages: Vec<String> = changes.iter().map(|c| c.stage.as_str().to_owned()).collect();
    let started: Vec<Option<NaiveDate>> = changes.iter().map(|c| c.started_on).collect();
    let entered: Vec<Option<NaiveDate>> = changes.iter().map(|c| c.stage_entered_on).collect();
    sqlx::query!(
        r#"
        insert into projects (id, name, team, summary, problem_statement, success_metric, success_target,
                              baseline_metric, baseline_method, data_readiness, fallback_plan,
                              monitoring_owner, risk_tier, status, stage, created_at, stage_entered_at,
                              created_by, updated_by)
        select u.id, u.name, u.team, u.summary, u.problem_statement, u.success_metric, u.success_target,
               u.baseline_metric, u.baseline_method, u.data_readiness, u.fallback_plan, u.monitoring_owner,
               u.risk_tier::risk_tier, u.status::project_status, u.stage::project_stage,
               coalesce(u.started::timestamptz, now()),
               coalesce(u.entered::timestamptz, u.started::timestamptz, now()), $18, $18
        from unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[],
                    $8::text[], $9::text[], $10::text[], $11::text[], $12::text[], $13::text[], $14::text[],
                    $15::text[], $16::date[], $17::date[])
          as u (id, name, team, summary, problem_statement, success_metric, success_target, baseline_metric,
                baseline_method, data_readiness, fallback_plan, monitoring_owner, risk_tier, status, stage,
                started, entered)
        "#,
        &ids,
        &fields.name,
        &fields.team,
        &fields.summary,
        &fields.problem_statement,
        &fields.success_metric,
        &fields.success_target,
        &fields.baseline_metric,
        &fields.baseline_method,
        &fields.data_readiness,
        &fields.fallback_plan,
        &fields.monitoring_owner,
        &fields.risk_tier,
        &fields.status,
        &stages,
        &started as &[Option<NaiveDate>],
        &entered as &[Option<NaiveDate>],
        actor.id,
    )
    .execute(&mut *tx)
    .await
    .map_err(write::name_taken)?;

    // Owners: the stage's owner and the hand-over history, as an assignment writes them.
    let owned: Vec<(Uuid, &str, Uuid)> = ids
        .iter()
        .zip(changes)
        .filter_map(|(id, c)| c.owner.map(|o| (*id, c.stage.as_str(), o)))
        .collect();
    let owner_ids: Vec<Uuid> = owned.iter().map(|o| o.2).collect();
    if !owned.is_empty() {
        let projects: Vec<Uuid> = owned.iter().map(|o| o.0).collect();
        let stages: Vec<String> = owned.iter().map(|o| o.1.to_owned()).collect();
        sqlx::query!(
            r#"
            with given as (
                insert into stage_owners (project_id, stage, owner_id, assigned_by)
                select u.project, u.stage::project_stage, u.owner, $4
                from unnest($1::uuid[], $2::text[], $3::uuid[]) as u (project, stage, owner)
                returning project_id, stage, owner_id
            )
            insert into ownership_changes (project_id, stage, from_owner_id, to_owner_id, changed_by)
            select project_id, stage, null, owner_id, $4 from given
            "#,
            &projects,
            &stages,
            &owner_ids,
            actor.id,
        )
        .execute(&mut *tx)
        .await?;
    }
    let names = display_names(tx, &owner_ids).await?;
    let gaps: Vec<(Uuid, &Change)> = ids.iter().copied().zip(changes.iter().copied()).collect();
    record_gaps(tx, actor, &gaps, via).await?;

    // One "created" event each, as the form writes it, naming the import.
    let events: Vec<(Uuid, &'static str, Value)> = ids
        .iter()
        .zip(changes)
        .map(|(id, c)| {
            let mut changes = Map::new();
            for (field, value) in c.project.to_input().fields() {
                if !value.is_empty() {
                    changes.insert(field.into(), json!({ "before": null, "after": value }));
                }
            }
            changes.insert(
                "stage".into(),
                json!({ "before": null, "after": c.stage.as_str() }),
            );
            if let Some(owner) = c.owner {
                changes.insert(
                    format!("owner.{}", c.stage.as_str()),
                    json!({ "before": null, "after": names.get(&owner) }),
                );
            }
            changes.insert("via".into(), json!({ "before": null, "after": via }));
            (*id, "created", Value::Object(changes))
        })
        .collect();
    record_events(tx, actor, &events).await?;
    Ok(ids)
}

/// Writes each row's changes to its existing project (locked by the caller) as the forms would
/// — its fields, its stage (a stage past its gate recorded as imported) and its owner, each
/// with its audit event naming the import — a few statements for the whole batch, as
/// [`create_rows`] does. Returns their ids.
async fn update_rows(
    tx: &mut PgConnection,
    actor: &CurrentUser,
    rows: &[(Project, &Change)],
    via: &str,
) -> Result<Vec<Uuid>, AppError> {
    if rows.is_empty() {
        return Ok(Vec::new());
    }
    // The owners now of the stages the rows name an owner for (locked), and the new owners' names.
    let asked: Vec<(Uuid, String, Uuid)> = rows
        .iter()
        .filter_map(|(p, c)| c.owner.map(|o| (p.id, c.stage.as_str().to_owned(), o)))
        .collect();
    let (asked_projects, asked_stages): (Vec<Uuid>, Vec<String>) =
        asked.iter().map(|a| (a.0, a.1.clone())).unzip();
    let owners_now: HashMap<Uuid, (Uuid, String)> = sqlx::query!(
        r#"
        select so.project_id, so.owner_id, a.display_name
        from stage_owners so
        join accounts a on a.id = so.owner_id
        join unnest($1::uuid[], $2::text[]) as u (project, stage)
          on so.project_id = u.project and so.stage = u.stage::project_stage
        for update of so
        "#,
        &asked_projects,
        &asked_stages,
    )
    .fetch_all(&mut *tx)
    .await?
    .into_iter()
    .map(|r| (r.project_id, (r.owner_id, r.display_name)))
    .collect();
    let new_owners: Vec<Uuid> = asked.iter().map(|a| a.2).collect();
    let names = display_names(tx, &new_owners).await?;

    let mut edited: Vec<(Uuid, &ValidProject)> = Vec::new();
    let mut material: Vec<(Uuid, MaterialKind, Stage, String, String)> = Vec::new();
    let mut moves: Vec<(Uuid, Stage, Stage)> = Vec::new();
    let mut handovers: Vec<(Uuid, Stage, Option<Uuid>, Uuid)> = Vec::new();
    // Per project: its new stage (when it moves), the stage's date, and the versions it gains
    // beyond a field edit's.
    let mut bumped: Vec<(Uuid, Option<Stage>, Option<NaiveDate>, i32)> = Vec::new();
    let mut events: Vec<(Uuid, &'static str, Value)> = Vec::new();
    let via_entry = json!({ "before": null, "after": via });
    for (current, change) in rows {
        let id = current.id;
        let before = current.to_input();
        let after = change.project.to_input();
        let changed = changed_fields(&before, &after);
        if !changed.is_empty() {
            for (kind, b, a) in material::of_edit(&before, &after) {
                material.push((id, kind, current.stage, b, a));
            }
            let mut entry: Map<String, Value> = changed
                .into_iter()
                .map(|(field, b, a)| (field.to_owned(), json!({ "before": b, "after": a })))
                .collect();
            entry.insert("via".into(), via_entry.clone());
            events.push((id, "updated", Value::Object(entry)));
            edited.push((id, &change.project));
        }
        let mut bumps = 0;
        let moved = current.stage != change.stage;
        if moved {
            moves.push((id, current.stage, change.stage));
            if material::is_pivot(current.stage, change.stage) {
                material.push((
                    id,
                    MaterialKind::Pivot,
                    current.stage,
                    current.stage.as_str().to_owned(),
                    change.stage.as_str().to_owned(),
                ));
            }
            let mut entry = audit::change("stage", current.stage.as_str(), change.stage.as_str());
            entry["via"] = via_entry.clone();
            events.push((id, "stage_moved", entry));
            bumps += 1;
        }
        if let Some(owner) = change.owner {
            let from = owners_now.get(&id);
            if from.map(|(o, _)| *o) != Some(owner) {
                handovers.push((id, change.stage, from.map(|(o, _)| *o), owner));
                let mut entry = audit::change(
                    &format!("owner.{}", change.stage.as_str()),
                    from.map(|(_, name)| name.clone()),
                    names.get(&owner).cloned(),
                );
                entry["via"] = via_entry.clone();
                events.push((id, "owner_assigned", entry));
                bumps += 1;
            }
        }
        if bumps > 0 {
            bumped.push((id, moved.then_some(change.stage), change.stage_entered_on, bumps));
        }
    }

    if !edited.is_empty() {
        let ids: Vec<Uuid> = edited.iter().map(|e| e.0).collect();
        let fields = Columns::of(edited.iter().map(|(_, p)| *p));
        sqlx::query!(
            r#"
            update projects p
            set name = u.name, team = u.team, summary = u.summary, problem_statement = u.problem_statement,
                success_metric = u.success_metric, success_target = u.success_target,
                baseline_metric = u.baseline_metric, baseline_method = u.baseline_method,
                data_readiness = u.data_readiness, fallback_plan = u.fallback_plan,
                monitoring_owner = u.monitoring_owner, risk_tier = u.risk_tier::risk_tier,
                status = u.status::project_status, updated_by = $15, version = p.version + 1
            from unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[],
                        $8::text[], $9::text[], $10::text[], $11::text[], $12::text[], $13::text[], $14::text[])
              as u (id, name, team, summary, problem_statement, success_metric, success_target,
                    baseline_metric, baseline_method, data_readiness, fallback_plan, monitoring_owner,
                    risk_tier, status)
            where p.id = u.id
            "#,
            &ids,
            &fields.name,
            &fields.team,
            &fields.summary,
            &fields.problem_statement,
            &fields.success_metric,
            &fields.success_target,
            &fields.baseline_metric,
            &fields.baseline_method,
            &fields.data_readiness,
            &fields.fallback_plan,
            &fields.monitoring_owner,
            &fields.risk_tier,
            &fields.status,
            actor.id,
        )
        .execute(&mut *tx)
        .await
        .map_err(write::name_taken)?;
    }
    if !bumped.is_empty() {
        let ids: Vec<Uuid> = bumped.iter().map(|b| b.0).collect();
        let stages: Vec<Option<String>> = bumped
            .iter()
            .map(|b| b.1.map(|s| s.as_str().to_owned()))
            .collect();
        let entered: Vec<Option<NaiveDate>> = bumped.iter().map(|b| b.2).collect();
        let bumps: Vec<i32> = bumped.iter().map(|b| b.3).collect();
        sqlx::query!(
            r#"
            update projects p
            set stage = coalesce(u.stage::project_stage, p.stage),
                stage_entered_at = case when u.stage is null then p.stage_entered_at
                                        else coalesce(u.entered::timestamptz, now()) end,
                updated_by = $5, version = p.version + u.bumps
            from unnest($1::uuid[], $2::text[], $3::date[], $4::int[]) as u (id, stage, entered, bumps)
            where p.id = u.id
            "#,
            &ids,
            &stages as &[Option<String>],
            &entered as &[Option<NaiveDate>],
            &bumps,
            actor.id,
        )
        .execute(&mut *tx)
        .await?;
    }
    if !moves.is_empty() {
        let ids: Vec<Uuid> = moves.iter().map(|m| m.0).collect();
        let from: Vec<String> = moves.iter().map(|m| m.1.as_str().to_owned()).collect();
        let to: Vec<String> = moves.iter().map(|m| m.2.as_str().to_owned()).collect();
        sqlx::query!(
            r#"
            insert into stage_moves (project_id, from_stage, to_stage, note, moved_by)
            select u.id, u.from_stage::project_stage, u.to_stage::project_stage, $4, $5
            from unnest($1::uuid[], $2::text[], $3::text[]) as u (id, from_stage, to_stage)
            "#,
            &ids,
            &from,
            &to,
            format!("Imported ({via})"),
            actor.id,
        )
        .execute(&mut *tx)
        .await?;
    }
    if !handovers.is_empty() {
        let ids: Vec<Uuid> = handovers.iter().map(|h| h.0).collect();
        let stages: Vec<String> = handovers.iter().map(|h| h.1.as_str().to_owned()).collect();
        let from: Vec<Option<Uuid>> = handovers.iter().map(|h| h.2).collect();
        let to: Vec<Uuid> = handovers.iter().map(|h| h.3).collect();
        sqlx::query!(
            r#"
            with given as (
                insert into stage_owners (project_id, stage, owner_id, assigned_by)
                select u.id, u.stage::project_stage, u.owner, $5
                from unnest($1::uuid[], $2::text[], $4::uuid[]) as u (id, stage, owner)
                on conflict (project_id, stage)
                do update set owner_id = excluded.owner_id, assigned_by = excluded.assigned_by,
                              assigned_at = now()
            )
            insert into ownership_changes (project_id, stage, from_owner_id, to_owner_id, changed_by)
            select u.id, u.stage::project_stage, u.from_owner, u.owner, $5
            from unnest($1::uuid[], $2::text[], $3::uuid[], $4::uuid[]) as u (id, stage, from_owner, owner)
            "#,
            &ids,
            &stages,
            &from as &[Option<Uuid>],
            &to,
            actor.id,
        )
        .execute(&mut *tx)
        .await?;
    }
    if !material.is_empty() {
        let ids: Vec<Uuid> = material.iter().map(|m| m.0).collect();
        let kinds: Vec<String> = material.iter().map(|m| m.1.as_str().to_owned()).collect();
        let stages: Vec<String> = material.iter().map(|m| m.2.as_str().to_owned()).collect();
        let before: Vec<String> = material.iter().map(|m| m.3.clone()).collect();
        let after: Vec<String> = material.iter().map(|m| m.4.clone()).collect();
        sqlx::query!(
            r#"
            insert into material_changes (project_id, changed_by, kind, stage, before, after)
            select u.id, $6, u.kind, u.stage::project_stage, u.before, u.after
            from unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::text[])
              as u (id, kind, stage, before, after)
            "#,
            &ids,
            &kinds,
            &stages,
            &before,
            &after,
            actor.id,
        )
        .execute(&mut *tx)
        .await?;
    }
    let gaps: Vec<(Uuid, &Change)> = rows.iter().map(|(p, c)| (p.id, *c)).collect();
    record_gaps(tx, actor, &gaps, via).await?;
    record_events(tx, actor, &events).await?;
    Ok(rows.iter().map(|(p, _)| p.id).collect())
}

/// The display names of `accounts`.
async fn display_names(tx: &mut PgConnection, accounts: &[Uuid]) -> sqlx::Result<HashMap<Uuid, String>> {
    Ok(sqlx::query!(
        "select id, display_name from accounts where id = any($1)",
        accounts
    )
    .fetch_all(&mut *tx)
    .await?
    .into_iter()
    .map(|r| (r.id, r.display_name))
    .collect())
}

/// Records the stages the rows reach without what their gate asks for, as imported (a
/// `gate_gap` until the missing items exist). Rows with no gap are skipped.
async fn record_gaps(
    tx: &mut PgConnection,
    actor: &CurrentUser,
    rows: &[(Uuid, &Change)],
    via: &str,
) -> sqlx::Result<()> {
    const SEPARATOR: &str = "\u{1f}";
    let gaps: Vec<&(Uuid, &Change)> = rows.iter().filter(|(_, c)| !c.gate_gap.is_empty()).collect();
    if gaps.is_empty() {
        return Ok(());
    }
    let projects: Vec<Uuid> = gaps.iter().map(|g| g.0).collect();
    let stages: Vec<String> = gaps.iter().map(|g| g.1.stage.as_str().to_owned()).collect();
    let missing: Vec<String> = gaps
        .iter()
        .map(|g| {
            g.1.gate_gap
                .iter()
                .map(|i| i.describe())
                .collect::<Vec<_>>()
                .join(SEPARATOR)
        })
        .collect();
    sqlx::query!(
        r#"
        insert into gate_overrides (project_id, stage, missing, justification, overridden_by, imported)
        select u.project, u.stage::project_stage, string_to_array(u.missing, $4), $5, $6, true
        from unnest($1::uuid[], $2::text[], $3::text[]) as u (project, stage, missing)
        "#,
        &projects,
        &stages,
        &missing,
        SEPARATOR,
        format!("Imported ({via}) without what its gate asks for"),
        actor.id,
    )
    .execute(&mut *tx)
    .await?;
    Ok(())
}

/// Writes the projects' audit events `(project, action, changes)` in their order, by `actor`.
async fn record_events(
    tx: &mut PgConnection,
    actor: &CurrentUser,
    events: &[(Uuid, &'static str, Value)],
) -> sqlx::Result<()> {
    if events.is_empty() {
        return Ok(());
    }
    let ids: Vec<Uuid> = events.iter().map(|e| e.0).collect();
    let actions: Vec<String> = events.iter().map(|e| e.1.to_owned()).collect();
    let changes: Vec<Value> = events.iter().map(|e| e.2.clone()).collect();
    sqlx::query!(
        r#"
        insert into audit_events (actor_id, entity_type, entity_id, action, changes)
        select $1, 'project', u.id, u.action, u.changes
        from unnest($2::uuid[], $3::text[], $4::jsonb[]) with ordinality as u (id, action, changes, n)
        order by u.n
        "#,
        actor.id,
        &ids,
        &actions,
        &changes,
    )
    .execute(&mut *tx)
    .await?;
    Ok(())
}

/// Reads `header` of a previewed import (its creator's) as `field` (none: leave the column
/// out), and plans every row again.
pub async fn remap(
    pool: &PgPool,
    actor: &CurrentUser,
    id: Uuid,
    header: &str,
    field: Option<Column>,
    today: NaiveDate,
) -> Result<(), AppError> {
    let mut tx = pool.begin().await?;
    let row = sqlx::query!(
        "select headers, mapping, rows from imports where id = $1 and created_by = $2 and status = 'previewed' for update",
        id,
        actor.id,
    )
    .fetch_optional(&mut *tx)
    .await?
    .ok_or_else(|| AppError::Refused("Only a preview of yours that is not imported yet can be read again.".into()))?;
    let bad = |e: serde_json::Error| AppError::from(anyhow::Error::from(e));
    let headers: Vec<String> = serde_json::from_value(row.headers).map_err(bad)?;
    let mapping: Mapping = serde_json::from_value(row.mapping).map_err(bad)?;
    let rows: Vec<(usize, Vec<String>)> = serde_json::from_value(row.rows).map_err(bad)?;
    if !headers.iter().any(|h| h == header) {
        return Err(AppError::Refused(format!("The file has no column \"{header}\".")));
    }
    let same = |h: &String| super::columns::normalise(h) == super::columns::normalise(header);
    let mut chosen: Vec<(String, Column)> = mapping.chosen.into_iter().filter(|(h, _)| !same(h)).collect();
    if let Some(field) = field {
        chosen.push((header.to_owned(), field));
    }
    let mapping = map_headers(&headers, &chosen).map_err(|message| {
        let mut errors = FieldErrors::default();
        errors.add("field", message);
        AppError::Invalid(errors)
    })?;
    let table = Table {
        headers,
        rows,
        ..Table::default()
    };
    let known = known(&mut tx, &mapping, &table).await?;
    let plans = plan(&mapping, &table.rows, &known, today);
    sqlx::query!(
        "update imports set mapping = $2, report = $3 where id = $1",
        id,
        json!(mapping),
        json!(report(&plans)),
    )
    .execute(&mut *tx)
    .await?;
    audit::record(
        &mut *tx,
        Some(actor.id),
        "import",
        id,
        "import_remapped",
        json!({ "column": { "before": null, "after": header }, "field": { "before": null, "after": field.map(Column::key) } }),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// The job kind of an import's commit.
pub const COMMIT_JOB: &str = "import_commit";

/// Queues the commit of a previewed import (its creator's), to run in the background.
pub async fn queue(
    pool: &PgPool,
    actor: &CurrentUser,
    id: Uuid,
    all_or_nothing: bool,
) -> Result<(), AppError> {
    let mut tx = pool.begin().await?;
    let queued = sqlx::query!(
        "update imports set status = 'queued', all_or_nothing = $3 where id = $1 and created_by = $2 and status = 'previewed'",
        id,
        actor.id,
        all_or_nothing,
    )
    .execute(&mut *tx)
    .await?;
    if queued.rows_affected() == 0 {
        return Err(AppError::Refused(
            "This import is not waiting to be applied: it ran already, or it is not yours.".into(),
        ));
    }
    audit::record(
        &mut *tx,
        Some(actor.id),
        "import",
        id,
        "import_started",
        json!({ "all_or_nothing": { "before": null, "after": all_or_nothing } }),
    )
    .await?;
    crate::jobs::enqueue(
        &mut *tx,
        COMMIT_JOB,
        json!({ "import": id }),
        Some(&format!("{COMMIT_JOB}:{id}")),
        None,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Runs a queued commit (the job): as the person who previewed it.
pub async fn run_queued(pool: &PgPool, job: &crate::jobs::Job, today: NaiveDate) -> Result<(), String> {
    let id = job
        .payload
        .get("import")
        .and_then(|v| v.as_str())
        .and_then(|v| Uuid::parse_str(v).ok())
        .ok_or("the job names no import")?;
    let row = sqlx::query!(
        r#"
        select i.all_or_nothing, i.status, a.id as account, a.email, a.display_name, a.role as "role: Role"
        from imports i join accounts a on a.id = i.created_by
        where i.id = $1
        "#,
        id
    )
    .fetch_optional(pool)
    .await
    .map_err(|e| e.to_string())?
    .ok_or("the import is gone")?;
    if row.status != "queued" {
        return Ok(()); // Ran already (a retry after the run finished).
    }
    let actor = CurrentUser {
        id: row.account,
        email: row.email,
        display_name: row.display_name,
        role: row.role,
        must_change_password: false,
    };
    // A refused all-or-nothing import is an outcome, kept on the import: not a job to retry.
    let _ = commit(pool, &actor, id, row.all_or_nothing, today).await;
    Ok(())
}

/// An import as its page shows it: refused rows first, at most [`super::ROWS_SHOWN`].
pub async fn view(pool: &PgPool, id: Uuid) -> Result<super::ImportView, AppError> {
    let mut view = full_view(pool, id).await?;
    // Refused rows first, then those with something to know, then the rest; in file order.
    view.rows
        .sort_by_key(|r| (r.action != Action::Refused, r.notes.is_empty(), r.row));
    view.rows.truncate(super::ROWS_SHOWN);
    Ok(view)
}

/// An import with every row's verdict, in file order (the REST API's report).
pub async fn full_view(pool: &PgPool, id: Uuid) -> Result<super::ImportView, AppError> {
    let row = sqlx::query!(
        r#"
        select i.file_name, i.created_by, a.display_name, i.created_at, i.mapping, i.report, i.status,
               i.all_or_nothing, i.rows_total, i.rows_done, i.summary, i.error, i.finished_at
        from imports i join accounts a on a.id = i.created_by
        where i.id = $1
        "#,
        id
    )
    .fetch_optional(pool)
    .await?
    .ok_or(AppError::NotFound)?;
    let bad = |e: serde_json::Error| AppError::from(anyhow::Error::from(e));
    let rows: Vec<RowReport> = serde_json::from_value(row.report).map_err(bad)?;
    let mapping: Mapping = serde_json::from_value(row.mapping).map_err(bad)?;
    let mut counts = Summary::default();
    for r in &rows {
        match r.action {
            Action::Create => counts.created += 1,
            Action::Update => counts.updated += 1,
            Action::Unchanged => counts.unchanged += 1,
            Action::Refused => counts.refused += 1,
        }
    }
    Ok(super::ImportView {
        id,
        file_name: row.file_name,
        created_by: row.created_by,
        created_by_name: row.display_name,
        created_at: row.created_at,
        status: row.status,
        all_or_nothing: row.all_or_nothing,
        rows_total: row.rows_total,
        rows_done: row.rows_done,
        counts,
        summary: row.summary.and_then(|s| serde_json::from_value(s).ok()),
        error: row.error,
        unknown_columns: mapping.unknown,
        chosen_columns: mapping.chosen,
        rows,
    })
}

/// The preview as CSV: each row's number, name, verdict, problems and notes.
pub fn report_csv(rows: &[RowReport]) -> Result<Vec<u8>, AppError> {
    let mut out = csv::Writer::from_writer(Vec::new());
    let fail = |e: csv::Error| AppError::from(anyhow::Error::from(e));
    out.write_record(["row", "name", "outcome", "problems", "notes"])
        .map_err(fail)?;
    for r in rows {
        out.write_record([
            r.row.to_string(),
            r.name.clone(),
            r.action.label().to_owned(),
            r.problems.join("; "),
            r.notes.join("; "),
        ])
        .map_err(fail)?;
    }
    out.into_inner()
        .map_err(|e| AppError::from(anyhow::anyhow!("writing the report: {e}")))
}

/// The distinct projects a set of reports touched (for tests and the summary page).
pub fn names(rows: &[RowReport]) -> HashSet<String> {
    rows.iter().map(|r| r.name.to_lowercase()).collect()
}
