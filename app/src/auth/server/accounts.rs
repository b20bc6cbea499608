//! Account storage: creation, the first admin, sign-in with throttling, one's own password.
//! (An admin's changes to other accounts are in `crate::admin::server`.)

use super::password::{self, Password};
use super::session;
use crate::audit;
use crate::auth::credentials::{
    check_display_name, check_email, check_new_password, check_sign_in, normalise_email,
};
use crate::auth::{throttle, CurrentUser, Role};
use crate::error::{AppError, FieldErrors};
use chrono::{DateTime, Utc};
use serde_json::json;
use sqlx::{PgConnection, PgExecutor, PgPool};
use std::net::IpAddr;
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
    let (id, created_at) = inserted.map(|row| (row.id, row.created_at)).map_err(|error| {
        crate::error::on_constraint(
            error,
            &[(
                "accounts_email_key",
                "email",
                "An account with this email already exists.",
            )],
        )
    })?;
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

/// Checks an email and password, applying the throttling rule for the email and for the
/// client address it came from (when known).
///
/// Unknown emails, wrong passwords and deactivated accounts get the same error and take the
/// same time.
pub async fn authenticate(
    pool: &PgPool,
    email: &str,
    password: Password,
    client: Option<IpAddr>,
) -> Result<CurrentUser, AppError> {
    check_sign_in(email, password.expose()).into_result()?;

    let key = normalise_email(email);
    claim_attempt(pool, &key, client).await?;

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
        Some(account) if matches && account.active => {
            forgive(pool, &key).await?;
            Ok(CurrentUser {
                id: account.id,
                email: account.email,
                display_name: account.display_name,
                role: account.role,
                must_change_password: account.must_change_password,
            })
        }
        // The attempt stays recorded as a failure.
        _ => Err(AppError::InvalidCredentials),
    }
}

/// Lets one password check for `key` (a normalised email) through, or refuses while the email
/// or the client address is locked. The attempt is recorded as a failure *before* its password
/// is checked, under a lock per email and per address, so any number of parallel attempts
/// checks at most as many passwords as the rule allows; [`forgive`] takes it back when the
/// password was right.
async fn claim_attempt(pool: &PgPool, key: &str, client: Option<IpAddr>) -> Result<(), AppError> {
    let address = client.map(|ip| ip.to_string());
    let mut tx = pool.begin().await?;
    // Always email first, then address: two attempts never wait on each other in a cycle.
    sqlx::query!(
        "select pg_advisory_xact_lock(hashtextextended('sign-in:' || $1, 0))",
        key
    )
    .execute(&mut *tx)
    .await?;
    if let Some(address) = &address {
        sqlx::query!(
            "select pg_advisory_xact_lock(hashtextextended('sign-in-from:' || $1, 0))",
            address
        )
        .execute(&mut *tx)
        .await?;
    }
    // The clock after the locks are held: `now()` is when the transaction began.
    let now: DateTime<Utc> = sqlx::query_scalar!(r#"select clock_timestamp() as "now!""#)
        .fetch_one(&mut *tx)
        .await?;
    let since = now - throttle::window();
    let for_email = sqlx::query_scalar!(
        "select failed_at from login_failures where email_key = $1 and failed_at > $2",
        key,
        since,
    )
    .fetch_all(&mut *tx)
    .await?;
    let from_address = match &address {
        Some(address) => {
            sqlx::query_scalar!(
                r#"
                select failed_at from login_failures
                where client_addr = ($1::text)::inet and failed_at > $2
                "#,
                address,
                since,
            )
            .fetch_all(&mut *tx)
            .await?
        }
        None => Vec::new(),
    };
    let locked = throttle::later(
        throttle::locked_until(&for_email, now),
        throttle::address_locked_until(&from_address, now),
    );
    if let Some(until) = locked {
        return Err(AppError::Throttled {
            minutes: throttle::minutes_left(until, now),
        });
    }
    sqlx::query!(
        r#"
        insert into login_failures (email_key, client_addr, failed_at)
        values ($1, ($2::text)::inet, $3)
        "#,
        key,
        address,
        now,
    )
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(())
}

/// The password was right: the attempt was no failure, and the email's earlier failures are
/// forgiven (only failures naming this email: an address's failures against other emails stay).
async fn forgive(pool: &PgPool, key: &str) -> sqlx::Result<()> {
    sqlx::query!("delete from login_failures where email_key = $1", key)
        .execute(pool)
        .await?;
    Ok(())
}

/// Deletes failures too old to count; called periodically by the server.
pub async fn purge_login_failures(db: impl PgExecutor<'_>) -> sqlx::Result<u64> {
    let done = sqlx::query!(
        "delete from login_failures where failed_at < now() - make_interval(mins => $1)",
        throttle::WINDOW_MINUTES as i32,
    )
    .execute(db)
    .await?;
    Ok(done.rows_affected())
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
    client: Option<IpAddr>,
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
    claim_attempt(pool, &key, client).await?;
    let stored = sqlx::query_scalar!("select password_hash from accounts where id = $1", user.id)
        .fetch_optional(pool)
        .await?;
    if !password::verify(current, stored).await? {
        return Err(AppError::field(
            "current_password",
            "That is not your current password.",
        ));
    }
    forgive(pool, &key).await?;
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
