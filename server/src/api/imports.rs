//! `POST /api/v1/imports` and `GET /api/v1/imports/{id}`: an inventory spreadsheet brought in
//! by another system — the same preview and commit as the import page, for a token with the
//! write scope, acting as the admin who made it.
//!
//! A dry run (the default) plans every row and writes no project; `dry_run=false` also queues
//! the commit, which runs in the background as the page's does: follow it at the import's URL.

use super::ApiError;
use app::auth::CurrentUser;
use app::error::AppError;
use app::imports::parse::MAX_BYTES;
use app::imports::server as imports;
use app::imports::{ImportView, RowReport, Summary};
use app::state::AppState;
use app::tokens::server::Bearer;
use app::tokens::Scope;
use axum::body::to_bytes;
use axum::extract::{FromRequest, Multipart, Path, Query, Request, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use chrono::{DateTime, Utc};
use serde::Serialize;
use std::collections::BTreeMap;
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

/// An import: what its preview found in every row and, once committed, what it did.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ApiImport {
    /// The import's id.
    pub id: Uuid,
    /// The file's name, and the token it came through.
    #[schema(example = "inventory.csv (API token \u{201c}Migration\u{201d})")]
    pub file_name: String,
    /// `previewed` (nothing written: a dry run), `queued`, `running`, `done` or `failed`.
    #[schema(example = "queued")]
    pub status: String,
    /// True while nothing is to be written for this import.
    pub dry_run: bool,
    /// Whether one refused row stops the whole import.
    pub all_or_nothing: bool,
    /// When the file was read.
    pub created_at: DateTime<Utc>,
    /// Rows read from the file (the header not counted).
    pub rows_total: i32,
    /// Rows the commit has applied so far.
    pub rows_done: i32,
    /// What the preview found: rows that will create a project, update one, leave one
    /// unchanged, or are refused.
    pub preview: Summary,
    /// What the commit did, once `done`.
    pub result: Option<Summary>,
    /// Why the commit failed (`failed`), e.g. an all-or-nothing import with a refused row.
    pub error: Option<String>,
    /// Columns of the file that match no field (ignored).
    pub unknown_columns: Vec<String>,
    /// Every row's verdict, in file order.
    pub rows: Vec<RowReport>,
    /// Where to follow this import.
    #[schema(example = "/api/v1/imports/0f8b6c1e-6a51-4c59-9d55-2f1f3c1d9a10")]
    pub url: String,
}

impl From<ImportView> for ApiImport {
    fn from(view: ImportView) -> Self {
        ApiImport {
            url: format!("/api/v1/imports/{}", view.id),
            id: view.id,
            file_name: view.file_name,
            dry_run: view.status == "previewed",
            status: view.status,
            all_or_nothing: view.all_or_nothing,
            created_at: view.created_at,
            rows_total: view.rows_total,
            rows_done: view.rows_done,
            preview: view.counts,
            result: view.summary,
            error: view.error,
            unknown_columns: view.unknown_columns,
            rows: view.rows,
        }
    }
}

#[derive(Debug, IntoParams)]
#[into_params(parameter_in = Query)]
#[expect(dead_code, reason = "describes the parameters for the OpenAPI document")]
pub struct ImportParams {
    /// `true` (the default): plan every row and write nothing. `false`: also apply the
    /// valid rows, in the background.
    #[param(default = true, example = false)]
    dry_run: Option<bool>,
    /// `true`: apply nothing if any row is refused. Default `false`: apply the valid rows.
    #[param(default = false)]
    all_or_nothing: Option<bool>,
    /// The workbook's sheet to read (`.xlsx`); default: the first.
    sheet: Option<String>,
    /// The file's name, kept with the import and on each project's timeline ("via import
    /// …"); default: the multipart part's file name, else `api-import`. Its extension
    /// (`.csv`, `.xlsx`) is not needed: the format is recognised from the content.
    file_name: Option<String>,
}

const PARAMS: [&str; 4] = ["dry_run", "all_or_nothing", "sheet", "file_name"];

