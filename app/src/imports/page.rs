//! The import pages: upload a file (a plain form, so it works without JavaScript), then read
//! the preview — what each row would do, each refusal in words — and apply it, watching its
//! progress.

use super::columns::Column;
use super::plan::Action;
use super::{load_import, CommitImport, ImportView, RemapImport, RowReport};
use crate::auth::{Permission, Protected};
use crate::ui::{action_error, columns, Alert, DataTable, FieldErrorText, FormAlert, Loading, LocalTime};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};

#[component]
pub fn ImportPage() -> impl IntoView {
    view! {
        <Title text="Import projects · Tollgate" />
        <Protected permission=Permission::EditProjects view=|_| view! { <Upload /> } />
    }
}

#[component]
fn Upload() -> impl IntoView {
    let query = use_query_map();
    let error = Signal::derive(move || query.with(|q| q.get("error")));
    let text_fields = Column::ALL
        .into_iter()
        .filter(|c| c.guide().is_none())
        .map(Column::key)
        .collect::<Vec<_>>()
        .join(", ");
    let described = move || error.get().map(|_| "file-error".to_owned());
    view! {
        <section class="page narrow-wide">
            <header class="page-header">
                <h1>"Import projects"</h1>
                <p class="muted">
                    "Bring your inventory in from a spreadsheet: CSV (comma or semicolon, UTF-8) or Excel .xlsx, up to 20 MB and 50,000 rows. "
                    "Nothing is written until you have read the preview and pressed Import."
                </p>
            </header>
            <form class="card" method="post" action="/projects/import" enctype="multipart/form-data" data-test="import-form">
                <div class="field">
                    <label for="import-file">"File"</label>
                    <p class="hint" id="file-hint">"A header row naming the columns, then one project per row."</p>
                    <input id="import-file" name="file" type="file" required=true
                        accept=".csv,.xlsx,text/csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
                        aria-describedby=move || described().map_or("file-hint".to_owned(), |e| format!("file-hint {e}"))
                        aria-invalid=move || error.get().is_some().to_string() />
                    <FieldErrorText id="file-error".to_owned() error />
                </div>
                <div class="field">
                    <label for="import-sheet">"Sheet (Excel only)"</label>
                    <p class="hint" id="sheet-hint">"Empty: the first sheet."</p>
                    <input id="import-sheet" name="sheet" type="text" maxlength="100" aria-describedby="sheet-hint" />
                </div>
                <button type="submit" class="button primary">"Preview the import"</button>
            </form>
            <div class="card">
                <h2>"Columns"</h2>
                <p>
                    "Headers are matched whatever their case and spacing; unknown columns are listed in the preview and left out. A project is matched by "
                    <code>"id"</code> " when the file has one, else by name (any case). Tollgate's own "
                    <a href="/portfolio/export.csv">"CSV export"</a> " imports back as it is. "
                    "Download the template as "
                    <a href="/projects/import/template.xlsx" download="tollgate-import-template.xlsx" data-test="template-xlsx">"Excel"</a>
                    " (with drop-downs of the allowed values) or "
                    <a href="/projects/import/template.csv" download="tollgate-import-template.csv" data-test="template">"CSV"</a> "."
                </p>
                <DataTable test="import-columns" columns=columns(["Column", "Values"])>
                    {Column::ALL
                        .into_iter()
                        .filter_map(|c| c.guide().map(|guide| (c, guide)))
                        .map(|(c, guide)| view! { <tr><th scope="row"><code>{c.key()}</code></th><td>{guide}</td></tr> })
                        .collect_view()}
                    <tr><th scope="row">"Text fields"</th><td>{format!("Optional: {}.", text_fields)}</td></tr>
                </DataTable>
            </div>
        </section>
    }
}

#[component]
pub fn ImportPreviewPage() -> impl IntoView {
    view! {
        <Title text="Import preview · Tollgate" />
        <Protected permission=Permission::EditProjects view=|_| view! { <Preview /> } />
    }
}

