//! The import's plain-HTTP parts, for a signed-in editor or admin: the upload (a multipart form,
//! so it works without JavaScript: it answers with a redirect to the preview, or back to the
//! form with the message), the template (CSV and Excel), and a preview's report as CSV.

use app::auth::{CurrentUser, Permission};
use app::error::AppError;
use app::imports::columns::Column;
use app::imports::parse::MAX_BYTES;
use app::imports::server as imports;
use app::state::AppState;
use axum::extract::{DefaultBodyLimit, Multipart, Path, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Router;
use uuid::Uuid;

/// The routes, with the upload's body limit (the file and the form around it).
pub fn routes() -> Router<AppState> {
    Router::new()
        .route(
            "/projects/import",
            post(upload).layer(DefaultBodyLimit::max(MAX_BYTES + 64 * 1024)),
        )
        .route("/projects/import/template.csv", get(template))
        .route("/projects/import/template.xlsx", get(template_xlsx))
        .route("/projects/import/{id}/report.csv", get(report))
}

/// The signed-in caller, allowed to edit projects; else where to send them.
async fn editor(state: &AppState, headers: &HeaderMap) -> Result<CurrentUser, Response> {
    let user = match app::auth::server::session::token_from_headers(headers) {
        Some(token) => app::auth::server::session::lookup(&state.pool, &token, &state.auth).await,
        None => Ok(None),
    };
    match user {
        Ok(Some(user)) => app::auth::server::guard::authorise(user, Permission::EditProjects)
            .map_err(|e| (StatusCode::FORBIDDEN, e.to_string()).into_response()),
        Ok(None) => Err(Redirect::to("/login?next=/projects/import").into_response()),
        Err(error) => Err((StatusCode::SERVICE_UNAVAILABLE, error.to_string()).into_response()),
    }
}

/// Back to the form with `message` next to the file field.
fn refused(message: &str) -> Response {
    let query = url::form_urlencoded::Serializer::new(String::new())
        .append_pair("error", message)
        .finish();
    Redirect::to(&format!("/projects/import?{query}")).into_response()
}

async fn upload(State(state): State<AppState>, headers: HeaderMap, mut form: Multipart) -> Response {
    let user = match editor(&state, &headers).await {
        Ok(user) => user,
        Err(response) => return response,
    };
    let (mut file, mut sheet, mut chosen) = (None, None, Vec::new());
    loop {
        let field = match form.next_field().await {
            Ok(Some(field)) => field,
            Ok(None) => break,
            Err(error) if error.status() == StatusCode::PAYLOAD_TOO_LARGE => {
                return refused("The file is larger than 20 MB; at most 20 MB can be imported at once. Split it into smaller files.");
            }
            Err(_) => return refused("The upload was cut short. Try again."),
        };
        let name = field.name().unwrap_or_default().to_owned();
        match name.as_str() {
            "file" => {
                let file_name = field.file_name().unwrap_or("upload").to_owned();
                match field.bytes().await {
                    Ok(bytes) => file = Some((file_name, bytes)),
                    Err(error) if error.status() == StatusCode::PAYLOAD_TOO_LARGE => {
                        return refused("The file is larger than 20 MB; at most 20 MB can be imported at once. Split it into smaller files.");
                    }
                    Err(_) => return refused("The upload was cut short. Try again."),
                }
            }
            "sheet" => {
                sheet = field
                    .text()
                    .await
                    .ok()
                    .map(|s| s.chars().take(100).collect::<String>())
            }
            // `as[<header>]=<field>`: read a column as a field the person chose.
            other => {
                if let Some(header) = other.strip_prefix("as[").and_then(|h| h.strip_suffix(']')) {
                    let wanted = field.text().await.unwrap_or_default();
                    if let Some(column) = Column::ALL.into_iter().find(|c| c.key() == wanted) {
                        chosen.push((header.chars().take(200).collect::<String>(), column));
                    }
                }
            }
        }
    }
    let Some((file_name, bytes)) = file.filter(|(name, bytes)| !(name.is_empty() && bytes.is_empty())) else {
        return refused("Choose a file to import.");
    };
    match imports::preview(
        &state.pool,
        &user,
        &file_name,
        &bytes,
        sheet.as_deref(),
        &chosen,
        state.clock.today(),
    )
    .await
    {
        Ok(id) => Redirect::to(&format!("/projects/import/{id}")).into_response(),
        Err(AppError::Invalid(errors)) => refused(errors.get("file").unwrap_or("The file cannot be read.")),
        Err(error) => refused(&error.to_string()),
    }
}

fn download(name: &str, content_type: &str, body: Vec<u8>) -> Response {
    (
        [
            (header::CONTENT_TYPE, content_type.to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{name}\""),
            ),
        ],
        body,
    )
        .into_response()
}

