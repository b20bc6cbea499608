//! Server functions of review requests: editors and admins ask and withdraw.

use super::RequestInput;
use crate::error::AppError;
use crate::projects::Person;
use leptos::prelude::*;
use uuid::Uuid;

/// Asks a reviewer (or any reviewer) for a sign-off or review of a project.
#[server(prefix = "/api", endpoint = "requests/create")]
pub async fn request_review(project_id: Uuid, input: RequestInput) -> Result<Uuid, AppError> {
    use crate::auth::server::{require, Caller};
    use crate::auth::Permission;
    let Caller { user, state } = require(Permission::EditProjects).await?;
    let valid = input.validate(state.clock.today()).map_err(AppError::Invalid)?;
    super::server::create(&state.pool, &user, project_id, &valid).await
}

/// Withdraws an open request.
#[server(prefix = "/api", endpoint = "requests/withdraw")]
pub async fn withdraw_request(request_id: Uuid) -> Result<(), AppError> {
    use crate::auth::server::{require, Caller};
    use crate::auth::Permission;
    let Caller { user, state } = require(Permission::EditProjects).await?;
    super::server::withdraw(&state.pool, &user, request_id).await
}

/// Who may be asked: active reviewers and admins.
#[server(prefix = "/api", endpoint = "requests/reviewers")]
pub async fn reviewer_candidates() -> Result<Vec<Person>, AppError> {
    use crate::auth::server::{require, Caller};
    use crate::auth::Permission;
    let Caller { state, .. } = require(Permission::EditProjects).await?;
    super::server::reviewers(&state.pool).await
}
