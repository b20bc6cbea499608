//! Server functions of the admin page; every one requires `ManageAccounts`.

use super::AccountSummary;
use crate::error::AppError;
use leptos::prelude::*;
use uuid::Uuid;

#[server(prefix = "/api", endpoint = "accounts/list")]
pub async fn list_accounts() -> Result<Vec<AccountSummary>, AppError> {
    use crate::auth::server::{require, Caller};
    use crate::auth::Permission;
    let Caller { state, .. } = require(Permission::ManageAccounts).await?;
    Ok(super::server::list(&state.pool).await?)
}

#[server(prefix = "/api", endpoint = "accounts/create")]
pub async fn create_account(
    display_name: String,
    email: String,
    role: String,
    password: String,
) -> Result<AccountSummary, AppError> {
    use crate::auth::server::{accounts, password::Password, require, Caller};
    use crate::auth::{Permission, Role};
    let Caller { user: admin, state } = require(Permission::ManageAccounts).await?;
    let parsed_role = role.parse::<Role>();
    let account = accounts::NewAccount {
        display_name,
        email,
        role: parsed_role.clone().unwrap_or(Role::Viewer),
        password: Password::new(password),
    };
    let mut errors = account.check();
    if let Err(unknown) = parsed_role {
        errors.add("role", unknown.to_string());
    }
    errors.into_result()?;
    let created = accounts::create(&state.pool, Some(admin.id), account).await?;
    tracing::info!(account = %created.id, by = %admin.id, "account created");
    Ok(created)
}

#[server(prefix = "/api", endpoint = "accounts/role")]
pub async fn change_role(account_id: Uuid, role: String) -> Result<AccountSummary, AppError> {
    use crate::auth::server::{require, Caller};
    use crate::auth::{Permission, Role};
    let Caller { user: admin, state } = require(Permission::ManageAccounts).await?;
    let role = role
        .parse::<Role>()
        .map_err(|unknown| AppError::field("role", unknown.to_string()))?;
    super::server::change_role(&state.pool, admin.id, account_id, role).await
}

#[server(prefix = "/api", endpoint = "accounts/active")]
pub async fn set_account_active(account_id: Uuid, active: bool) -> Result<AccountSummary, AppError> {
    use crate::auth::server::{require, Caller};
    use crate::auth::Permission;
    let Caller { user: admin, state } = require(Permission::ManageAccounts).await?;
    super::server::set_active(&state.pool, admin.id, account_id, active).await
}

/// Resets an account's password to a temporary one, returned once (with whose it is) for the
/// admin to pass on.
#[server(prefix = "/api", endpoint = "accounts/reset-password")]
pub async fn reset_password(account_id: Uuid) -> Result<(String, String), AppError> {
    use crate::auth::server::{require, Caller};
    use crate::auth::Permission;
    let Caller { user: admin, state } = require(Permission::ManageAccounts).await?;
    let temporary = super::server::reset_password(&state.pool, admin.id, account_id).await?;
    tracing::info!(account = %account_id, by = %admin.id, "password reset");
    Ok(temporary)
}