/// The account a write token acts as, or why this token may not write.
fn writer(bearer: &Bearer) -> Result<&CurrentUser, ApiError> {
    if bearer.scope != Scope::Write {
        return Err(ApiError::insufficient_scope(
            "This token may only read. Imports need a token with the write scope: an admin creates one under Admin \u{2192} API tokens.",
        ));
    }
    bearer.acts_as.as_ref().ok_or_else(|| {
        ApiError::insufficient_scope(
            "The admin who made this token is deactivated or may no longer edit projects, so the token can only read. Ask an admin for a new write token.",
        )
    })
}

fn flag(params: &BTreeMap<String, String>, name: &str, default: bool) -> Result<bool, ApiError> {
    match params.get(name).map(|v| v.trim()) {
        None => Ok(default),
        Some("true") => Ok(true),
        Some("false") => Ok(false),
        Some(other) => Err(ApiError::invalid_filter(format!(
            "Unknown {name} \u{201c}{other}\u{201d}: use true or false."
        ))),
    }
}

const TOO_LARGE: &str =
    "The file is larger than 20 MB; at most 20 MB can be imported at once. Split it into smaller files.";

/// The file a request carries: its body, or the `file` part of a multipart form.
async fn file_of(state: &AppState, request: Request) -> Result<(Option<String>, Vec<u8>), ApiError> {
    let multipart = request
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.trim().to_ascii_lowercase().starts_with("multipart/form-data"));
    if !multipart {
        return to_bytes(request.into_body(), MAX_BYTES + 1)
            .await
            .map(|bytes| (None, bytes.to_vec()))
            .map_err(|_| ApiError::payload_too_large(TOO_LARGE));
    }
    let mut form = Multipart::from_request(request, state).await.map_err(|e| {
        ApiError::invalid_file(format!("The multipart form cannot be read: {}", e.body_text()))
    })?;
    let cut = |e: axum::extract::multipart::MultipartError| {
        if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
            ApiError::payload_too_large(TOO_LARGE)
        } else {
            ApiError::invalid_file("The upload was cut short. Try again.")
        }
    };
    while let Some(field) = form.next_field().await.map_err(cut)? {
        if field.name() == Some("file") {
            let name = field.file_name().map(str::to_owned);
            let bytes = field.bytes().await.map_err(cut)?;
            return Ok((name, bytes.to_vec()));
        }
    }
    Err(ApiError::invalid_file(
        "The form has no \u{201c}file\u{201d} part: send the spreadsheet as file=@inventory.csv.",
    ))
}

