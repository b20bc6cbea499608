//! The projects pages: the list, one project, and the create and edit forms.

mod detail;
mod form;
mod list;
mod timeline;

pub use detail::ProjectPage;
pub use form::{EditProjectPage, NewProjectPage};
pub use list::{NoProjectsYet, ProjectTable, ProjectsPage};

use super::stage::{Stage, Status};
use leptos::prelude::*;

/// A stage as a small labelled badge.
#[component]
fn StageBadge(stage: Stage) -> impl IntoView {
    view! { <span class=format!("badge stage-{}", stage.as_str())>{stage.label()}</span> }
}

/// A status in words, marked when work is not going on.
#[component]
fn StatusBadge(status: Status) -> impl IntoView {
    view! {
        <span class="status" class:status-off=status != Status::Active>
            {status.label()}
        </span>
    }
}

/// The id in the route `/projects/:id`, if it is one.
fn project_id_param() -> Memo<Option<uuid::Uuid>> {
    let params = leptos_router::hooks::use_params_map();
    Memo::new(move |_| params.with(|p| p.get("id").and_then(|id| id.parse().ok())))
}
