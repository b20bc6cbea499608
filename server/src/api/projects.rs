//! `GET /api/v1/projects`, `/projects/{id}` and `/portfolio`.

use super::filters::{self, Cursor, PageParams, SinceParams, ViewParams};
use super::ApiError;
use app::health::{Flag, FlagCode, Health};
use app::portfolio::Portfolio;
use app::projects::server::list::flag_codes;
use app::projects::server::rows::{self, SqlFilters};
use app::projects::stage::{RiskTier, Stage, Status};
use app::records::RecordKind;
use app::state::AppState;
use axum::extract::{Path, Query, State};
use axum::Json;
use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use sqlx::QueryBuilder;
use std::collections::BTreeMap;
use utoipa::ToSchema;
use uuid::Uuid;

/// A project as `project_rows` gives it to the API.
#[derive(sqlx::FromRow)]
struct ApiRow {
    id: Uuid,
    name: String,
    team: String,
    stage: Stage,
    status: Status,
    risk_tier: RiskTier,
    owner_id: Option<Uuid>,
    owner_name: Option<String>,
    owner_email: Option<String>,
    owner_active: Option<bool>,
    stage_entered_at: DateTime<Utc>,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
    last_demo_on: Option<NaiveDate>,
    next_review_on: Option<NaiveDate>,
    health: String,
    flags: String,
}

/// The owner of a project's current stage.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ApiOwner {
    /// The owner's account id.
    pub id: Uuid,
    /// The name shown in Tollgate.
    #[schema(example = "Ana Ortiz")]
    pub name: String,
    /// The owner's email address.
    #[schema(example = "ana@example.com")]
    pub email: String,
    /// False when the account is deactivated (the project is then `ownerless`).
    pub active: bool,
}

/// One project as the export lists it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ApiProject {
    /// The project's id (stable; use it to fetch the project whole).
    pub id: Uuid,
    /// Unique whatever the case.
    #[schema(example = "Claims triage")]
    pub name: String,
    /// The team that runs it.
    #[schema(example = "Claims")]
    pub team: String,
    /// The stage it is in now.
    pub stage: Stage,
    /// Active, paused, cancelled or retired.
    pub status: Status,
    /// How much harm the model could do; sets the review cadence.
    pub risk_tier: RiskTier,
    /// The owner of the current stage; null when nobody owns it.
    pub owner: Option<ApiOwner>,
    /// When it entered its current stage.
    pub stage_entered_at: DateTime<Utc>,
    /// When it was created.
    pub created_at: DateTime<Utc>,
    /// When anything about it last changed.
    pub updated_at: DateTime<Utc>,
    /// The day of its latest demo checkpoint (withdrawn ones don't count); null if none.
    pub last_demo_on: Option<NaiveDate>,
    /// When its latest model-risk review says the next one is due; null if never reviewed.
    pub next_review_on: Option<NaiveDate>,
    /// Red if any red flag, amber if any amber flag, else green.
    pub health: Health,
    /// Its flags today, most severe first.
    pub flags: Vec<FlagCode>,
}

/// One page of projects, oldest first.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ProjectPage {
    /// The projects of this page, oldest first.
    pub items: Vec<ApiProject>,
    /// Pass as `cursor` for the next page; null on the last page. Paging by this cursor never
    /// repeats or skips a project, even while projects are being added.
    pub next_cursor: Option<String>,
}

/// Projects, one page at a time.
///
/// Every project the filters select, oldest first, with its owner, health and flags. Follow
/// `next_cursor` until it is null: paging never repeats or skips a project, even while
/// projects are being added.
#[utoipa::path(
    get, path = "/api/v1/projects", tag = "projects",
    params(ViewParams, SinceParams, PageParams),
    responses(
        (status = 200, description = "One page of projects", body = ProjectPage),
        (status = 400, description = "An unknown parameter or value (`invalid_filter`) or a cursor this API did not give out (`invalid_cursor`)", body = super::error::ErrorBody),
        (status = 401, description = "Missing, wrong or revoked token (`unauthenticated`)", body = super::error::ErrorBody),
        (status = 500, description = "Something went wrong on our side (`internal`)", body = super::error::ErrorBody),
        (status = 503, description = "The database is not answering; try again shortly (`database_unavailable`)", body = super::error::ErrorBody),
    ),
    security(("bearer" = []))
)]
pub async fn list(
    State(state): State<AppState>,
    Query(params): Query<BTreeMap<String, String>>,
) -> Result<Json<ProjectPage>, ApiError> {
    let (filters, cursor, limit) = filters::parse(&params, true)?;
    filters::check_as_of(&state, &filters.query).await?;
    let f = SqlFilters::of(&filters.query);
    let rows_of = f.rows(state.clock.today()).updated_since(filters.updated_since);
    let mut sql = QueryBuilder::new(
        "select id, name, team, stage, status, risk_tier, owner_id, owner_name, owner_email, \
         owner_active, stage_entered_at, created_at, updated_at, last_demo_on, next_review_on, \
         health, flags from ",
    );
    rows_of.push(&mut sql);
    if let Some(c) = &cursor {
        sql.push(" where (created_at, id) > (")
            .push_bind(c.created_at)
            .push(", ")
            .push_bind(c.id)
            .push(")");
    }
    sql.push(format_args!(" order by created_at, id limit {}", limit + 1));
    let rows: Vec<ApiRow> = rows::fetch_all(&state.pool, &rows_of, &mut sql).await?;
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
    /// Demo, research evidence, explainability sign-off or model-risk review.
    pub kind: RecordKind,
    /// The record's id.
    pub id: Uuid,
    /// The day it happened (held, decided or reviewed).
    pub on: NaiveDate,
    /// Who recorded it (the approver, for a sign-off or review).
    pub recorded_by: String,
    /// A withdrawn record stays on file but no longer counts for gates and flags.
    pub withdrawn: bool,
    /// Why it was withdrawn; null unless withdrawn.
    pub withdrawn_reason: Option<String>,
    /// The record's fields by name, as entered (dates as YYYY-MM-DD).
    pub fields: BTreeMap<String, String>,
}

