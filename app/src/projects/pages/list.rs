//! The projects list: search and filters that live in the URL, a sortable table, pages.

use super::{StageBadge, StatusBadge};
use crate::auth::{Permission, Protected};
use crate::health::{FlagCode, Health};
use crate::projects::stage::{RiskTier, Stage, Status};
use crate::projects::{
    list_projects, OwnerChoices, OwnerFilter, ProjectList, ProjectQuery, ProjectRow, PAGE_SIZE,
};
use crate::ui::{days_since, FormAlert, Loading};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::{Form, A};
use leptos_router::hooks::use_query_map;

#[component]
pub fn ProjectsPage() -> impl IntoView {
    // Read outside `Protected`, which may build its contents more than once on the server (the
    // server function authorises on its first line).
    let params = use_query_map();
    let query = Memo::new(move |_| params.with(|p| ProjectQuery::from_params(|key| p.get(key))));
    let list = Resource::new(move || query.get(), list_projects);
    view! {
        <Title text="Projects · Tollgate" />
        <Protected permission=Permission::Read view=move |user| {
            view! { <ProjectsView can_edit=user.role.can(Permission::EditProjects) query list /> }
        } />
    }
}

#[component]
fn ProjectsView(
    can_edit: bool,
    query: Memo<ProjectQuery>,
    list: Resource<Result<ProjectList, crate::error::AppError>>,
) -> impl IntoView {
    // While the next view loads, the current one stays on screen, dimmed.
    let pending = RwSignal::new(false);
    crate::ui::keep_address_tidy();
    view! {
        <section class="page">
            <header class="page-header with-actions">
                <div>
                    <h1>"Projects"</h1>
                    <p class="muted">"Every ML project, its stage and who owns it now."</p>
                </div>
                {can_edit.then(|| view! {
                    <div class="actions">
                        <a class="button" href="/projects/import">"Import"</a>
                        <a class="button primary" href="/projects/new">"New project"</a>
                    </div>
                })}
            </header>
            <div class="reloading-area" class:reloading=crate::ui::busy(pending) aria-busy=move || crate::ui::busy(pending)().to_string()>
            <Transition fallback=Loading set_pending=pending.write_only()>
                {move || Suspend::new(async move {
                    match list.await {
                        Ok(list) => {
                            let query = query.get_untracked();
                            view! {
                                <Filters query=query.clone() list=list.clone() />
                                <crate::portfolio::page::PastDay query=query.clone() path="/projects" what="list" />
                                <Results query list can_edit />
                            }
                                .into_any()
                        }
                        Err(error) => {
                            view! {
                                <FormAlert message=Some(crate::portfolio::page::load_error(error)) />
                                <p><a href="/projects">"See today\u{2019}s projects"</a></p>
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

/// `(value, label, selected)` options for a filter menu, led by "any".
pub fn choices_view(any: &str, current: Option<&str>, values: Vec<(String, String)>) -> impl IntoView {
    let mut all = vec![(String::new(), any.to_owned())];
    all.extend(values);
    all.into_iter()
        .map(|(value, label)| {
            let selected = current.unwrap_or_default() == value;
            view! { <option value=value selected=selected>{label}</option> }
        })
        .collect_view()
}

/// `(value, label)` menu options for every value of a closed set.
pub fn options<T: Copy>(
    all: &[T],
    value: fn(T) -> &'static str,
    label: fn(T) -> &'static str,
) -> Vec<(String, String)> {
    all.iter()
        .map(|&v| (value(v).to_owned(), label(v).to_owned()))
        .collect()
}

#[component]
fn Filters(query: ProjectQuery, list: ProjectList) -> impl IntoView {
    let stages = options(Stage::ALL, Stage::as_str, Stage::label);
    let statuses = options(Status::ALL, Status::as_str, Status::label);
    let teams = list.teams.iter().map(|t| (t.clone(), t.clone())).collect();
    let healths = options(&Health::ALL, Health::as_str, Health::label);
    let flags = options(&FlagCode::ALL, FlagCode::as_str, FlagCode::label);
    let tiers = options(RiskTier::ALL, RiskTier::as_str, RiskTier::label);
    let sorts = crate::projects::SortKey::ALL
        .into_iter()
        .map(|k| {
            let selected = k == query.sort;
            view! { <option value=k.as_str() selected=selected>{k.label()}</option> }
        })
        .collect_view();
    view! {
        <Form method="GET" action="/projects" attr:class="filters" attr:role="search" attr:data-test="project-filters">
            <div class="field">
                <label for="filter-q">"Search by name"</label>
                <input id="filter-q" name="q" type="search" value=query.q.clone() />
            </div>
            <div class="field">
                <label for="filter-stage">"Stage"</label>
                <select id="filter-stage" name="stage">
                    {choices_view("Any stage", query.stage.map(|s| s.as_str()), stages)}
                </select>
            </div>
            <div class="field">
                <label for="filter-status">"Status"</label>
                <select id="filter-status" name="status">
                    {choices_view("Any status", query.status.map(|s| s.as_str()), statuses)}
                </select>
            </div>
            <div class="field">
                <label for="filter-team">"Team"</label>
                <select id="filter-team" name="team">{choices_view("Any team", query.team.as_deref(), teams)}</select>
            </div>
            <OwnerField id="filter-owner" current=query.owner.clone() choices=list.owners.clone() />
            <div class="field">
                <label for="filter-health">"Health"</label>
                <select id="filter-health" name="health">
                    {choices_view("Any health", query.health.map(Health::as_str), healths)}
                </select>
            </div>
            <div class="field">
                <label for="filter-flag">"Flag"</label>
                <select id="filter-flag" name="flag">{choices_view("Any or none", query.flag.map(FlagCode::as_str), flags)}</select>
            </div>
            <div class="field">
                <label for="filter-tier">"Risk tier"</label>
                <select id="filter-tier" name="tier">{choices_view("Any tier", query.tier.map(|t| t.as_str()), tiers)}</select>
            </div>
            <div class="field">
                <label for="filter-sort">"Sort by"</label>
                <select id="filter-sort" name="sort">{sorts}</select>
            </div>
            // A past day's list stays that day's as the filters change.
            {query.as_of.map(|day| view! { <input type="hidden" name="as_of" value=day.format("%Y-%m-%d").to_string() /> })}
            <div class="filter-actions">
                <button type="submit" class="button primary">"Apply"</button>
                <a href="/projects" class="button link">"Clear"</a>
            </div>
        </Form>
    }
}

#[component]
fn Results(query: ProjectQuery, list: ProjectList, can_edit: bool) -> impl IntoView {
    if list.total == 0 {
        let filtered = query.with_page(1)
            != ProjectQuery {
                page: 1,
                ..ProjectQuery::default()
            };
        return if filtered {
            view! {
                <div class="empty-state" data-test="no-matches">
                    <h2>"No projects match these filters"</h2>
                    <p><a href="/projects">"Clear the filters"</a> " to see every project."</p>
                </div>
            }
            .into_any()
        } else {
            view! { <NoProjectsYet can_edit /> }.into_any()
        };
    }
    let first = (i64::from(list.page) - 1) * i64::from(PAGE_SIZE) + 1;
    let last = (first + list.rows.len() as i64 - 1).max(first);
    let pages = ((list.total + i64::from(PAGE_SIZE) - 1) / i64::from(PAGE_SIZE)).max(1) as u32;
    // A broad search is counted up to a limit: its last page is not known, only that more follow.
    let plus = if list.more { "+" } else { "" };
    let full_page = list.rows.len() == PAGE_SIZE as usize;
    let previous = (list.page > 1).then(|| query.with_page(list.page - 1).to_url());
    let next =
        (list.page < pages || (list.more && full_page)).then(|| query.with_page(list.page + 1).to_url());
    let position = if list.page > pages {
        format!("Page {}", list.page)
    } else {
        format!("Page {} of {pages}{plus}", list.page)
    };
    view! {
        <p class="muted small" data-test="result-count" aria-live="polite">
            {if list.rows.is_empty() {
                format!("Page {} is past the end: {}{plus} projects in all.", list.page, list.total)
            } else if list.more {
                format!("Showing {first}–{last} of more than {} (narrow the search to count them)", list.total)
            } else {
                format!("Showing {first}–{last} of {}", list.total)
            }}
        </p>
        <ProjectTable rows=list.rows today=list.today />
        <nav class="pager" aria-label="Pages">
            {previous.map(|href| view! { <A href=href attr:rel="prev">"← Previous"</A> })}
            <span class="muted small">{position}</span>
            {next.map(|href| view! { <A href=href attr:rel="next">"Next →"</A> })}
        </nav>
    }
    .into_any()
}

/// The empty state of a brand-new Tollgate.
#[component]
pub fn NoProjectsYet(can_edit: bool) -> impl IntoView {
    view! {
        <div class="empty-state" data-test="empty-projects">
            <h2>"No projects yet"</h2>
            {if can_edit {
                view! {
                    <p>"Create the first one: a name and a team are enough to start. Or bring your inventory in from a spreadsheet."</p>
                    <a class="button primary" href="/projects/new">"Create the first project"</a>
                    " "
                    <a class="button" href="/projects/import">"Import a spreadsheet"</a>
                }
                    .into_any()
            } else {
                view! { <p>"Projects appear here once an editor creates the first one."</p> }.into_any()
            }}
        </div>
    }
}

/// Projects as a table: name, team, stage, status, owner, time in stage.
#[component]
pub fn ProjectTable(rows: Vec<ProjectRow>, today: chrono::NaiveDate) -> impl IntoView {
    let rows = rows
        .into_iter()
        .map(|row| {
            let owner = match &row.owner {
                Some(p) if p.active => view! { <span><bdi>{p.display_name.clone()}</bdi></span> }.into_any(),
                Some(p) => view! {
                    <span class="warning-text">{format!("{} (deactivated)", p.display_name)}</span>
                }
                .into_any(),
                None => view! { <span class="warning-text">"No owner"</span> }.into_any(),
            };
            view! {
                <tr data-test="project-row" data-name=row.name.clone()>
                    <td><a class="strong" href=format!("/projects/{}", row.id)><bdi>{row.name.clone()}</bdi></a></td>
                    <td class="hide-narrow">{row.team.clone()}</td>
                    <td><StageBadge stage=row.stage /></td>
                    <td><StatusBadge status=row.status /></td>
                    <td>{owner}</td>
                    <td><HealthCell health=row.health flags=row.flags.clone() /></td>
                    <td class="nowrap hide-narrow">{days_since(row.stage_entered_at, today)}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <div class="table-wrap">
            <table class="table" data-test="projects-table">
                <thead>
                    <tr>
                        <th scope="col">"Project"</th>
                        <th scope="col" class="hide-narrow">"Team"</th>
                        <th scope="col">"Stage"</th>
                        <th scope="col">"Status"</th>
                        <th scope="col">"Owner"</th>
                        <th scope="col">"Health"</th>
                        <th scope="col" class="hide-narrow">"In stage"</th>
                    </tr>
                </thead>
                <tbody>{rows}</tbody>
            </table>
        </div>
    }
}

/// A project's health in a table cell: the colour's word, then its flags by name.
#[component]
pub fn HealthCell(health: Health, flags: Vec<FlagCode>) -> impl IntoView {
    let names: Vec<&str> = flags.iter().map(|f| f.label()).collect();
    view! {
        <span class=format!("health-pill health-{}", health.as_str()) data-test="health-cell">
            {health.label()}
        </span>
        {(!names.is_empty()).then(|| view! { <span class="small">{format!(" {}", names.join(", "))}</span> })}
    }
}

/// The owner filter: a menu of everyone who may own a stage, or an email box when there are
/// too many people for a menu.
#[component]
pub fn OwnerField(id: &'static str, current: OwnerFilter, choices: OwnerChoices) -> impl IntoView {
    match choices {
        OwnerChoices::Menu(people) => {
            let mut options = vec![("none".to_owned(), "Nobody (ownerless)".to_owned())];
            options.extend(people.into_iter().map(|p| (p.id.to_string(), p.display_name)));
            view! {
                <div class="field">
                    <label for=id>"Owner"</label>
                    <select id=id name="owner">{choices_view("Anyone", current.param().as_deref(), options)}</select>
                </div>
            }
            .into_any()
        }
        OwnerChoices::ByEmail => {
            let hint = format!("{id}-hint");
            view! {
                <div class="field">
                    <label for=id>"Owner"</label>
                    <input id=id name="owner" type="text" inputmode="email" value=current.param().unwrap_or_default()
                        placeholder="email, or none" aria-describedby=hint.clone() />
                    <p class="field-hint" id=hint>"Their email address; \u{201c}none\u{201d} for nobody."</p>
                </div>
            }
            .into_any()
        }
    }
}
