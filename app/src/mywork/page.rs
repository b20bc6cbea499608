//! My work's sections, as the home page shows them.

use super::Workload;
use crate::ui::LocalTime;
use leptos::prelude::*;

#[component]
pub fn MyWorkSections(work: Workload) -> impl IntoView {
    let asked = (!work.asked.is_empty()).then(|| {
        let items = work
            .asked
            .iter()
            .map(|a| {
                let to_whom = if a.by_name { "you" } else { "any reviewer" };
                let due = a.due_on.map(|d| format!(" · due by {}", d.format("%-d %b %Y")));
                let note = (!a.note.is_empty())
                    .then(|| view! { <p class="muted small prewrap">{a.note.clone()}</p> });
                view! {
                    <li class="work-item" data-test="asked-of-me">
                        <a class="strong" href=format!("/projects/{}#{}", a.project_id, a.kind.anchor())>
                            <bdi>{a.project_name.clone()}</bdi>
                        </a>
                        <span class="small">
                            {format!(" · {} asked of {to_whom} by ", a.kind.label().to_lowercase())}
                            <bdi>{a.requested_by.clone()}</bdi> " since " <LocalTime at=a.requested_at />
                            {due}
                        </span>
                        {note}
                    </li>
                }
            })
            .collect_view();
        view! {
            <div class="card" data-test="asked-of-me-list">
                <h2>"Asked of you"</h2>
                <ul class="plain-list">{items}</ul>
            </div>
        }
    });
    let owned = if work.owned.is_empty() {
        view! { <p class="muted" data-test="none-owned">"You don't own the current stage of any project."</p> }.into_any()
    } else {
        let items = work
            .owned
            .into_iter()
            .map(|p| {
                let flags = p
                    .flags
                    .iter()
                    .map(|f| {
                        view! { <li data-test="flag" data-code=f.code.as_str()>
                            <span class="flag-name">{f.code.label()}</span> " — " {f.reason.clone()}
                        </li> }
                    })
                    .collect_view();
                view! {
                    <li class="work-item" data-test="owned-project">
                        <a class="strong" href=format!("/projects/{}", p.id)><bdi>{p.name}</bdi></a>
                        <span class="muted small">" · " {p.stage.label()}</span>
                        {if p.flags.is_empty() {
                            view! { <span class="health-green small">" · healthy"</span> }.into_any()
                        } else {
                            view! { <ul class="work-flags">{flags}</ul> }.into_any()
                        }}
                    </li>
                }
            })
            .collect_view();
        view! { <ul class="plain-list">{items}</ul> }.into_any()
    };
    let ownerless = (!work.ownerless.is_empty()).then(|| {
        let items = work
            .ownerless
            .into_iter()
            .map(|p| {
                let reason = p
                    .flags
                    .iter()
                    .find(|f| f.code == crate::health::FlagCode::Ownerless)
                    .map(|f| f.reason.clone())
                    .unwrap_or_default();
                view! {
                    <li data-test="ownerless-project">
                        <a href=format!("/projects/{}", p.id)><bdi>{p.name}</bdi></a>
                        " — " <span class="warning-text">{reason}</span>
                    </li>
                }
            })
            .collect_view();
        view! {
            <div class="card" data-test="ownerless">
                <h2>"Nobody owns these"</h2>
                <ul class="plain-list">{items}</ul>
            </div>
        }
    });
    let demos = if work.demos_due.is_empty() {
        view! { <p class="muted">"No demo due in the next 7 days."</p> }.into_any()
    } else {
        let items = work
            .demos_due
            .into_iter()
            .map(|d| {
                let when = if d.overdue {
                    format!("overdue since {}", d.due_on.format("%-d %b %Y"))
                } else {
                    format!("due by {}", d.due_on.format("%-d %b %Y"))
                };
                view! {
                    <li data-test="demo-due">
                        <a href=format!("/projects/{}#records-demos", d.id)><bdi>{d.name}</bdi></a>
                        " — " <span class:warning-text=d.overdue>{when}</span>
                    </li>
                }
            })
            .collect_view();
        view! { <ul class="plain-list">{items}</ul> }.into_any()
    };
    let reviews = if work.awaiting_review.is_empty() {
        view! { <p class="muted">"Nothing is waiting for a reviewer."</p> }.into_any()
    } else {
        let items = work
            .awaiting_review
            .into_iter()
            .map(|r| {
                view! {
                    <li data-test="awaiting-review">
                        <a href=format!("/projects/{}#records-signoffs", r.id)><bdi>{r.name}</bdi></a>
                        " — needs " {r.needs.join("; ").to_lowercase()}
                    </li>
                }
            })
            .collect_view();
        view! { <ul class="plain-list">{items}</ul> }.into_any()
    };
    let owed = view! { <OwedConditions conditions=work.conditions /> };
    let again = (!work.review_again.is_empty()).then(|| {
        let items = work
            .review_again
            .into_iter()
            .map(|r| {
                view! {
                    <li data-test="review-again-item">
                        <a href=format!("/projects/{}#records-signoffs", r.id)><bdi>{r.name}</bdi></a>
                        " — " {r.voided.join("; ")}
                    </li>
                }
            })
            .collect_view();
        view! {
            <div class="card" data-test="review-again">
                <h2>"Needs your review again"</h2>
                <ul class="plain-list">{items}</ul>
            </div>
        }
    });
    view! {
        <div class="columns">
            <div class="column-main">
                {asked}
                {again}
                <div class="card" data-test="my-projects">
                    <h2>"Projects I own"</h2>
                    {owned}
                </div>
                {ownerless}
            </div>
            <aside class="column-side">
                {owed}
                <div class="card" data-test="demos-due">
                    <h2>"Demos due"</h2>
                    {demos}
                </div>
                <div class="card" data-test="reviews-waiting">
                    <h2>"Waiting for a reviewer"</h2>
                    {reviews}
                </div>
            </aside>
        </div>
    }
    .into_any()
}

/// The open review conditions someone sees to, soonest due first (nothing when none).
#[component]
pub fn OwedConditions(conditions: Vec<super::OwedCondition>) -> impl IntoView {
    (!conditions.is_empty()).then(|| {
        let items = conditions
            .into_iter()
            .map(|c| {
                let overdue = c.overdue;
                let when = if overdue {
                    format!("overdue since {}", c.due_on.format("%-d %b %Y"))
                } else {
                    format!("due by {}", c.due_on.format("%-d %b %Y"))
                };
                view! {
                    <li data-test="owed-condition">
                        <a href=format!("/projects/{}#conditions", c.project_id)><bdi>{c.project_name}</bdi></a>
                        ": " <bdi>{c.text}</bdi> " — " <span class:warning-text=overdue>{when}</span>
                    </li>
                }
            })
            .collect_view();
        view! {
            <div class="card" data-test="conditions-owed">
                <h2>"Conditions I see to"</h2>
                <ul class="plain-list">{items}</ul>
            </div>
        }
    })
}
