//! The records on the project page: each kind listed with its form, and withdrawal.

use super::{
    AddDemo, AddEvidence, AddReview, AddSignoff, FormValues, Outcome, RecordKind, RecordRow, ResearchKind,
    ReviewDecision, SignoffDecision, WithdrawRecord,
};
use crate::auth::{CurrentUser, Permission, Role};
use crate::error::AppError;
use crate::projects::stage::RiskTier;
use crate::ui::{
    action_error, field_message, form_message, Field, FormAlert, LocalTime, SelectField, TextArea,
};
use crate::vocabulary::Word;
use leptos::prelude::*;
use leptos::server_fn::{client::Client, codec::PostUrl, request::ClientReq, Http, ServerFn};
use uuid::Uuid;

/// The record actions of one project page, so the page reloads after any of them lands.
#[derive(Clone, Copy)]
pub struct RecordActions {
    pub demo: ServerAction<AddDemo>,
    pub evidence: ServerAction<AddEvidence>,
    pub signoff: ServerAction<AddSignoff>,
    pub review: ServerAction<AddReview>,
    pub withdraw: ServerAction<WithdrawRecord>,
    /// Corrections that landed (each correction form has its own action).
    pub corrected: RwSignal<usize>,
}

impl RecordActions {
    pub fn new() -> Self {
        RecordActions {
            demo: ServerAction::new(),
            evidence: ServerAction::new(),
            signoff: ServerAction::new(),
            review: ServerAction::new(),
            withdraw: ServerAction::new(),
            corrected: RwSignal::new(0),
        }
    }

    /// How many record changes have landed on this page.
    pub fn successes(self) -> Memo<usize> {
        use crate::projects::pages::successes;
        let counts = [
            successes(self.demo),
            successes(self.evidence),
            successes(self.signoff),
            successes(self.review),
            successes(self.withdraw),
        ];
        let corrected = self.corrected;
        Memo::new(move |_| counts.iter().map(|c| c.get()).sum::<usize>() + corrected.get())
    }
}

impl Default for RecordActions {
    fn default() -> Self {
        Self::new()
    }
}

/// Empties and folds away a record form once its record has landed, ready for the next one.
fn reset_on_success<S>(
    action: ServerAction<S>,
) -> (NodeRef<leptos::html::Form>, NodeRef<leptos::html::Details>)
where
    S: leptos::server_fn::ServerFn<Error = crate::error::AppError> + Clone + Send + Sync + 'static,
    S::Output: Clone + Send + Sync + 'static,
{
    let form = NodeRef::<leptos::html::Form>::new();
    let details = NodeRef::<leptos::html::Details>::new();
    Effect::new(move |_| {
        if matches!(action.value().get(), Some(Ok(_))) {
            if let Some(form) = form.get_untracked() {
                form.reset();
            }
            if let Some(details) = details.get_untracked() {
                details.set_open(false);
            }
        }
    });
    (form, details)
}

/// A select's options: every word of `W`, with its label.
fn options<W: Word>() -> Vec<(String, String)> {
    W::ALL
        .iter()
        .map(|w| (w.as_str().to_owned(), w.label().to_owned()))
        .collect()
}

/// The one clock's today, as the project page read it: the default date of every record form.
#[derive(Debug, Clone, Copy)]
struct Today(chrono::NaiveDate);

/// Today as `<input type=date>` wants it.
fn today() -> String {
    use_context::<Today>()
        .map(|Today(day)| day.to_string())
        .unwrap_or_default()
}

#[component]
pub fn Records(
    project_id: Uuid,
    rows: Vec<RecordRow>,
    user: CurrentUser,
    actions: RecordActions,
    today: chrono::NaiveDate,
) -> impl IntoView {
    provide_context(Today(today));
    let can_edit = user.role.can(Permission::EditProjects);
    let can_review = user.role.can(Permission::ReviewModels);
    let of = |kind: RecordKind| {
        rows.iter()
            .filter(|r| r.kind == kind)
            .cloned()
            .collect::<Vec<_>>()
    };
    let section = |kind: RecordKind, anchor: &'static str, title: &'static str, form: Option<AnyView>| {
        view! {
            <div class="card records" id=anchor data-test=anchor>
                <h2>{title}</h2>
                <RecordList project_id rows=of(kind) user=user.clone() actions />
                {form}
            </div>
        }
    };
    view! {
        {section(RecordKind::Evidence, "records-evidence", "User research",
            can_edit.then(|| view! { <EvidenceForm project_id action=actions.evidence /> }.into_any()))}
        {section(RecordKind::Demo, "records-demos", "Demo checkpoints",
            can_edit.then(|| view! { <DemoForm project_id action=actions.demo /> }.into_any()))}
        {section(RecordKind::Signoff, "records-signoffs", "Explainability sign-offs",
            can_review.then(|| view! { <SignoffForm project_id action=actions.signoff /> }.into_any()))}
        {section(RecordKind::Review, "records-reviews", "Model-risk reviews",
            can_review.then(|| view! { <ReviewForm project_id action=actions.review /> }.into_any()))}
    }
    .into_any()
}