/// One project with its definition, owners, records and current flags.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ApiProjectDetail {
    /// The project's id.
    pub id: Uuid,
    /// Unique whatever the case.
    pub name: String,
    /// The team that runs it.
    pub team: String,
    /// What it is, in a sentence or two.
    pub summary: String,
    /// What problem it solves and for whom (gate into Design).
    pub problem_statement: String,
    /// How success is measured (gate into Design).
    pub success_metric: String,
    /// The value of the success metric that counts as success (gate into Design).
    pub success_target: String,
    /// The metric's value today, before the model (gate into Build).
    pub baseline_metric: String,
    /// How the baseline was measured (gate into Build).
    pub baseline_method: String,
    /// Whether the data it needs exists and may be used (gate into Build).
    pub data_readiness: String,
    /// What happens when the model is wrong or down (gate into Deploy).
    pub fallback_plan: String,
    /// Who watches the model in production (gate into Deploy).
    pub monitoring_owner: String,
    /// The stage it is in now.
    pub stage: Stage,
    /// Active, paused, cancelled or retired.
    pub status: Status,
    /// How much harm the model could do.
    pub risk_tier: RiskTier,
    /// When it entered its current stage.
    pub stage_entered_at: DateTime<Utc>,
    /// When it was created.
    pub created_at: DateTime<Utc>,
    /// When anything about it last changed.
    pub updated_at: DateTime<Utc>,
    /// Owner per stage (stages nobody owns are absent).
    pub owners: BTreeMap<String, ApiOwnerName>,
    /// Red if any red flag, amber if any amber flag, else green.
    pub health: Health,
    /// Its flags today, most severe first, each with its reason in words and since when.
    pub flags: Vec<Flag>,
    /// Newest first, withdrawn ones included and marked.
    pub records: Vec<ApiRecord>,
    /// The conditions of its model-risk reviews, open ones first.
    pub conditions: Vec<ApiCondition>,
}

/// A condition of a model-risk review approved with conditions.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ApiCondition {
    /// The condition's id.
    pub id: Uuid,
    /// The review it belongs to.
    pub review_id: Uuid,
    /// What must be done.
    pub text: String,
    /// Who sees to it.
    pub owner: String,
    /// When it is due.
    pub due_on: NaiveDate,
    /// `open`, `met` or `waived`.
    #[schema(example = "open")]
    pub status: String,
    /// The note or link when met, the reason when waived.
    pub resolution: String,
}

/// An owner as the project detail names them.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ApiOwnerName {
    /// The owner's account id.
    pub id: Uuid,
    /// The name shown in Tollgate.
    pub name: String,
    /// False when the account is deactivated.
    pub active: bool,
}

/// One project, whole.
///
/// Its definition, the owner of each stage, its health and flags (each with its reason in
/// words and the day it became true) and every governance record, withdrawn ones included.
#[utoipa::path(
    get, path = "/api/v1/projects/{id}", tag = "projects",
    params(("id" = Uuid, Path, description = "The project's id", example = "0f8b6c1e-6a51-4c59-9d55-2f1f3c1d9a10")),
    responses(
        (status = 200, description = "The project", body = ApiProjectDetail),
        (status = 401, description = "Missing, wrong or revoked token (`unauthenticated`)", body = super::error::ErrorBody),
        (status = 404, description = "No such project (`not_found`)", body = super::error::ErrorBody),
        (status = 500, description = "Something went wrong on our side (`internal`)", body = super::error::ErrorBody),
        (status = 503, description = "The database is not answering; try again shortly (`database_unavailable`)", body = super::error::ErrorBody),
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
        conditions: detail
            .conditions
            .into_iter()
            .map(|c| ApiCondition {
                id: c.id,
                review_id: c.review_id,
                text: c.text,
                owner: c.owner_name,
                due_on: c.due_on,
                status: c.status.as_str().to_owned(),
                resolution: c.resolution,
            })
            .collect(),
    }))
}

/// The portfolio's numbers.
///
/// Exactly the numbers behind the portfolio page for the same filters: headline counts, the
/// stage funnel split by health, the health mix, time in stage and the attention lists.
#[utoipa::path(
    get, path = "/api/v1/portfolio", tag = "portfolio",
    params(ViewParams),
    responses(
        (status = 200, description = "The numbers behind the portfolio page", body = Portfolio),
        (status = 400, description = "An unknown parameter or value (`invalid_filter`)", body = super::error::ErrorBody),
        (status = 401, description = "Missing, wrong or revoked token (`unauthenticated`)", body = super::error::ErrorBody),
        (status = 500, description = "Something went wrong on our side (`internal`)", body = super::error::ErrorBody),
        (status = 503, description = "The database is not answering; try again shortly (`database_unavailable`)", body = super::error::ErrorBody),
    ),
    security(("bearer" = []))
)]
pub async fn portfolio(
    State(state): State<AppState>,
    Query(params): Query<BTreeMap<String, String>>,
) -> Result<Json<Portfolio>, ApiError> {
    let (filters, _, _) = filters::parse(&params, false)?;
    filters::check_as_of(&state, &filters.query).await?;
    if filters.updated_since.is_some() {
        return Err(ApiError::invalid_filter(
            "The portfolio counts every project: updated_since applies to /projects only.",
        ));
    }
    let portfolio =
        app::portfolio::server::portfolio(&state.pool, &filters.query, state.clock.today()).await?;
    Ok(Json(portfolio))
}
