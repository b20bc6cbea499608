//! The pipeline page (`/pipeline`) and the lists behind its numbers (`/pipeline/projects`): one
//! route, so the pipeline owns one line of the router.

mod charts;
mod list;

use super::{
    pipeline_projects, pipeline_view, DateRange, ListParams, Pipeline, PipelineListData, PipelinePageData,
    PipelineQuery,
};
use crate::auth::{Permission, Protected};
use crate::error::AppError;
use crate::projects::pages::{choices_view, options};
use crate::projects::stage::RiskTier;
use crate::projects::{OwnerChoices, OwnerField, OwnerFilter};
use crate::ui::{set_status, Alert, FormAlert, Loading};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::Form;
use leptos_router::hooks::{use_params_map, use_query_map};

/// The pipeline's numbers for a view, when the pipeline itself is shown.
pub(crate) type PipelineData = Resource<Result<Option<PipelinePageData>, AppError>>;
/// A list's page of projects, when a list is shown.
pub(crate) type ListData = Resource<Result<Option<PipelineListData>, AppError>>;

async fn read_pipeline(query: Option<PipelineQuery>) -> Result<Option<PipelinePageData>, AppError> {
    match query {
        Some(query) => pipeline_view(query).await.map(Some),
        None => Ok(None),
    }
}

async fn read_list(params: Option<ListParams>) -> Result<Option<PipelineListData>, AppError> {
    match params {
        Some(params) => pipeline_projects(params).await.map(Some),
        None => Ok(None),
    }
}

/// `/pipeline`, and `/pipeline/projects` for the projects behind a number.
#[component]
pub fn PipelinePage() -> impl IntoView {
    let params = use_params_map();
    let which = Memo::new(move |_| params.with(|p| p.get("view")));
    let address = use_query_map();
    let query = Memo::new(move |_| address.with(|p| PipelineQuery::from_params(|key| p.get(key))));
    let list = Memo::new(move |_| address.with(|p| ListParams::from_params(|key| p.get(key))));
    // The numbers are read here, outside `Protected`, which may build its contents more than
    // once while the session resolves: built inside, each build would read them again. (The
    // server functions authorise on their first line, so nobody signed out sees them.)
    let pipeline: PipelineData =
        Resource::new(move || which.get().is_none().then(|| query.get()), read_pipeline);
    let rows: ListData = Resource::new(
        move || (which.get().as_deref() == Some("projects")).then(|| list.get()),
        read_list,
    );
    let title = move || match which.get().as_deref() {
        None => "Pipeline · Tollgate".to_owned(),
        Some("projects") => {
            let what = list
                .get()
                .query()
                .kind
                .map_or_else(|| "Projects behind a number".to_owned(), |k| k.title());
            format!("{what} · Pipeline · Tollgate")
        }
        Some(_) => "Page not found · Tollgate".to_owned(),
    };
    view! {
        <Title text=title />
        <Protected permission=Permission::Read view=move |_| {
            move || match which.get().as_deref() {
                None => view! { <PipelineBody query data=pipeline /> }.into_any(),
                Some("projects") => view! { <list::ListBody params=list data=rows /> }.into_any(),
                Some(_) => view! { <NotHere /> }.into_any(),
            }
        } />
    }
}

#[component]
fn NotHere() -> impl IntoView {
    set_status(404);
    view! {
        <section class="page narrow">
            <h1>"Page not found"</h1>
            <p>"There is no page at this address. It may have moved, or the link may be mistyped."</p>
            <a class="button" href="/pipeline">"Go to the pipeline"</a>
        </section>
    }
}

/// The pipeline for the filters in the URL.
#[component]
fn PipelineBody(query: Memo<PipelineQuery>, data: PipelineData) -> impl IntoView {
    // While the next view loads, the current one stays on screen, dimmed.
    let pending = RwSignal::new(false);
    crate::ui::keep_address_tidy();
    view! {
        <section class="page" data-test="pipeline">
            <header class="page-header">
                <p class="breadcrumb"><a href="/portfolio">"Portfolio"</a></p>
                <h1>"Pipeline"</h1>
                <p class="muted">
                    "How projects move through define \u{2192} design \u{2192} build \u{2192} deploy: "
                    "where they move on, where they turn back or stop, and how long each stage takes."
                </p>
            </header>
            <div class="reloading-area" class:reloading=crate::ui::busy(pending) aria-busy=move || crate::ui::busy(pending)().to_string()>
            <Transition fallback=Loading set_pending=pending.write_only()>
                {move || Suspend::new(async move {
                    let query = query.get_untracked();
                    match data.await {
                        Ok(None) => ().into_any(),
                        Ok(Some(data)) => {
                            let range = DateRange { from: data.pipeline.from, to: data.pipeline.to };
                            view! {
                                <PipelineFilters query=query.clone() range teams=data.teams.clone() owners=data.owners.clone() />
                                <PipelineNumbers query pipeline=data.pipeline />
                            }
                                .into_any()
                        }
                        Err(error) => {
                            view! {
                                <FormAlert message=Some(Alert::from(error)) />
                                <p><a href="/pipeline">"See the last 12 months"</a></p>
                            }
                                .into_any()
                        }
                    }
                })}
            </Transition>
            </div>
        </section>
    }
}

