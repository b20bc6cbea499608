//! The admin's webhooks page: register an endpoint (its secret shown once), the events it
//! hears, the newest deliveries with their status and "send again", and the background jobs
//! that gave up.

use super::{
    load_webhooks, AllowPrivateEndpoints, CreateWebhook, DeleteWebhook, Delivery, DeliveryStatus, EventType,
    SendDeliveryAgain, Webhook, WebhooksView, MAX_URL_CHARS,
};
use crate::auth::{Permission, Protected};
use crate::ui::{
    action_error, columns, field_message, form_message, Alert, DataTable, FieldErrorText, FormAlert, Loading,
    LocalTime,
};
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn WebhooksPage() -> impl IntoView {
    view! {
        <Title text="Webhooks · Tollgate" />
        <Protected permission=Permission::ManageAccounts view=|_| view! { <Webhooks /> } />
    }
}

#[component]
fn Webhooks() -> impl IntoView {
    let create = ServerAction::<CreateWebhook>::new();
    let delete = ServerAction::<DeleteWebhook>::new();
    let again = ServerAction::<SendDeliveryAgain>::new();
    let private = ServerAction::<AllowPrivateEndpoints>::new();
    let row_error = Signal::derive(move || {
        action_error(delete)
            .get()
            .or_else(|| action_error(again).get())
            .or_else(|| action_error(private).get())
            .map(Alert::from)
    });
    let view_data = Resource::new(
        move || {
            (
                create.version().get(),
                delete.version().get(),
                again.version().get(),
                private.version().get(),
            )
        },
        |_| load_webhooks(),
    );
    let created = move || {
        create.value().get().and_then(Result::ok).map(|(webhook, secret)| {
            view! {
                <div class="alert alert-success" role="status" data-test="new-webhook">
                    <p>
                        {format!(
                            "Webhook to {} registered. Copy its signing secret now: it is shown only this once. Verify each delivery's webhook-signature with it (any Standard Webhooks library does).",
                            webhook.url,
                        )}
                    </p>
                    <code class="secret" data-test="webhook-secret">{secret}</code>
                </div>
            }
        })
    };
    view! {
        <section class="page narrow-wide">
            <header class="page-header">
                <h1>"Webhooks"</h1>
                <p class="muted">
                    "Tollgate POSTs each change to the endpoints below as it happens, signed by the Standard Webhooks specification, and tries again with growing waits until the endpoint answers 2xx. "
                    "Every message carries its audit event's id: catch up through " <a href="/api/v1/openapi.json">"/api/v1/events"</a> "."
                </p>
            </header>
            {created}
            <NewWebhookForm create />
            <FormAlert message=row_error />
            <Suspense fallback=Loading>
                {move || Suspend::new(async move {
                    match view_data.await {
                        Ok(data) => view! { <WebhooksBody data delete again private /> }.into_any(),
                        Err(error) => view! { <FormAlert message=Some(Alert::from(error)) /> }.into_any(),
                    }
                })}
            </Suspense>
        </section>
    }
}

#[component]
fn NewWebhookForm(create: ServerAction<CreateWebhook>) -> impl IntoView {
    let error = action_error(create);
    let url_error = field_message(error, "url");
    let events_error = field_message(error, "events");
    let choices = EventType::ALL
        .iter()
        .map(|event| {
            let id = format!("event-{}", event.as_str().replace('.', "-"));
            view! {
                <label class="check" for=id>
                    <input type="checkbox" id=id.clone() name="events[]" value=event.as_str() checked=true />
                    {event.label()} " " <code class="small">{event.as_str()}</code>
                </label>
            }
        })
        .collect_view();
    view! {
        <FormAlert message=form_message(error) />
        <ActionForm action=create attr:novalidate="" attr:data-test="webhook-form" attr:class="card">
            <h2>"Add an endpoint"</h2>
            <div class="field" class:field-invalid=move || url_error.get().is_some()>
                <label for="webhook-url">"Endpoint URL"</label>
                <p class="field-hint" id="webhook-url-hint">"https:// (or http://) on a public address, e.g. https://bi.example.com/hooks/tollgate."</p>
                <input id="webhook-url" name="url" type="url" inputmode="url" autocomplete="off"
                    maxlength=MAX_URL_CHARS.to_string()
                    aria-invalid=move || if url_error.get().is_some() { "true" } else { "false" }
                    aria-describedby="webhook-url-hint webhook-url-error" />
                <FieldErrorText id="webhook-url-error".to_owned() error=url_error />
            </div>
            <fieldset class="form-section checks" aria-describedby="webhook-events-error">
                <legend>"Events to send"</legend>
                {choices}
                <FieldErrorText id="webhook-events-error".to_owned() error=events_error />
            </fieldset>
            <button type="submit" class="button primary">"Add endpoint"</button>
        </ActionForm>
    }
}

