//! `GET /api/v1/projects.csv` (token) and `/portfolio/export.csv` (signed-in browser): every
//! matching project as RFC 4180 CSV, streamed from PostgreSQL row by row in ~64 KB chunks, so
//! memory stays flat however many projects there are.

use super::filters::{self, SinceParams, ViewParams};
use super::ApiError;
use app::auth::Permission;
use app::projects::server::rows::SqlFilters;
use app::projects::ProjectQuery;
use app::state::AppState;
use axum::body::{Body, Bytes};
use axum::extract::{Query, State};
use axum::http::{header, HeaderMap};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, NaiveDate, SecondsFormat, Utc};
use futures_util::TryStreamExt;
use sqlx::QueryBuilder;
use std::borrow::Cow;
use std::collections::BTreeMap;

/// A project as the export writes it.
#[derive(sqlx::FromRow)]
struct ExportRow {
    id: uuid::Uuid,
    name: String,
    team: String,
    stage: String,
    status: String,
    risk_tier: String,
    owner_name: Option<String>,
    owner_email: Option<String>,
    stage_entered_on: NaiveDate,
    days_in_stage: i32,
    last_demo_on: Option<NaiveDate>,
    next_review_on: Option<NaiveDate>,
    health: String,
    flags: String,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
    open_conditions: i32,
}

/// The header row: the columns of `project_export` in the migrations.
pub const COLUMNS: [&str; 17] = [
    "id",
    "name",
    "team",
    "stage",
    "status",
    "risk_tier",
    "owner_name",
    "owner_email",
    "stage_entered_on",
    "days_in_stage",
    "last_demo_on",
    "next_review_on",
    "health",
    "flags",
    "created_at",
    "updated_at",
    "open_conditions",
];

const CHUNK: usize = 64 * 1024;

/// Projects as CSV.
///
/// The same projects as the JSON list (same filters, no paging), streamed as RFC 4180 CSV with
/// a header row. Names, teams and owners that a spreadsheet would run as a formula (starting
/// with `=`, `+`, `-`, `@`, a tab or a carriage return) are written with a leading `'`.
#[utoipa::path(
    get, path = "/api/v1/projects.csv", tag = "projects",
    params(ViewParams, SinceParams),
    responses(
        (status = 200, description = "Every matching project, one row each, oldest first, with a header row \
            (id, name, team, stage, status, risk_tier, owner_name, owner_email, stage_entered_on, days_in_stage, \
            last_demo_on, next_review_on, health, flags, created_at, updated_at, open_conditions); flags are space-separated \
            codes, open_conditions the count of review conditions neither met nor waived",
            content_type = "text/csv", body = String),
        (status = 400, description = "An unknown parameter or value (`invalid_filter`)", body = super::error::ErrorBody),
        (status = 401, description = "Missing, wrong or revoked token (`unauthenticated`)", body = super::error::ErrorBody),
        (status = 500, description = "Something went wrong on our side (`internal`)", body = super::error::ErrorBody),
        (status = 503, description = "The database is not answering; try again shortly (`database_unavailable`)", body = super::error::ErrorBody),
    ),
    security(("bearer" = []))
)]
pub async fn csv(
    State(state): State<AppState>,
    Query(params): Query<BTreeMap<String, String>>,
) -> Result<Response, ApiError> {
    let (filters, _, _) = filters::parse(&params, false)?;
    filters::check_as_of(&state, &filters.query).await?;
    Ok(stream(state, filters.query, filters.updated_since))
}

/// The CSV download behind the portfolio and list pages: the same rows, for a signed-in
/// person, with the filters as those pages write them in their URLs.
pub async fn session_csv(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(params): Query<BTreeMap<String, String>>,
) -> Response {
    let user = match app::auth::server::session::token_from_headers(&headers) {
        Some(token) => app::auth::server::session::lookup(&state.pool, &token, &state.auth).await,
        None => Ok(None),
    };
    let allowed = match user {
        Ok(Some(user)) => app::auth::server::guard::authorise(user, Permission::Read).map(|_| ()),
        Ok(None) => return axum::response::Redirect::to("/login").into_response(),
        Err(error) => Err(error.into()),
    };
    let query = ProjectQuery::from_params(|key| params.get(key).cloned());
    if let Err(error) = allowed.and_then(|()| query.check()) {
        return ApiError::from(error).into_response();
    }
    match filters::check_as_of(&state, &query).await {
        Ok(()) => stream(state, query, None),
        Err(error) => error.into_response(),
    }
}