/// Import projects from a spreadsheet.
///
/// Send the file (CSV — comma or semicolon, UTF-8 with or without BOM — or Excel `.xlsx`) as the
/// request body, or as the `file` part of a `multipart/form-data` form. Columns are matched by
/// header as on the import page (the template is at `/projects/import/template.csv`). Every row is
/// planned against what stands now: created, updated (matched by id, else by name), unchanged, or
/// refused with each problem in words. With `dry_run=true` (the default) nothing is written. With
/// `dry_run=false` the valid rows (or, with `all_or_nothing=true`, all rows or none) are applied in
/// the background: the answer is `202` and the import's `url` shows its progress and result. Each
/// project is written as if entered by hand, as the admin who made the token, "via import".
#[utoipa::path(
    post, path = "/api/v1/imports", tag = "imports",
    params(ImportParams),
    request_body(description = "The spreadsheet (at most 20 MB and 50,000 rows), as the body or a form's `file` part",
        content(
            ("text/csv"),
            ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
            ("multipart/form-data"),
        )),
    responses(
        (status = 200, description = "A dry run: every row's verdict; nothing written", body = ApiImport),
        (status = 202, description = "Planned and queued: follow `url` until `status` is `done` or `failed`", body = ApiImport,
            headers(("Location" = String, description = "The import's URL"))),
        (status = 400, description = "An unknown parameter or value (`invalid_filter`)", body = super::error::ErrorBody),
        (status = 401, description = "Missing, wrong or revoked token (`unauthenticated`)", body = super::error::ErrorBody),
        (status = 403, description = "A read-only token, or one whose admin is deactivated (`insufficient_scope`)", body = super::error::ErrorBody),
        (status = 413, description = "A file over 20 MB (`payload_too_large`)", body = super::error::ErrorBody),
        (status = 422, description = "An empty, binary, malformed or too long file, or no name column (`invalid_file`)", body = super::error::ErrorBody),
        (status = 500, description = "Something went wrong on our side (`internal`)", body = super::error::ErrorBody),
        (status = 503, description = "The database is not answering; try again shortly (`database_unavailable`)", body = super::error::ErrorBody),
    ),
    security(("bearer" = []))
)]
pub async fn create(
    State(state): State<AppState>,
    Extension(bearer): Extension<Bearer>,
    Query(params): Query<BTreeMap<String, String>>,
    request: Request,
) -> Result<Response, ApiError> {
    let actor = writer(&bearer)?;
    if let Some(unknown) = params.keys().find(|k| !PARAMS.contains(&k.as_str())) {
        return Err(ApiError::invalid_filter(format!(
            "Unknown parameter \u{201c}{unknown}\u{201d}: use {}.",
            PARAMS.join(", ")
        )));
    }
    let dry_run = flag(&params, "dry_run", true)?;
    let all_or_nothing = flag(&params, "all_or_nothing", false)?;
    let sheet = params.get("sheet").map(|s| s.trim()).filter(|s| !s.is_empty());
    let (part_name, bytes) = file_of(&state, request).await?;
    let given = params
        .get("file_name")
        .cloned()
        .or(part_name)
        .map(|n| n.trim().chars().take(150).collect::<String>())
        .filter(|n| !n.is_empty())
        .unwrap_or_else(|| "api-import".to_owned());
    let file_name = format!("{given} (API token \u{201c}{}\u{201d})", bearer.name);
    let id = imports::preview(
        &state.pool,
        actor,
        &file_name,
        &bytes,
        sheet,
        &[],
        state.clock.today(),
    )
    .await
    .map_err(file_problem)?;
    if !dry_run {
        imports::queue(&state.pool, actor, id, all_or_nothing).await?;
    }
    let import = ApiImport::from(imports::full_view(&state.pool, id).await?);
    let status = if dry_run {
        StatusCode::OK
    } else {
        StatusCode::ACCEPTED
    };
    Ok((status, [(header::LOCATION, import.url.clone())], Json(import)).into_response())
}

/// A file the import cannot read, in the API's words.
fn file_problem(error: AppError) -> ApiError {
    match error {
        AppError::Invalid(errors) => ApiError::invalid_file(
            errors
                .get("file")
                .unwrap_or("The file cannot be read.")
                .to_owned(),
        ),
        other => other.into(),
    }
}

/// One import: its preview and, once committed, its progress and result.
///
/// Follow a commit queued by `POST /api/v1/imports?dry_run=false` until `status` is `done`
/// (`result` says what it did) or `failed` (`error` says why).
#[utoipa::path(
    get, path = "/api/v1/imports/{id}", tag = "imports",
    params(("id" = Uuid, Path, description = "The import's id, as `POST /api/v1/imports` gave it")),
    responses(
        (status = 200, description = "The import", body = ApiImport),
        (status = 401, description = "Missing, wrong or revoked token (`unauthenticated`)", body = super::error::ErrorBody),
        (status = 403, description = "A read-only token (`insufficient_scope`)", body = super::error::ErrorBody),
        (status = 404, description = "No such import (`not_found`)", body = super::error::ErrorBody),
        (status = 500, description = "Something went wrong on our side (`internal`)", body = super::error::ErrorBody),
        (status = 503, description = "The database is not answering; try again shortly (`database_unavailable`)", body = super::error::ErrorBody),
    ),
    security(("bearer" = []))
)]
pub async fn one(
    State(state): State<AppState>,
    Extension(bearer): Extension<Bearer>,
    Path(id): Path<String>,
) -> Result<Json<ApiImport>, ApiError> {
    writer(&bearer)?;
    let missing = || ApiError::not_found("There is no import with this id.");
    let id: Uuid = id.parse().map_err(|_| missing())?;
    match imports::full_view(&state.pool, id).await {
        Ok(view) => Ok(Json(view.into())),
        Err(AppError::NotFound) => Err(missing()),
        Err(other) => Err(other.into()),
    }
}
