//! Server functions for signing in and out and for the first-run setup.

use super::SessionInfo;
use crate::error::AppError;
use leptos::prelude::*;

/// Who is visiting, and whether Tollgate still needs its first admin.
#[server(prefix = "/api", endpoint = "session")]
pub async fn get_session() -> Result<SessionInfo, AppError> {
    // Public by design: this is the check itself.
    let state = crate::state::app_state()?;
    let user = super::server::guard::current_user().await?;
    let (setup_needed, unread) = match &user {
        Some(user) if !user.must_change_password => {
            (false, crate::notify::server::unread(&state.pool, user.id).await?)
        }
        Some(_) => (false, 0),
        None => (!super::server::accounts::any_exist(&state.pool).await?, 0),
    };
    Ok(SessionInfo {
        user,
        setup_needed,
        unread,
    })
}

/// Signs in with email and password; on success starts a new session and goes home.
#[server(prefix = "/api", endpoint = "login")]
pub async fn login(
    email: String,
    password: String,
    /// Where to return afterwards: a path on this site (anything else goes home).
    #[server(default)]
    next: String,
) -> Result<(), AppError> {
    // Public by design: anyone may try to sign in; throttling guards it.
    use super::server::{accounts, client, password::Password, session};
    let state = crate::state::app_state()?;
    let from = client::from_request(&state.auth.trusted_proxies);
    let user = accounts::authenticate(&state.pool, &email, Password::new(password), from).await?;
    if let Some(old) = session::token_from_request() {
        session::end(&state.pool, &old).await?;
    }
    let token = session::start(&state.pool, user.id, &state.auth).await?;
    session::set_cookie(&token, &state.auth);
    tracing::info!(account = %user.id, "signed in");
    leptos_axum::redirect(super::safe_next(&next));
    Ok(())
}

/// Ends the current session and returns to the sign-in page.
#[server(prefix = "/api", endpoint = "logout")]
pub async fn logout() -> Result<(), AppError> {
    // Public by design: signing out without a session simply lands on the sign-in page.
    use super::server::session;
    let state = crate::state::app_state()?;
    if let Some(token) = session::token_from_request() {
        session::end(&state.pool, &token).await?;
    }
    session::clear_cookie(&state.auth);
    leptos_axum::redirect("/login");
    Ok(())
}

/// Creates the first admin account. Refused once any account exists.
#[server(prefix = "/api", endpoint = "setup")]
pub async fn create_first_admin(
    display_name: String,
    email: String,
    password: String,
    password_confirmation: String,
) -> Result<(), AppError> {
    // Public by design, but only while no account exists (checked under a lock inside).
    use super::server::{accounts, password::Password, session};
    let state = crate::state::app_state()?;
    let input = accounts::NewAccount {
        display_name,
        email,
        role: super::Role::Admin,
        password: Password::new(password),
    };
    let mut errors = input.check();
    if input.password.expose() != password_confirmation {
        errors.add("password_confirmation", "The two passwords don't match.");
    }
    errors.into_result()?;
    let user = accounts::create_first_admin(&state.pool, input).await?;
    let token = session::start(&state.pool, user.id, &state.auth).await?;
    session::set_cookie(&token, &state.auth);
    tracing::info!(account = %user.id, "first admin created");
    leptos_axum::redirect("/");
    Ok(())
}

/// Changes the caller's own password; the session is renewed (every other one ends).
#[server(prefix = "/api", endpoint = "account/password")]
pub async fn change_password(
    current_password: String,
    new_password: String,
    repeat_password: String,
) -> Result<(), AppError> {
    use super::server::{accounts, client, password::Password, require_signed_in, session, Caller};
    // Open to anyone signed in, including someone who must replace a temporary password.
    let Caller { user, state } = require_signed_in().await?;
    let from = client::from_request(&state.auth.trusted_proxies);
    accounts::change_own_password(
        &state.pool,
        &user,
        Password::new(current_password),
        Password::new(new_password),
        &repeat_password,
        from,
    )
    .await?;
    let token = session::start(&state.pool, user.id, &state.auth).await?;
    session::set_cookie(&token, &state.auth);
    tracing::info!(account = %user.id, "password changed");
    Ok(())
}
