//! Account storage: creation, sign-in with throttling, role and activation changes.

use super::super::credentials::{check_display_name, check_email, check_new_password, normalise_email};
use super::super::{throttle, CurrentUser, Role};
use super::password::{self, Password};
use super::session;
use crate::audit;
use crate::error::{AppError, FieldErrors};
use chrono::{DateTime, Utc};
use serde_json::json;
use sqlx::{PgConnection, PgExecutor, PgPool};
use uuid::Uuid;

pub use crate::admin::AccountSummary;

/// A new account as submitted.
#[derive(Debug, Clone)]
pub struct NewAccount {
    pub display_name: String,
    pub email: String,
    pub role: Role,
    pub password: Password,
}

impl NewAccount {
    /// Field messages for everything wrong with this submission.
    pub fn check(&self) -> FieldErrors {
        let mut errors = FieldErrors::default();
        check_display_name(&mut errors, "display_name", &self.display_name);
        check_email(&mut errors, "email", &self.email);
        check_new_password(&mut errors, "password", self.password.expose());
        errors
    }
}

/// Whether any account exists (the first-run setup is open while none does).
pub async fn any_exist(db: impl PgExecutor<'_>) -> sqlx::Result<bool> {
    let exists = sqlx::query_scalar!(r#"select exists (select 1 from accounts) as "exists!""#)
        .fetch_one(db)
        .await?;
    Ok(exists)
}

/// Inserts a validated account and its audit event on `tx`.
async fn insert(
    tx: &mut PgConnection,
    actor: Option<Uuid>,
    account: &NewAccount,
    password_hash: String,
) -> Result<AccountSummary, AppError> {
    let email = account.email.trim();
    let display_name = account.display_name.trim();
    let inserted = sqlx::query!(
        r#"
        insert into accounts (email, display_name, role, password_hash)
        values ($1, $2, $3, $4)
        returning id, created_at
        "#,
        email,
        display_name,
        account.role as Role,
        password_hash,
    )
    .fetch_one(&mut *tx)
    .await;
    let (id, created_at) = match inserted {
        Ok(row) => (row.id, row.created_at),
        Err(sqlx::Error::Database(db)) if db.constraint() == Some("accounts_email_key") => {
            return Err(AppError::field(
                "email",
                "An account with this email already exists.",
            ));
        }
        Err(other) => return Err(other.into()),
    };
    audit::record(
        &mut *tx,
        actor,
        "account",
        id,
        "created",
        json!({
            "email": { "before": null, "after": email },
            "display_name": { "before": null, "after": display_name },
            "role": { "before": null, "after": account.role.as_str() },
            "active": { "before": null, "after": true },
        }),
    )
    .await?;
    Ok(AccountSummary {
        id,
        email: email.to_owned(),
        display_name: display_name.to_owned(),
        role: account.role,
        active: true,
        created_at,
    })
}

/// Creates an account on behalf of `actor` (an admin), or of the command line when `None`.
pub async fn create(
    pool: &PgPool,
    actor: Option<Uuid>,
    account: NewAccount,
) -> Result<AccountSummary, AppError> {
    account.check().into_result()?;
    let hash = password::hash(account.password.clone()).await?;
    let mut tx = pool.begin().await?;
    let user = insert(&mut tx, actor, &account, hash).await?;
    tx.commit().await?;
    Ok(user)
}

/// Creates the first admin, refusing once any account exists — also when two people submit
/// the setup form at the same moment.
pub async fn create_first_admin(pool: &PgPool, account: NewAccount) -> Result<AccountSummary, AppError> {
    account.check().into_result()?;
    if account.role != Role::Admin {
        return Err(AppError::Refused("The first account must be an admin.".into()));
    }
    let hash = password::hash(account.password.clone()).await?;
    let mut tx = pool.begin().await?;
    // Serialises concurrent first-run setups; the loser then sees the winner's account.
    sqlx::query!("lock table accounts in share row exclusive mode")
        .execute(&mut *tx)
        .await?;
    if any_exist(&mut *tx).await? {
        return Err(AppError::SetupClosed);
    }
    let user = insert(&mut tx, None, &account, hash).await?;
    tx.commit().await?;
    Ok(user)
}

/// Checks an email and password, applying the throttling rule.
///
/// Unknown emails and wrong passwords get the same error and take the same time.
pub async fn authenticate(pool: &PgPool, email: &str, password: Password) -> Result<CurrentUser, AppError> {
    let mut errors = FieldErrors::default();
    if email.trim().is_empty() {
        errors.add("email", "Enter your email address.");
    }
    if password.expose().is_empty() {
        errors.add("password", "Enter your password.");
    }
    errors.into_result()?;

    let key = normalise_email(email);
    refuse_while_locked(pool, &key).await?;

    let account = sqlx::query!(
        r#"
        select id, email, display_name, role as "role: Role", password_hash, active, must_change_password
        from accounts where lower(email) = $1
        "#,
        key,
    )
    .fetch_optional(pool)
    .await?;
    let stored = account.as_ref().map(|a| a.password_hash.clone());
    let matches = password::verify(password, stored).await?;

    match account {
        Some(account) if matches => {
            if !account.active {
                return Err(AppError::AccountDeactivated);
            }
            sqlx::query!("delete from login_failures where email_key = $1", key)
                .execute(pool)
                .await?;
            Ok(CurrentUser {
                id: account.id,
                email: account.email,
                display_name: account.display_name,
                role: account.role,
                must_change_password: account.must_change_password,
            })
        }
        _ => {
            sqlx::query!("insert into login_failures (email_key) values ($1)", key)
                .execute(pool)
                .await?;
            Err(AppError::InvalidCredentials)
        }
    }
}

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
    tx.commit().await?;
    Ok(AccountSummary { active, ..before })
}