/// Counts a correction form's landed saves into the page's `corrected`.
fn count_into<S>(action: ServerAction<S>, corrected: RwSignal<usize>) -> ServerAction<S>
where
    S: leptos::server_fn::ServerFn<Error = crate::error::AppError> + Clone + Send + Sync + 'static,
    S::Output: Clone + Send + Sync + 'static,
{
    Effect::new(move |_| {
        if matches!(action.value().get(), Some(Ok(_))) {
            corrected.update(|c| *c += 1);
        }
    });
    action
}

/// The form that corrects `row`, prefilled with what it holds.
fn correction_form(project_id: Uuid, row: &RecordRow, corrected: RwSignal<usize>) -> AnyView {
    let existing = (row.id, row.values.clone());
    match row.kind {
        RecordKind::Demo => {
            let action = count_into(ServerAction::<AddDemo>::new(), corrected);
            view! { <DemoForm project_id action existing /> }.into_any()
        }
        RecordKind::Evidence => {
            let action = count_into(ServerAction::<AddEvidence>::new(), corrected);
            view! { <EvidenceForm project_id action existing /> }.into_any()
        }
        RecordKind::Signoff => {
            let action = count_into(ServerAction::<AddSignoff>::new(), corrected);
            view! { <SignoffForm project_id action existing /> }.into_any()
        }
        RecordKind::Review => {
            let action = count_into(ServerAction::<AddReview>::new(), corrected);
            view! { <ReviewForm project_id action existing /> }.into_any()
        }
    }
}

#[component]
fn RecordList(
    project_id: Uuid,
    rows: Vec<RecordRow>,
    user: CurrentUser,
    actions: RecordActions,
) -> impl IntoView {
    let withdraw = actions.withdraw;
    if rows.is_empty() {
        return view! { <p class="muted" data-test="no-records">"None yet."</p> }.into_any();
    }
    let error = action_error(withdraw);
    let items = rows
        .into_iter()
        .map(|row| {
            // Its author or an admin may correct or withdraw a record, until it is withdrawn.
            let may_change = row.withdrawn.is_none() && (row.author_id == user.id || user.role == Role::Admin);
            let correction = may_change.then(|| correction_form(project_id, &row, actions.corrected));
            let details = row
                .details
                .iter()
                .map(|(label, value)| view! { <div><dt>{label.clone()}</dt><dd class="prewrap">{value.clone()}</dd></div> })
                .collect_view();
            let withdrawn = row.withdrawn.clone().map(|w| {
                view! {
                    <p class="warning-text small" data-test="withdrawn">
                        {format!("Withdrawn by {} on ", w.by)} <LocalTime at=w.at /> {format!(": {}", w.reason)}
                    </p>
                }
            });
            let reason_id = format!("withdraw-reason-{}", row.id);
            let withdraw_form = may_change.then(|| view! {
                <details class="withdraw">
                    <summary>"Withdraw…"</summary>
                    <ActionForm action=withdraw attr:class="form-stack">
                        <input type="hidden" name="kind" value=row.kind.as_str() />
                        <input type="hidden" name="record_id" value=row.id.to_string() />
                        <label for=reason_id.clone()>"Why is it withdrawn?"</label>
                        <input id=reason_id name="reason" type="text" />
                        <button type="submit" class="button small danger">"Withdraw record"</button>
                    </ActionForm>
                </details>
            });
            view! {
                <li class="record" class:withdrawn=row.withdrawn.is_some() data-test="record">
                    <p>
                        <span class="strong">{row.verdict.clone()}</span>
                        <span class="muted small">
                            {format!(" · {} · by {}", row.on.format("%-d %b %Y"), row.author)}
                        </span>
                    </p>
                    <p class="prewrap">{row.headline.clone()}</p>
                    <dl class="record-details">{details}</dl>
                    {withdrawn}
                    {correction}
                    {withdraw_form}
                </li>
            }
        })
        .collect_view();
    view! {
        <FormAlert message=form_message(error) />
        <ul class="record-list">{items}</ul>
    }
    .into_any()
}