/// The template's example row, a value for each of [`Column::ALL`].
const EXAMPLE: [&str; Column::ALL.len()] = [
    "",
    "Claims triage",
    "Claims",
    "Routes incoming claims to the right adjuster.",
    "Claims wait nine days for triage.",
    "Median days to triage",
    "Under 2 days",
    "9 days",
    "Median of the last quarter",
    "Two years of labelled claims",
    "Manual triage by the claims desk",
    "Claims operations",
    "medium",
    "active",
    "define",
    "ana@example.com",
    "2026-01-15",
    "2026-01-15",
];

/// The columns, with one example row, as CSV.
async fn template(State(state): State<AppState>, headers: HeaderMap) -> Response {
    if let Err(response) = editor(&state, &headers).await {
        return response;
    }
    let mut out = csv::Writer::from_writer(Vec::new());
    let written = out
        .write_record(Column::ALL.map(Column::key))
        .and_then(|()| out.write_record(EXAMPLE));
    match (written, out.into_inner()) {
        (Ok(()), Ok(body)) => download("tollgate-import-template.csv", "text/csv; charset=utf-8", body),
        _ => StatusCode::INTERNAL_SERVER_ERROR.into_response(),
    }
}

/// The rows a template's drop-downs cover.
const TEMPLATE_ROWS: u32 = 5000;

/// The columns with one example row as an Excel workbook: a drop-down of the allowed values on
/// each column that takes one of a few, and a second sheet saying what each column takes.
fn template_workbook() -> Result<Vec<u8>, rust_xlsxwriter::XlsxError> {
    use rust_xlsxwriter::{DataValidation, DataValidationErrorStyle, Format, Workbook};
    let bold = Format::new().set_bold();
    let mut book = Workbook::new();
    let sheet = book.add_worksheet().set_name("Projects")?;
    for ((at, column), example) in (0u16..).zip(Column::ALL).zip(EXAMPLE) {
        sheet.write_string_with_format(0, at, column.key(), &bold)?;
        sheet.write_string(1, at, example)?;
        sheet.set_column_width(at, (column.key().len().max(example.len()).min(40) + 2) as f64)?;
        if let Some(allowed) = column.allowed() {
            let rule = DataValidation::new()
                .allow_list_strings(&allowed)?
                .set_error_style(DataValidationErrorStyle::Warning)
                .set_error_message(column.guide().unwrap_or_default())?;
            sheet.add_data_validation(1, at, TEMPLATE_ROWS, at, &rule)?;
        }
    }
    sheet.set_freeze_panes(1, 0)?;
    let guide = book.add_worksheet().set_name("Guide")?;
    guide.write_string_with_format(0, 0, "Column", &bold)?;
    guide.write_string_with_format(0, 1, "What it takes", &bold)?;
    guide.set_column_width(0, 20)?;
    guide.set_column_width(1, 100)?;
    for (row, column) in (1u32..).zip(Column::ALL) {
        guide.write_string(row, 0, column.key())?;
        let text = column.guide().unwrap_or_else(|| "Text (optional).".to_owned());
        guide.write_string(row, 1, &text)?;
    }
    book.save_to_buffer()
}

/// The template as an Excel workbook.
async fn template_xlsx(State(state): State<AppState>, headers: HeaderMap) -> Response {
    if let Err(response) = editor(&state, &headers).await {
        return response;
    }
    match template_workbook() {
        Ok(body) => download(
            "tollgate-import-template.xlsx",
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            body,
        ),
        Err(error) => {
            tracing::error!(%error, "writing the import template");
            StatusCode::INTERNAL_SERVER_ERROR.into_response()
        }
    }
}

/// A preview's verdict on every row.
async fn report(State(state): State<AppState>, headers: HeaderMap, Path(id): Path<Uuid>) -> Response {
    if let Err(response) = editor(&state, &headers).await {
        return response;
    }
    match imports::preview_report(&state.pool, id)
        .await
        .and_then(|rows| imports::report_csv(&rows))
    {
        Ok(body) => download("import-report.csv", "text/csv; charset=utf-8", body),
        Err(AppError::NotFound) => StatusCode::NOT_FOUND.into_response(),
        Err(error) => (StatusCode::INTERNAL_SERVER_ERROR, error.to_string()).into_response(),
    }
}
