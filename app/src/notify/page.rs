//! A person's notifications (what Tollgate told them and why) and, on the Account page, what
//! they want by email.

use super::{
    load_notifications, load_preferences, MarkNotificationsRead, Message, Notification, SavePreferences,
};
use crate::auth::{AuthContext, Permission, Protected};
use crate::ui::{action_error, form_message, Alert, FormAlert, Loading, LocalTime};
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn NotificationsPage() -> impl IntoView {
    view! {
        <Title text="Notifications · Tollgate" />
        <Protected permission=Permission::Read view=|_| view! { <Notifications /> } />
    }
}

#[component]
fn Notifications() -> impl IntoView {
    let read = ServerAction::<MarkNotificationsRead>::new();
    let session = AuthContext::get().session;
    // The header's unread count follows.
    Effect::new(move |_| {
        if read.version().get() > 0 {
            session.refetch();
        }
    });
    let data = Resource::new(move || read.version().get(), |_| load_notifications());
    view! {
        <section class="page narrow-wide">
            <header class="page-header">
                <h1>"Notifications"</h1>
                <p class="muted">
                    "Reminders before a demo or a model-risk review falls due, when your project stalls, escalations, and the weekly digest. Choose what you get by email on "
                    <a href="/account">"your account"</a> "."
                </p>
            </header>
            <FormAlert message=Signal::derive(move || action_error(read).get().map(Alert::from)) />
            <Suspense fallback=Loading>
                {move || Suspend::new(async move {
                    match data.await {
                        Ok(view_data) => {
                            let email_note = (!view_data.email_configured).then(|| view! {
                                <p class="muted small" data-test="email-off">
                                    "Email is not set up on this Tollgate: notifications stay here."
                                </p>
                            });
                            let mark = (view_data.unread > 0).then(|| view! {
                                <ActionForm action=read attr:class="inline-form">
                                    <button type="submit" class="button small" data-test="mark-read">
                                        {match view_data.unread {
                                            1 => "Mark as read".to_owned(),
                                            n => format!("Mark all {n} as read"),
                                        }}
                                    </button>
                                </ActionForm>
                            });
                            let list = if view_data.items.is_empty() {
                                view! {
                                    <p class="empty-state" data-test="no-notifications">
                                        "Nothing yet. Reminders and the weekly digest will appear here."
                                    </p>
                                }
                                .into_any()
                            } else {
                                let items = view_data
                                    .items
                                    .into_iter()
                                    .map(|n| view! { <NotificationItem n /> })
                                    .collect_view();
                                view! { <ol class="notifications" data-test="notifications">{items}</ol> }.into_any()
                            };
                            view! { {email_note} {mark} {list} }.into_any()
                        }
                        Err(error) => view! { <FormAlert message=Some(Alert::from(error)) /> }.into_any(),
                    }
                })}
            </Suspense>
        </section>
    }
}

#[component]
fn NotificationItem(n: Notification) -> impl IntoView {
    let how = match n.email.as_str() {
        "sent" => "emailed",
        "queued" => "being emailed",
        _ => "in the app",
    };
    view! {
        <li class="card notification" class:unread=!n.read data-test="notification" data-kind=n.kind.as_str()>
            <h2 class="notification-subject">
                {(!n.read).then(|| view! { <span class="unread-dot">"New: "</span> })}
                {n.subject}
            </h2>
            <p class="muted small">
                {n.kind.label()} " · " <LocalTime at=n.created_at /> " · " {how}
            </p>
            <MessageBody message=n.message />
        </li>
    }
}

/// A message's sections, each item a link to its page.
#[component]
fn MessageBody(message: Message) -> impl IntoView {
    message
        .sections
        .into_iter()
        .map(|section| {
            let heading = section.heading.map(|h| view! { <h3>{h}</h3> });
            let body = if section.items.is_empty() {
                section
                    .empty
                    .map(|e| view! { <p class="muted">{e}</p> })
                    .into_any()
            } else {
                let items = section
                    .items
                    .into_iter()
                    .map(|item| match item.link {
                        Some(link) => view! { <li><a href=link>{item.text}</a></li> }.into_any(),
                        None => view! { <li>{item.text}</li> }.into_any(),
                    })
                    .collect_view();
                view! { <ul>{items}</ul> }.into_any()
            };
            view! { {heading} {body} }
        })
        .collect_view()
}

/// The Account page's card: what this person wants by email.
#[component]
pub fn PreferencesCard() -> impl IntoView {
    let save = ServerAction::<SavePreferences>::new();
    let data = Resource::new(move || save.version().get(), |_| load_preferences());
    let error = action_error(save);
    let saved = move || {
        matches!(save.value().get(), Some(Ok(()))).then(|| {
            view! {
                <div class="alert alert-success" role="status" data-test="preferences-saved">
                    "Preferences saved."
                </div>
            }
        })
    };
    view! {
        <div class="card" data-test="preferences">
            <h2>"Notifications"</h2>
            {saved}
            <FormAlert message=form_message(error) />
            <Suspense fallback=Loading>
                {move || Suspend::new(async move {
                    data.await.map(|(prefs, email_configured)| {
                        let note = (!email_configured).then(|| view! {
                            <p class="muted small">"Email is not set up on this Tollgate yet: reminders and the digest show under Notifications."</p>
                        });
                        view! {
                            {note}
                            <ActionForm action=save attr:data-test="preferences-form">
                                <fieldset class="stacked-checks">
                                    <legend>"Email me"</legend>
                                    <label class="check" for="pref-reminders">
                                        <input type="checkbox" id="pref-reminders" name="email_reminders"
                                            checked=prefs.email_reminders />
                                        "Reminders: a demo or model-risk review of mine falling due or overdue, a project of mine stalled (they also show under Notifications)"
                                    </label>
                                    <label class="check" for="pref-digest">
                                        <input type="checkbox" id="pref-digest" name="weekly_digest"
                                            checked=prefs.weekly_digest data-test="digest-checkbox" />
                                        "The weekly digest"
                                    </label>
                                </fieldset>
                                <button type="submit" class="button primary">"Save preferences"</button>
                            </ActionForm>
                        }
                    })
                })}
            </Suspense>
        </div>
    }
}