/// How a record form starts: empty for a new record, or filled with the record it corrects.
#[derive(Clone)]
struct FormStart {
    /// Keeps ids unique when one page holds several forms of a kind.
    prefix: String,
    values: FormValues,
    correcting: Option<Uuid>,
}

impl FormStart {
    fn new(kind: RecordKind, existing: Option<(Uuid, FormValues)>) -> Self {
        match existing {
            Some((id, values)) => FormStart {
                prefix: format!("{}-{id}-", kind.as_str()),
                values,
                correcting: Some(id),
            },
            None => FormStart {
                prefix: format!("{}-", kind.as_str()),
                values: FormValues::default(),
                correcting: None,
            },
        }
    }

    /// A field's starting value, or `fallback` on a new record.
    fn value(&self, field: &str, fallback: impl FnOnce() -> String) -> String {
        match self.correcting {
            Some(_) => self.values.get(field),
            None => fallback(),
        }
    }

    /// The hidden field that turns the submission into a correction.
    fn hidden(&self) -> impl IntoView {
        self.correcting
            .map(|id| view! { <input type="hidden" name="correcting" value=id.to_string() /> })
    }

    fn test_id(&self, kind: RecordKind) -> String {
        match self.correcting {
            Some(_) => format!("correct-{}-form", kind.as_str()),
            None => format!("{}-form", kind.as_str()),
        }
    }

    fn labels(&self, new: (&'static str, &'static str)) -> (&'static str, &'static str) {
        match self.correcting {
            Some(_) => ("Correct…", "Save correction"),
            None => new,
        }
    }
}

/// The frame every record form shares: folded away until opened (and open while refused), the
/// form's alert, the project and — when correcting — the record corrected, the fields
/// (`children`) and the submit button.
#[component]
fn RecordFormFrame<S, OutputProtocol>(
    action: ServerAction<S>,
    project_id: Uuid,
    kind: RecordKind,
    start: FormStart,
    /// The summary and the button when adding (a correction says "Correct…", "Save correction").
    adding: (&'static str, &'static str),
    children: Children,
) -> impl IntoView
where
    S: serde::de::DeserializeOwned
        + ServerFn<Protocol = Http<PostUrl, OutputProtocol>, Error = AppError>
        + Clone
        + Send
        + Sync
        + 'static,
    <<S::Client as Client<AppError>>::Request as ClientReq<AppError>>::FormData:
        From<leptos::web_sys::FormData>,
    S::Output: Clone + Send + Sync + 'static,
    S::Client: Client<AppError>,
{
    let error = action_error(action);
    let (form, details) = reset_on_success(action);
    let (summary, button) = start.labels(adding);
    let (test_id, hidden) = (start.test_id(kind), start.hidden());
    view! {
        <details class="add-record" node_ref=details open=move || error.get().is_some()>
            <summary>{summary}</summary>
            <FormAlert message=form_message(error) />
            <ActionForm action node_ref=form attr:novalidate="" attr:data-test=test_id>
                <input type="hidden" name="project_id" value=project_id.to_string() />
                {hidden}
                {children()}
                <button type="submit" class="button primary">{button}</button>
            </ActionForm>
        </details>
    }
}

#[component]
fn DemoForm(
    project_id: Uuid,
    action: ServerAction<AddDemo>,
    #[prop(optional)] existing: Option<(Uuid, FormValues)>,
) -> impl IntoView {
    let error = action_error(action);
    let m = move |f: &'static str| field_message(error, f);
    let start = FormStart::new(RecordKind::Demo, existing);
    let p = start.prefix.clone();
    let values = start.values.clone();
    view! {
        <RecordFormFrame action project_id kind=RecordKind::Demo start=start.clone() adding=("Add a demo checkpoint", "Add demo")>
            <div class="form-grid">
                <Field label="Held on" name="held_on" input_type="date" id_prefix=p.clone() value=start.value("held_on", today) error=m("held_on") />
                <SelectField label="Outcome" name="outcome" id_prefix=p.clone() options={options::<Outcome>()} selected=values.get("outcome") error=m("outcome") />
            </div>
            <Field label="Attendees" name="attendees" id_prefix=p.clone() value=values.get("attendees") error=m("attendees") />
            <TextArea label="What was shown and learned" name="summary" id_prefix=p.clone() value=values.get("summary") rows=3 error=m("summary") />
            <Field label="Link (optional)" name="link" input_type="url" id_prefix=p value=values.get("link") error=m("link") />
        </RecordFormFrame>
    }
}

