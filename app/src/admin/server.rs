//! Account administration's storage: the list, role changes, deactivation and reactivation
//! (which moves the signals of every project the account owns), password resets. Every change
//! locks the account, keeps one active admin, and writes its audit event in its transaction.

use super::AccountSummary;
use crate::audit;
use crate::auth::server::password::{self, Password};
use crate::auth::server::session;
use crate::auth::Role;
use crate::error::AppError;
use serde_json::json;
use sqlx::{PgConnection, PgExecutor, PgPool};
use uuid::Uuid;

/// Every account, for the admin page.
pub async fn list(db: impl PgExecutor<'_>) -> sqlx::Result<Vec<AccountSummary>> {
    sqlx::query_as!(
        AccountSummary,
        r#"
        select id, email, display_name, role as "role: Role", active, created_at
        from accounts
        order by active desc, lower(display_name), lower(email)
        "#
    )
    .fetch_all(db)
    .await
}

/// Locks and reads one account for a change.
async fn lock(tx: &mut PgConnection, id: Uuid) -> Result<AccountSummary, AppError> {
    sqlx::query_as!(
        AccountSummary,
        r#"
        select id, email, display_name, role as "role: Role", active, created_at
        from accounts where id = $1
        for update
        "#,
        id,
    )
    .fetch_optional(&mut *tx)
    .await?
    .ok_or(AppError::NotFound)
}

/// Counts active admins other than `except`, under the caller's transaction.
async fn other_active_admins(tx: &mut PgConnection, except: Uuid) -> sqlx::Result<i64> {
    // Lock every active admin row so two admins cannot demote each other at the same moment.
    let ids = sqlx::query_scalar!(
        "select id from accounts where role = 'admin' and active and id <> $1 for update",
        except,
    )
    .fetch_all(&mut *tx)
    .await?;
    Ok(ids.len() as i64)
}

/// Changes an account's role. The last active admin cannot be demoted.
pub async fn change_role(
    pool: &PgPool,
    actor: Uuid,
    id: Uuid,
    role: Role,
) -> Result<AccountSummary, AppError> {
    let mut tx = pool.begin().await?;
    let before = lock(&mut tx, id).await?;
    if before.role == role {
        return Ok(before);
    }
    if before.role == Role::Admin && before.active && other_active_admins(&mut tx, id).await? == 0 {
        return Err(AppError::Refused(
            "Tollgate needs at least one active admin: make someone else an admin first.".into(),
        ));
    }
    sqlx::query!("update accounts set role = $2 where id = $1", id, role as Role)
        .execute(&mut *tx)
        .await?;
    audit::record(
        &mut *tx,
        Some(actor),
        "account",
        id,
        "role_changed",
        audit::change("role", before.role.as_str(), role.as_str()),
    )
    .await?;
    tx.commit().await?;
    Ok(AccountSummary { role, ..before })
}

/// Deactivates or reactivates an account. Deactivation ends its sessions at once.
pub async fn set_active(
    pool: &PgPool,
    actor: Uuid,
    id: Uuid,
    active: bool,
) -> Result<AccountSummary, AppError> {
    if actor == id && !active {
        return Err(AppError::Refused(
            "You cannot deactivate your own account.".into(),
        ));
    }
    let mut tx = pool.begin().await?;
    let before = lock(&mut tx, id).await?;
    if before.active == active {
        return Ok(before);
    }
    if !active && before.role == Role::Admin && other_active_admins(&mut tx, id).await? == 0 {
        return Err(AppError::Refused(
            "Tollgate needs at least one active admin.".into(),
        ));
    }
    sqlx::query!(
        r#"
        update accounts
        set active = $2, deactivated_at = case when $2 then null else now() end
        where id = $1
        "#,
        id,
        active,
    )
    .execute(&mut *tx)
    .await?;
    if !active {
        session::end_all_for(&mut *tx, id).await?;
    }
    audit::record(
        &mut *tx,
        Some(actor),
        "account",
        id,
        if active { "reactivated" } else { "deactivated" },
        audit::change("active", before.active, active),
    )
    .await?;
    // Whoever owns a project's current stage decides whether it is ownerless.
    let owned: Vec<Uuid> = sqlx::query_scalar!(
        r#"
        select p.id from projects p
        join stage_owners so on so.project_id = p.id and so.stage = p.stage
        where so.owner_id = $1
        order by p.id
        for update of p
        "#,
        id
    )
    .fetch_all(&mut *tx)
    .await?;
    crate::health::server::refresh(&mut tx, &owned).await?;
    tx.commit().await?;
    Ok(AccountSummary { active, ..before })
}

/// A temporary password: four groups of four from letters and digits nobody misreads.
fn temporary_password() -> String {
    use rand::Rng;
    const ALPHABET: &[u8] = b"abcdefghjkmnpqrstuvwxyz23456789";
    let mut rng = rand::rngs::OsRng;
    (0..4)
        .map(|_| {
            (0..4)
                .map(|_| ALPHABET[rng.gen_range(0..ALPHABET.len())] as char)
                .collect::<String>()
        })
        .collect::<Vec<_>>()
        .join("-")
}

/// Resets an account's password to a temporary one (returned once with the account's name,
/// for the admin to pass on):
/// its sessions end, and at the next sign-in its holder must choose a new password before
/// anything else. Audited, without the password.
pub async fn reset_password(pool: &PgPool, admin: Uuid, account: Uuid) -> Result<(String, String), AppError> {
    let temporary = temporary_password();
    let hash = password::hash(Password::new(temporary.clone())).await?;
    let mut tx = pool.begin().await?;
    let name = sqlx::query_scalar!(
        "update accounts set password_hash = $2, must_change_password = true where id = $1
         returning display_name",
        account,
        hash
    )
    .fetch_optional(&mut *tx)
    .await?
    .ok_or(AppError::NotFound)?;
    session::end_all_for(&mut *tx, account).await?;
    audit::record(
        &mut *tx,
        Some(admin),
        "account",
        account,
        "password_reset",
        json!({ "must_change_password": { "before": false, "after": true } }),
    )
    .await?;
    tx.commit().await?;
    Ok((name, temporary))
}