/// Refuses password checks for `key` (a normalised email) while too many recent ones failed.
async fn refuse_while_locked(pool: &PgPool, key: &str) -> Result<(), AppError> {
    let now: DateTime<Utc> = sqlx::query_scalar!(r#"select now() as "now!""#)
        .fetch_one(pool)
        .await?;
    let failures = sqlx::query_scalar!(
        r#"
        select failed_at from login_failures
        where email_key = $1 and failed_at > $2
        order by failed_at desc
        "#,
        key,
        now - throttle::window(),
    )
    .fetch_all(pool)
    .await?;
    match throttle::locked_until(&failures, now) {
        Some(until) => Err(AppError::Throttled {
            minutes: throttle::minutes_left(until, now),
        }),
        None => Ok(()),
    }
}

/// Changes a signed-in person's own password: the current one must be right and the new one
/// must meet the policy. Every session of the account ends (the caller starts a fresh one);
/// audited, without any secret.
pub async fn change_own_password(
    pool: &PgPool,
    user: &CurrentUser,
    current: Password,
    new: Password,
    repeat: &str,
) -> Result<(), AppError> {
    let mut errors = FieldErrors::default();
    if current.expose().is_empty() {
        errors.add("current_password", "Enter your current password.");
    }
    check_new_password(&mut errors, "new_password", new.expose());
    if new.expose() != repeat {
        errors.add("repeat_password", "The two new passwords don't match.");
    } else if !current.expose().is_empty() && new.expose() == current.expose() {
        errors.add(
            "new_password",
            "Choose a password different from the current one.",
        );
    }
    errors.into_result()?;
    // Wrong current passwords count towards the sign-in throttle, so a borrowed session can't
    // be used to guess the password.
    let key = normalise_email(&user.email);
    refuse_while_locked(pool, &key).await?;
    let stored = sqlx::query_scalar!("select password_hash from accounts where id = $1", user.id)
        .fetch_optional(pool)
        .await?;
    if !password::verify(current, stored).await? {
        sqlx::query!("insert into login_failures (email_key) values ($1)", key)
            .execute(pool)
            .await?;
        return Err(AppError::field(
            "current_password",
            "That is not your current password.",
        ));
    }
    let hash = password::hash(new).await?;
    let mut tx = pool.begin().await?;
    sqlx::query!(
        "update accounts set password_hash = $2, must_change_password = false where id = $1",
        user.id,
        hash
    )
    .execute(&mut *tx)
    .await?;
    session::end_all_for(&mut *tx, user.id).await?;
    audit::record(
        &mut *tx,
        Some(user.id),
        "account",
        user.id,
        "password_changed",
        json!({}),
    )
    .await?;
    tx.commit().await?;
    Ok(())
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