#[component]
fn EvidenceForm(
    project_id: Uuid,
    action: ServerAction<AddEvidence>,
    #[prop(optional)] existing: Option<(Uuid, FormValues)>,
) -> impl IntoView {
    let error = action_error(action);
    let m = move |f: &'static str| field_message(error, f);
    let start = FormStart::new(RecordKind::Evidence, existing);
    let p = start.prefix.clone();
    let values = start.values.clone();
    view! {
        <RecordFormFrame action project_id kind=RecordKind::Evidence start=start.clone() adding=("Add user-research evidence", "Add evidence")>
            <div class="form-grid">
                <SelectField label="Kind" name="kind" id_prefix=p.clone() options={options::<ResearchKind>()} selected=values.get("kind") error=m("kind") />
                <Field label="Held on" name="held_on" input_type="date" id_prefix=p.clone() value=start.value("held_on", today) error=m("held_on") />
                <Field label="Participants" name="participants" input_type="number" id_prefix=p.clone() value=values.get("participants") error=m("participants") />
            </div>
            <Field label="Title" name="title" id_prefix=p.clone() value=values.get("title") error=m("title") />
            <TextArea label="Findings" name="findings" id_prefix=p.clone() value=values.get("findings") rows=3 error=m("findings") />
            <Field label="Link (optional)" name="link" input_type="url" id_prefix=p value=values.get("link") error=m("link") />
        </RecordFormFrame>
    }
}

#[component]
fn SignoffForm(
    project_id: Uuid,
    action: ServerAction<AddSignoff>,
    #[prop(optional)] existing: Option<(Uuid, FormValues)>,
) -> impl IntoView {
    let error = action_error(action);
    let m = move |f: &'static str| field_message(error, f);
    let start = FormStart::new(RecordKind::Signoff, existing);
    let p = start.prefix.clone();
    let values = start.values.clone();
    view! {
        <RecordFormFrame action project_id kind=RecordKind::Signoff start=start.clone() adding=("Record a sign-off", "Record sign-off")>
            <div class="form-grid">
                <Field label="Method" name="method" id_prefix=p.clone() hint="SHAP, LIME, anchors, counterfactuals, interpretable model…" value=values.get("method") error=m("method") />
                <SelectField label="Decision" name="decision" id_prefix=p.clone() options={options::<SignoffDecision>()} selected=values.get("decision") error=m("decision") />
                <Field label="Decided on" name="decided_on" input_type="date" id_prefix=p.clone() value=start.value("decided_on", today) error=m("decided_on") />
            </div>
            <TextArea label="What the explanation showed" name="summary" id_prefix=p value=values.get("summary") rows=3 error=m("summary") />
        </RecordFormFrame>
    }
}

#[component]
fn ReviewForm(
    project_id: Uuid,
    action: ServerAction<AddReview>,
    #[prop(optional)] existing: Option<(Uuid, FormValues)>,
) -> impl IntoView {
    let error = action_error(action);
    let m = move |f: &'static str| field_message(error, f);
    let start = FormStart::new(RecordKind::Review, existing);
    let p = start.prefix.clone();
    let values = start.values.clone();
    let tiers = RiskTier::ALL
        .iter()
        .map(|t| (t.as_str().to_owned(), t.label().to_owned()))
        .collect();
    view! {
        <RecordFormFrame action project_id kind=RecordKind::Review start=start.clone() adding=("Record a model-risk review", "Record review")>
            <div class="form-grid">
                <SelectField label="Risk tier" name="risk_tier" id_prefix=p.clone() options=tiers selected=start.value("risk_tier", || "medium".into()) error=m("risk_tier") />
                <SelectField label="Decision" name="decision" id_prefix=p.clone() options={options::<ReviewDecision>()} selected=values.get("decision") error=m("decision") />
                <Field label="Reviewed on" name="reviewed_on" input_type="date" id_prefix=p.clone() value=start.value("reviewed_on", today) error=m("reviewed_on") />
                <Field label="Next review due (optional)" name="next_review_on" input_type="date" id_prefix=p.clone()
                    hint="Empty: 6, 12 or 24 months by tier." value=values.get("next_review_on") error=m("next_review_on") />
            </div>
            <TextArea label="Findings" name="findings" id_prefix=p value=values.get("findings") rows=3 error=m("findings") />
        </RecordFormFrame>
    }
}
