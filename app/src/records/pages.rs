//! The records on the project page: each kind listed with its form, and withdrawal.

use super::{
    AddDemo, AddEvidence, AddReview, AddSignoff, RecordKind, RecordRow, WithdrawRecord, OUTCOMES,
    RESEARCH_KINDS, REVIEW_DECISIONS, SIGNOFF_DECISIONS,
};
use crate::auth::{CurrentUser, Permission, Role};
use crate::projects::stage::RiskTier;
use crate::ui::{
    action_error, field_message, form_message, format_instant, Field, FormAlert, SelectField, TextArea,
};
use leptos::prelude::*;
use uuid::Uuid;

/// The record actions of one project page, so the page reloads after any of them lands.
#[derive(Clone, Copy)]
pub struct RecordActions {
    pub demo: ServerAction<AddDemo>,
    pub evidence: ServerAction<AddEvidence>,
    pub signoff: ServerAction<AddSignoff>,
    pub review: ServerAction<AddReview>,
    pub withdraw: ServerAction<WithdrawRecord>,
}

impl RecordActions {
    pub fn new() -> Self {
        RecordActions {
            demo: ServerAction::new(),
            evidence: ServerAction::new(),
            signoff: ServerAction::new(),
            review: ServerAction::new(),
            withdraw: ServerAction::new(),
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
        Memo::new(move |_| counts.iter().map(|c| c.get()).sum())
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

fn options(values: &[&str]) -> Vec<(String, String)> {
    values.iter().map(|v| (v.to_string(), super::words(v))).collect()
}

/// Today as `<input type=date>` wants it.
fn today() -> String {
    chrono::Utc::now().date_naive().to_string()
}

#[component]
pub fn Records(
    project_id: Uuid,
    rows: Vec<RecordRow>,
    user: CurrentUser,
    actions: RecordActions,
) -> impl IntoView {
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
                <RecordList rows=of(kind) user=user.clone() withdraw=actions.withdraw />
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

#[component]
fn RecordList(
    rows: Vec<RecordRow>,
    user: CurrentUser,
    withdraw: ServerAction<WithdrawRecord>,
) -> impl IntoView {
    if rows.is_empty() {
        return view! { <p class="muted" data-test="no-records">"None yet."</p> }.into_any();
    }
    let error = action_error(withdraw);
    let items = rows
        .into_iter()
        .map(|row| {
            let may_withdraw = row.withdrawn.is_none() && (row.author_id == user.id || user.role == Role::Admin);
            let details = row
                .details
                .iter()
                .map(|(label, value)| view! { <div><dt>{label.clone()}</dt><dd class="prewrap">{value.clone()}</dd></div> })
                .collect_view();
            let withdrawn = row.withdrawn.clone().map(|w| {
                view! {
                    <p class="warning-text small" data-test="withdrawn">
                        {format!("Withdrawn by {} on {}: {}", w.by, format_instant(w.at), w.reason)}
                    </p>
                }
            });
            let reason_id = format!("withdraw-reason-{}", row.id);
            let withdraw_form = may_withdraw.then(|| view! {
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

#[component]
fn DemoForm(project_id: Uuid, action: ServerAction<AddDemo>) -> impl IntoView {
    let error = action_error(action);
    let m = move |f: &'static str| field_message(error, f);
    let (form, details) = reset_on_success(action);
    view! {
        <details class="add-record" node_ref=details open=move || error.get().is_some()>
            <summary>"Add a demo checkpoint"</summary>
            <FormAlert message=form_message(error) />
            <ActionForm action node_ref=form attr:novalidate="" attr:data-test="demo-form">
                <input type="hidden" name="project_id" value=project_id.to_string() />
                <div class="form-grid">
                    <Field label="Held on" name="held_on" input_type="date" id_prefix="demo-" value=today() error=m("held_on") />
                    <SelectField label="Outcome" name="outcome" id_prefix="demo-" options=options(&OUTCOMES) error=m("outcome") />
                </div>
                <Field label="Attendees" name="attendees" id_prefix="demo-" error=m("attendees") />
                <TextArea label="What was shown and learned" name="summary" rows=3 error=m("summary") />
                <Field label="Link (optional)" name="link" input_type="url" id_prefix="demo-" error=m("link") />
                <button type="submit" class="button primary">"Add demo"</button>
            </ActionForm>
        </details>
    }
}

#[component]
fn EvidenceForm(project_id: Uuid, action: ServerAction<AddEvidence>) -> impl IntoView {
    let error = action_error(action);
    let m = move |f: &'static str| field_message(error, f);
    let (form, details) = reset_on_success(action);
    view! {
        <details class="add-record" node_ref=details open=move || error.get().is_some()>
            <summary>"Add user-research evidence"</summary>
            <FormAlert message=form_message(error) />
            <ActionForm action node_ref=form attr:novalidate="" attr:data-test="evidence-form">
                <input type="hidden" name="project_id" value=project_id.to_string() />
                <div class="form-grid">
                    <SelectField label="Kind" name="kind" id_prefix="evidence-" options=options(&RESEARCH_KINDS) error=m("kind") />
                    <Field label="Held on" name="held_on" input_type="date" id_prefix="evidence-" value=today() error=m("held_on") />
                    <Field label="Participants" name="participants" input_type="number" id_prefix="evidence-" error=m("participants") />
                </div>
                <Field label="Title" name="title" id_prefix="evidence-" error=m("title") />
                <TextArea label="Findings" name="findings" rows=3 error=m("findings") />
                <Field label="Link (optional)" name="link" input_type="url" id_prefix="evidence-" error=m("link") />
                <button type="submit" class="button primary">"Add evidence"</button>
            </ActionForm>
        </details>
    }
}

#[component]
fn SignoffForm(project_id: Uuid, action: ServerAction<AddSignoff>) -> impl IntoView {
    let error = action_error(action);
    let m = move |f: &'static str| field_message(error, f);
    let (form, details) = reset_on_success(action);
    view! {
        <details class="add-record" node_ref=details open=move || error.get().is_some()>
            <summary>"Record a sign-off"</summary>
            <FormAlert message=form_message(error) />
            <ActionForm action node_ref=form attr:novalidate="" attr:data-test="signoff-form">
                <input type="hidden" name="project_id" value=project_id.to_string() />
                <div class="form-grid">
                    <Field label="Method" name="method" id_prefix="signoff-" hint="SHAP, LIME, anchors, counterfactuals, interpretable model…" error=m("method") />
                    <SelectField label="Decision" name="decision" id_prefix="signoff-" options=options(&SIGNOFF_DECISIONS) error=m("decision") />
                    <Field label="Decided on" name="decided_on" input_type="date" id_prefix="signoff-" value=today() error=m("decided_on") />
                </div>
                <TextArea label="What the explanation showed" name="summary" rows=3 error=m("summary") />
                <button type="submit" class="button primary">"Record sign-off"</button>
            </ActionForm>
        </details>
    }
}

#[component]
fn ReviewForm(project_id: Uuid, action: ServerAction<AddReview>) -> impl IntoView {
    let error = action_error(action);
    let m = move |f: &'static str| field_message(error, f);
    let (form, details) = reset_on_success(action);
    let tiers = RiskTier::ALL
        .iter()
        .map(|t| (t.as_str().to_owned(), t.label().to_owned()))
        .collect();
    view! {
        <details class="add-record" node_ref=details open=move || error.get().is_some()>
            <summary>"Record a model-risk review"</summary>
            <FormAlert message=form_message(error) />
            <ActionForm action node_ref=form attr:novalidate="" attr:data-test="review-form">
                <input type="hidden" name="project_id" value=project_id.to_string() />
                <div class="form-grid">
                    <SelectField label="Risk tier" name="risk_tier" id_prefix="review-" options=tiers selected="medium" error=m("risk_tier") />
                    <SelectField label="Decision" name="decision" id_prefix="review-" options=options(&REVIEW_DECISIONS) error=m("decision") />
                    <Field label="Reviewed on" name="reviewed_on" input_type="date" id_prefix="review-" value=today() error=m("reviewed_on") />
                    <Field label="Next review due (optional)" name="next_review_on" input_type="date" id_prefix="review-"
                        hint="Empty: 6, 12 or 24 months by tier." error=m("next_review_on") />
                </div>
                <TextArea label="Findings" name="findings" rows=3 error=m("findings") />
                <button type="submit" class="button primary">"Record review"</button>
            </ActionForm>
        </details>
    }
}
