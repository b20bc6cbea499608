//! Account administration: create accounts, change roles, deactivate and reactivate.

mod api;
mod page;
#[cfg(feature = "ssr")]
pub mod server;

pub use api::*;
pub use page::AccountsPage;

use crate::auth::Role;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// One account as the admin page lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccountSummary {
    pub id: Uuid,
    pub email: String,
    pub display_name: String,
    pub role: Role,
    pub active: bool,
    pub created_at: DateTime<Utc>,
}
