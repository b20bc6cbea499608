//! Accounts, sign-in, sessions and roles.

pub mod credentials;
pub mod role;
pub mod throttle;

mod account;
mod api;
mod pages;
#[cfg(feature = "ssr")]
pub mod server;

pub use account::AccountPage;
pub use api::*;
pub use pages::*;
pub use role::{Permission, Role};

use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// The signed-in person, as the client may see them (no hash, no session token).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CurrentUser {
    pub id: Uuid,
    pub email: String,
    pub display_name: String,
    pub role: Role,
    /// Signed in with a temporary password an admin set: may only choose a new one.
    #[serde(default)]
    pub must_change_password: bool,
}

/// What every page needs to know about the visitor.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionInfo {
    pub user: Option<CurrentUser>,
    /// True only while no account exists: the first visit sets up the first admin.
    pub setup_needed: bool,
    /// How many of the visitor's notifications are unread.
    #[serde(default)]
    pub unread: i64,
}

/// Where to go after signing in: `next` when it is a path on this site, home otherwise. Only
/// same-origin paths are followed (`/projects?x=1`), never another site (`//evil.example`,
/// `https://…`, `/\\evil.example`), so the sign-in page can't be used to send people elsewhere.
pub fn safe_next(next: &str) -> &str {
    let next = next.trim();
    let same_origin_path = next.starts_with('/')
        && !next.starts_with("//")
        && !next.starts_with("/\\")
        && next.len() <= 2000
        && !next.chars().any(|c| c.is_control() || c == '\\');
    if same_origin_path {
        next
    } else {
        "/"
    }
}

/// The sign-in address that returns to `path` afterwards.
pub fn login_then(path: &str) -> String {
    match safe_next(path) {
        "/" => "/login".to_owned(),
        next => format!(
            "/login?next={}",
            percent_encoding::utf8_percent_encode(next, percent_encoding::NON_ALPHANUMERIC)
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_paths_on_this_site_are_followed_after_sign_in() {
        assert_eq!(safe_next("/projects?stage=build"), "/projects?stage=build");
        for elsewhere in [
            "//evil.example",
            "https://evil.example",
            "/\\evil.example",
            "evil",
            "",
            "/\u{0}x",
        ] {
            assert_eq!(safe_next(elsewhere), "/", "{elsewhere:?}");
        }
    }

    #[test]
    fn the_sign_in_address_carries_where_to_return() {
        assert_eq!(login_then("/"), "/login");
        assert_eq!(login_then("//evil.example"), "/login");
        assert!(login_then("/projects?stage=build").starts_with("/login?next=%2Fprojects%3Fstage%3Dbuild"));
    }
}
