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

/// What someone signed in with a temporary password sees, whichever page they open.
#[component]
pub(super) fn MustChangePassword(user: CurrentUser) -> impl IntoView {
    view! {
        <div class="page narrow-wide">
            <div class="alert alert-error" role="alert" data-test="must-change-password">
                "Your password was reset by an admin. Choose a new one to continue."
            </div>
        </div>
        <Account user then_home=true />
    }
}

#[component]
fn Account(
    user: CurrentUser,
    /// Go home once the password is changed (the page was only a stop on the way).
    #[prop(optional)]
    then_home: bool,
) -> impl IntoView {
    let change = ServerAction::<ChangePassword>::new();
    Effect::new(move |_| {
        if then_home && matches!(change.value().get(), Some(Ok(()))) {
            let _ = window().location().set_href("/");
        }
    });
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
            {(!then_home).then(|| view! { <crate::notify::PreferencesCard /> })}
        </section>
    }
}
