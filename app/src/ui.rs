//! Small building blocks shared by every form and page.

use crate::error::AppError;
use leptos::prelude::*;
use leptos::server_fn::ServerFn;

/// The error of an action's latest run, if it failed.
pub fn action_error<S>(action: ServerAction<S>) -> Signal<Option<AppError>>
where
    S: ServerFn<Error = AppError> + Clone + Send + Sync + 'static,
    S::Output: Clone + Send + Sync + 'static,
{
    let value = action.value();
    Signal::derive(move || value.get().and_then(Result::err))
}

/// The message for one field of a failed submission.
pub fn field_message(error: Signal<Option<AppError>>, field: &'static str) -> Signal<Option<String>> {
    Signal::derive(move || {
        error
            .get()
            .and_then(|e| e.fields().and_then(|f| f.get(field)).map(str::to_owned))
    })
}

/// What the banner above a form says: words, or who saved first and when (an instant the
/// page shows in the viewer's own time zone).
#[derive(Debug, Clone, PartialEq)]
pub enum Alert {
    Text(String),
    Changed {
        by: String,
        at: chrono::DateTime<chrono::Utc>,
    },
}

impl From<AppError> for Alert {
    fn from(error: AppError) -> Self {
        match error {
            AppError::Conflict { by, at } => Alert::Changed { by, at },
            other => Alert::Text(other.to_string()),
        }
    }
}

impl From<String> for Alert {
    fn from(text: String) -> Self {
        Alert::Text(text)
    }
}

/// The message shown above a form: the summary of any failure.
pub fn form_message(error: Signal<Option<AppError>>) -> Signal<Option<Alert>> {
    Signal::derive(move || error.get().map(Alert::from))
}

/// A labelled input with its hint and its error message right below it.
#[component]
pub fn Field(
    label: &'static str,
    name: &'static str,
    #[prop(default = "text")] input_type: &'static str,
    #[prop(default = "off")] autocomplete: &'static str,
    #[prop(optional)] hint: Option<&'static str>,
    #[prop(optional, into)] value: String,
    #[prop(into)] error: Signal<Option<String>>,
    /// Distinguishes ids when one page holds several forms with the same field names.
    #[prop(optional, into)]
    id_prefix: String,
    /// Posts the field as `group[name]`, for server functions that take a struct.
    #[prop(optional)]
    group: &'static str,
    #[prop(optional)] required: bool,
) -> impl IntoView {
    let id = format!("{id_prefix}{name}");
    let name = form_name(group, name);
    let hint_id = format!("{id}-hint");
    let error_id = format!("{id}-error");
    let described_by = described_by(hint.map(|_| hint_id.clone()), error_id.clone(), error);
    view! {
        <div class="field" class:field-invalid=move || error.get().is_some()>
            <label for=id.clone()>{label}</label>
            {hint.map(|h| view! { <p class="field-hint" id=hint_id.clone()>{h}</p> })}
            <input
                id=id.clone()
                name=name
                type=input_type
                autocomplete=autocomplete
                value=value
                aria-invalid=move || if error.get().is_some() { "true" } else { "false" }
                aria-describedby=described_by
                aria-required=required.then_some("true")
            />
            <FieldErrorText id=error_id error=error />
        </div>
    }
}

/// `group[name]`, or `name` alone when there is no group.
fn form_name(group: &str, name: &str) -> String {
    if group.is_empty() {
        name.to_owned()
    } else {
        format!("{group}[{name}]")
    }
}

/// The `aria-describedby` of a control: its hint and, when shown, its error.
fn described_by(
    hint_id: Option<String>,
    error_id: String,
    error: Signal<Option<String>>,
) -> impl Fn() -> Option<String> {
    move || {
        let ids: Vec<String> = hint_id
            .iter()
            .cloned()
            .chain(error.get().map(|_| error_id.clone()))
            .collect();
        (!ids.is_empty()).then(|| ids.join(" "))
    }
}

/// A labelled multi-line text box with its hint and error.
#[component]
pub fn TextArea(
    label: &'static str,
    name: &'static str,
    #[prop(optional, into)] value: String,
    #[prop(optional)] hint: Option<&'static str>,
    #[prop(into)] error: Signal<Option<String>>,
    #[prop(optional)] group: &'static str,
    #[prop(default = 4)] rows: u32,
    #[prop(optional, into)] id_prefix: String,
) -> impl IntoView {
    let id = format!("{id_prefix}{name}");
    let hint_id = format!("{id}-hint");
    let error_id = format!("{id}-error");
    view! {
        <div class="field field-wide" class:field-invalid=move || error.get().is_some()>
            <label for=id.clone()>{label}</label>
            {hint.map(|h| view! { <p class="field-hint" id=hint_id.clone()>{h}</p> })}
            <textarea
                id=id.clone()
                name=form_name(group, name)
                rows=rows
                aria-invalid=move || if error.get().is_some() { "true" } else { "false" }
                aria-describedby=described_by(hint.map(|_| hint_id.clone()), error_id.clone(), error)
            >
                {value}
            </textarea>
            <FieldErrorText id=error_id error=error />
        </div>
    }
}

