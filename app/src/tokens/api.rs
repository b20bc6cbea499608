//! Server functions of the API tokens page; every one requires `ManageAccounts`.

use super::{NewToken, TokenSummary};
use crate::error::AppError;
use leptos::prelude::*;
use uuid::Uuid;

#[server(prefix = "/api", endpoint = "tokens/list")]
pub async fn list_tokens() -> Result<Vec<TokenSummary>, AppError> {
    use crate::auth::server::{require, Caller};
    use crate::auth::Permission;
    let Caller { state, .. } = require(Permission::ManageAccounts).await?;
    super::server::list(&state.pool).await
}

#[server(prefix = "/api", endpoint = "tokens/create")]
pub async fn create_token(name: String, scope: String) -> Result<NewToken, AppError> {
    use crate::auth::server::{require, Caller};
    use crate::auth::Permission;
    let Caller { user, state } = require(Permission::ManageAccounts).await?;
    super::server::create(&state.pool, user.id, &name, &scope).await
}

#[server(prefix = "/api", endpoint = "tokens/revoke")]
pub async fn revoke_token(token_id: Uuid) -> Result<(), AppError> {
    use crate::auth::server::{require, Caller};
    use crate::auth::Permission;
    let Caller { user, state } = require(Permission::ManageAccounts).await?;
    super::server::revoke(&state.pool, user.id, token_id).await
}
