//! The role check every server function and handler starts with.

use super::super::{CurrentUser, Permission};
use super::session;
use crate::error::AppError;

/// The signed-in account of the request being handled, if any.
pub async fn current_user() -> Result<Option<CurrentUser>, AppError> {
    let state = crate::state::app_state()?;
    let Some(token) = session::token_from_request() else {
        return Ok(None);
    };
    Ok(session::lookup(&state.pool, &token, &state.auth).await?)
}

/// The signed-in account, if it holds `permission`; otherwise `Unauthenticated` or `Forbidden`.
///
/// `let user = require(Permission::ManageAccounts).await?;` is the first line of every
/// server function that is not public by design.
pub async fn require(permission: Permission) -> Result<CurrentUser, AppError> {
    let user = current_user().await?.ok_or(AppError::Unauthenticated)?;
    authorise(user, permission)
}

/// The pure half of [`require`]: may `user` do what `permission` covers?
pub fn authorise(user: CurrentUser, permission: Permission) -> Result<CurrentUser, AppError> {
    if user.role.can(permission) {
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
        }
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
