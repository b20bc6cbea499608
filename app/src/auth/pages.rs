//! Sign-in, first-run setup, sign-out and the guard that protects pages.

use super::account::MustChangePassword;
use super::{CreateFirstAdmin, CurrentUser, Login, Logout, Permission, SessionInfo};
use crate::error::AppError;
use crate::ui::{action_error, field_message, form_message, set_status, Alert, Field, FormAlert, Loading};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::Redirect;

/// The visitor's session and the actions that change it, shared by every page.
#[derive(Clone, Copy)]
pub struct AuthContext {
    pub session: Resource<Result<SessionInfo, AppError>>,
    pub login: ServerAction<Login>,
    pub logout: ServerAction<Logout>,
    pub setup: ServerAction<CreateFirstAdmin>,
}

impl AuthContext {
    /// Creates the actions and the session resource; call once inside the router.
    pub fn provide() -> Self {
        let login = ServerAction::<Login>::new();
        let logout = ServerAction::<Logout>::new();
        let setup = ServerAction::<CreateFirstAdmin>::new();
        // Blocking, so redirects and the header are decided before the first byte is sent.
        let session = Resource::new_blocking(
            move || {
                (
                    login.version().get(),
                    logout.version().get(),
                    setup.version().get(),
                )
            },
            |_| super::get_session(),
        );
        let context = Self {
            session,
            login,
            logout,
            setup,
        };
        provide_context(context);
        context
    }

    pub fn get() -> Self {
        expect_context::<Self>()
    }
}

/// The session, once it is known. While the server renders a page it is awaited without
/// subscribing to it: its arrival would otherwise build the page a second time, and every
/// resource in it would fetch its data twice. In the browser a change (signing in or out)
/// rebuilds the page.
async fn session_info(session: Resource<Result<SessionInfo, AppError>>) -> Result<SessionInfo, AppError> {
    #[cfg(feature = "ssr")]
    let info = leptos::reactive::computed::ScopedFuture::new_untracked(std::future::IntoFuture::into_future(
        session,
    ))
    .await;
    #[cfg(not(feature = "ssr"))]
    let info = session.await;
    info
}

/// Renders `view` for a signed-in account holding `permission`; otherwise sends the visitor
/// to sign in (or to the first-run setup), or explains that the page is not theirs.
#[component]
pub fn Protected<F, V>(permission: Permission, view: F) -> impl IntoView
where
    F: Fn(CurrentUser) -> V + Clone + Send + Sync + 'static,
    V: IntoView + 'static,
{
    let session = AuthContext::get().session;
    view! {
        <Suspense fallback=Loading>
            {move || {
                let view = view.clone();
                Suspend::new(async move {
                    match session_info(session).await {
                        Ok(SessionInfo { user: Some(user), .. }) if user.must_change_password => {
                            view! { <MustChangePassword user /> }.into_any()
                        }
                        Ok(SessionInfo { user: Some(user), .. }) if user.role.can(permission) => {
                            view(user).into_any()
                        }
                        Ok(SessionInfo { user: Some(_), .. }) => {
                            set_status(403);
                            view! {
                                <section class="page narrow">
                                    <h1>"Not available to your role"</h1>
                                    <p>"Ask an admin if you need access to this page."</p>
                                    <a href="/">"Back to home"</a>
                                </section>
                            }
                                .into_any()
                        }
                        Ok(SessionInfo { setup_needed: true, .. }) => {
                            view! { <Redirect path="/setup" /> }.into_any()
                        }
                        Ok(_) => {
                            let location = leptos_router::hooks::use_location();
                            let here = format!(
                                "{}{}",
                                location.pathname.get_untracked(),
                                match location.search.get_untracked() {
                                    search if search.is_empty() => String::new(),
                                    search => format!("?{}", search.trim_start_matches('?')),
                                }
                            );
                            view! { <Redirect path=super::login_then(&here) /> }.into_any()
                        }
                        Err(error) => view! { <FormAlert message=Some(Alert::from(error)) /> }.into_any(),
                    }
                })
            }}
        </Suspense>
    }
}