/// A labelled drop-down of `(value, label)` options with its error.
#[component]
pub fn SelectField(
    label: &'static str,
    name: &'static str,
    options: Vec<(String, String)>,
    #[prop(optional, into)] selected: String,
    #[prop(into)] error: Signal<Option<String>>,
    #[prop(optional)] group: &'static str,
    #[prop(optional, into)] id_prefix: String,
) -> impl IntoView {
    let id = format!("{id_prefix}{name}");
    let error_id = format!("{id}-error");
    let options = options
        .into_iter()
        .map(|(value, text)| {
            let is_selected = value == selected;
            view! { <option value=value selected=is_selected>{text}</option> }
        })
        .collect_view();
    view! {
        <div class="field" class:field-invalid=move || error.get().is_some()>
            <label for=id.clone()>{label}</label>
            <select
                id=id.clone()
                name=form_name(group, name)
                aria-invalid=move || if error.get().is_some() { "true" } else { "false" }
                aria-describedby=described_by(None, error_id.clone(), error)
            >
                {options}
            </select>
            <FieldErrorText id=error_id error=error />
        </div>
    }
}

/// The error line under a field; rendered only when there is a message.
#[component]
pub fn FieldErrorText(id: String, #[prop(into)] error: Signal<Option<String>>) -> impl IntoView {
    move || {
        error.get().map(|message| {
            view! {
                <p class="field-error" id=id.clone() data-test="field-error">
                    {message}
                </p>
            }
        })
    }
}

/// The summary banner above a form when a submission failed.
#[component]
pub fn FormAlert(#[prop(into)] message: Signal<Option<Alert>>) -> impl IntoView {
    move || {
        message.get().map(|message| {
            let words = match message {
                Alert::Text(text) => text.into_any(),
                Alert::Changed { by, at } => view! {
                    <bdi>{by}</bdi>
                    " changed this project at " <LocalTime at /> " since you opened it, so your change \
                     was not saved. Your input is still here: open the project in a new tab to see \
                     what changed, then try again."
                }
                .into_any(),
            };
            view! {
                <div class="alert alert-error" role="alert" data-test="form-error">
                    {words}
                </div>
            }
        })
    }
}

/// "3 days", "1 day", "today": how many calendar days (UTC) lie between `then` and `today`.
pub fn days_since(then: chrono::DateTime<chrono::Utc>, today: chrono::NaiveDate) -> String {
    match (today - then.date_naive()).num_days() {
        days if days <= 0 => "today".into(),
        1 => "1 day".into(),
        days => format!("{days} days"),
    }
}

/// A calendar date and time for people, in UTC.
pub fn format_instant(at: chrono::DateTime<chrono::Utc>) -> String {
    at.format("%-d %b %Y, %H:%M UTC").to_string()
}

/// An instant as the viewer reads it: the server writes it in UTC, then the page script
/// (`page.js`, inlined by the shell) rewrites it in the browser's own time zone, keeping
/// the UTC text as its tooltip. Without JavaScript the labelled UTC time stays.
/// A table of numbers or records that scrolls sideways on a narrow screen: its caption (what
/// the numbers are), a heading per column, then `children` — the rows, a `<tr>` each.
#[component]
pub fn DataTable(
    /// The table's `data-test` name.
    test: &'static str,
    /// Headings, in column order.
    columns: Vec<String>,
    /// Says what the numbers are, under the table.
    #[prop(optional)]
    caption: Option<&'static str>,
    /// Tighter cells, for tables of numbers.
    #[prop(optional)]
    compact: bool,
    children: Children,
) -> impl IntoView {
    let class = if compact { "table compact" } else { "table" };
    view! {
        <div class="table-wrap">
            <table class=class data-test=test>
                {caption.map(|text| view! { <caption class="muted small">{text}</caption> })}
                <thead>
                    <tr>{columns.into_iter().map(|c| view! { <th scope="col">{c}</th> }).collect_view()}</tr>
                </thead>
                <tbody>{children()}</tbody>
            </table>
        </div>
    }
}