#[component]
fn Preview() -> impl IntoView {
    let params = use_params_map();
    let id = Memo::new(move |_| params.with(|p| p.get("id").and_then(|id| id.parse::<uuid::Uuid>().ok())));
    let commit = ServerAction::<CommitImport>::new();
    let remap = ServerAction::<RemapImport>::new();
    let tick = RwSignal::new(0u32);
    let data = Resource::new(
        move || {
            (
                id.get(),
                commit.version().get(),
                remap.version().get(),
                tick.get(),
            )
        },
        |(id, _, _, _)| async move {
            match id {
                Some(id) => load_import(id).await,
                None => Err(crate::error::AppError::NotFound),
            }
        },
    );
    // While it runs, the page asks again each second (without JavaScript: reload the page).
    Effect::new(move |_| {
        if let Some(Ok(view)) = data.get() {
            if matches!(view.status.as_str(), "queued" | "running") {
                set_timeout(
                    move || tick.update(|t| *t += 1),
                    std::time::Duration::from_secs(1),
                );
            }
        }
    });
    view! {
        <section class="page">
            <Suspense fallback=Loading>
                {move || Suspend::new(async move {
                    match data.await {
                        Ok(view) => view! { <PreviewBody view commit remap /> }.into_any(),
                        Err(error) => view! { <FormAlert message=Some(Alert::from(error)) /> }.into_any(),
                    }
                })}
            </Suspense>
        </section>
    }
}

