//! Server functions of an import's page; editors and admins.

use super::ImportView;
use crate::error::AppError;
use leptos::prelude::*;
use uuid::Uuid;

#[server(prefix = "/api", endpoint = "imports/view")]
pub async fn load_import(id: Uuid) -> Result<ImportView, AppError> {
    use crate::auth::server::{require, Caller};
    use crate::auth::Permission;
    let Caller { state, .. } = require(Permission::EditProjects).await?;
    super::server::view(&state.pool, id).await
}

/// Applies a previewed import in the background; `all_or_nothing` is the checkbox (present
/// when ticked).
#[server(prefix = "/api", endpoint = "imports/commit")]
pub async fn commit_import(id: Uuid, all_or_nothing: Option<String>) -> Result<(), AppError> {
    use crate::auth::server::{require, Caller};
    use crate::auth::Permission;
    let Caller { user, state } = require(Permission::EditProjects).await?;
    super::server::queue(&state.pool, &user, id, all_or_nothing.is_some()).await
}

/// Reads a column of a previewed import as another field (`field`: a field's key; empty: leave
/// the column out) and plans it again.
#[server(prefix = "/api", endpoint = "imports/remap")]
pub async fn remap_import(id: Uuid, header: String, field: String) -> Result<(), AppError> {
    use super::columns::Column;
    use crate::auth::server::{require, Caller};
    use crate::auth::Permission;
    let Caller { user, state } = require(Permission::EditProjects).await?;
    let field = match field.trim() {
        "" => None,
        key => {
            Some(Column::from_key(key).ok_or_else(|| AppError::field("field", "Choose one of the fields."))?)
        }
    };
    let header: String = header.chars().take(200).collect();
    super::server::remap(&state.pool, &user, id, &header, field, state.clock.today()).await
}
