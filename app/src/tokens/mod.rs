//! API tokens for the REST API: admins create them with a scope (read the export, or also
//! import projects), see when each was last used, and revoke them. The secret is shown once;
//! only its SHA-256 is stored.

mod api;
mod page;
#[cfg(feature = "ssr")]
pub mod server;

pub use api::*;
pub use page::TokensPage;

use crate::vocabulary::word_enum;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

word_enum!(
    /// What a token may do, chosen when it is made.
    Scope, "text", "scope", [
        Read => "read", "Read: the export";
        Write => "write", "Write: the export and imports";
    ]
);

/// A token as the admin page lists it: never the secret.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TokenSummary {
    pub id: Uuid,
    pub name: String,
    /// The secret's first characters, to tell tokens apart.
    pub prefix: String,
    pub scope: Scope,
    pub created_by: String,
    pub created_at: DateTime<Utc>,
    pub last_used_at: Option<DateTime<Utc>>,
    pub revoked_at: Option<DateTime<Utc>>,
}

/// A token just created: the only time its secret is seen.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewToken {
    pub name: String,
    pub scope: Scope,
    pub secret: String,
}
