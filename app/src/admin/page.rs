//! The Accounts page: every account, a form to add one, and per-row role and status controls.

use super::{AccountSummary, ChangeRole, CreateAccount, ResetPassword, SetAccountActive};
use crate::auth::{Permission, Protected, Role};
use crate::projects::ReassignAll;
use crate::ui::{
    action_error, field_message, form_message, Alert, Field, FieldErrorText, FormAlert, Loading, SelectField,
};
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn AccountsPage() -> impl IntoView {
    view! {
        <Title text="Accounts · Tollgate" />
        <Protected permission=Permission::ManageAccounts view=|admin| view! { <Accounts me=admin.id /> } />
    }
}

#[component]
fn Accounts(me: uuid::Uuid) -> impl IntoView {
    let create = ServerAction::<CreateAccount>::new();
    let change_role = ServerAction::<ChangeRole>::new();
    let set_active = ServerAction::<SetAccountActive>::new();
    let reset = ServerAction::<ResetPassword>::new();
    let accounts = Resource::new(
        move || {
            (
                create.version().get(),
                change_role.version().get(),
                set_active.version().get(),
            )
        },
        |_| super::list_accounts(),
    );
    let row_error = Signal::derive(move || {
        action_error(change_role)
            .get()
            .or_else(|| action_error(set_active).get())
            .or_else(|| action_error(reset).get())
            .map(Alert::from)
    });
    let temporary = move || {
        reset.value().get().and_then(Result::ok).map(|(name, password)| {
            view! {
                <div class="alert alert-success" role="status" data-test="temporary-password">
                    <p>{format!("{name}\u{2019}s password is reset. Pass this temporary password on: it is shown only this once, and it must be changed at the next sign-in.")}</p>
                    <code class="secret" data-test="temporary-password-value">{password}</code>
                </div>
            }
        })
    };
    view! {
        <section class="page">
            <header class="page-header">
                <h1>"Accounts"</h1>
                <p class="muted">
                    "Everyone who can sign in to Tollgate. Deactivate people who leave: their sessions end at once."
                </p>
            </header>
            <NewAccountForm create />
            <h2>"All accounts"</h2>
            <FormAlert message=row_error />
            {temporary}
            <Suspense fallback=Loading>
                {move || Suspend::new(async move {
                    match accounts.await {
                        Ok(list) => view! {
                            <AccountTable list=list.clone() me change_role set_active reset />
                            <HandOverForm accounts=list />
                        }
                            .into_any(),
                        Err(error) => view! { <FormAlert message=Some(Alert::from(error)) /> }.into_any(),
                    }
                })}
            </Suspense>
        </section>
    }
}

#[component]
fn NewAccountForm(create: ServerAction<CreateAccount>) -> impl IntoView {
    let error = action_error(create);
    let created = move || {
        create.value().get().and_then(Result::ok).map(|account| {
            view! {
                <div class="alert alert-success" role="status" data-test="form-success">
                    "Created " {account.display_name} " (" {account.role.label()} "). "
                    "Share the password with them privately."
                </div>
            }
        })
    };
    view! {
        <div class="card">
            <h2>"Add an account"</h2>
            {created}
            <FormAlert message=form_message(error) />
            <ActionForm action=create attr:novalidate="" attr:data-test="new-account-form" attr:class="form-grid">
                <Field label="Name" name="display_name" id_prefix="new-" error=field_message(error, "display_name") />
                <Field label="Email" name="email" input_type="email" id_prefix="new-"
                    error=field_message(error, "email") />
                <div class="field">
                    <label for="new-role">"Role"</label>
                    <select id="new-role" name="role">
                        {Role::ALL
                            .into_iter()
                            .map(|role| {
                                view! {
                                    <option value=role.as_str() selected=role == Role::Editor>
                                        {role.label()}
                                    </option>
                                }
                            })
                            .collect_view()}
                    </select>
                    <FieldErrorText id="new-role-error".into() error=field_message(error, "role") />
                </div>
                <Field label="Initial password" name="password" input_type="password" id_prefix="new-"
                    autocomplete="new-password" hint="At least 12 characters."
                    error=field_message(error, "password") />
                <div class="form-actions">
                    <button type="submit" class="button primary" disabled=move || create.pending().get()>
                        "Create account"
                    </button>
                </div>
            </ActionForm>
        </div>
    }
}

