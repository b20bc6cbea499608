//! Server functions of conditions and goal-drift acknowledgement; each authorises first.

use super::Condition;
use crate::error::AppError;
use leptos::prelude::*;
use uuid::Uuid;

#[server(prefix = "/api", endpoint = "conditions/list")]
pub async fn list_conditions(project_id: Uuid) -> Result<Vec<Condition>, AppError> {
    use crate::auth::server::{require, Caller};
    use crate::auth::Permission;
    let Caller { state, .. } = require(Permission::Read).await?;
    Ok(super::server::for_project(&state.pool, project_id).await?)
}

/// A condition of a review approved with conditions: its reviewer or an admin.
#[server(prefix = "/api", endpoint = "conditions/add")]
pub async fn add_condition(
    project_id: Uuid,
    review_id: Uuid,
    text: String,
    owner_email: String,
    due_on: String,
) -> Result<Uuid, AppError> {
    use crate::auth::server::{require, Caller};
    use crate::auth::Permission;
    let Caller { user, state } = require(Permission::ReviewModels).await?;
    let condition = super::validate(&text, &owner_email, &due_on)?;
    super::server::add(&state.pool, &user, project_id, review_id, &condition).await
}

/// Marks a condition met (its owner, a reviewer or an admin) or waived (an admin); `to` is
/// `met` or `waived`.
#[server(prefix = "/api", endpoint = "conditions/resolve")]
pub async fn resolve_condition(condition_id: Uuid, to: String, resolution: String) -> Result<(), AppError> {
    use crate::auth::server::{require, Caller};
    use crate::auth::Permission;
    let Caller { user, state } = require(Permission::Read).await?;
    let to = match to.as_str() {
        "met" => super::ConditionStatus::Met,
        "waived" => super::ConditionStatus::Waived,
        _ => return Err(AppError::BadRequest("Mark a condition met or waived.".into())),
    };
    super::server::resolve(&state.pool, &user, condition_id, to, &resolution).await
}

/// A reviewer acknowledges a project's change of goal: goal drift clears.
#[server(prefix = "/api", endpoint = "conditions/acknowledge-drift")]
pub async fn acknowledge_drift(project_id: Uuid) -> Result<(), AppError> {
    use crate::auth::server::{require, Caller};
    use crate::auth::Permission;
    let Caller { user, state } = require(Permission::ReviewModels).await?;
    super::server::acknowledge_drift(&state.pool, &user, project_id).await?;
    Ok(())
}
