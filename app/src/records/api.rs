//! Server functions for governance records. Editors (and admins) add demos and evidence;
//! reviewers (and admins) add sign-offs and reviews; the author or an admin corrects or
//! withdraws one. Each form posts `correcting` (a record id) to correct instead of add.

use crate::error::AppError;
use leptos::prelude::*;
use uuid::Uuid;

#[server(prefix = "/api", endpoint = "records/demo")]
pub async fn add_demo(
    project_id: Uuid,
    held_on: String,
    summary: String,
    attendees: String,
    outcome: String,
    #[server(default)] link: String,
    #[server(default)] correcting: Option<Uuid>,
) -> Result<Uuid, AppError> {
    use crate::auth::server::{require, Caller};
    use crate::auth::Permission;
    let Caller { user, state } = require(Permission::EditProjects).await?;
    let input = super::server::DemoInput {
        held_on,
        summary,
        attendees,
        outcome,
        link,
    };
    let today = state.clock.today();
    match correcting {
        Some(record) => super::server::correct_demo(&state.pool, &user, record, &input, today).await,
        None => super::server::add_demo(&state.pool, &user, project_id, &input, today).await,
    }
}

#[allow(clippy::too_many_arguments, reason = "one argument per form field")]
#[server(prefix = "/api", endpoint = "records/evidence")]
pub async fn add_evidence(
    project_id: Uuid,
    kind: String,
    title: String,
    findings: String,
    participants: String,
    held_on: String,
    #[server(default)] link: String,
    #[server(default)] correcting: Option<Uuid>,
) -> Result<Uuid, AppError> {
    use crate::auth::server::{require, Caller};
    use crate::auth::Permission;
    let Caller { user, state } = require(Permission::EditProjects).await?;
    let input = super::server::EvidenceInput {
        kind,
        title,
        findings,
        participants,
        held_on,
        link,
    };
    let today = state.clock.today();
    match correcting {
        Some(record) => super::server::correct_evidence(&state.pool, &user, record, &input, today).await,
        None => super::server::add_evidence(&state.pool, &user, project_id, &input, today).await,
    }
}

#[server(prefix = "/api", endpoint = "records/signoff")]
pub async fn add_signoff(
    project_id: Uuid,
    method: String,
    summary: String,
    decision: String,
    decided_on: String,
    #[server(default)] correcting: Option<Uuid>,
) -> Result<Uuid, AppError> {
    use crate::auth::server::{require, Caller};
    use crate::auth::Permission;
    let Caller { user, state } = require(Permission::ReviewModels).await?;
    let input = super::server::SignoffInput {
        method,
        summary,
        decision,
        decided_on,
    };
    let today = state.clock.today();
    match correcting {
        Some(record) => super::server::correct_signoff(&state.pool, &user, record, &input, today).await,
        None => super::server::add_signoff(&state.pool, &user, project_id, &input, today).await,
    }
}

#[server(prefix = "/api", endpoint = "records/review")]
pub async fn add_review(
    project_id: Uuid,
    risk_tier: String,
    findings: String,
    decision: String,
    reviewed_on: String,
    #[server(default)] next_review_on: String,
    #[server(default)] correcting: Option<Uuid>,
) -> Result<Uuid, AppError> {
    use crate::auth::server::{require, Caller};
    use crate::auth::Permission;
    let Caller { user, state } = require(Permission::ReviewModels).await?;
    let input = super::server::ReviewInput {
        risk_tier,
        findings,
        decision,
        reviewed_on,
        next_review_on,
    };
    let limits = crate::health::server::thresholds(&state.pool).await?;
    let (pool, today) = (&state.pool, state.clock.today());
    match correcting {
        Some(record) => super::server::correct_review(pool, &user, record, &input, today, &limits).await,
        None => super::server::add_review(pool, &user, project_id, &input, today, &limits).await,
    }
}

/// Withdraws a record (`kind`: demo, evidence, signoff or review) with a reason.
#[server(prefix = "/api", endpoint = "records/withdraw")]
pub async fn withdraw_record(kind: String, record_id: Uuid, reason: String) -> Result<(), AppError> {
    use crate::auth::server::{guard::authorise, require, Caller};
    use crate::auth::Permission;
    let Caller { user, state } = require(Permission::Read).await?;
    let kind = match kind.as_str() {
        "demo" => super::RecordKind::Demo,
        "evidence" => super::RecordKind::Evidence,
        "signoff" => super::RecordKind::Signoff,
        "review" => super::RecordKind::Review,
        _ => {
            return Err(AppError::field(
                "kind",
                "Choose one of: demo, evidence, signoff, review.",
            ))
        }
    };
    // The same rule as adding or correcting one: an author since demoted may not.
    let user = authorise(user, kind.permission())?;
    super::server::withdraw(&state.pool, &user, kind, record_id, &reason).await
}
