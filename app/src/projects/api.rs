//! Server functions of the projects feature. Reading needs `Read`; every change needs
//! `EditProjects` and names the version it was based on.

use super::input::ProjectInput;
use super::{OwnerChoices, ProjectDetail, ProjectList, ProjectQuery};
use crate::error::AppError;
use leptos::prelude::*;
use uuid::Uuid;

#[server(prefix = "/api", endpoint = "projects/list")]
pub async fn list_projects(#[server(default)] query: ProjectQuery) -> Result<ProjectList, AppError> {
    use crate::auth::server::{require, Caller};
    use crate::auth::Permission;
    let Caller { state, .. } = require(Permission::Read).await?;
    query.check()?;
    super::server::list::list(&state.pool, &query, state.clock.today()).await
}

#[server(prefix = "/api", endpoint = "projects/get")]
pub async fn get_project(id: Uuid) -> Result<ProjectDetail, AppError> {
    use crate::auth::server::{require, Caller};
    use crate::auth::Permission;
    let Caller { state, .. } = require(Permission::Read).await?;
    super::server::read::detail(&state.pool, id, state.clock.today()).await
}

/// Who may be made the owner of a stage: a menu of them, or (when they are too many for a
/// menu) a box for an email address.
#[server(prefix = "/api", endpoint = "projects/owners")]
pub async fn owner_candidates() -> Result<OwnerChoices, AppError> {
    use crate::auth::server::{require, Caller};
    use crate::auth::Permission;
    let Caller { state, .. } = require(Permission::EditProjects).await?;
    super::server::list::owner_choices(&state.pool).await
}

/// The active editor or admin with `email`, for the owner boxes shown instead of a menu;
/// otherwise a message for `field`.
#[cfg(feature = "ssr")]
async fn owner_by_email(pool: &sqlx::PgPool, field: &str, email: &str) -> Result<Uuid, AppError> {
    /// The longest an email address can be.
    const EMAIL_MAX: usize = 254;
    let email = email.trim();
    if email.chars().count() > EMAIL_MAX {
        return Err(AppError::field(
            field,
            format!("An email address has at most {EMAIL_MAX} characters."),
        ));
    }
    super::server::list::owner_by_email(pool, email)
        .await?
        .ok_or_else(|| {
            AppError::field(
                field,
                format!("No active editor or admin has the email address {email}."),
            )
        })
}

/// Creates a project and opens its page.
#[server(prefix = "/api", endpoint = "projects/create")]
pub async fn create_project(input: ProjectInput) -> Result<Uuid, AppError> {
    use crate::auth::server::{require, Caller};
    use crate::auth::Permission;
    let Caller { user, state } = require(Permission::EditProjects).await?;
    let valid = super::server::write::validate(&input)?;
    let id = super::server::write::create(&state.pool, &user, valid).await?;
    leptos_axum::redirect(&format!("/projects/{id}"));
    Ok(id)
}

/// Saves an edit made on `version` and returns to the project page.
#[server(prefix = "/api", endpoint = "projects/update")]
pub async fn update_project(id: Uuid, version: i32, input: ProjectInput) -> Result<(), AppError> {
    use crate::auth::server::{require, Caller};
    use crate::auth::Permission;
    let Caller { user, state } = require(Permission::EditProjects).await?;
    let valid = super::server::write::validate(&input)?;
    super::server::write::update(&state.pool, &user, id, version, valid).await?;
    leptos_axum::redirect(&format!("/projects/{id}"));
    Ok(())
}

/// Moves the project forward one stage, or back with a note; an admin may override a refused
/// gate with a `justification`.
#[allow(clippy::too_many_arguments, reason = "one argument per form field")]
#[server(prefix = "/api", endpoint = "projects/move")]
pub async fn move_stage(
    id: Uuid,
    version: i32,
    to: String,
    #[server(default)] note: String,
    #[server(default)] justification: String,
    /// Who owns the stage entered: an account id, or empty for nobody yet.
    #[server(default)]
    next_owner: String,
    /// Someone else's email address (the form's box when there are too many people for a
    /// menu); when given, it names the owner instead of `next_owner`.
    #[server(default)]
    next_owner_email: String,
    /// Sent by the admin's override form: the justification is then required.
    #[server(default)]
    override_gate: bool,
) -> Result<(), AppError> {
    use crate::auth::server::{require, Caller};
    use crate::auth::Permission;
    let Caller { user, state } = require(Permission::EditProjects).await?;
    if override_gate && justification.trim().is_empty() {
        return Err(AppError::field(
            "justification",
            "Say why the project may move on without these.",
        ));
    }
    let to = to
        .parse()
        .map_err(|message: String| AppError::field("to", message))?;
    let next_owner = match (next_owner_email.trim(), next_owner.trim()) {
        ("", "") => None,
        ("", id) => Some(id.parse::<Uuid>().map_err(|_| {
            AppError::field(
                "next_owner",
                "Choose an active editor or admin, or nobody for now.",
            )
        })?),
        (email, _) => Some(owner_by_email(&state.pool, "next_owner_email", email).await?),
    };
    super::server::write::move_stage(
        &state.pool,
        &user,
        id,
        version,
        to,
        &note,
        &justification,
        next_owner,
    )
    .await?;
    leptos_axum::redirect(&format!("/projects/{id}"));
    Ok(())
}

/// Makes `owner_id` the owner of `stage`.
#[server(prefix = "/api", endpoint = "projects/assign-owner")]
pub async fn assign_owner(
    id: Uuid,
    version: i32,
    stage: String,
    /// An account id from the menu.
    #[server(default)]
    owner_id: String,
    /// An email address from the box shown instead of a menu when there are too many people.
    #[server(default)]
    owner_email: String,
) -> Result<(), AppError> {
    use crate::auth::server::{require, Caller};
    use crate::auth::Permission;
    let Caller { user, state } = require(Permission::EditProjects).await?;
    let stage = stage
        .parse()
        .map_err(|message: String| AppError::field("stage", message))?;
    let owner = match owner_email.trim() {
        "" => owner_id
            .parse::<Uuid>()
            .map_err(|_| AppError::field("owner_id", "Choose an active editor or admin."))?,
        email => owner_by_email(&state.pool, "owner_email", email).await?,
    };
    super::server::write::assign_owner(&state.pool, &user, id, version, stage, owner).await?;
    leptos_axum::redirect(&format!("/projects/{id}"));
    Ok(())
}

/// Hands every stage one person owns to another (admin only).
#[server(prefix = "/api", endpoint = "projects/reassign-all")]
pub async fn reassign_all(from_owner_id: String, to_owner_id: String) -> Result<u64, AppError> {
    use crate::auth::server::{require, Caller};
    use crate::auth::Permission;
    let Caller { user: admin, state } = require(Permission::ManageAccounts).await?;
    let from = from_owner_id
        .parse::<Uuid>()
        .map_err(|_| AppError::field("from_owner_id", "Choose whose projects to hand over."))?;
    let to = to_owner_id
        .parse::<Uuid>()
        .map_err(|_| AppError::field("to_owner_id", "Choose an active editor or admin."))?;
    super::server::write::reassign_all(&state.pool, &admin, from, to).await
}
