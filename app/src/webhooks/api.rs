//! Server functions of the webhooks page; every one requires `ManageAccounts`.

use super::{Webhook, WebhooksView};
use crate::error::AppError;
use leptos::prelude::*;
use uuid::Uuid;

#[server(prefix = "/api", endpoint = "webhooks/view")]
pub async fn load_webhooks() -> Result<WebhooksView, AppError> {
    use crate::auth::server::{require, Caller};
    use crate::auth::Permission;
    let Caller { state, .. } = require(Permission::ManageAccounts).await?;
    let relay = state.mail.mailer.as_ref().map(|m| m.shown_url.clone());
    super::server::view(&state.pool, relay).await
}

/// Registers an endpoint; returns it with its secret, shown this once. `events` are wire names
/// (the form's checkboxes, `events[]`).
#[server(prefix = "/api", endpoint = "webhooks/create")]
pub async fn create_webhook(url: String, events: Option<Vec<String>>) -> Result<(Webhook, String), AppError> {
    use super::EventType;
    use crate::auth::server::{require, Caller};
    use crate::auth::Permission;
    use crate::error::FieldErrors;
    let Caller { user, state } = require(Permission::ManageAccounts).await?;
    let mut wanted = Vec::new();
    for name in events.unwrap_or_default().iter().take(EventType::ALL.len() + 1) {
        match name.parse::<EventType>() {
            Ok(event) if !wanted.contains(&event) => wanted.push(event),
            Ok(_) => {}
            Err(message) => {
                let mut errors = FieldErrors::default();
                errors.add("events", message);
                errors.into_result()?;
            }
        }
    }
    super::server::create(&state.pool, user.id, &url, &wanted).await
}

#[server(prefix = "/api", endpoint = "webhooks/delete")]
pub async fn delete_webhook(webhook_id: Uuid) -> Result<(), AppError> {
    use crate::auth::server::{require, Caller};
    use crate::auth::Permission;
    let Caller { user, state } = require(Permission::ManageAccounts).await?;
    super::server::delete(&state.pool, user.id, webhook_id).await
}

#[server(prefix = "/api", endpoint = "webhooks/send-again")]
pub async fn send_delivery_again(delivery_id: Uuid) -> Result<(), AppError> {
    use crate::auth::server::{require, Caller};
    use crate::auth::Permission;
    let Caller { user, state } = require(Permission::ManageAccounts).await?;
    super::server::send_again(&state.pool, user.id, delivery_id).await
}

/// `allow` is the checkbox: present ("on") when ticked.
#[server(prefix = "/api", endpoint = "webhooks/private")]
pub async fn allow_private_endpoints(allow: Option<String>) -> Result<(), AppError> {
    use crate::auth::server::{require, Caller};
    use crate::auth::Permission;
    let Caller { user, state } = require(Permission::ManageAccounts).await?;
    super::server::set_allow_private(&state.pool, user.id, allow.is_some()).await
}
