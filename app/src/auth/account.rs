//! "Your account": who you are signed in as, and changing your own password.

use super::{ChangePassword, CurrentUser, Permission, Protected};
use crate::ui::{action_error, field_message, form_message, Field, FormAlert};
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn AccountPage() -> impl IntoView {
    view! {
        <Title text="Your account · Tollgate" />
        <Protected permission=Permission::Read view=|user| view! { <Account user /> } />
    }
}

#[component]
fn Account(user: CurrentUser) -> impl IntoView {
    let change = ServerAction::<ChangePassword>::new();
    let error = action_error(change);
    let m = move |f: &'static str| field_message(error, f);
    let form = NodeRef::<leptos::html::Form>::new();
    let changed = move || {
        matches!(change.value().get(), Some(Ok(()))).then(|| {
            if let Some(form) = form.get_untracked() {
                form.reset();
            }
            view! {
                <div class="alert alert-success" role="status" data-test="form-success">
                    "Password changed. Every other session of yours has been signed out."
                </div>
            }
        })
    };
    view! {
        <section class="page narrow-wide">
            <header class="page-header">
                <h1>"Your account"</h1>
                <p class="muted" data-test="account-identity">
                    {format!("{} · {} · {}", user.display_name, user.email, user.role.label())}
                </p>
            </header>
            <div class="card">
                <h2>"Change your password"</h2>
                {changed}
                <FormAlert message=form_message(error) />
                <ActionForm action=change node_ref=form attr:novalidate="" attr:data-test="password-form">
                    <Field label="Current password" name="current_password" input_type="password"
                        autocomplete="current-password" error=m("current_password") />
                    <Field label="New password" name="new_password" input_type="password"
                        autocomplete="new-password" hint="At least 12 characters." error=m("new_password") />
                    <Field label="Repeat the new password" name="repeat_password" input_type="password"
                        autocomplete="new-password" error=m("repeat_password") />
                    <button type="submit" class="button primary">"Change password"</button>
                </ActionForm>
            </div>
        </section>
    }
}
