//! `GET /api/v1/projects`, `/projects/{id}` and `/portfolio`.

use super::filters::{self, Cursor, FilterParams, PageParams};
use super::ApiError;
use app::health::{Flag, FlagCode, Health};
use app::portfolio::Portfolio;
use app::projects::server::list::{flag_codes, SqlFilters};
use app::projects::stage::{RiskTier, Stage, Status};
use app::records::RecordKind;
use app::state::AppState;
use axum::extract::{Path, Query, State};
use axum::Json;
use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use std::collections::BTreeMap;
use utoipa::ToSchema;
use uuid::Uuid;

/// The owner of a project's current stage.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ApiOwner {
    pub id: Uuid,
    pub name: String,
    pub email: String,
    /// False when the account is deactivated (the project is then `ownerless`).
    pub active: bool,
}

/// One project as the export lists it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ApiProject {
    pub id: Uuid,
    pub name: String,
    pub team: String,
    pub stage: Stage,
    pub status: Status,
    pub risk_tier: RiskTier,
    pub owner: Option<ApiOwner>,
    pub stage_entered_at: DateTime<Utc>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub last_demo_on: Option<NaiveDate>,
    pub next_review_on: Option<NaiveDate>,
    pub health: Health,
    pub flags: Vec<FlagCode>,
}

/// One page of projects, oldest first.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ProjectPage {
    pub items: Vec<ApiProject>,
    /// Pass as `cursor` for the next page; null on the last page. Paging by this cursor never
    /// repeats or skips a project, even while projects are being added.
    pub next_cursor: Option<String>,
}

#[utoipa::path(
    get, path = "/api/v1/projects", tag = "projects",
    params(FilterParams, PageParams),
    responses(
        (status = 200, description = "One page of projects", body = ProjectPage),
        (status = 400, description = "An unknown filter, value or cursor", body = super::error::ErrorBody),
        (status = 401, description = "Missing, wrong or revoked token", body = super::error::ErrorBody),
    ),
    security(("bearer" = []))
)]
pub async fn list(
    State(state): State<AppState>,
    Query(params): Query<BTreeMap<String, String>>,
) -> Result<Json<ProjectPage>, ApiError> {
    let (filters, cursor, limit) = filters::parse(&params, true)?;
    let f = SqlFilters::of(&filters.query);
    let rows = sqlx::query!(
        r#"
        select id as "id!", name as "name!", team as "team!", stage as "stage!: Stage",
               status as "status!: Status", risk_tier as "risk_tier!: RiskTier",
               owner_id, owner_name, owner_email, owner_active,
               stage_entered_at as "stage_entered_at!", created_at as "created_at!",
               updated_at as "updated_at!", last_demo_on, next_review_on,
               health as "health!", flags as "flags!"
        from project_rows($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $15)
        where $12::timestamptz is null or (created_at, id) > ($12, $13::uuid)
        order by created_at, id
        limit $14
        "#,
        state.clock.today(),
        f.search,
        f.stage as Option<Stage>,
        f.status as Option<Status>,
        f.team,
        f.owner,
        f.no_owner,
        f.health,
        f.flag,
        f.tier as Option<RiskTier>,
        filters.updated_since,
        cursor.map(|c| c.created_at),
        cursor.map(|c| c.id),
        limit + 1,
        f.owner_email,
    )
    .fetch_all(&state.pool)
    .await?;
    let more = rows.len() as i64 > limit;
    let items: Vec<ApiProject> = rows
        .into_iter()
        .take(limit as usize)
        .map(|r| ApiProject {
            id: r.id,
            name: r.name,
            team: r.team,
            stage: r.stage,
            status: r.status,
            risk_tier: r.risk_tier,
            owner: match (r.owner_id, r.owner_name, r.owner_email, r.owner_active) {
                (Some(id), Some(name), Some(email), Some(active)) => Some(ApiOwner {
                    id,
                    name,
                    email,
                    active,
                }),
                _ => None,
            },
            stage_entered_at: r.stage_entered_at,
            created_at: r.created_at,
            updated_at: r.updated_at,
            last_demo_on: r.last_demo_on,
            next_review_on: r.next_review_on,
            health: Health::parse(&r.health).unwrap_or(Health::Green),
            flags: flag_codes(&r.flags),
        })
        .collect();
    let next_cursor = more.then(|| items.last()).flatten().map(|last| {
        Cursor {
            created_at: last.created_at,
            id: last.id,
        }
        .encode()
    });
    Ok(Json(ProjectPage { items, next_cursor }))
}

