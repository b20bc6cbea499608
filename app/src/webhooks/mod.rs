//! Webhooks: other systems told of every change as it happens, signed by the Standard Webhooks
//! specification (`webhook-id`, `webhook-timestamp`, `webhook-signature: v1,<base64 HMAC>`),
//! retried with back-off, each delivery listed with its status, response and time.
//!
//! Deliveries come from the projects' audit trail, read in order by one dispatcher at a time
//! (`server::dispatch`), the way a reporting system reads `/api/v1/events`: an event is sent
//! once every transaction that started before it has ended, never skipped, never twice per
//! endpoint. Every message carries its audit event's id, so a consumer can deduplicate and catch
//! up through `/api/v1/events`.

mod api;
mod page;
#[cfg(feature = "ssr")]
pub mod server;
#[cfg(feature = "ssr")]
pub mod sign;
#[cfg(feature = "ssr")]
pub mod url;

pub use api::*;
pub use page::WebhooksPage;

use crate::vocabulary::word_enum;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

word_enum!(
    /// What a webhook can ask to hear about.
    EventType, "text", "event", [
        ProjectCreated => "project.created", "Project created";
        ProjectUpdated => "project.updated", "Project edited";
        ProjectMoved => "project.moved", "Stage moved";
        OwnerChanged => "owner.changed", "Owner changed";
        RecordAdded => "record.added", "Record added";
        RecordCorrected => "record.corrected", "Record corrected";
        RecordWithdrawn => "record.withdrawn", "Record withdrawn";
        GateOverridden => "gate.overridden", "Gate overridden";
        FlagRaised => "flag.raised", "Flag raised";
        FlagCleared => "flag.cleared", "Flag cleared";
    ]
);

/// The longest endpoint URL, in characters.
pub const MAX_URL_CHARS: usize = 2000;

/// The event types an audit event is, the one that says most last: a move that names the next
/// owner is also an owner change (but first a move), an overridden gate is a move too. Events no webhook can ask for (requests,
/// accounts, tokens, settings) are none.
#[cfg(feature = "ssr")]
pub fn event_types(action: &str, changes: &serde_json::Value) -> Vec<EventType> {
    let has = |field: &str| {
        changes.as_object().is_some_and(|fields| {
            fields
                .keys()
                .any(|k| k == field || k.starts_with(&format!("{field}.")))
        })
    };
    match action {
        "created" => vec![EventType::ProjectCreated],
        "updated" => vec![EventType::ProjectUpdated],
        "stage_moved" => {
            let mut types = Vec::new();
            if has("owner") {
                types.push(EventType::OwnerChanged);
            }
            types.push(EventType::ProjectMoved);
            if has("override") {
                types.push(EventType::GateOverridden);
            }
            types
        }
        "owner_assigned" => vec![EventType::OwnerChanged],
        "demo_added" | "evidence_added" | "signoff_added" | "review_added" => vec![EventType::RecordAdded],
        "record_corrected" => vec![EventType::RecordCorrected],
        "record_withdrawn" => vec![EventType::RecordWithdrawn],
        "flag_raised" => vec![EventType::FlagRaised],
        "flag_cleared" => vec![EventType::FlagCleared],
        _ => Vec::new(),
    }
}

/// The type a message to an endpoint carries: of the `types` it asked for, the one that says most.
pub fn message_type(types: &[EventType], wanted: &[EventType]) -> Option<EventType> {
    types.iter().rev().copied().find(|t| wanted.contains(t))
}

/// A registered endpoint (never its secret: that is shown once, when it is created).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Webhook {
    pub id: Uuid,
    pub url: String,
    pub events: Vec<EventType>,
    pub created_at: DateTime<Utc>,
    pub created_by: Option<String>,
}

word_enum!(
    /// How a delivery stands: not tried yet, answered 2xx, failing (another try follows after a
    /// back-off), or out of tries ("send again" tries once more).
    DeliveryStatus, "text", "delivery status", [
        Pending => "pending", "Pending";
        Delivered => "delivered", "Delivered";
        Failing => "failing", "Failing, will retry";
        Parked => "parked", "Gave up";
    ]
);

/// One message to one endpoint, with how its tries went.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Delivery {
    pub id: Uuid,
    pub webhook_id: Uuid,
    /// The audit event's id (the message's `webhook-id` is `msg_<event_id>`).
    pub event_id: i64,
    pub event_type: String,
    pub project_id: Uuid,
    pub status: DeliveryStatus,
    pub attempts: i32,
    pub response_code: Option<i32>,
    pub duration_ms: Option<i32>,
    pub last_error: Option<String>,
    pub created_at: DateTime<Utc>,
    pub last_attempt_at: Option<DateTime<Utc>>,
}

/// Everything the webhooks page shows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WebhooksView {
    pub webhooks: Vec<Webhook>,
    /// The newest deliveries, across endpoints.
    pub deliveries: Vec<Delivery>,
    /// Whether endpoints on loopback and private networks are allowed.
    pub allow_private: bool,
    /// Background jobs that gave up, newest first.
    pub parked_jobs: Vec<crate::jobs::ParkedJob>,
    /// The SMTP relay notifications are emailed through (no password), if one is configured.
    pub email_relay: Option<String>,
}

#[cfg(all(test, feature = "ssr"))]
mod tests {
    use super::*;
    use crate::vocabulary::Word;
    use serde_json::json;

    #[test]
    fn a_move_is_a_move_and_also_an_owner_change_or_an_override_when_it_carries_them() {
        assert_eq!(
            event_types("stage_moved", &json!({"stage": {}})),
            vec![EventType::ProjectMoved]
        );
        assert_eq!(
            event_types(
                "stage_moved",
                &json!({"stage": {}, "owner.design": {}, "override": {}})
            ),
            vec![
                EventType::OwnerChanged,
                EventType::ProjectMoved,
                EventType::GateOverridden
            ]
        );
        assert_eq!(
            event_types("signoff_added", &json!({})),
            vec![EventType::RecordAdded]
        );
        assert!(event_types("review_requested", &json!({})).is_empty());
        assert!(event_types("password_reset", &json!({})).is_empty());
    }

    #[test]
    fn an_endpoint_gets_the_type_that_says_most_of_those_it_asked_for() {
        let with_owner = event_types("stage_moved", &json!({"stage": {}, "owner.design": {}}));
        assert_eq!(
            message_type(&with_owner, EventType::ALL),
            Some(EventType::ProjectMoved)
        );
        assert_eq!(
            message_type(&with_owner, &[EventType::OwnerChanged]),
            Some(EventType::OwnerChanged)
        );
        let types = [EventType::ProjectMoved, EventType::GateOverridden];
        assert_eq!(
            message_type(&types, &[EventType::ProjectMoved, EventType::GateOverridden]),
            Some(EventType::GateOverridden)
        );
        assert_eq!(
            message_type(&types, &[EventType::ProjectMoved]),
            Some(EventType::ProjectMoved)
        );
        assert_eq!(message_type(&types, &[EventType::RecordAdded]), None);
    }

    #[test]
    fn every_event_type_has_a_dotted_wire_name() {
        for t in EventType::ALL {
            assert!(t.as_str().contains('.'), "{t:?}");
            assert_eq!(EventType::parse_word(t.as_str()), Some(*t));
        }
    }
}
