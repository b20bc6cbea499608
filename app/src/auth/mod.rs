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
}