#[component]
fn PreviewBody(
    view: ImportView,
    commit: ServerAction<CommitImport>,
    remap: ServerAction<RemapImport>,
) -> impl IntoView {
    let previewed = view.status == "previewed";
    let import_id = view.id.to_string();
    let counts = view.counts;
    let to_write = counts.created + counts.updated;
    let report = format!("/projects/import/{}/report.csv", view.id);
    let status = match view.status.as_str() {
        "previewed" => "Preview — nothing written yet",
        "queued" => "Waiting to start",
        "running" => "Importing",
        "done" => "Imported",
        _ => "Not imported",
    };
    let unknown = (!view.unknown_columns.is_empty()).then(|| {
        view! {
            <p class="alert alert-info" data-test="unknown-columns">
                {format!("Left out, not a field Tollgate knows: {}.", view.unknown_columns.join(", "))}
            </p>
        }
    });
    // Each column left out can be read as a field (and a chosen one put back), then the rows are
    // planned again.
    let remaps = previewed.then(|| {
        let chosen = view.chosen_columns.clone();
        let columns: Vec<(String, Option<Column>)> = view
            .unknown_columns
            .iter()
            .map(|h| (h.clone(), None))
            .chain(chosen.into_iter().map(|(h, c)| (h, Some(c))))
            .collect();
        (!columns.is_empty()).then(|| {
            let forms = columns
                .into_iter()
                .enumerate()
                .map(|(n, (header, current))| {
                    let import_id = import_id.clone();
                    let select_id = format!("remap-{n}");
                    let label = match current {
                        Some(c) => format!("Column \u{201c}{header}\u{201d}, read as {}", c.label()),
                        None => format!("Read column \u{201c}{header}\u{201d} as"),
                    };
                    let options = Column::ALL
                        .into_iter()
                        .map(|c| view! { <option value=c.key() selected=current == Some(c)>{c.label()}</option> })
                        .collect_view();
                    view! {
                        <ActionForm action=remap attr:class="inline-form" attr:data-test="remap-form">
                            <input type="hidden" name="id" value=import_id />
                            <input type="hidden" name="header" value=header.clone() />
                            <label for=select_id.clone()>{label}</label>
                            <select id=select_id name="field">
                                <option value="" selected=current.is_none()>"(leave it out)"</option>
                                {options}
                            </select>
                            <button type="submit" class="button small">"Preview again"</button>
                        </ActionForm>
                    }
                })
                .collect_view();
            view! { <div class="card" data-test="remaps"><h2>"Columns"</h2>{forms}</div> }
        })
    });
    let progress = matches!(view.status.as_str(), "queued" | "running").then(|| {
        view! {
            <div class="card" data-test="import-progress">
                <label for="import-progress">{format!("{} of {} rows done", view.rows_done, view.rows_total)}</label>
                <progress id="import-progress" max=view.rows_total.max(1) value=view.rows_done></progress>
                <p class="muted small">"It runs on the server: you can leave or reload this page."</p>
            </div>
        }
    });
    let outcome = match (view.status.as_str(), view.summary, view.error.clone()) {
        ("done", Some(s), _) => Some(
            view! {
                <div class="alert alert-success" role="status" data-test="import-summary">
                    {format!(
                        "Imported: {} created, {} updated, {} unchanged, {} refused. ",
                        s.created, s.updated, s.unchanged, s.refused
                    )}
                    <a href="/projects">"See the projects"</a>
                </div>
            }
            .into_any(),
        ),
        ("failed", _, Some(error)) => Some(
            view! {
                <div class="alert alert-error" role="alert" data-test="import-failed">{error}</div>
            }
            .into_any(),
        ),
        _ => None,
    };
    let apply = (view.status == "previewed").then(|| {
        view! {
            <ActionForm action=commit attr:class="card" attr:data-test="commit-form">
                <input type="hidden" name="id" value=view.id.to_string() />
                <label class="check" for="all-or-nothing">
                    <input type="checkbox" id="all-or-nothing" name="all_or_nothing" />
                    "All or nothing: import no row if any is refused"
                </label>
                <button type="submit" class="button primary" disabled=to_write == 0>
                    {format!("Import {to_write} {}", if to_write == 1 { "row" } else { "rows" })}
                </button>
            </ActionForm>
        }
    });
    let rows = view
        .rows
        .into_iter()
        .map(|r| view! { <ReportRow r /> })
        .collect_view();
    let more = (view.rows_total as usize > super::ROWS_SHOWN).then(|| {
        view! { <p class="muted small">{format!("The first {} rows are listed; the report has them all.", super::ROWS_SHOWN)}</p> }
    });
    view! {
        <header class="page-header">
            <h1>"Import: " <bdi>{view.file_name.clone()}</bdi></h1>
            <p class="muted" data-test="import-status">
                {status} " · " {format!("{} rows, uploaded by {} ", view.rows_total, view.created_by_name)}
                <LocalTime at=view.created_at />
            </p>
        </header>
        <FormAlert message=Signal::derive(move || {
            action_error(commit).get().or_else(|| action_error(remap).get()).map(Alert::from)
        }) />
        {outcome}
        <dl class="import-counts" data-test="import-counts">
            <div><dt>"Create"</dt><dd data-test="count-create">{counts.created}</dd></div>
            <div><dt>"Update"</dt><dd data-test="count-update">{counts.updated}</dd></div>
            <div><dt>"Unchanged"</dt><dd data-test="count-unchanged">{counts.unchanged}</dd></div>
            <div><dt>"Refused"</dt><dd data-test="count-refused">{counts.refused}</dd></div>
        </dl>
        {unknown}
        {remaps}
        {progress}
        {apply}
        <p><a href=report download="import-report.csv" data-test="import-report">"Download the report (CSV)"</a></p>
        <DataTable test="import-rows" columns=columns(["Row", "Name", "Outcome", "Why"])>{rows}</DataTable>
        {more}
    }
}

#[component]
fn ReportRow(r: RowReport) -> impl IntoView {
    let why: Vec<String> = r.problems.iter().chain(&r.notes).cloned().collect();
    let class = match r.action {
        Action::Refused => "outcome refused",
        _ => "outcome",
    };
    view! {
        <tr data-test="import-row" data-action=r.action.label() data-row=r.row>
            <td>{r.row}</td>
            <th scope="row"><bdi>{r.name}</bdi></th>
            <td><span class=class>{r.action.label()}</span></td>
            <td>
                {(!why.is_empty()).then(|| view! {
                    <ul class="plain">{why.into_iter().map(|w| view! { <li>{w}</li> }).collect_view()}</ul>
                })}
            </td>
        </tr>
    }
}