#[component]
fn WebhooksBody(
    data: WebhooksView,
    delete: ServerAction<DeleteWebhook>,
    again: ServerAction<SendDeliveryAgain>,
    private: ServerAction<AllowPrivateEndpoints>,
) -> impl IntoView {
    let WebhooksView {
        webhooks,
        deliveries,
        allow_private,
        parked_jobs,
        email_relay,
    } = data;
    let email = match email_relay {
        Some(relay) => view! {
            <p class="muted" data-test="email-relay">"Notifications are emailed through " <code>{relay}</code> "."</p>
        }
        .into_any(),
        None => view! {
            <p class="alert alert-info" data-test="email-relay">
                "Email is not set up (TOLLGATE_SMTP_URL): reminders and digests stay in the app, under each person's Notifications."
            </p>
        }
        .into_any(),
    };
    let endpoints = if webhooks.is_empty() {
        view! { <p class="muted" data-test="no-webhooks">"No endpoints yet."</p> }.into_any()
    } else {
        let rows = webhooks
            .iter()
            .map(|w| view! { <EndpointRow webhook=w.clone() delete /> })
            .collect_view();
        view! {
            <DataTable test="webhooks-table" columns=columns(["Endpoint", "Events", "Added", "Action"])>
                {rows}
            </DataTable>
        }
        .into_any()
    };
    let log = if deliveries.is_empty() {
        view! { <p class="muted" data-test="no-deliveries">"Nothing sent yet."</p> }.into_any()
    } else {
        let rows = deliveries
            .into_iter()
            .map(|d| {
                let url = webhooks
                    .iter()
                    .find(|w| w.id == d.webhook_id)
                    .map(|w| w.url.clone())
                    .unwrap_or_else(|| "a deleted endpoint".into());
                view! { <DeliveryRow delivery=d url again /> }
            })
            .collect_view();
        view! {
            <DataTable
                test="deliveries-table"
                caption="The newest 50 messages. Response and time are the last try's."
                columns=columns(["Event", "Endpoint", "Status", "Response", "Tries", "Action"])
            >
                {rows}
            </DataTable>
        }
        .into_any()
    };
    let parked = (!parked_jobs.is_empty()).then(|| {
        let rows = parked_jobs
            .into_iter()
            .map(|job| {
                view! {
                    <tr data-test="parked-job">
                        <th scope="row">{job.kind}</th>
                        <td>{job.attempts}</td>
                        <td>{job.last_error}</td>
                        <td><LocalTime at=job.parked_at /></td>
                    </tr>
                }
            })
            .collect_view();
        view! {
            <h2>"Background jobs that gave up"</h2>
            <DataTable test="parked-jobs" columns=columns(["Job", "Tries", "Last error", "Gave up"])>{rows}</DataTable>
        }
    });
    view! {
        <h2>"Endpoints"</h2>
        {endpoints}
        <ActionForm action=private attr:class="card inline-form" attr:data-test="private-form">
            <label class="check" for="allow-private">
                <input type="checkbox" id="allow-private" name="allow" checked=allow_private />
                "Allow endpoints on loopback and private networks (127.0.0.1, 10.x, 192.168.x …)"
            </label>
            <button type="submit" class="button small">"Save"</button>
        </ActionForm>
        <h2>"Deliveries"</h2>
        {log}
        <h2>"Email"</h2>
        {email}
        {parked}
    }
}

#[component]
fn EndpointRow(webhook: Webhook, delete: ServerAction<DeleteWebhook>) -> impl IntoView {
    let events = if webhook.events.len() == EventType::ALL.len() {
        "All events".to_owned()
    } else {
        webhook
            .events
            .iter()
            .map(|e| e.label())
            .collect::<Vec<_>>()
            .join(", ")
    };
    let delete_label = format!("Delete the endpoint {}", webhook.url);
    view! {
        <tr data-test="webhook-row">
            <th scope="row"><code class="wrap">{webhook.url.clone()}</code></th>
            <td>{events}</td>
            <td><LocalTime at=webhook.created_at /></td>
            <td>
                <ActionForm action=delete>
                    <input type="hidden" name="webhook_id" value=webhook.id.to_string() />
                    <button type="submit" class="button small danger" aria-label=delete_label>"Delete"</button>
                </ActionForm>
            </td>
        </tr>
    }
}

#[component]
fn DeliveryRow(delivery: Delivery, url: String, again: ServerAction<SendDeliveryAgain>) -> impl IntoView {
    let status_class = match delivery.status {
        DeliveryStatus::Delivered => "status-good",
        DeliveryStatus::Pending => "muted",
        DeliveryStatus::Failing | DeliveryStatus::Parked => "warning-text",
    };
    let response = match (delivery.response_code, delivery.duration_ms) {
        (Some(code), Some(ms)) => format!("{code} in {ms} ms"),
        (None, Some(ms)) => format!("no answer ({ms} ms)"),
        _ => "\u{2014}".to_owned(),
    };
    let again_label = format!("Send event {} again to {url}", delivery.event_id);
    view! {
        <tr data-test="delivery-row" data-status=delivery.status.as_str()>
            <th scope="row">
                <a href=format!("/projects/{}", delivery.project_id)>{delivery.event_type.clone()}</a>
                <div class="small muted">{format!("event {}", delivery.event_id)} " \u{b7} " <LocalTime at=delivery.created_at /></div>
            </th>
            <td><code class="wrap">{url}</code></td>
            <td>
                <span class=status_class>{delivery.status.label()}</span>
                {delivery.last_error.map(|e| view! { <div class="small muted">{e}</div> })}
            </td>
            <td>{response}</td>
            <td>{delivery.attempts}</td>
            <td>
                <ActionForm action=again>
                    <input type="hidden" name="delivery_id" value=delivery.id.to_string() />
                    <button type="submit" class="button small" aria-label=again_label>"Send again"</button>
                </ActionForm>
            </td>
        </tr>
    }
}
