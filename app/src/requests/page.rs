//! The project page's "Review requests" card: what is asked of whom, and the form to ask.

use super::{RequestKind, RequestReview, ReviewRequest, WithdrawRequest};
use crate::projects::OwnerChoices;
use crate::ui::{
    action_error, field_message, form_message, Field, FormAlert, LocalTime, SelectField, TextArea,
};
use leptos::prelude::*;
use uuid::Uuid;

#[component]
pub fn ReviewRequests(
    project_id: Uuid,
    requests: Vec<ReviewRequest>,
    /// Editors and admins may ask and withdraw.
    can_ask: bool,
    /// Who may be asked (active reviewers and admins), or a box for an email address.
    reviewers: OwnerChoices,
    ask: ServerAction<RequestReview>,
    withdraw: ServerAction<WithdrawRequest>,
) -> impl IntoView {
    let error = action_error(ask);
    let m = move |f: &'static str| field_message(error, f);
    let withdraw_error = action_error(withdraw);
    let open = if requests.is_empty() {
        view! { <p class="muted" data-test="no-requests">"Nobody has been asked for a decision."</p> }
            .into_any()
    } else {
        let items = requests
            .into_iter()
            .map(|r| {
                let asked = r.reviewer.clone().unwrap_or_else(|| "any reviewer".into());
                let due = r.due_on.map(|d| format!(" · due by {}", d.format("%-d %b %Y")));
                let note = (!r.note.is_empty()).then(|| view! { <p class="prewrap">{r.note.clone()}</p> });
                let withdraw_label = format!("Withdraw the request to {asked}");
                let button = can_ask.then(|| view! {
                    <ActionForm action=withdraw attr:class="inline-form">
                        <input type="hidden" name="request_id" value=r.id.to_string() />
                        <button type="submit" class="button small link">
                            {withdraw_label}
                        </button>
                    </ActionForm>
                });
                view! {
                    <li class="record" data-test="review-request" data-kind=r.kind.as_str()>
                        <p>
                            <span class="strong">{r.kind.label()}</span>
                            " asked of " <bdi class="strong">{asked.clone()}</bdi>
                            " by " <bdi>{r.requested_by.clone()}</bdi> " since " <LocalTime at=r.requested_at />
                            {due}
                        </p>
                        {note}
                        {button}
                    </li>
                }
            })
            .collect_view();
        view! { <ul class="record-list">{items}</ul> }.into_any()
    };
    let kinds: Vec<(String, String)> = RequestKind::ALL
        .iter()
        .map(|k| (k.as_str().to_owned(), k.label().to_owned()))
        .collect();
    let ask_whom = match reviewers {
        OwnerChoices::Menu(people) => {
            let people: Vec<(String, String)> = std::iter::once((String::new(), "Any reviewer".to_owned()))
                .chain(people.iter().map(|p| (p.id.to_string(), p.display_name.clone())))
                .collect();
            view! {
                <SelectField label="Ask" name="reviewer_id" group="input" id_prefix="request-" options=people error=m("reviewer_id") />
            }
            .into_any()
        }
        OwnerChoices::ByEmail => view! {
            <Field label="Ask (their email address)" name="reviewer_email" group="input" input_type="email"
                id_prefix="request-" hint="Leave empty to ask any reviewer." error=m("reviewer_email") />
        }
        .into_any(),
    };
    let form = can_ask.then(|| view! {
        <details class="add-record" open=move || error.get().is_some()>
            <summary>"Ask for a sign-off or review"</summary>
            <FormAlert message=form_message(error) />
            <ActionForm action=ask attr:novalidate="" attr:data-test="request-form">
                <input type="hidden" name="project_id" value=project_id.to_string() />
                <div class="form-grid">
                    <SelectField label="Decision needed" name="kind" group="input" id_prefix="request-" options=kinds error=m("kind") />
                    {ask_whom}
                    <Field label="Due by (optional)" name="due_on" group="input" input_type="date" id_prefix="request-" error=m("due_on") />
                </div>
                <TextArea label="Note (optional)" name="note" group="input" id_prefix="request-" rows=2 error=m("note") />
                <button type="submit" class="button primary">"Send the request"</button>
            </ActionForm>
        </details>
    });
    view! {
        <div class="card" data-test="review-requests" id="review-requests">
            <h2>"Review requests"</h2>
            <FormAlert message=form_message(withdraw_error) />
            {open}
            {form}
        </div>
    }
}
