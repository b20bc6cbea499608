//! Conditions on the project page: each with its owner, due date and state, the forms that
//! close one (met, waived), and the reviewer's form that adds one; and the reviewer's
//! acknowledgement of a change of goal.

use super::{AcknowledgeDrift, AddCondition, Condition, ConditionStatus, ResolveCondition};
use crate::auth::{CurrentUser, Permission, Role};
use crate::ui::{action_error, field_message, form_message, Field, FormAlert, SelectField, TextArea};
use chrono::NaiveDate;
use leptos::prelude::*;
use uuid::Uuid;

/// The actions of the conditions section, created with the page so that a success reloads it.
#[derive(Clone, Copy)]
pub struct ConditionActions {
    pub add: ServerAction<AddCondition>,
    pub resolve: ServerAction<ResolveCondition>,
    pub acknowledge: ServerAction<AcknowledgeDrift>,
}

impl ConditionActions {
    pub fn new() -> Self {
        ConditionActions {
            add: ServerAction::new(),
            resolve: ServerAction::new(),
            acknowledge: ServerAction::new(),
        }
    }
}

impl Default for ConditionActions {
    fn default() -> Self {
        Self::new()
    }
}

fn day(on: NaiveDate) -> String {
    on.format("%-d %b %Y").to_string()
}

/// A project's conditions. Shown when it has some, or a review approved with conditions to
/// which a reviewer may add them (`reviews`: id and label of each).
#[component]
pub fn Conditions(
    project_id: Uuid,
    conditions: Vec<Condition>,
    reviews: Vec<(Uuid, String)>,
    user: CurrentUser,
    actions: ConditionActions,
    today: NaiveDate,
) -> impl IntoView {
    if conditions.is_empty() && reviews.is_empty() {
        return ().into_any();
    }
    let resolve_error = action_error(actions.resolve);
    let items = conditions
        .into_iter()
        .map(|c| {
            let state = match c.status {
                ConditionStatus::Open if c.overdue(today) => {
                    view! { <span class="warning-text">{format!("Overdue since {}", day(c.due_on))}</span> }.into_any()
                }
                ConditionStatus::Open => view! { <span>{format!("Due {}", day(c.due_on))}</span> }.into_any(),
                status => {
                    let by = c.resolved_by.clone().unwrap_or_default();
                    let note = (!c.resolution.is_empty()).then(|| format!(": {}", c.resolution));
                    view! { <span>{format!("{} by {by}", status.label())}{note}</span> }.into_any()
                }
            };
            let open = c.status == ConditionStatus::Open;
            let may_meet = open && (c.owner_id == user.id || user.role.can(Permission::ReviewModels));
            let may_waive = open && user.role == Role::Admin;
            let meet = may_meet.then(|| {
                let id = format!("meet-{}", c.id);
                view! {
                    <details class="condition-action">
                        <summary>"Mark met…"</summary>
                        <ActionForm action=actions.resolve attr:class="form-stack" attr:data-test="meet-form">
                            <input type="hidden" name="condition_id" value=c.id.to_string() />
                            <input type="hidden" name="to" value="met" />
                            <label for=id.clone()>"Note or link (optional)"</label>
                            <textarea id=id name="resolution" rows="2" maxlength="2000"></textarea>
                            <button type="submit" class="button small">"Mark met"</button>
                        </ActionForm>
                    </details>
                }
            });
            let waive = may_waive.then(|| {
                let id = format!("waive-{}", c.id);
                view! {
                    <details class="condition-action">
                        <summary>"Waive…"</summary>
                        <ActionForm action=actions.resolve attr:class="form-stack" attr:data-test="waive-form">
                            <input type="hidden" name="condition_id" value=c.id.to_string() />
                            <input type="hidden" name="to" value="waived" />
                            <label for=id.clone()>"Why is it waived? (required)"</label>
                            <textarea id=id name="resolution" rows="2" maxlength="2000"></textarea>
                            <button type="submit" class="button small danger">"Waive"</button>
                        </ActionForm>
                    </details>
                }
            });
            view! {
                <li class="condition" data-test="condition" data-status=c.status.as_str()
                    data-overdue=c.overdue(today).to_string()>
                    <p class="strong"><bdi>{c.text.clone()}</bdi></p>
                    <p class="muted small">"Owner: " <bdi>{c.owner_name.clone()}</bdi> " · " {state}</p>
                    {meet}
                    {waive}
                </li>
            }
        })
        .collect_view();
    let add = (user.role.can(Permission::ReviewModels) && !reviews.is_empty()).then(|| {
        let error = action_error(actions.add);
        let m = move |f: &'static str| field_message(error, f);
        let review_field = if reviews.len() == 1 {
            view! { <input type="hidden" name="review_id" value=reviews[0].0.to_string() /> }.into_any()
        } else {
            let options = reviews.iter().map(|(id, label)| (id.to_string(), label.clone())).collect();
            view! { <SelectField label="Review" name="review_id" id_prefix="condition-" options error=m("review_id") /> }
                .into_any()
        };
        view! {
            <details class="add-record" open=move || error.get().is_some()>
                <summary>"Add a condition"</summary>
                <FormAlert message=form_message(error) />
                <ActionForm action=actions.add attr:novalidate="" attr:data-test="condition-form" attr:class="form-stack">
                    <input type="hidden" name="project_id" value=project_id.to_string() />
                    {review_field}
                    <TextArea label="Condition" name="text" id_prefix="condition-" rows=2
                        hint="What must be done, e.g. \u{201c}Monitor drift monthly\u{201d}." error=m("text") />
                    <div class="form-grid">
                        <Field label="Owner's email" name="owner_email" input_type="email" id_prefix="condition-" error=m("owner_email") />
                        <Field label="Due on" name="due_on" input_type="date" id_prefix="condition-" error=m("due_on") />
                    </div>
                    <button type="submit" class="button primary">"Add condition"</button>
                </ActionForm>
            </details>
        }
    });
    view! {
        <section class="card" id="conditions" data-test="conditions" aria-labelledby="conditions-title">
            <h2 id="conditions-title">"Review conditions"</h2>
            <FormAlert message=form_message(resolve_error) />
            <ul class="plain-list conditions">{items}</ul>
            {add}
        </section>
    }
    .into_any()
}

/// A reviewer's acknowledgement of a change of goal that made the project drift.
#[component]
pub fn AcknowledgeDriftForm(project_id: Uuid, action: ServerAction<AcknowledgeDrift>) -> impl IntoView {
    let error = action_error(action);
    view! {
        <ActionForm action attr:data-test="acknowledge-drift" attr:class="inline-form acknowledge">
            <input type="hidden" name="project_id" value=project_id.to_string() />
            <button type="submit" class="button small">"Acknowledge the change of goal"</button>
        </ActionForm>
        <FormAlert message=form_message(error) />
    }
}