fn stream(state: AppState, query: ProjectQuery, updated_since: Option<DateTime<Utc>>) -> Response {
    let today = state.clock.today();
    let body = async_stream::try_stream! {
        // The export is the view's projects whatever its name search (as the columns say).
        let f = SqlFilters { search: None, ..SqlFilters::of(&query) };
        let writer = || csv::Writer::from_writer(Vec::with_capacity(CHUNK + 16 * 1024));
        let mut out = writer();
        out.write_record(COLUMNS)?;
        let rows_of = f.rows(today).updated_since(updated_since);
        let mut sql = QueryBuilder::new("select * from ");
        rows_of.push_call(&mut sql, "project_export");
        let mut rows = sql.build_query_as::<ExportRow>().fetch(&state.pool);
        while let Some(r) = rows.try_next().await? {
            out.write_record([
                r.id.to_string().as_str(),
                &spreadsheet_safe(&r.name),
                &spreadsheet_safe(&r.team),
                &r.stage,
                &r.status,
                &r.risk_tier,
                &spreadsheet_safe(r.owner_name.as_deref().unwrap_or("")),
                &spreadsheet_safe(r.owner_email.as_deref().unwrap_or("")),
                &r.stage_entered_on.to_string(),
                &r.days_in_stage.to_string(),
                &date(r.last_demo_on),
                &date(r.next_review_on),
                &r.health,
                &r.flags,
                &instant(r.created_at),
                &instant(r.updated_at),
                &r.open_conditions.to_string(),
            ])?;
            if out.get_ref().len() >= CHUNK {
                let full = std::mem::replace(&mut out, writer());
                yield Bytes::from(full.into_inner().map_err(|e| e.into_error())?);
            }
        }
        yield Bytes::from(out.into_inner().map_err(|e| e.into_error())?);
    };
    let body: Body = Body::from_stream(body.map_err(|e: ExportError| {
        tracing::error!(error = %e, "CSV export failed part-way");
        e
    }));
    (
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8"),
            (
                header::CONTENT_DISPOSITION,
                "attachment; filename=\"tollgate-projects.csv\"",
            ),
        ],
        body,
    )
        .into_response()
}

/// What can go wrong once the first bytes are sent: the response is cut short (a client sees
/// a truncated download rather than a partial file that looks complete).
#[derive(Debug, thiserror::Error)]
enum ExportError {
    #[error("database: {0}")]
    Database(#[from] sqlx::Error),
    #[error("writing CSV: {0}")]
    Csv(#[from] csv::Error),
    #[error("writing CSV: {0}")]
    Io(#[from] std::io::Error),
}

/// A text cell as a spreadsheet must show it: one that begins with `=`, `+`, `-`, `@`, a tab
/// or a carriage return would be run as a formula by Excel, LibreOffice or Google Sheets, so it
/// gets a leading apostrophe and reads as the text it is (OWASP's CSV-injection advice). Only
/// free text people typed (names, teams, owners) can start that way; codes, dates and numbers
/// are written as they are.
pub fn spreadsheet_safe(cell: &str) -> Cow<'_, str> {
    match cell.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => Cow::Owned(format!("'{cell}")),
        _ => Cow::Borrowed(cell),
    }
}

fn date(day: Option<NaiveDate>) -> String {
    day.map(|d| d.to_string()).unwrap_or_default()
}

fn instant(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Secs, true)
}

#[cfg(test)]
mod tests {
    use super::spreadsheet_safe;

    #[test]
    fn cells_a_spreadsheet_would_run_as_formulas_read_as_text() {
        for cell in [
            "=HYPERLINK(\"http://x\")",
            "+1+1",
            "-2+3",
            "@SUM(A1)",
            "\tx",
            "\rx",
        ] {
            assert_eq!(spreadsheet_safe(cell), format!("'{cell}"));
        }
    }

    #[test]
    fn ordinary_cells_are_unchanged() {
        for cell in ["Churn model", "", "a=b", "ana@example.com", "Team -1", "'quoted"] {
            assert_eq!(spreadsheet_safe(cell), cell);
        }
    }
}
