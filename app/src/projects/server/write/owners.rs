//! Who owns each stage: assigning or handing off one stage's owner, and handing everything
//! someone owns to someone else. The same transaction discipline as every project write.

use super::{bump, check_version, ENTITY};
use crate::audit;
use crate::auth::{CurrentUser, Role};
use crate::error::AppError;
use crate::health::server::refresh;
use crate::projects::server::read;
use crate::projects::stage::Stage;
use serde_json::{json, Map, Value};
use sqlx::{PgConnection, PgPool};
use uuid::Uuid;

/// An account that may own a stage: active, editor or admin. Returns its name.
pub(super) async fn eligible_owner(tx: &mut PgConnection, owner: Uuid) -> Result<String, AppError> {
    let row = sqlx::query!(
        r#"select display_name, active, role as "role: Role" from accounts where id = $1"#,
        owner
    )
    .fetch_optional(&mut *tx)
    .await?;
    match row {
        Some(r) if r.active && matches!(r.role, Role::Editor | Role::Admin) => Ok(r.display_name),
        _ => Err(AppError::field("owner_id", "Choose an active editor or admin.")),
    }
}

/// Records `to` as the owner of `stage`, with the handoff history; no audit event.
pub(crate) async fn set_owner(
    tx: &mut PgConnection,
    project: Uuid,
    stage: Stage,
    from: Option<Uuid>,
    to: Uuid,
    by: Uuid,
) -> sqlx::Result<()> {
    sqlx::query!(
        r#"
        insert into stage_owners (project_id, stage, owner_id, assigned_by)
        values ($1, $2, $3, $4)
        on conflict (project_id, stage)
        do update set owner_id = excluded.owner_id, assigned_by = excluded.assigned_by, assigned_at = now()
        "#,
        project,
        stage as Stage,
        to,
        by,
    )
    .execute(&mut *tx)
    .await?;
    sqlx::query!(
        r#"
        insert into ownership_changes (project_id, stage, from_owner_id, to_owner_id, changed_by)
        values ($1, $2, $3, $4, $5)
        "#,
        project,
        stage as Stage,
        from,
        to,
        by,
    )
    .execute(&mut *tx)
    .await?;
    Ok(())
}

/// The owner of `stage` now, locked, with their name.
pub(crate) async fn stage_owner(
    tx: &mut PgConnection,
    project: Uuid,
    stage: Stage,
) -> sqlx::Result<Option<(Uuid, String)>> {
    let row = sqlx::query!(
        r#"
        select so.owner_id, a.display_name
        from stage_owners so join accounts a on a.id = so.owner_id
        where so.project_id = $1 and so.stage = $2
        for update of so
        "#,
        project,
        stage as Stage,
    )
    .fetch_optional(&mut *tx)
    .await?;
    Ok(row.map(|r| (r.owner_id, r.display_name)))
}

/// Assigns (or hands off) the owner of one stage.
pub async fn assign_owner(
    pool: &PgPool,
    actor: &CurrentUser,
    id: Uuid,
    version: i32,
    stage: Stage,
    owner: Uuid,
) -> Result<(), AppError> {
    let mut tx = pool.begin().await?;
    let current = read::lock(&mut tx, id).await?;
    check_version(&current, version)?;
    let to_name = eligible_owner(&mut tx, owner).await?;
    let from = stage_owner(&mut tx, id, stage).await?;
    if from.as_ref().is_some_and(|(from, _)| *from == owner) {
        return Err(AppError::field(
            "owner_id",
            format!("{to_name} already owns {}.", stage.label()),
        ));
    }
    set_owner(
        &mut tx,
        id,
        stage,
        from.as_ref().map(|(id, _)| *id),
        owner,
        actor.id,
    )
    .await?;
    bump(&mut tx, id, actor.id).await?;
    let changes = audit::change(
        &format!("owner.{stage}"),
        from.map(|(_, name)| Value::String(name)).unwrap_or(Value::Null),
        to_name,
    );
    audit::record(&mut *tx, Some(actor.id), ENTITY, id, "owner_assigned", changes).await?;
    refresh(&mut tx, &[id]).await?;
    tx.commit().await?;
    Ok(())
}

/// Hands every stage `from` owns, on every project, to `to` — the usual step when someone
/// leaves. One transaction; one audit event per project. Returns how many stages moved.
pub async fn reassign_all(pool: &PgPool, actor: &CurrentUser, from: Uuid, to: Uuid) -> Result<u64, AppError> {
    if from == to {
        return Err(AppError::field(
            "to_owner_id",
            "Choose someone other than the current owner.",
        ));
    }
    let mut tx = pool.begin().await?;
    let to_name = eligible_owner(&mut tx, to).await?;
    let from_name = sqlx::query_scalar!("select display_name from accounts where id = $1", from)
        .fetch_optional(&mut *tx)
        .await?
        .ok_or_else(|| AppError::field("from_owner_id", "Choose an account."))?;
    let owned = sqlx::query!(
        r#"
        select so.project_id, so.stage as "stage: Stage"
        from stage_owners so join projects p on p.id = so.project_id
        where so.owner_id = $1
        order by so.project_id, so.stage
        for update of so, p
        "#,
        from
    )
    .fetch_all(&mut *tx)
    .await?;
    let mut by_project: Vec<(Uuid, Vec<Stage>)> = Vec::new();
    for row in owned {
        match by_project.last_mut() {
            Some((project, stages)) if *project == row.project_id => stages.push(row.stage),
            _ => by_project.push((row.project_id, vec![row.stage])),
        }
    }
    let mut moved = 0;
    for (project, stages) in &by_project {
        let mut changes = Map::new();
        for stage in stages {
            set_owner(&mut tx, *project, *stage, Some(from), to, actor.id).await?;
            changes.insert(
                format!("owner.{stage}"),
                json!({ "before": from_name, "after": to_name }),
            );
            moved += 1;
        }
        bump(&mut tx, *project, actor.id).await?;
        audit::record(
            &mut *tx,
            Some(actor.id),
            ENTITY,
            *project,
            "owner_assigned",
            Value::Object(changes),
        )
        .await?;
    }
    let projects: Vec<Uuid> = by_project.iter().map(|(project, _)| *project).collect();
    refresh(&mut tx, &projects).await?;
    tx.commit().await?;
    Ok(moved)
}
