//! Webhooks' storage and sending (server only): registering and deleting endpoints, the
//! dispatcher that turns the audit trail into deliveries, and one delivery's try.

use super::url::{address_allowed, check_url, literal_address};
use super::{event_types, message_type, sign, Delivery, DeliveryStatus, EventType, Webhook, WebhooksView};
use crate::audit;
use crate::error::{AppError, FieldErrors};
use crate::jobs::{self, Job};
use crate::vocabulary::Word;
use serde_json::json;
use sqlx::PgPool;
use std::time::{Duration, Instant};
use uuid::Uuid;

/// The job kind of one delivery's try.
pub const DELIVERY_JOB: &str = "webhook_delivery";
/// How long an endpoint has to answer.
const TIMEOUT: Duration = Duration::from_secs(10);
/// How many audit events one dispatch reads.
const DISPATCH_BATCH: i64 = 500;

fn parse_events(names: &[String]) -> Vec<EventType> {
    names.iter().filter_map(|n| n.parse().ok()).collect()
}

/// Registers an endpoint for `events`; returns it and its secret, which is never shown again.
pub async fn create(
    pool: &PgPool,
    actor: Uuid,
    url: &str,
    events: &[EventType],
) -> Result<(Webhook, String), AppError> {
    let mut errors = FieldErrors::default();
    let url = check_url(url).map_err(|message| errors.add("url", message)).ok();
    // An address written in the URL is checked now (a name is checked at each delivery).
    if let Some(ip) = url.as_ref().and_then(literal_address) {
        let allow_private = sqlx::query_scalar!("select allow_private from webhook_settings")
            .fetch_one(pool)
            .await?;
        if !address_allowed(ip, allow_private) {
            errors.add(
                "url",
                format!("{ip} is on a loopback or private network: allow these below first, or use a public address."),
            );
        }
    }
    if events.is_empty() {
        errors.add("events", "Choose at least one event to send.");
    }
    errors.into_result()?;
    let url = url.map(String::from).unwrap_or_default();
    let names: Vec<String> = events.iter().map(|e| e.as_str().to_owned()).collect();
    let secret = sign::new_secret();
    let mut tx = pool.begin().await?;
    let row = sqlx::query!(
        r#"
        insert into webhooks (url, events, secret, created_by) values ($1, $2, $3, $4)
        returning id, created_at, (select display_name from accounts where id = $4) as "created_by?"
        "#,
        url,
        &names,
        secret,
        actor,
    )
    .fetch_one(&mut *tx)
    .await?;
    audit::record(
        &mut *tx,
        Some(actor),
        "webhook",
        row.id,
        "webhook_created",
        json!({ "url": { "before": null, "after": url }, "events": { "before": null, "after": names } }),
    )
    .await?;
    tx.commit().await?;
    let webhook = Webhook {
        id: row.id,
        url,
        events: events.to_vec(),
        created_at: row.created_at,
        created_by: row.created_by,
    };
    Ok((webhook, secret))
}

