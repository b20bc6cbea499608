//! The projects pages: the list, one project, and the create and edit forms.

mod detail;
pub(crate) use detail::successes;
mod form;
mod list;
mod stage_panel;
mod timeline;

pub use detail::ProjectPage;
pub use form::{EditProjectPage, NewProjectPage};
pub use list::{choices_view, options, NoProjectsYet, OwnerField, ProjectTable, ProjectsPage};

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

/// Loads the project page's data for the id in the route (none: not found).
async fn load_project(id: Option<uuid::Uuid>) -> Result<super::ProjectDetail, crate::error::AppError> {
    match id {
        Some(id) => super::get_project(id).await,
        None => Err(crate::error::AppError::NotFound),
    }
}

/// What a project page shows when its project could not be loaded.
fn load_failed(error: crate::error::AppError) -> AnyView {
    match error {
        crate::error::AppError::NotFound => {
            crate::ui::set_status(404);
            view! { <form::ProjectMissing /> }.into_any()
        }
        error => view! { <crate::ui::FormAlert message=Some(crate::ui::Alert::from(error)) /> }.into_any(),
    }
}
