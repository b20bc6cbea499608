//! The portfolio page: funnel, health mix, attention lists and teams for the projects the
//! URL's filters select. Charts are SVG drawn on the server, each with a title, a description
//! and the same numbers as text; every number links to the list of projects behind it.

use super::numbers::PortfolioNumbers;
use super::trend_page::{MonthlyFlows, WeeklyTrend};
use super::{portfolio_view, PortfolioPageData};
use crate::auth::{Permission, Protected};
use crate::error::AppError;
use crate::health::Health;
use crate::projects::pages::{choices_view, options};
use crate::projects::stage::{RiskTier, Stage};
use crate::projects::{OwnerField, ProjectQuery};
use crate::ui::{Alert, FormAlert, Loading};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::Form;
use leptos_router::hooks::use_query_map;

/// The filters in the URL and the portfolio they select.
type PortfolioData = (Memo<ProjectQuery>, Resource<Result<PortfolioPageData, AppError>>);

fn portfolio_data() -> PortfolioData {
    let params = use_query_map();
    let query = Memo::new(move |_| params.with(|p| ProjectQuery::from_params(|key| p.get(key))));
    (query, Resource::new(move || query.get(), portfolio_view))
}

#[component]
pub fn PortfolioPage() -> impl IntoView {
    // The numbers are read here, outside `Protected`: on the server a `Suspense` may build its
    // contents more than once, and each build would read them again. (The server function
    // authorises on its first line, so nobody signed out sees them.)
    let data = portfolio_data();
    view! {
        <Title text="Portfolio · Tollgate" />
        <Protected permission=Permission::Read view=move |_| view! { <PortfolioBody data /> } />
    }
}

/// The viewers' home page: the portfolio for the filters in the URL.
#[component]
pub fn PortfolioHome() -> impl IntoView {
    view! { <PortfolioBody data=portfolio_data() /> }
}

/// The portfolio for the filters in the URL.
#[component]
fn PortfolioBody(data: PortfolioData) -> impl IntoView {
    let (query, data) = data;
    // While the next view loads, the current one stays on screen, dimmed.
    let pending = RwSignal::new(false);
    crate::ui::keep_address_tidy();
    view! {
        <section class="page" data-test="portfolio">
            <header class="page-header">
                <h1>"Portfolio"</h1>
                <p class="muted">"Where every ML project stands, and which need attention now."</p>
            </header>
            <div class="reloading-area" class:reloading=crate::ui::busy(pending) aria-busy=move || crate::ui::busy(pending)().to_string()>
            <Transition fallback=Loading set_pending=pending.write_only()>
                {move || Suspend::new(async move {
                    match data.await {
                        Ok(view) => {
                            let query = query.get_untracked();
                            view! {
                                <PortfolioFilters query=query.clone() view=view.clone() />
                                <PastDay query=query.clone() path="/portfolio" what="portfolio" />
                                <p class="small">
                                    <a href=pipeline_url(&query) data-test="pipeline-link">
                                        "Pipeline analytics: where projects move on, turn back or stop, and how long each stage takes"
                                    </a>
                                </p>
                                <PortfolioNumbers query=query.clone() portfolio=view.portfolio />
                                <h2>"Over time"</h2>
                                <WeeklyTrend query points=view.weekly />
                                <MonthlyFlows months=view.months flows=view.monthly_flows />
                            }
                                .into_any()
                        }
                        Err(error) => {
                            view! {
                                <FormAlert message=Some(load_error(error)) />
                                <p><a href="/portfolio">"See today\u{2019}s portfolio"</a></p>
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

#[component]
fn PortfolioFilters(query: ProjectQuery, view: PortfolioPageData) -> impl IntoView {
    let stages = options(Stage::ALL, Stage::as_str, Stage::label);
    let healths = options(&Health::ALL, Health::as_str, Health::label);
    let tiers = options(RiskTier::ALL, RiskTier::as_str, RiskTier::label);
    let teams = view.teams.iter().map(|t| (t.clone(), t.clone())).collect();
    view! {
        <Form method="GET" action="/portfolio" attr:class="filters" attr:data-test="portfolio-filters">
            <div class="field">
                <label for="portfolio-stage">"Stage"</label>
                <select id="portfolio-stage" name="stage">
                    {choices_view("Any stage", query.stage.map(Stage::as_str), stages)}
                </select>
            </div>
            <div class="field">
                <label for="portfolio-health">"Health"</label>
                <select id="portfolio-health" name="health">
                    {choices_view("Any health", query.health.map(Health::as_str), healths)}
                </select>
            </div>
            <div class="field">
                <label for="portfolio-team">"Team"</label>
                <select id="portfolio-team" name="team">{choices_view("Any team", query.team.as_deref(), teams)}</select>
            </div>
            <OwnerField id="portfolio-owner" current=query.owner.clone() choices=view.owners.clone() />
            <div class="field">
                <label for="portfolio-tier">"Risk tier"</label>
                <select id="portfolio-tier" name="tier">
                    {choices_view("Any tier", query.tier.map(RiskTier::as_str), tiers)}
                </select>
            </div>
            <div class="field">
                <label for="portfolio-as-of">"As of"</label>
                <input
                    id="portfolio-as-of"
                    type="date"
                    name="as_of"
                    max=view.today.format("%Y-%m-%d").to_string()
                    value=query.as_of.map(|d| d.format("%Y-%m-%d").to_string()).unwrap_or_default()
                    data-test="as-of"
                />
            </div>
            <div class="filter-actions">
                <button type="submit" class="button primary">"Apply"</button>
                <a href="/portfolio" class="button link">"Clear"</a>
            </div>
        </Form>
    }
}

/// Why a view could not be shown, in words: a filter's own message (such as a past day the
/// history cannot show) when there is one — there is no field on the page to put it next to.
pub fn load_error(error: crate::error::AppError) -> Alert {
    // A page whose data could not be read says so in its status too (monitors and load tests
    // see it); a refused filter is answered on the page as before.
    if error.status() >= 500 {
        crate::ui::set_status(error.status());
    }
    match error.fields() {
        Some(fields) if !fields.0.is_empty() => Alert::Text(
            fields
                .0
                .iter()
                .map(|e| e.message.clone())
                .collect::<Vec<_>>()
                .join(" "),
        ),
        _ => Alert::from(error),
    }
}

/// Says plainly that the numbers below are a past day's, with the way back to today; nothing
/// when they are today's.
#[component]
pub fn PastDay(query: ProjectQuery, path: &'static str, what: &'static str) -> impl IntoView {
    query.as_of.map(|day| {
        let today = ProjectQuery {
            as_of: None,
            page: 1,
            ..query.clone()
        }
        .url_at(path);
        view! {
            <div class="alert alert-info" role="status" data-test="as-of-banner">
                <strong>{format!("As of {}", day.format("%-d %b %Y"))}</strong>
                {format!(
                    ": the {what} as it stood at the end of that day \u{2014} stages, owners and flags as they were then. "
                )}
                <a href=today data-test="back-to-today">"Back to today"</a>
            </div>
        }
    })
}

/// The pipeline analytics for this view's team, risk tier and owner.
fn pipeline_url(query: &ProjectQuery) -> String {
    crate::pipeline::PipelineQuery {
        team: query.team.clone(),
        tier: query.tier,
        owner: query.owner.clone(),
        from: None,
        to: None,
    }
    .to_url()
}
