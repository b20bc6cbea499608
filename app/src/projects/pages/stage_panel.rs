//! The project page's stage panel: the gate into the next stage as a checklist, and the forms
//! that move the project (an admin's override with its justification included).

use crate::error::AppError;
use crate::projects::gate::{gate_items, is_met, RecordFacts};
use crate::projects::stage::Stage;
use crate::projects::{MoveStage, OwnerChoices, Person, Project};
use crate::ui::{action_error, field_message, Alert, FieldErrorText, FormAlert, LocalTime};
use leptos::prelude::*;

/// The gate into the next stage as a checklist, and the forms that move the project.
#[component]
pub(super) fn StagePanel(
    project: Project,
    records: RecordFacts,
    /// Approvals a material change voided: said next to their item.
    voided: Vec<crate::projects::VoidedApproval>,
    can_edit: bool,
    /// Admins may push a refused move through with a written justification.
    can_override: bool,
    move_stage: ServerAction<MoveStage>,
    /// Who may own a stage (active editors and admins), or a box for an email.
    candidates: OwnerChoices,
    owners: Vec<crate::projects::StageOwner>,
) -> impl IntoView {
    let override_form = {
        let (id, version, next) = (project.id, project.version, project.stage.next());
        move || {
            let refused = match move_stage.value().get() {
                Some(Err(AppError::GateNotMet { .. })) => true,
                Some(Err(error)) => error.fields().is_some_and(|f| f.get("justification").is_some()),
                _ => false,
            };
            let message = field_message(action_error(move_stage), "justification");
            (can_override && refused).then(|| next.map(|next| view! {
                <ActionForm action=move_stage attr:class="form-stack override" attr:data-test="override-form">
                    <input type="hidden" name="id" value=id.to_string() />
                    <input type="hidden" name="version" value=version.to_string() />
                    <input type="hidden" name="to" value=next.as_str() />
                    <input type="hidden" name="override_gate" value="true" />
                    <div class="field" class:field-invalid=move || message.get().is_some()>
                        <label for="override-justification">"Admin override: why move on without these?"</label>
                        <textarea id="override-justification" name="justification" rows="2"
                            aria-describedby="override-justification-error"></textarea>
                        <FieldErrorText id="override-justification-error".into() error=message />
                    </div>
                    <button type="submit" class="button danger">"Override the gate and move to " {next.label()}</button>
                </ActionForm>
            }))
        }
    };
    let error = action_error(move_stage);
    // After a refused move, focus goes to the refusal so a screen reader reads what is missing.
    let refusal = NodeRef::<leptos::html::Div>::new();
    Effect::new(move |_| {
        if matches!(error.get(), Some(AppError::GateNotMet { .. })) {
            request_animation_frame(move || {
                if let Some(alert) = refusal.get_untracked() {
                    let _ = alert.focus();
                }
            });
        }
    });
    let (project_id, next_stage) = (project.id, project.stage.next());
    let missing = move || {
        match error.get() {
        Some(AppError::GateNotMet { message, missing }) => Some(view! {
            <div class="alert alert-error" role="alert" data-test="move-refused" tabindex="-1" node_ref=refusal>
                <p class="strong">{message.split(". Still missing").next().unwrap_or_default().to_owned()} "."</p>
                <p>"Still missing:"</p>
                <ul>{missing.into_iter().map(|m| {
                    // Each item links to the field or record form that puts it right.
                    let fix = next_stage
                        .and_then(|next| gate_items(next).iter().find(|i| i.describe() == m).copied())
                        .map(|item| item.fix_at(project_id));
                    match fix {
                        Some(href) => view! { <li><a href=href>{m}</a></li> }.into_any(),
                        None => view! { <li>{m}</li> }.into_any(),
                    }
                }).collect_view()}</ul>
            </div>
        }
        .into_any()),
        Some(AppError::Invalid(_)) | None => None,
        Some(other) => Some(view! { <FormAlert message=Some(Alert::from(other)) /> }.into_any()),
    }
    };
    let facts = project.gate_facts(records);
    let checklist = project.stage.next().map(|next| {
        let items = gate_items(next)
            .iter()
            .map(|item| {
                let met = is_met(*item, &facts);
                let void = voided
                    .iter()
                    .find(|v| v.item == *item && !met)
                    .map(|v| view! { <span class="voided" data-test="voided">" — the last one was " {v.describe()}</span> });
                view! {
                    <li class:met=met class:missing=!met data-test="gate-item">
                        <span class="check" aria-hidden="true">{if met { "✓" } else { "○" }}</span>
                        <span class="visually-hidden">{if met { "Done: " } else { "Missing: " }}</span>
                        {item.describe()}
                        {void}
                    </li>
                }
            })
            .collect_view();
        view! {
            <h3>"To enter " {next.label()}</h3>
            <ul class="checklist" data-test="gate-checklist">{items}</ul>
        }
        .into_any()
    });
    let forward = project.stage.next().filter(|_| can_edit).map(|next| {
        // The next stage's owner: whoever already owns it, else the owner of the stage being
        // left (when they may own one), else nobody until someone chooses.
        let owner_of = |stage: Stage| owners.iter().find(|o| o.stage == stage).map(|o| o.owner.id);
        let proposed = owner_of(next).or_else(|| owner_of(project.stage)).filter(|id| match &candidates {
            OwnerChoices::Menu(people) => people.iter().any(|p| p.id == *id),
            OwnerChoices::ByEmail => owners.iter().any(|o| o.owner.id == *id && o.owner.active),
        });
        // With a menu, everyone who may own it; otherwise the one proposed, and a box for
        // anyone else's email.
        let menu: Vec<Person> = match &candidates {
            OwnerChoices::Menu(people) => people.clone(),
            OwnerChoices::ByEmail => owners
                .iter()
                .filter(|o| Some(o.owner.id) == proposed)
                .map(|o| o.owner.clone())
                .take(1)
                .collect(),
        };
        let options = menu
            .iter()
            .map(|p| {
                let selected = Some(p.id) == proposed;
                view! { <option value=p.id.to_string() selected=selected>{p.display_name.clone()}</option> }
            })
            .collect_view();
        let email_box = matches!(candidates, OwnerChoices::ByEmail).then(|| view! {
            <div class="field" class:field-invalid=move || field_message(error, "next_owner_email").get().is_some()>
                <label for="next-owner-email">"Or someone else: their email address"</label>
                <input id="next-owner-email" name="next_owner_email" type="email" maxlength="254"
                    autocomplete="off" aria-describedby="next-owner-email-error" data-test="next-owner-email" />
                <FieldErrorText id="next-owner-email-error".into() error=field_message(error, "next_owner_email") />
            </div>
        });
        view! {
            <ActionForm action=move_stage attr:data-test="move-forward-form" attr:class="form-stack move-forward">
                <input type="hidden" name="id" value=project.id.to_string() />
                <input type="hidden" name="version" value=project.version.to_string() />
                <input type="hidden" name="to" value=next.as_str() />
                <div class="field" class:field-invalid=move || field_message(error, "next_owner").get().is_some()>
                    <label for="next-owner">{format!("Owner of {}", next.label())}</label>
                    <select id="next-owner" name="next_owner" aria-describedby="next-owner-hint next-owner-error">
                        <option value="" selected=proposed.is_none()>"Nobody for now (the project shows as ownerless)"</option>
                        {options}
                    </select>
                    <p class="hint" id="next-owner-hint">"Who is accountable once the project is in " {next.label()} "."</p>
                    <FieldErrorText id="next-owner-error".into() error=field_message(error, "next_owner") />
                </div>
                {email_box}
                <div>
                    <button type="submit" class="button primary" disabled=move || move_stage.pending().get()>
                        "Move to " {next.label()}
                    </button>
                </div>
            </ActionForm>
        }
    });
    let earlier: Vec<Stage> = Stage::ALL
        .iter()
        .copied()
        .filter(|s| *s < project.stage)
        .collect();
    let back = (can_edit && !earlier.is_empty()).then(|| {
        let options = earlier
            .iter()
            .rev()
            .map(|s| view! { <option value=s.as_str()>{s.label()}</option> })
            .collect_view();
        view! {
            <details class="pivot">
                <summary>"Go back a stage (pivot)"</summary>
                <ActionForm action=move_stage attr:data-test="move-back-form" attr:class="form-stack">
                    <input type="hidden" name="id" value=project.id.to_string() />
                    <input type="hidden" name="version" value=project.version.to_string() />
                    <div class="field">
                        <label for="pivot-to">"Back to"</label>
                        <select id="pivot-to" name="to">{options}</select>
                    </div>
                    <div class="field" class:field-invalid=move || field_message(error, "note").get().is_some()>
                        <label for="pivot-note">"Why? (required)"</label>
                        <textarea id="pivot-note" name="note" rows="2"
                            aria-describedby="pivot-note-error"></textarea>
                        <FieldErrorText id="pivot-note-error".into() error=field_message(error, "note") />
                    </div>
                    <button type="submit" class="button">"Move back"</button>
                </ActionForm>
            </details>
        }
    });
    view! {
        <div class="card" data-test="stage-panel">
            <h2>"Stage: " {project.stage.label()}</h2>
            <p class="muted small">"In this stage since " <LocalTime at=project.stage_entered_at /> "."</p>
            {missing}
            {override_form}
            {checklist.unwrap_or_else(|| {
                view! { <p class="muted">"Deploy is the last stage."</p> }.into_any()
            })}
            {forward}
            {back}
        </div>
    }
    .into_any()
}
