//! The state every handler and server function shares (server only).

use crate::error::AppError;
use axum::extract::FromRef;
use leptos::prelude::*;
use sqlx::PgPool;

/// Session lifetime and cookie settings, from the environment.
#[derive(Debug, Clone)]
pub struct AuthSettings {
    /// A session unused for this long ends.
    pub idle_timeout: chrono::Duration,
    /// A session ends this long after sign-in, however active.
    pub absolute_timeout: chrono::Duration,
    /// Mark the session cookie `Secure` (serve over HTTPS).
    pub secure_cookies: bool,
    /// Proxies whose `X-Forwarded-For` names the client (`TOLLGATE_TRUSTED_PROXIES`).
    pub trusted_proxies: Vec<ipnet::IpNet>,
    /// The origin people reach Tollgate at (`TOLLGATE_PUBLIC_URL`), when configured.
    pub public_origin: Option<String>,
}

impl Default for AuthSettings {
    fn default() -> Self {
        Self {
            idle_timeout: chrono::Duration::hours(8),
            absolute_timeout: chrono::Duration::days(7),
            secure_cookies: false,
            trusted_proxies: Vec::new(),
            public_origin: None,
        }
    }
}

/// Whether the database answers, as the server's watcher last saw it, and how it is run.
#[derive(Debug, Clone)]
pub struct DatabaseStatus {
    up: std::sync::Arc<std::sync::atomic::AtomicBool>,
    /// `embedded` (Tollgate runs its own cluster) or `external` (`DATABASE_URL`).
    pub mode: &'static str,
}

impl Default for DatabaseStatus {
    fn default() -> Self {
        Self::new("external")
    }
}

impl DatabaseStatus {
    pub fn new(mode: &'static str) -> Self {
        Self {
            up: std::sync::Arc::new(std::sync::atomic::AtomicBool::new(true)),
            mode,
        }
    }

    pub fn is_up(&self) -> bool {
        self.up.load(std::sync::atomic::Ordering::Relaxed)
    }

    /// Records what the watcher saw; returns what it saw before.
    pub fn set_up(&self, up: bool) -> bool {
        self.up.swap(up, std::sync::atomic::Ordering::Relaxed)
    }
}

#[derive(Clone, FromRef)]
pub struct AppState {
    pub leptos_options: LeptosOptions,
    pub pool: PgPool,
    pub auth: AuthSettings,
    /// Where "today" comes from for the rules.
    pub clock: crate::clock::Clock,
    /// Whether the database answers, so requests fail fast while it does not.
    pub database: DatabaseStatus,
    /// Where notifications are emailed, if anywhere, and when the digest goes out.
    pub mail: crate::notify::mail::MailSettings,
}

/// The state, from the context leptos_axum provides to every server function and page.
#[track_caller]
pub fn app_state() -> Result<AppState, AppError> {
    let caller = std::panic::Location::caller();
    use_context::<AppState>().ok_or_else(|| {
        tracing::error!(%caller, "AppState missing from context");
        AppError::Internal
    })
}