/// Deletes an endpoint: it gets no new deliveries; its history stays listed.
pub async fn delete(pool: &PgPool, actor: Uuid, id: Uuid) -> Result<(), AppError> {
    let mut tx = pool.begin().await?;
    let url = sqlx::query_scalar!(
        "update webhooks set deleted_at = now() where id = $1 and deleted_at is null returning url",
        id
    )
    .fetch_optional(&mut *tx)
    .await?
    .ok_or(AppError::NotFound)?;
    audit::record(
        &mut *tx,
        Some(actor),
        "webhook",
        id,
        "webhook_deleted",
        audit::change("url", url, serde_json::Value::Null),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Allows or refuses endpoints on loopback and private networks.
pub async fn set_allow_private(pool: &PgPool, actor: Uuid, allow: bool) -> Result<(), AppError> {
    let mut tx = pool.begin().await?;
    let before = sqlx::query_scalar!("select allow_private from webhook_settings for update")
        .fetch_one(&mut *tx)
        .await?;
    if before != allow {
        sqlx::query!("update webhook_settings set allow_private = $1", allow)
            .execute(&mut *tx)
            .await?;
        audit::record(
            &mut *tx,
            Some(actor),
            "settings",
            Uuid::nil(),
            "webhooks_private_changed",
            audit::change("allow_private", before, allow),
        )
        .await?;
    }
    tx.commit().await?;
    Ok(())
}

/// Everything the webhooks page shows: the endpoints, the newest deliveries, the setting and
/// the background jobs that gave up.
/// `email_relay`: the SMTP relay configured, if any (shown as it is).
pub async fn view(pool: &PgPool, email_relay: Option<String>) -> Result<WebhooksView, AppError> {
    let webhooks = sqlx::query!(
        r#"
        select w.id, w.url, w.events, w.created_at, a.display_name as "created_by?"
        from webhooks w left join accounts a on a.id = w.created_by
        where w.deleted_at is null
        order by w.created_at, w.id
        limit 100
        "#
    )
    .fetch_all(pool)
    .await?
    .into_iter()
    .map(|r| Webhook {
        id: r.id,
        url: r.url,
        events: parse_events(&r.events),
        created_at: r.created_at,
        created_by: r.created_by,
    })
    .collect();
    let deliveries = sqlx::query!(
        r#"
        select id, webhook_id, event_id, event_type, project_id, status, attempts, response_code,
               duration_ms, last_error, created_at, last_attempt_at
        from webhook_deliveries
        order by created_at desc, id
        limit 50
        "#
    )
    .fetch_all(pool)
    .await?
    .into_iter()
    .map(|r| Delivery {
        id: r.id,
        webhook_id: r.webhook_id,
        event_id: r.event_id,
        event_type: r.event_type,
        project_id: r.project_id,
        status: DeliveryStatus::parse_word(&r.status).unwrap_or(DeliveryStatus::Pending),
        attempts: r.attempts,
        response_code: r.response_code,
        duration_ms: r.duration_ms,
        last_error: r.last_error,
        created_at: r.created_at,
        last_attempt_at: r.last_attempt_at,
    })
    .collect();
    let allow_private = sqlx::query_scalar!("select allow_private from webhook_settings")
        .fetch_one(pool)
        .await?;
    let parked_jobs = jobs::parked(pool, 20).await?;
    Ok(WebhooksView {
        webhooks,
        deliveries,
        allow_private,
        parked_jobs,
        email_relay,
    })
}

/// Tries a delivery once more, whatever became of it (its endpoint must still exist).
pub async fn send_again(pool: &PgPool, actor: Uuid, delivery: Uuid) -> Result<(), AppError> {
    let mut tx = pool.begin().await?;
    let webhook = sqlx::query_scalar!(
        r#"
        update webhook_deliveries d set status = 'pending'
        from webhooks w
        where d.id = $1 and w.id = d.webhook_id and w.deleted_at is null
        returning d.webhook_id
        "#,
        delivery
    )
    .fetch_optional(&mut *tx)
    .await?
    .ok_or(AppError::NotFound)?;
    jobs::enqueue(
        &mut *tx,
        DELIVERY_JOB,
        json!({ "delivery": delivery }),
        None,
        None,
    )
    .await?;
    audit::record(
        &mut *tx,
        Some(actor),
        "webhook",
        webhook,
        "delivery_sent_again",
        json!({ "delivery": { "before": null, "after": delivery } }),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Reads the projects' audit trail from where the last dispatch stopped and makes one delivery
/// (and its job) per event and endpoint that asked for it, moving the position on in the same
/// transaction: no event is missed or sent twice to one endpoint. One server dispatches at a
/// time (the others skip the locked position). Returns how many deliveries were made.
pub async fn dispatch(pool: &PgPool) -> sqlx::Result<usize> {
    let mut tx = pool.begin().await?;
    let Some(position) =
        sqlx::query!(r#"select tx::text as "tx!", event_id from webhook_feed for update skip locked"#)
            .fetch_optional(&mut *tx)
            .await?
    else {
        return Ok(0);
    };
    let endpoints: Vec<(Uuid, Vec<EventType>)> =
        sqlx::query!("select id, events from webhooks where deleted_at is null")
            .fetch_all(&mut *tx)
            .await?
            .into_iter()
            .map(|r| (r.id, parse_events(&r.events)))
            .collect();
    if endpoints.is_empty() {
        // Nobody is listening: an endpoint added later hears what happens from then on.
        sqlx::query!(
            r#"
            update webhook_feed f set tx = last.tx_id, event_id = last.id
            from (
                select tx_id, id from audit_events
                where entity_type = 'project' and tx_id < pg_snapshot_xmin(pg_current_snapshot())
                order by tx_id desc, id desc
                limit 1
            ) last
            where (last.tx_id, last.id) > (f.tx, f.event_id)
            "#
        )
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        return Ok(0);
    }
    let events =
        audit::project_events_after(&mut *tx, &position.tx, position.event_id, DISPATCH_BATCH).await?;
    let Some(last) = events.last() else {
        return Ok(0);
    };
    let (last_tx, last_id) = (last.tx.clone(), last.id);
    let mut made = 0;
    for event in &events {
        let types = event_types(&event.action, &event.changes);
        for (endpoint, wanted) in &endpoints {
            let Some(kind) = message_type(&types, wanted) else {
                continue;
            };
            let body = json!({
                "type": kind.as_str(),
                "timestamp": event.occurred_at,
                "data": {
                    "event_id": event.id,
                    "project_id": event.project_id,
                    "action": event.action,
                    "actor_id": event.actor_id,
                    "actor": event.actor,
                    "changes": event.changes,
                },
            })
            .to_string();
            let delivery = sqlx::query_scalar!(
                r#"
                insert into webhook_deliveries (webhook_id, event_id, event_type, project_id, body)
                values ($1, $2, $3, $4, $5)
                on conflict (webhook_id, event_id) do nothing
                returning id
                "#,
                endpoint,
                event.id,
                kind.as_str(),
                event.project_id,
                body,
            )
            .fetch_optional(&mut *tx)
            .await?;
            if let Some(delivery) = delivery {
                jobs::enqueue(
                    &mut *tx,
                    DELIVERY_JOB,
                    json!({ "delivery": delivery }),
                    None,
                    None,
                )
                .await?;
                made += 1;
            }
        }
    }
    sqlx::query!(
        "update webhook_feed set tx = ($1::text)::xid8, event_id = $2",
        last_tx,
        last_id
    )
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(made)
}

/// One try of the delivery a job names: the signed POST, then its status, response code and
/// time. An error (with what went wrong) when the endpoint did not answer 2xx, so the job is
/// tried again after its back-off.
pub async fn deliver(pool: &PgPool, job: &Job) -> Result<(), String> {
    let Some(id) = job
        .payload
        .get("delivery")
        .and_then(|v| v.as_str())
        .and_then(|v| v.parse::<Uuid>().ok())
    else {
        return Err("the job names no delivery".into());
    };
    let db = |e: sqlx::Error| e.to_string();
    let Some(row) = sqlx::query!(
        r#"
        select d.body, d.event_id, d.status, w.url, w.secret, w.deleted_at, s.allow_private
        from webhook_deliveries d
        join webhooks w on w.id = d.webhook_id
        cross join webhook_settings s
        where d.id = $1
        "#,
        id
    )
    .fetch_optional(pool)
    .await
    .map_err(db)?
    else {
        return Ok(());
    };
    if row.status == DeliveryStatus::Delivered.as_str() {
        return Ok(());
    }
    if row.deleted_at.is_some() {
        sqlx::query!(
            "update webhook_deliveries set status = 'parked', last_error = 'The endpoint was deleted.' where id = $1",
            id
        )
        .execute(pool)
        .await
        .map_err(db)?;
        return Ok(());
    }
    let started = Instant::now();
    let message_id = format!("msg_{}", row.event_id);
    let tried = post(&row.url, &row.secret, &message_id, &row.body, row.allow_private).await;
    let duration_ms = i32::try_from(started.elapsed().as_millis()).unwrap_or(i32::MAX);
    let (code, error) = match &tried {
        Ok(code) => (Some(*code), None),
        Err((code, error)) => (*code, Some(error.chars().take(2000).collect::<String>())),
    };
    let status = match (&tried, job.attempts >= job.max_attempts) {
        (Ok(_), _) => DeliveryStatus::Delivered,
        (Err(_), true) => DeliveryStatus::Parked,
        (Err(_), false) => DeliveryStatus::Failing,
    }
    .as_str();
    sqlx::query!(
        r#"
        update webhook_deliveries
        set status = $2, attempts = attempts + 1, response_code = $3, duration_ms = $4,
            last_error = $5, last_attempt_at = now(),
            delivered_at = case when $2 = 'delivered' then now() else delivered_at end
        where id = $1
        "#,
        id,
        status,
        code,
        duration_ms,
        error,
    )
    .execute(pool)
    .await
    .map_err(db)?;
    tried.map(|_| ()).map_err(|(_, error)| error)
}

/// POSTs `body` to `url`, signed: the response's status when 2xx, else what went wrong (with
/// the status, if the endpoint answered). The name is resolved first and every address it has
/// checked; the connection goes to the address that was checked.
async fn post(
    url: &str,
    secret: &str,
    message_id: &str,
    body: &str,
    allow_private: bool,
) -> Result<i32, (Option<i32>, String)> {
    let refuse = |error: String| (None, error);
    let url = check_url(url).map_err(refuse)?;
    let host = url
        .host_str()
        .unwrap_or_default()
        .trim_matches(['[', ']'])
        .to_owned();
    let port = url.port_or_known_default().unwrap_or(443);
    let addresses: Vec<std::net::SocketAddr> = tokio::net::lookup_host((host.as_str(), port))
        .await
        .map_err(|e| refuse(format!("could not resolve {host}: {e}")))?
        .collect();
    let Some(first) = addresses.first().copied() else {
        return Err(refuse(format!("{host} has no address")));
    };
    if let Some(private) = addresses.iter().find(|a| !address_allowed(a.ip(), allow_private)) {
        return Err(refuse(format!(
            "{host} is at {}, on a loopback or private network: an admin can allow these on the webhooks page",
            private.ip()
        )));
    }
    let client = reqwest::Client::builder()
        .timeout(TIMEOUT)
        .redirect(reqwest::redirect::Policy::none())
        .resolve(&host, first)
        .user_agent(concat!("Tollgate-Webhooks/", env!("CARGO_PKG_VERSION")))
        .build()
        .map_err(|e| refuse(e.to_string()))?;
    let timestamp = chrono::Utc::now().timestamp();
    let signature = sign::signature(secret, message_id, timestamp, body)
        .ok_or_else(|| refuse("the endpoint's secret is not a whsec_ secret".into()))?;
    let response = client
        .post(url)
        .header("content-type", "application/json")
        .header("webhook-id", message_id)
        .header("webhook-timestamp", timestamp.to_string())
        .header("webhook-signature", signature)
        .body(body.to_owned())
        .send()
        .await
        .map_err(|e| refuse(format!("no answer: {e}")))?;
    let code = i32::from(response.status().as_u16());
    if response.status().is_success() {
        Ok(code)
    } else {
        Err((Some(code), format!("the endpoint answered {code}")))
    }
}