/// A governance record: its kind, when it happened, who recorded it and its fields.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ApiRecord {
    pub kind: RecordKind,
    pub id: Uuid,
    /// The day it happened (held, decided or reviewed).
    pub on: NaiveDate,
    pub recorded_by: String,
    pub withdrawn: bool,
    pub withdrawn_reason: Option<String>,
    /// The record's fields by name, as entered (dates as YYYY-MM-DD).
    pub fields: BTreeMap<String, String>,
}

/// One project with its definition, owners, records and current flags.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ApiProjectDetail {
    pub id: Uuid,
    pub name: String,
    pub team: String,
    pub summary: String,
    pub problem_statement: String,
    pub success_metric: String,
    pub success_target: String,
    pub baseline_metric: String,
    pub baseline_method: String,
    pub data_readiness: String,
    pub fallback_plan: String,
    pub monitoring_owner: String,
    pub stage: Stage,
    pub status: Status,
    pub risk_tier: RiskTier,
    pub stage_entered_at: DateTime<Utc>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// Owner per stage (stages nobody owns are absent).
    pub owners: BTreeMap<String, ApiOwnerName>,
    pub health: Health,
    pub flags: Vec<Flag>,
    /// Newest first, withdrawn ones included and marked.
    pub records: Vec<ApiRecord>,
}

/// An owner as the project detail names them.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ApiOwnerName {
    pub id: Uuid,
    pub name: String,
    pub active: bool,
}

#[utoipa::path(
    get, path = "/api/v1/projects/{id}", tag = "projects",
    params(("id" = Uuid, Path, description = "The project's id")),
    responses(
        (status = 200, description = "The project", body = ApiProjectDetail),
        (status = 401, description = "Missing, wrong or revoked token", body = super::error::ErrorBody),
        (status = 404, description = "No such project", body = super::error::ErrorBody),
    ),
    security(("bearer" = []))
)]
pub async fn one(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Json<ApiProjectDetail>, ApiError> {
    let id: Uuid = id
        .parse()
        .map_err(|_| ApiError::not_found("There is no project with this id."))?;
    let detail = app::projects::server::read::detail(&state.pool, id, state.clock.today())
        .await
        .map_err(|e| match e {
            app::error::AppError::NotFound => ApiError::not_found("There is no project with this id."),
            other => other.into(),
        })?;
    let p = detail.project;
    Ok(Json(ApiProjectDetail {
        id: p.id,
        name: p.name,
        team: p.team,
        summary: p.summary,
        problem_statement: p.problem_statement,
        success_metric: p.success_metric,
        success_target: p.success_target,
        baseline_metric: p.baseline_metric,
        baseline_method: p.baseline_method,
        data_readiness: p.data_readiness,
        fallback_plan: p.fallback_plan,
        monitoring_owner: p.monitoring_owner,
        stage: p.stage,
        status: p.status,
        risk_tier: p.risk_tier,
        stage_entered_at: p.stage_entered_at,
        created_at: p.created_at,
        updated_at: p.updated_at,
        owners: detail
            .owners
            .into_iter()
            .map(|o| {
                (
                    o.stage.as_str().to_owned(),
                    ApiOwnerName {
                        id: o.owner.id,
                        name: o.owner.display_name,
                        active: o.owner.active,
                    },
                )
            })
            .collect(),
        health: app::health::health(&detail.flags),
        flags: detail.flags,
        records: detail
            .record_rows
            .into_iter()
            .map(|r| ApiRecord {
                kind: r.kind,
                id: r.id,
                on: r.on,
                recorded_by: r.author,
                withdrawn: r.withdrawn.is_some(),
                withdrawn_reason: r.withdrawn.map(|w| w.reason),
                fields: r.values.0.into_iter().collect(),
            })
            .collect(),
    }))
}

#[utoipa::path(
    get, path = "/api/v1/portfolio", tag = "portfolio",
    params(FilterParams),
    responses(
        (status = 200, description = "The numbers behind the portfolio page", body = Portfolio),
        (status = 400, description = "An unknown filter or value", body = super::error::ErrorBody),
        (status = 401, description = "Missing, wrong or revoked token", body = super::error::ErrorBody),
    ),
    security(("bearer" = []))
)]
pub async fn portfolio(
    State(state): State<AppState>,
    Query(params): Query<BTreeMap<String, String>>,
) -> Result<Json<Portfolio>, ApiError> {
    let (filters, _, _) = filters::parse(&params, false)?;
    if filters.updated_since.is_some() {
        return Err(ApiError::invalid_filter(
            "The portfolio counts every project: updated_since applies to /projects only.",
        ));
    }
    let portfolio = state
        .portfolios
        .get(&state.pool, &filters.query, state.clock.today())
        .await?;
    Ok(Json(Portfolio::clone(&portfolio)))
}
