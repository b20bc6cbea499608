//! The project's history: handoffs, and the timeline built from its audit events.

use crate::projects::input::field_label;
use crate::projects::{Handoff, TimelineEntry};
use crate::ui::LocalTime;
use leptos::prelude::*;

/// What happened, in words: "created the project", "moved the stage".
fn action_phrase(action: &str) -> &str {
    match action {
        "created" => "created the project",
        "updated" => "edited the project",
        "stage_moved" => "moved the stage",
        "owner_assigned" => "changed an owner",
        "demo_added" => "logged a demo checkpoint",
        "evidence_added" => "added user-research evidence",
        "signoff_added" => "recorded an explainability sign-off",
        "review_added" => "recorded a model-risk review",
        "record_withdrawn" => "withdrew a record",
        "record_corrected" => "corrected a record",
        "review_requested" => "asked for a decision",
        "review_request_withdrawn" => "withdrew a request for a decision",
        "condition_added" => "added a review condition",
        "condition_met" => "marked a review condition met",
        "condition_waived" => "waived a review condition",
        "goal_change_acknowledged" => "acknowledged the change of goal",
        other => other,
    }
}

/// "owner.build" → "Owner of Build"; other fields by their label.
fn change_label(field: &str) -> String {
    match field.strip_prefix("owner.") {
        Some(stage) => format!(
            "Owner of {}",
            stage
                .parse::<crate::projects::stage::Stage>()
                .map(|s| s.label())
                .unwrap_or(stage)
        ),
        None => field_label(field).to_owned(),
    }
}

#[component]
pub fn Timeline(entries: Vec<TimelineEntry>) -> impl IntoView {
    let items = entries
        .into_iter()
        .map(|entry| {
            let changes = entry
                .changes
                .into_iter()
                .map(|c| {
                    // Nothing and an empty text read the same: a dash.
                    let shown = |v: Option<String>| v.filter(|v| !v.is_empty()).unwrap_or_else(|| "—".into());
                    let (before, after) = (shown(c.before), shown(c.after));
                    view! {
                        <li>
                            <span class="strong">{change_label(&c.field)}</span> ": "
                            <span class="before">{before}</span> " → " <span class="after">{after}</span>
                        </li>
                    }
                })
                .collect_view();
            view! {
                <li class="timeline-entry" data-test="timeline-entry" data-action=entry.action.clone()>
                    <p>
                        <span class="strong"><bdi>{entry.actor.unwrap_or_else(|| "Tollgate".into())}</bdi></span>
                        " " {action_phrase(&entry.action).to_owned()}
                        <span class="muted small">" · " <LocalTime at=entry.at /></span>
                    </p>
                    <ul class="changes">{changes}</ul>
                </li>
            }
        })
        .collect_view();
    view! {
        <div class="card" data-test="timeline">
            <h2>"Timeline"</h2>
            <ol class="timeline">{items}</ol>
        </div>
    }
    .into_any()
}

#[component]
pub fn Handoffs(handoffs: Vec<Handoff>) -> impl IntoView {
    let empty = handoffs.is_empty();
    let items = handoffs
        .into_iter()
        .map(|h| {
            let text = match &h.from {
                Some(from) => format!("{}: {} → {}", h.stage.label(), from, h.to),
                None => format!("{}: {} assigned", h.stage.label(), h.to),
            };
            view! {
                <li data-test="handoff">
                    <span>{text}</span>
                    <span class="muted small">
                        {format!(" · by {} · ", h.by.unwrap_or_else(|| "Tollgate".into()))}
                        <LocalTime at=h.at />
                    </span>
                </li>
            }
        })
        .collect_view();
    view! {
        <div class="card" data-test="handoffs">
            <h2>"Ownership history"</h2>
            {empty.then(|| view! { <p class="muted">"No owner assigned yet."</p> })}
            <ul class="plain-list">{items}</ul>
        </div>
    }
    .into_any()
}
