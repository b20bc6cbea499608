//! Server functions of a person's notifications and email preferences: each acts on the
//! signed-in person's own, nobody else's.

use super::{NotificationsView, Preferences};
use crate::error::AppError;
use leptos::prelude::*;

#[server(prefix = "/api", endpoint = "notifications")]
pub async fn load_notifications() -> Result<NotificationsView, AppError> {
    use crate::auth::server::{require, Caller};
    use crate::auth::Permission;
    let Caller { user, state } = require(Permission::Read).await?;
    super::server::list(&state.pool, &state.mail, user.id).await
}

#[server(prefix = "/api", endpoint = "notifications/read")]
pub async fn mark_notifications_read() -> Result<(), AppError> {
    use crate::auth::server::{require, Caller};
    use crate::auth::Permission;
    let Caller { user, state } = require(Permission::Read).await?;
    super::server::mark_all_read(&state.pool, user.id).await?;
    Ok(())
}

#[server(prefix = "/api", endpoint = "preferences")]
pub async fn load_preferences() -> Result<(Preferences, bool), AppError> {
    use crate::auth::server::{require, Caller};
    use crate::auth::Permission;
    let Caller { user, state } = require(Permission::Read).await?;
    let preferences = super::server::preferences(&state.pool, user.id).await?;
    Ok((preferences, state.mail.mailer.is_some()))
}

/// The checkboxes of the preferences form: present ("on") when ticked.
#[server(prefix = "/api", endpoint = "preferences/save")]
pub async fn save_preferences(
    email_reminders: Option<String>,
    weekly_digest: Option<String>,
) -> Result<(), AppError> {
    use crate::auth::server::{require, Caller};
    use crate::auth::Permission;
    let Caller { user, state } = require(Permission::Read).await?;
    let preferences = Preferences {
        email_reminders: email_reminders.is_some(),
        weekly_digest: weekly_digest.is_some(),
    };
    super::server::save_preferences(&state.pool, user.id, preferences).await
}