/// An SVG chart read as one image: screen readers hear its title and its description (the
/// numbers in words), sighted people see `children` — the drawing. Ids are `{id}-title` and
/// `{id}-desc`.
#[component]
pub fn Chart(
    id: &'static str,
    /// The chart's `data-test` name.
    test: &'static str,
    /// Classes besides `chart`.
    #[prop(optional)]
    class: &'static str,
    view_box: String,
    #[prop(into)] title: String,
    #[prop(into)] description: String,
    children: Children,
) -> impl IntoView {
    let class = if class.is_empty() {
        "chart".to_owned()
    } else {
        format!("chart {class}")
    };
    view! {
        <svg class=class viewBox=view_box role="img" aria-labelledby=format!("{id}-title {id}-desc") data-test=test>
            <title id=format!("{id}-title")>{title}</title>
            <desc id=format!("{id}-desc")>{description}</desc>
            {children()}
        </svg>
    }
}

/// Headings for [`DataTable`] from words.
pub fn columns<const N: usize>(words: [&str; N]) -> Vec<String> {
    words.into_iter().map(str::to_owned).collect()
}

#[component]
pub fn LocalTime(at: chrono::DateTime<chrono::Utc>) -> impl IntoView {
    let machine = at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    view! { <time datetime=machine data-local="">{format_instant(at)}</time> }
}

/// Shown while a page waits for its data.
#[component]
pub fn Loading() -> impl IntoView {
    view! { <p class="muted" aria-live="polite">"Loading…"</p> }
}

/// Sets the HTTP status of the page being rendered on the server.
pub fn set_status(_status: u16) {
    #[cfg(feature = "ssr")]
    if let (Some(response), Ok(status)) = (
        use_context::<leptos_axum::ResponseOptions>(),
        http::StatusCode::from_u16(_status),
    ) {
        response.set_status(status);
    }
}

/// The query string without its empty parameters (`q=&stage=build&=` → `stage=build`), when
/// it had any: shared addresses carry only the filters that mean something.
pub fn without_empty_parameters(query: &str) -> Option<String> {
    let query = query.trim_start_matches('?');
    if query.is_empty() {
        return None;
    }
    let pairs: Vec<&str> = query.split('&').collect();
    let kept: Vec<&str> = pairs
        .iter()
        .copied()
        .filter(|pair| {
            let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
            !name.is_empty() && !value.is_empty()
        })
        .collect();
    (kept.len() != pairs.len()).then(|| kept.join("&"))
}

/// Whether a `Transition`'s next view is loading, for the `reloading-area` around it (the
/// current view stays on screen, dimmed and marked busy). Only in the browser: a page rendered
/// on the server is never loading its next view, and there the `Transition` may be writing
/// `pending` on another thread while the attribute is rendered — the read then finds the lock
/// taken and panics ("already disposed"), dropping the connection (about one list page in
/// 4,000 at 100,000 projects).
pub fn busy(pending: RwSignal<bool>) -> impl Fn() -> bool + Copy + Send + Sync + 'static {
    move || {
        #[cfg(feature = "ssr")]
        {
            let _ = pending;
            false
        }
        #[cfg(not(feature = "ssr"))]
        {
            pending.get()
        }
    }
}

/// In the browser, replaces an address with empty parameters (a filter form just applied) by
/// its tidy form, without a new history entry. (Without JavaScript the server does it.)
pub fn keep_address_tidy() {
    #[cfg(feature = "hydrate")]
    {
        let location = leptos_router::hooks::use_location();
        let navigate = leptos_router::hooks::use_navigate();
        Effect::new(move |_| {
            let search = location.search.get();
            if let Some(tidy) = without_empty_parameters(&search) {
                let path = location.pathname.get_untracked();
                let to = if tidy.is_empty() {
                    path
                } else {
                    format!("{path}?{tidy}")
                };
                navigate(
                    &to,
                    leptos_router::NavigateOptions {
                        replace: true,
                        ..Default::default()
                    },
                );
            }
        });
    }
}

#[cfg(test)]
mod tests {
    use super::without_empty_parameters;

    #[test]
    fn empty_parameters_are_dropped_from_shared_addresses() {
        assert_eq!(
            without_empty_parameters("q=&stage=build&tier=&=").as_deref(),
            Some("stage=build")
        );
        assert_eq!(without_empty_parameters("?q=&tier=").as_deref(), Some(""));
        assert_eq!(without_empty_parameters("stage=build&sort=name"), None);
        assert_eq!(without_empty_parameters(""), None, "a bare `?` is left alone");
    }
}
