//! Roles and what each may do. Pure: no IO, unit-tested.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(sqlx::Type))]
#[cfg_attr(feature = "ssr", sqlx(type_name = "account_role", rename_all = "lowercase"))]
#[serde(rename_all = "lowercase")]
pub enum Role {
    Admin,
    Editor,
    Reviewer,
    Viewer,
}

/// Something a signed-in account may be allowed to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Permission {
    /// See projects, the portfolio and records.
    Read,
    /// Create and edit projects, move them through stages, assign owners.
    EditProjects,
    /// Record explainability sign-offs and model-risk reviews.
    ReviewModels,
    /// Create accounts, change roles, deactivate and reactivate.
    ManageAccounts,
}

impl Role {
    pub const ALL: [Role; 4] = [Role::Admin, Role::Editor, Role::Reviewer, Role::Viewer];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Editor => "editor",
            Role::Reviewer => "reviewer",
            Role::Viewer => "viewer",
        }
    }

    /// The word shown to people.
    pub fn label(self) -> &'static str {
        match self {
            Role::Admin => "Admin",
            Role::Editor => "Editor",
            Role::Reviewer => "Reviewer",
            Role::Viewer => "Viewer",
        }
    }

    /// Whether this role grants `permission`.
    pub fn can(self, permission: Permission) -> bool {
        match permission {
            Permission::Read => true,
            Permission::EditProjects => matches!(self, Role::Editor | Role::Admin),
            Permission::ReviewModels => matches!(self, Role::Reviewer | Role::Admin),
            Permission::ManageAccounts => self == Role::Admin,
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("Choose one of: admin, editor, reviewer, viewer.")]
pub struct UnknownRole;

impl FromStr for Role {
    type Err = UnknownRole;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Role::ALL
            .into_iter()
            .find(|role| role.as_str() == s.trim())
            .ok_or(UnknownRole)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_admins_manage_accounts() {
        let managers: Vec<Role> = Role::ALL
            .into_iter()
            .filter(|r| r.can(Permission::ManageAccounts))
            .collect();
        assert_eq!(managers, vec![Role::Admin]);
    }

    #[test]
    fn editors_and_admins_edit_projects_but_reviewers_and_viewers_do_not() {
        let editors: Vec<Role> = Role::ALL
            .into_iter()
            .filter(|r| r.can(Permission::EditProjects))
            .collect();
        assert_eq!(editors, vec![Role::Admin, Role::Editor]);
    }

    #[test]
    fn reviewers_and_admins_review_models_but_editors_do_not() {
        let reviewers: Vec<Role> = Role::ALL
            .into_iter()
            .filter(|r| r.can(Permission::ReviewModels))
            .collect();
        assert_eq!(reviewers, vec![Role::Admin, Role::Reviewer]);
    }

    #[test]
    fn every_role_may_read() {
        assert!(Role::ALL.into_iter().all(|r| r.can(Permission::Read)));
    }

    #[test]
    fn roles_round_trip_through_their_names() {
        for role in Role::ALL {
            assert_eq!(role.as_str().parse::<Role>(), Ok(role));
        }
    }

    #[test]
    fn unknown_role_names_are_refused() {
        assert_eq!("superuser".parse::<Role>(), Err(UnknownRole));
        assert_eq!("".parse::<Role>(), Err(UnknownRole));
        assert_eq!("Admin".parse::<Role>(), Err(UnknownRole));
    }
}