fn iso(day: chrono::NaiveDate) -> String {
    day.format("%Y-%m-%d").to_string()
}

/// "2 Dec 2025", for people.
pub(crate) fn human(day: chrono::NaiveDate) -> String {
    day.format("%-d %b %Y").to_string()
}

#[component]
fn PipelineFilters(
    query: PipelineQuery,
    range: DateRange,
    teams: Vec<String>,
    owners: OwnerChoices,
) -> impl IntoView {
    let tiers = options(RiskTier::ALL, RiskTier::as_str, RiskTier::label);
    let teams = teams.into_iter().map(|t| (t.clone(), t)).collect();
    view! {
        <Form method="GET" action="/pipeline" attr:class="filters pipeline-filters" attr:data-test="pipeline-filters">
            <div class="field">
                <label for="pipeline-team">"Team"</label>
                <select id="pipeline-team" name="team">{choices_view("Any team", query.team.as_deref(), teams)}</select>
            </div>
            <div class="field">
                <label for="pipeline-tier">"Risk tier"</label>
                <select id="pipeline-tier" name="tier">
                    {choices_view("Any tier", query.tier.map(RiskTier::as_str), tiers)}
                </select>
            </div>
            <OwnerField id="pipeline-owner" current=query.owner.clone() choices=owners />
            <div class="field">
                <label for="pipeline-from">"Began from"</label>
                <input id="pipeline-from" type="date" name="from" value=iso(range.from) data-test="from" />
            </div>
            <div class="field">
                <label for="pipeline-to">"to"</label>
                <input id="pipeline-to" type="date" name="to" value=iso(range.to) data-test="to" />
            </div>
            <div class="filter-actions">
                <button type="submit" class="button primary">"Apply"</button>
                <a href="/pipeline" class="button link">"Clear"</a>
            </div>
        </Form>
    }
    .into_any()
}

/// The view's filters in words: "team Claims · high risk · owner Ana Ortiz".
pub(crate) fn filters_in_words(query: &PipelineQuery, owners: &OwnerChoices) -> String {
    let mut words = Vec::new();
    if let Some(team) = &query.team {
        words.push(format!("team {team}"));
    }
    if let Some(tier) = query.tier {
        words.push(format!("{} risk", tier.label().to_lowercase()));
    }
    match &query.owner {
        OwnerFilter::Any => {}
        OwnerFilter::Nobody => words.push("stage owned by nobody".into()),
        OwnerFilter::Email(email) => words.push(format!("stage owned by {email}")),
        OwnerFilter::Account(id) => {
            let name = match owners {
                OwnerChoices::Menu(people) => people
                    .iter()
                    .find(|p| p.id == *id)
                    .map(|p| p.display_name.clone()),
                OwnerChoices::ByEmail => None,
            };
            words.push(format!(
                "stage owned by {}",
                name.unwrap_or_else(|| id.to_string())
            ));
        }
    }
    words.join(" · ")
}

#[component]
fn PipelineNumbers(query: PipelineQuery, pipeline: Pipeline) -> impl IntoView {
    let range = DateRange {
        from: pipeline.from,
        to: pipeline.to,
    };
    let entered: i64 = pipeline.stages.iter().map(|s| s.entered).sum();
    view! {
        <p class="range-line" data-test="range">
            {format!(
                "Stays that began from {} to {} (UTC days, both included); open stays are measured to {}.",
                human(range.from),
                human(range.to),
                human(pipeline.today),
            )}
        </p>
        {(entered == 0).then(|| view! {
            <div class="empty-state" data-test="pipeline-empty">
                <h2>"No stays began in this view"</h2>
                <p><a href="/pipeline">"Clear the filters"</a> " or pick a wider range."</p>
            </div>
        })}
        <div class="card">
            <h2 id="flow-heading">"Stages: how stays ended"</h2>
            <charts::Flow query=query.clone() range stages=pipeline.stages.clone() />
        </div>
        <div class="card">
            <h2 id="conversion-heading">"Conversion to the next stage"</h2>
            <charts::Conversions query=query.clone() range conversions=pipeline.conversions.clone() />
        </div>
        <div class="card">
            <h2 id="time-heading">"Time in each stage"</h2>
            <charts::TimeInStage query=query.clone() range stages=pipeline.stages.clone() />
        </div>
        <div class="card">
            <h2 id="production-heading">"Prototype \u{2192} production"</h2>
            <charts::ProductionChart query range production=pipeline.production />
        </div>
    }
    .into_any()
}
