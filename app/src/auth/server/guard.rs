//! The role check every server function and handler starts with.

use super::session;
use crate::auth::{CurrentUser, Permission};
use crate::error::AppError;
use crate::state::AppState;
use std::sync::Arc;
use tokio::sync::OnceCell;

/// An authorised caller of a server function, with the state it works with.
pub struct Caller {
    pub user: CurrentUser,
    pub state: AppState,
}

/// The signed-in account of the request being handled, if any.
///
/// Reads the request context before its first `.await`: a server function called directly
/// while a page renders on the server loses that context once it yields.
pub async fn current_user() -> Result<Option<CurrentUser>, AppError> {
    let state = crate::state::app_state()?;
    signed_in(&state).await
}

/// The signed-in account of one request, looked up once however many server functions its
/// page calls while it renders (the server puts one in every request's extensions).
#[derive(Clone, Default)]
pub struct RequestSession(Arc<OnceCell<Option<CurrentUser>>>);

/// The account whose session cookie came with the request (the cookie is read before yielding).
async fn signed_in(state: &AppState) -> Result<Option<CurrentUser>, AppError> {
    let parts = leptos::prelude::use_context::<http::request::Parts>();
    let memo = parts
        .as_ref()
        .and_then(|p| p.extensions.get::<RequestSession>().cloned());
    let token = parts
        .as_ref()
        .and_then(|p| session::token_from_headers(&p.headers));
    let look_up = || async {
        match token {
            Some(token) => session::lookup(&state.pool, &token, &state.auth).await,
            None => Ok(None),
        }
    };
    Ok(match memo {
        Some(memo) => memo.0.get_or_try_init(look_up).await?.clone(),
        None => look_up().await?,
    })
}

/// The signed-in account, if it holds `permission`; otherwise `Unauthenticated` or `Forbidden`.
///
/// `let Caller { user, state } = require(Permission::ManageAccounts).await?;` is the first
/// line of every server function that is not public by design; it also hands over the state,
/// read from the context before anything yields.
pub async fn require(permission: Permission) -> Result<Caller, AppError> {
    let state = crate::state::app_state()?;
    let user = signed_in(&state).await?.ok_or(AppError::Unauthenticated)?;
    Ok(Caller {
        user: authorise(user, permission)?,
        state,
    })
}

/// The signed-in account, even one that must first choose a new password: only for changing
/// one's own password.
pub async fn require_signed_in() -> Result<Caller, AppError> {
    let state = crate::state::app_state()?;
    let user = signed_in(&state).await?.ok_or(AppError::Unauthenticated)?;
    Ok(Caller { user, state })
}

/// The pure half of [`require`]: may `user` do what `permission` covers? Someone signed in
/// with a temporary password may do nothing until they choose their own.
pub fn authorise(user: CurrentUser, permission: Permission) -> Result<CurrentUser, AppError> {
    if user.must_change_password {
        Err(AppError::Refused(
            "Choose a new password first: yours was reset by an admin.".into(),
        ))
    } else if user.role.can(permission) {
        Ok(user)
    } else {
        Err(AppError::Forbidden)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::auth::Role;

    fn user(role: Role) -> CurrentUser {
        CurrentUser {
            id: uuid::Uuid::nil(),
            email: "someone@example.com".into(),
            display_name: "Someone".into(),
            role,
            must_change_password: false,
        }
    }

    #[test]
    fn a_temporary_password_allows_nothing_but_choosing_a_new_one() {
        let admin = CurrentUser {
            must_change_password: true,
            ..user(Role::Admin)
        };
        assert!(matches!(
            authorise(admin, Permission::Read),
            Err(AppError::Refused(_))
        ));
    }

    #[test]
    fn an_editor_is_forbidden_to_manage_accounts() {
        assert_eq!(
            authorise(user(Role::Editor), Permission::ManageAccounts),
            Err(AppError::Forbidden)
        );
    }

    #[test]
    fn an_admin_may_manage_accounts() {
        assert!(authorise(user(Role::Admin), Permission::ManageAccounts).is_ok());
    }

    #[test]
    fn a_viewer_may_read() {
        assert!(authorise(user(Role::Viewer), Permission::Read).is_ok());
    }
}