/// Renders `view` only for visitors who are not signed in (sign-in and setup pages).
#[component]
fn SignedOut<F, V>(
    /// True for the setup page, which exists only while no account does.
    setup_page: bool,
    view: F,
) -> impl IntoView
where
    F: Fn() -> V + Clone + Send + Sync + 'static,
    V: IntoView + 'static,
{
    let session = AuthContext::get().session;
    view! {
        <Suspense fallback=Loading>
            {move || {
                let view = view.clone();
                Suspend::new(async move {
                    match session_info(session).await {
                        Ok(SessionInfo { user: Some(_), .. }) => {
                            let next = leptos_router::hooks::use_query_map()
                                .get_untracked()
                                .get("next")
                                .unwrap_or_default();
                            view! { <Redirect path=super::safe_next(&next).to_owned() /> }.into_any()
                        }
                        Ok(SessionInfo { setup_needed, .. }) if setup_needed != setup_page => {
                            let to = if setup_needed { "/setup" } else { "/login" };
                            view! { <Redirect path=to /> }.into_any()
                        }
                        Ok(_) => view().into_any(),
                        Err(error) => view! { <FormAlert message=Some(Alert::from(error)) /> }.into_any(),
                    }
                })
            }}
        </Suspense>
    }
}

#[component]
pub fn LoginPage() -> impl IntoView {
    let login = AuthContext::get().login;
    let query = leptos_router::hooks::use_query_map();
    let raw = action_error(login);
    // Only words Tollgate chose: without JavaScript the error arrives in the address.
    let error = Signal::derive(move || raw.get().map(super::credentials::sign_in_error));
    view! {
        <Title text="Sign in · Tollgate" />
        <SignedOut setup_page=false view=move || {
            view! {
                <section class="page narrow card">
                    <h1>"Sign in"</h1>
                    <FormAlert message=form_message(error) />
                    <ActionForm action=login attr:novalidate="" attr:data-test="login-form">
                        // Where to return after signing in (checked again on the server).
                        <input type="hidden" name="next" value=move || query.read().get("next").unwrap_or_default() />
                        <Field label="Email" name="email" input_type="email" autocomplete="username"
                            error=field_message(error, "email") />
                        <Field label="Password" name="password" input_type="password"
                            autocomplete="current-password" error=field_message(error, "password") />
                        <button type="submit" class="button primary" disabled=move || login.pending().get()>
                            "Sign in"
                        </button>
                    </ActionForm>
                </section>
            }
        } />
    }
}

#[component]
pub fn SetupPage() -> impl IntoView {
    let setup = AuthContext::get().setup;
    let error = action_error(setup);
    view! {
        <Title text="Set up Tollgate" />
        <SignedOut setup_page=true view=move || {
            view! {
                <section class="page narrow card">
                    <h1>"Set up Tollgate"</h1>
                    <p>
                        "Create the first admin account. Admins add everyone else from the Accounts page."
                    </p>
                    <FormAlert message=form_message(error) />
                    <ActionForm action=setup attr:novalidate="" attr:data-test="setup-form">
                        <Field label="Your name" name="display_name" autocomplete="name"
                            error=field_message(error, "display_name") />
                        <Field label="Email" name="email" input_type="email" autocomplete="username"
                            error=field_message(error, "email") />
                        <Field label="Password" name="password" input_type="password"
                            autocomplete="new-password" hint="At least 12 characters."
                            error=field_message(error, "password") />
                        <Field label="Repeat the password" name="password_confirmation" input_type="password"
                            autocomplete="new-password" error=field_message(error, "password_confirmation") />
                        <button type="submit" class="button primary" disabled=move || setup.pending().get()>
                            "Create admin account"
                        </button>
                    </ActionForm>
                </section>
            }
        } />
    }
}

/// The sign-out button in the header: a real form, so it works before hydration.
#[component]
pub fn LogoutButton() -> impl IntoView {
    let logout = AuthContext::get().logout;
    view! {
        <ActionForm action=logout attr:class="inline-form">
            <button type="submit" class="button link" data-test="logout">"Sign out"</button>
        </ActionForm>
    }
}
