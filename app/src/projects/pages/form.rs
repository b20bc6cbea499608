//! Creating and editing a project: one form, every field with its message beside it.

use super::{load_failed, load_project, project_id_param};
use crate::auth::{Permission, Protected};
use crate::error::AppError;
use crate::projects::input::ProjectInput;
use crate::projects::stage::{RiskTier, Status};
use crate::projects::{CreateProject, UpdateProject};
use crate::ui::{
    action_error, field_message, form_message, Field, FormAlert, Loading, SelectField, TextArea,
};
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn NewProjectPage() -> impl IntoView {
    view! {
        <Title text="New project · Tollgate" />
        <Protected permission=Permission::EditProjects view=|_| view! { <NewProject /> } />
    }
}

#[component]
fn NewProject() -> impl IntoView {
    let create = ServerAction::<CreateProject>::new();
    let error = action_error(create);
    let values = ProjectInput {
        risk_tier: RiskTier::Medium.as_str().into(),
        status: Status::Active.as_str().into(),
        ..ProjectInput::default()
    };
    view! {
        <section class="page narrow-wide">
            <header class="page-header">
                <p class="breadcrumb"><a href="/projects">"Projects"</a></p>
                <h1>"New project"</h1>
                <p class="muted">
                    "A name and a team are enough to start. The rest is what each stage's gate asks for; fill it in as you learn."
                </p>
            </header>
            <FormAlert message=form_message(error) />
            <ActionForm action=create attr:novalidate="" attr:data-test="project-form" attr:class="project-form">
                <ProjectFields values error />
                <div class="form-actions">
                    <button type="submit" class="button primary" disabled=move || create.pending().get()>
                        "Create project"
                    </button>
                    <a class="button link" href="/projects">"Cancel"</a>
                </div>
            </ActionForm>
        </section>
    }
}

#[component]
pub fn EditProjectPage() -> impl IntoView {
    view! {
        <Title text="Edit project · Tollgate" />
        <Protected permission=Permission::EditProjects view=|_| view! { <EditProject /> } />
    }
}

#[component]
fn EditProject() -> impl IntoView {
    let id = project_id_param();
    // Keyed on the id alone: a failed save must not reload the form over what was typed.
    let project = Resource::new(move || id.get(), load_project);
    let update = ServerAction::<UpdateProject>::new();
    let error = action_error(update);
    view! {
        <Suspense fallback=Loading>
            {move || Suspend::new(async move {
                match project.await {
                    Ok(detail) => {
                        let p = detail.project;
                        view! {
                            <section class="page narrow-wide">
                                <header class="page-header">
                                    <p class="breadcrumb">
                                        <a href="/projects">"Projects"</a> " / "
                                        <a href=format!("/projects/{}", p.id)><bdi>{p.name.clone()}</bdi></a>
                                    </p>
                                    <h1>"Edit " <bdi>{p.name.clone()}</bdi></h1>
                                </header>
                                <FormAlert message=form_message(error) />
                                <ActionForm action=update attr:novalidate="" attr:data-test="project-form"
                                    attr:class="project-form">
                                    <input type="hidden" name="id" value=p.id.to_string() />
                                    <input type="hidden" name="version" value=p.version.to_string() />
                                    <ProjectFields values=p.to_input() error />
                                    <div class="form-actions">
                                        <button type="submit" class="button primary"
                                            disabled=move || update.pending().get()>
                                            "Save changes"
                                        </button>
                                        <a class="button link" href=format!("/projects/{}", p.id)>"Cancel"</a>
                                    </div>
                                </ActionForm>
                            </section>
                        }
                            .into_any()
                    }
                    Err(error) => load_failed(error),
                }
            })}
        </Suspense>
    }
}

/// Shown for a project id that does not exist.
#[component]
pub fn ProjectMissing() -> impl IntoView {
    view! {
        <section class="page narrow">
            <h1>"Project not found"</h1>
            <p>"There is no project at this address. It may have been mistyped."</p>
            <a class="button" href="/projects">"All projects"</a>
        </section>
    }
}

fn options<T: Copy>(all: &[T], word: impl Fn(T) -> (&'static str, &'static str)) -> Vec<(String, String)> {
    all.iter()
        .map(|v| {
            let (value, label) = word(*v);
            (value.to_owned(), label.to_owned())
        })
        .collect()
}

/// Every editable field, grouped by the gate that asks for it.
#[component]
fn ProjectFields(values: ProjectInput, error: Signal<Option<AppError>>) -> impl IntoView {
    let m = move |field: &'static str| field_message(error, field);
    let g = "input";
    view! {
        <fieldset class="form-section">
            <legend>"The project"</legend>
            <div class="form-grid">
                <Field label="Name" name="name" group=g value=values.name required=true error=m("name") />
                <Field label="Team" name="team" group=g value=values.team required=true error=m("team") />
                <SelectField label="Risk tier" name="risk_tier" group=g selected=values.risk_tier
                    options=options(RiskTier::ALL, |t| (t.as_str(), t.label())) error=m("risk_tier") />
                <SelectField label="Status" name="status" group=g selected=values.status
                    options=options(Status::ALL, |s| (s.as_str(), s.label())) error=m("status") />
            </div>
            <TextArea label="Summary" name="summary" group=g value=values.summary rows=3
                hint="One or two sentences a newcomer would understand." error=m("summary") />
        </fieldset>
        <fieldset class="form-section">
            <legend>"Needed to enter Design"</legend>
            <TextArea label="Problem statement" name="problem_statement" group=g value=values.problem_statement
                hint="What problem this solves, and for whom." error=m("problem_statement") />
            <div class="form-grid">
                <Field label="Success metric" name="success_metric" group=g value=values.success_metric
                    hint="How you will know it works." error=m("success_metric") />
                <Field label="Success target" name="success_target" group=g value=values.success_target
                    hint="The value of the metric that counts as success." error=m("success_target") />
            </div>
        </fieldset>
        <fieldset class="form-section">
            <legend>"Needed to enter Build"</legend>
            <div class="form-grid">
                <Field label="Baseline metric" name="baseline_metric" group=g value=values.baseline_metric
                    hint="The metric today, before any model." error=m("baseline_metric") />
            </div>
            <TextArea label="How the baseline was measured" name="baseline_method" group=g
                value=values.baseline_method rows=3 error=m("baseline_method") />
            <TextArea label="Data readiness" name="data_readiness" group=g value=values.data_readiness rows=3
                hint="The data exists, you can get it, and it is fit for use." error=m("data_readiness") />
        </fieldset>
        <fieldset class="form-section">
            <legend>"Needed to enter Deploy"</legend>
            <TextArea label="Fallback plan" name="fallback_plan" group=g value=values.fallback_plan rows=3
                hint="What happens when the model is wrong or switched off." error=m("fallback_plan") />
            <div class="form-grid">
                <Field label="Monitoring owner" name="monitoring_owner" group=g value=values.monitoring_owner
                    hint="The person or team watching the model in production." error=m("monitoring_owner") />
            </div>
        </fieldset>
    }
}
