//! "My work": the home page of editors and reviewers — the projects I own with their flags,
//! demos due within a week or overdue, and the decisions waiting for a reviewer.

use crate::error::AppError;
use crate::health::Flag;
use crate::ui::LocalTime;
use chrono::NaiveDate;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// A project I own, with what is wrong with it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OwnedProject {
    pub id: Uuid,
    pub name: String,
    pub stage: crate::projects::stage::Stage,
    pub flags: Vec<Flag>,
}

/// A demo that is due soon or overdue.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DemoDue {
    pub id: Uuid,
    pub name: String,
    pub due_on: NaiveDate,
    pub overdue: bool,
}

/// A project at the door of Deploy that still needs an independent decision.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AwaitingReview {
    pub id: Uuid,
    pub name: String,
    pub needs: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Workload {
    pub owned: Vec<OwnedProject>,
    /// Projects nobody (active) owns right now: for an editor to pick up.
    pub ownerless: Vec<OwnedProject>,
    pub demos_due: Vec<DemoDue>,
    pub awaiting_review: Vec<AwaitingReview>,
    /// Sign-offs and reviews asked of me (by name, or of any reviewer): for reviewers.
    #[serde(default)]
    pub asked: Vec<crate::requests::AskedOfMe>,
}

#[server(prefix = "/api", endpoint = "my-work")]
pub async fn my_work() -> Result<Workload, AppError> {
    use crate::auth::server::{require, Caller};
    use crate::auth::Permission;
    let Caller { user, state } = require(Permission::Read).await?;
    server::load(&state.pool, &user, state.clock.today()).await
}

#[cfg(feature = "ssr")]
mod server {
    use super::*;
    use crate::auth::{CurrentUser, Permission};
    use crate::health::Signals;
    use crate::projects::gate::{GateItem, RecordFacts};
    use crate::projects::stage::Stage;
    use sqlx::PgPool;

    /// The rows of `projects` with their current signals, in the order given.
    fn with_flags(
        rows: Vec<(Uuid, String, Stage)>,
        mut signals: std::collections::HashMap<Uuid, Signals>,
        today: NaiveDate,
    ) -> Vec<(OwnedProject, Signals)> {
        rows.into_iter()
            .map(|(id, name, stage)| {
                let signals = signals.remove(&id).unwrap_or_default();
                let flags = signals.flags(today);
                (
                    OwnedProject {
                        id,
                        name,
                        stage,
                        flags,
                    },
                    signals,
                )
            })
            .collect()
    }

    async fn signals_of(
        pool: &PgPool,
        rows: &[(Uuid, String, Stage)],
    ) -> Result<std::collections::HashMap<Uuid, Signals>, AppError> {
        let ids: Vec<Uuid> = rows.iter().map(|(id, _, _)| *id).collect();
        Ok(crate::health::server::current(pool, &ids)
            .await?
            .into_iter()
            .collect())
    }

    /// A few set-based reads, whatever the number of projects: the stored signals say what is
    /// wrong and when the next demo is due.
    pub async fn load(pool: &PgPool, user: &CurrentUser, today: NaiveDate) -> Result<Workload, AppError> {
        let mine: Vec<(Uuid, String, Stage)> = sqlx::query!(
            r#"
            select p.id, p.name, p.stage as "stage: Stage" from projects p
            join stage_owners so on so.project_id = p.id and so.stage = p.stage
            where so.owner_id = $1 and p.status not in ('cancelled', 'retired')
            order by lower(p.name)
            limit 200
            "#,
            user.id
        )
        .fetch_all(pool)
        .await?
        .into_iter()
        .map(|r| (r.id, r.name, r.stage))
        .collect();
        let signals = signals_of(pool, &mine).await?;
        let mut owned = Vec::new();
        let mut demos_due = Vec::new();
        for (project, signals) in with_flags(mine, signals, today) {
            if let Some(due_on) = signals.demo_due_on() {
                if due_on <= today + chrono::Days::new(7) {
                    demos_due.push(DemoDue {
                        id: project.id,
                        name: project.name.clone(),
                        due_on,
                        overdue: due_on < today,
                    });
                }
            }
            owned.push(project);
        }
        demos_due.sort_by_key(|d| d.due_on);

        let mut ownerless = Vec::new();
        if user.role.can(Permission::EditProjects) {
            let orphans: Vec<(Uuid, String, Stage)> = sqlx::query!(
                r#"
                select p.id, p.name, p.stage as "stage: Stage"
                from projects p
                where p.ownerless_on <= $1
                order by p.stage_entered_at, p.id
                limit 20
                "#,
                today
            )
            .fetch_all(pool)
            .await?
            .into_iter()
            .map(|r| (r.id, r.name, r.stage))
            .collect();
            let signals = signals_of(pool, &orphans).await?;
            ownerless = with_flags(orphans, signals, today)
                .into_iter()
                .map(|(project, _)| project)
                .collect();
        }

        let mut awaiting_review = Vec::new();
        if user.role.can(Permission::ReviewModels) {
            let at_the_door = sqlx::query!(
                r#"
                select p.id, p.name from projects p
                left join stage_owners so on so.project_id = p.id and so.stage = p.stage
                where p.stage = 'build' and p.status = 'active' and so.owner_id is distinct from $1
                order by p.stage_entered_at
                limit 50
                "#,
                user.id
            )
            .fetch_all(pool)
            .await?;
            let ids: Vec<Uuid> = at_the_door.iter().map(|r| r.id).collect();
            let facts: std::collections::HashMap<Uuid, RecordFacts> =
                crate::health::server::facts(pool, &ids)
                    .await?
                    .into_iter()
                    .map(|f| (f.id, f.records))
                    .collect();
            for row in at_the_door {
                let facts = facts.get(&row.id).copied().unwrap_or_default();
                let mut needs = Vec::new();
                if !facts.independent_signoff {
                    needs.push(GateItem::ExplainabilitySignoff.describe().to_owned());
                }
                if !facts.independent_review {
                    needs.push(GateItem::ModelRiskReview.describe().to_owned());
                }
                if !needs.is_empty() {
                    awaiting_review.push(AwaitingReview {
                        id: row.id,
                        name: row.name,
                        needs,
                    });
                }
            }
        }
        let asked = if user.role.can(Permission::ReviewModels) {
            crate::requests::server::asked_of(pool, user).await?
        } else {
            Vec::new()
        };
        Ok(Workload {
            owned,
            ownerless,
            demos_due,
            awaiting_review,
            asked,
        })
    }
}

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
    view! {
        <div class="columns">
            <div class="column-main">
                {asked}
                <div class="card" data-test="my-projects">
                    <h2>"Projects I own"</h2>
                    {owned}
                </div>
                {ownerless}
            </div>
            <aside class="column-side">
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