#[component]
fn AccountTable(
    list: Vec<AccountSummary>,
    me: uuid::Uuid,
    change_role: ServerAction<ChangeRole>,
    set_active: ServerAction<SetAccountActive>,
    reset: ServerAction<ResetPassword>,
) -> impl IntoView {
    let rows = list
        .into_iter()
        .map(|account| {
            let is_me = account.id == me;
            let status = if account.active { "Active" } else { "Deactivated" };
            let role_select_id = format!("role-{}", account.id);
            let toggle_text = if account.active { "Deactivate" } else { "Reactivate" };
            let toggle_label = format!("{toggle_text} {}", account.display_name);
            let role_label = format!("Role of {}", account.display_name);
            // The visible words first, so speech users can say what they see (WCAG 2.5.3).
            let reset_label = format!("Reset password for {}", account.display_name);
            view! {
                <tr data-test="account-row" data-email=account.email.clone() class:inactive=!account.active>
                    <td>
                        <div class="strong"><bdi>{account.display_name.clone()}</bdi></div>
                        <div class="muted small">{account.email.clone()}</div>
                    </td>
                    <td>
                        <ActionForm action=change_role attr:class="inline-form">
                            <input type="hidden" name="account_id" value=account.id.to_string() />
                            <label class="visually-hidden" for=role_select_id.clone()>
                                {role_label}
                            </label>
                            <select id=role_select_id name="role">
                                {Role::ALL
                                    .into_iter()
                                    .map(|role| {
                                        view! {
                                            <option value=role.as_str() selected=role == account.role>
                                                {role.label()}
                                            </option>
                                        }
                                    })
                                    .collect_view()}
                            </select>
                            <button type="submit" class="button small">"Save role"</button>
                        </ActionForm>
                    </td>
                    <td>
                        <span class="status" class:status-off=!account.active>{status}</span>
                    </td>
                    <td>
                        {(!is_me)
                            .then(|| {
                                view! {
                                    <ActionForm action=set_active attr:class="inline-form">
                                        <input type="hidden" name="account_id" value=account.id.to_string() />
                                        <input type="hidden" name="active" value=(!account.active).to_string() />
                                        <button type="submit" class="button small"
                                            class:danger=account.active
                                            aria-label=toggle_label>
                                            {toggle_text}
                                        </button>
                                    </ActionForm>
                                    <ActionForm action=reset attr:class="inline-form">
                                        <input type="hidden" name="account_id" value=account.id.to_string() />
                                        <button type="submit" class="button small" aria-label=reset_label>
                                            "Reset password"
                                        </button>
                                    </ActionForm>
                                }
                            })}
                        {is_me.then(|| view! { <span class="muted small">"You"</span> })}
                    </td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <div class="table-wrap">
            <table class="table" data-test="accounts-table">
                <thead>
                    <tr>
                        <th scope="col">"Person"</th>
                        <th scope="col">"Role"</th>
                        <th scope="col">"Status"</th>
                        <th scope="col">
                            <span class="visually-hidden">"Actions"</span>
                        </th>
                    </tr>
                </thead>
                <tbody>{rows}</tbody>
            </table>
        </div>
    }
}

/// Hands every stage one person owns to someone else: the usual step when someone leaves.
#[component]
fn HandOverForm(accounts: Vec<AccountSummary>) -> impl IntoView {
    let reassign = ServerAction::<ReassignAll>::new();
    let error = action_error(reassign);
    // Neither menu proposes a person: handing over is a choice made on purpose.
    let choose = || (String::new(), "Choose…".to_owned());
    let from = std::iter::once(choose())
        .chain(accounts.iter().map(|a| {
            let suffix = if a.active { "" } else { " (deactivated)" };
            (a.id.to_string(), format!("{}{suffix}", a.display_name))
        }))
        .collect();
    let to = std::iter::once(choose())
        .chain(
            accounts
                .iter()
                .filter(|a| a.active && matches!(a.role, Role::Editor | Role::Admin))
                .map(|a| (a.id.to_string(), a.display_name.clone())),
        )
        .collect();
    let done = move || {
        reassign.value().get().and_then(Result::ok).map(|moved| {
            view! {
                <div class="alert alert-success" role="status" data-test="form-success">
                    {match moved {
                        0 => "They owned no stage of any project: nothing to hand over.".to_owned(),
                        1 => "Handed over 1 stage.".to_owned(),
                        n => format!("Handed over {n} stages."),
                    }}
                </div>
            }
        })
    };
    view! {
        <div class="card">
            <h2>"Hand over projects"</h2>
            <p class="muted">
                "Give every stage one person owns, on every project, to someone else — the usual step when someone leaves. Each project's history records the handoff."
            </p>
            {done}
            <FormAlert message=Signal::derive(move || error.get().filter(|e| e.fields().is_none()).map(Alert::from)) />
            <ActionForm action=reassign attr:class="form-grid" attr:data-test="hand-over-form">
                <SelectField label="From" name="from_owner_id" id_prefix="handover-" options=from
                    error=field_message(error, "from_owner_id") />
                <SelectField label="To" name="to_owner_id" id_prefix="handover-" options=to
                    error=field_message(error, "to_owner_id") />
                <div class="form-actions">
                    <button type="submit" class="button" disabled=move || reassign.pending().get()>
                        "Hand over"
                    </button>
                </div>
            </ActionForm>
        </div>
    }
}
