//! Server functions of review requests: editors and admins ask and withdraw.

use super::RequestInput;
use crate::error::AppError;
use crate::projects::OwnerChoices;
use leptos::prelude::*;
use uuid::Uuid;

/// Asks a reviewer (or any reviewer) for a sign-off or review of a project.
#[server(prefix = "/api", endpoint = "requests/create")]
pub async fn request_review(project_id: Uuid, input: RequestInput) -> Result<Uuid, AppError> {
    use crate::auth::server::{require, Caller};
    use crate::auth::Permission;
    let Caller { user, state } = require(Permission::EditProjects).await?;
    let mut input = input;
    let email = input.reviewer_email.trim().to_owned();
    if !email.is_empty() {
        /// The longest an email address can be.
        const EMAIL_MAX: usize = 254;
        let found = if email.chars().count() > EMAIL_MAX {
            None
        } else {
            super::server::reviewer_by_email(&state.pool, &email).await?
        };
        let id = found.ok_or_else(|| {
            AppError::field(
                "reviewer_email",
                format!("No active reviewer or admin has the email address {email}."),
            )
        })?;
        input.reviewer_id = id.to_string();
    }
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

/// Who may be asked: a menu of the active reviewers and admins, or a box for an email address
/// when they are too many for a menu.
#[server(prefix = "/api", endpoint = "requests/reviewers")]
pub async fn reviewer_candidates() -> Result<OwnerChoices, AppError> {
    use crate::auth::server::{require, Caller};
    use crate::auth::Permission;
    let Caller { state, .. } = require(Permission::EditProjects).await?;
    super::server::reviewers(&state.pool).await
}
