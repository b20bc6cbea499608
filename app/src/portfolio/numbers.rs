//! The portfolio's numbers as the page shows them: the tiles, the funnel by stage, the health
//! mix, the attention lists and the teams — each number a link to the projects behind it.

use super::{AttentionList, HealthMix, Portfolio, StageCount};
use crate::health::{FlagCode, Health};
use crate::projects::stage::Stage;
use crate::projects::ProjectQuery;
use crate::ui::{columns, Chart, DataTable};
use leptos::prelude::*;

/// The list of projects behind a number: this view's filters narrowed by `narrow`.
fn list_url(query: &ProjectQuery, narrow: impl FnOnce(&mut ProjectQuery)) -> String {
    let mut list = ProjectQuery {
        q: String::new(),
        page: 1,
        ..query.clone()
    };
    narrow(&mut list);
    list.to_url()
}

fn plural(n: i64, one: &str, many: &str) -> String {
    if n == 1 {
        format!("1 {one}")
    } else {
        format!("{n} {many}")
    }
}

#[component]
pub(super) fn PortfolioNumbers(query: ProjectQuery, portfolio: Portfolio) -> impl IntoView {
    if portfolio.projects == 0 {
        return view! {
            <div class="empty-state" data-test="portfolio-empty">
                <h2>"No projects in this view"</h2>
                <p><a href="/portfolio">"Clear the filters"</a> " or " <a href="/projects">"see every project"</a> "."</p>
            </div>
        }
        .into_any();
    }
    let csv = format!(
        "/portfolio/export.csv{}",
        list_url(&query, |_| {}).trim_start_matches("/projects")
    );
    view! {
        <Tiles query=query.clone() portfolio=portfolio.clone() />
        <div class="portfolio-grid">
            <div class="card">
                <h2 id="funnel-heading">"Stage funnel"</h2>
                <Funnel query=query.clone() stages=portfolio.stages.clone() />
            </div>
            <div class="card">
                <h2 id="health-heading">"Health mix"</h2>
                <HealthBar query=query.clone() mix=portfolio.health />
            </div>
        </div>
        <h2>"Needs attention"</h2>
        <div class="portfolio-grid">
            {portfolio
                .attention
                .iter()
                .map(|list| view! { <Attention query=query.clone() list=list.clone() /> })
                .collect_view()}
        </div>
        <div class="card">
            <h2>"By team"</h2>
            <Teams query=query.clone() portfolio=portfolio.clone() />
        </div>
        <p class="table-footer">
            <a href=csv download="tollgate-projects.csv" data-test="download-csv">"Download these projects as CSV"</a>
            <span class="muted small">{format!(" · flags as of {}", portfolio.today.format("%-d %b %Y"))}</span>
        </p>
    }
    .into_any()
}

/// The headline numbers, each a link to its projects.
#[component]
fn Tiles(query: ProjectQuery, portfolio: Portfolio) -> impl IntoView {
    let tile = |label: String, count: i64, href: String, test: String, class: &'static str| {
        view! {
            <a class=format!("tile {class}") href=href data-test=test>
                <span class="tile-number" data-test="tile-count">{count}</span>
                <span class="tile-label">{label}</span>
            </a>
        }
    };
    let flags = [
        FlagCode::Stalled,
        FlagCode::Ownerless,
        FlagCode::DemoOverdue,
        FlagCode::ReviewOverdue,
        FlagCode::GateGap,
        FlagCode::ConditionsOverdue,
        FlagCode::GoalDrift,
        FlagCode::ContinueLoop,
    ];
    view! {
        <div class="tiles" data-test="tiles">
            {tile("projects".into(), portfolio.projects, list_url(&query, |_| {}), "tile-projects".into(), "")}
            {flags
                .into_iter()
                .map(|flag| {
                    let class = match flag.severity() {
                        crate::health::Severity::Red => "tile-red",
                        crate::health::Severity::Amber => "tile-amber",
                    };
                    tile(
                        flag.label().to_lowercase(),
                        portfolio.flags.get(flag),
                        list_url(&query, |q| q.flag = Some(flag)),
                        format!("tile-{}", flag.as_str()),
                        class,
                    )
                })
                .collect_view()}
        </div>
    }
}

const CHART_WIDTH: f64 = 560.0;
const LABEL_WIDTH: f64 = 90.0;
const BAR_HEIGHT: f64 = 30.0;
const BAR_GAP: f64 = 12.0;

/// Segments of one bar, green to red, as `(health, count, x, width)` in chart units.
fn segments(mix: HealthMix, x0: f64, scale: f64) -> Vec<(Health, i64, f64, f64)> {
    let mut x = x0;
    [
        (Health::Green, mix.green),
        (Health::Amber, mix.amber),
        (Health::Red, mix.red),
    ]
    .into_iter()
    .filter(|(_, n)| *n > 0)
    .map(|(health, n)| {
        let width = n as f64 * scale;
        let segment = (health, n, x, width);
        x += width;
        segment
    })
    .collect()
}

fn mix_words(mix: HealthMix) -> String {
    format!("{} green, {} amber, {} red", mix.green, mix.amber, mix.red)
}

/// Projects per stage as horizontal bars split by health, with the same numbers as a table
/// whose every number links to its projects. The chart is one image (no links inside it: links
/// in SVG are neither reliably drawn after in-app navigation nor allowed inside `role="img"`).
#[component]
fn Funnel(query: ProjectQuery, stages: Vec<StageCount>) -> impl IntoView {
    let widest = stages.iter().map(|s| s.projects).max().unwrap_or(0).max(1);
    let scale = (CHART_WIDTH - LABEL_WIDTH - 60.0) / widest as f64;
    let height = stages.len() as f64 * (BAR_HEIGHT + BAR_GAP);
    let description = stages
        .iter()
        .map(|s| format!("{}: {} ({})", s.stage.label(), s.projects, mix_words(s.health)))
        .collect::<Vec<_>>()
        .join("; ");
    let bars = stages
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let y = i as f64 * (BAR_HEIGHT + BAR_GAP);
            let stage = s.stage;
            let parts = segments(s.health, LABEL_WIDTH, scale)
                .into_iter()
                .map(|(health, _, x, width)| {
                    view! {
                        <rect class=format!("seg seg-{}", health.as_str()) x=x y=y width=width height=BAR_HEIGHT />
                    }
                })
                .collect_view();
            let end = LABEL_WIDTH + s.projects as f64 * scale + 8.0;
            view! {
                <g data-test="funnel-bar" data-stage=stage.as_str()>
                    <text class="chart-label" x="0" y=y + BAR_HEIGHT * 0.65>{stage.label()}</text>
                    {parts}
                    <text class="chart-value" x=end y=y + BAR_HEIGHT * 0.65>{s.projects}</text>
                </g>
            }
        })
        .collect_view();
    let rows = stages
        .iter()
        .map(|s| {
            let stage = s.stage;
            view! {
                <tr data-test="funnel-row">
                    <th scope="row">{stage.label()}</th>
                    <td><a href=list_url(&query, |q| q.stage = Some(stage))>{s.projects}</a></td>
                    <td class="hide-narrow"><MixLinks query=query.clone() mix=s.health stage=Some(stage) /></td>
                    <td>{format!("{} days", s.median_days_in_stage)}</td>
                    <td>{format!("{} days", s.max_days_in_stage)}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <Chart
            id="funnel"
            test="funnel"
            view_box=format!("0 0 {CHART_WIDTH} {height}")
            title="Projects by stage, split by health"
            description=description
        >
            {bars}
        </Chart>
        <div class="table-wrap">
        <table class="table compact" data-test="funnel-table">
            <caption class="muted small">"The funnel in numbers, with time spent in the current stage."</caption>
            <thead>
                <tr>
                    <th scope="col">"Stage"</th>
                    <th scope="col">"Projects"</th>
                    <th scope="col" class="hide-narrow">"Health"</th>
                    <th scope="col">"Median in stage"</th>
                    <th scope="col">"Longest"</th>
                </tr>
            </thead>
            <tbody>{rows}</tbody>
        </table>
        </div>
    }
}

/// "3 green, 1 amber, 0 red", each number a link to those projects of the stage.
#[component]
fn MixLinks(query: ProjectQuery, mix: HealthMix, stage: Option<Stage>) -> impl IntoView {
    Health::ALL
        .iter()
        .enumerate()
        .map(|(i, &health)| {
            let n = match health {
                Health::Green => mix.green,
                Health::Amber => mix.amber,
                Health::Red => mix.red,
            };
            let href = list_url(&query, |q| {
                q.stage = stage.or(q.stage);
                q.health = Some(health);
            });
            view! {
                {(i > 0).then_some(", ")}
                <a href=href>{n}</a>
                {format!(" {}", health.label().to_lowercase())}
            }
        })
        .collect_view()
}

/// The health mix as one bar of three parts (one image), with a linked legend that carries the
/// numbers.
#[component]
fn HealthBar(query: ProjectQuery, mix: HealthMix) -> impl IntoView {
    let scale = CHART_WIDTH / mix.total().max(1) as f64;
    let parts = segments(mix, 0.0, scale)
        .into_iter()
        .map(|(health, _, x, width)| {
            view! { <rect class=format!("seg seg-{}", health.as_str()) x=x y="0" width=width height="36" /> }
        })
        .collect_view();
    let legend = Health::ALL
        .iter()
        .rev()
        .map(|&health| {
            let n = match health {
                Health::Green => mix.green,
                Health::Amber => mix.amber,
                Health::Red => mix.red,
            };
            let share = n * 100 / mix.total().max(1);
            view! {
                <li>
                    <span class=format!("swatch seg-{}", health.as_str()) aria-hidden="true"></span>
                    <a href=list_url(&query, |q| q.health = Some(health)) data-test=format!("health-{}", health.as_str())>
                        <span class="strong" data-test="health-count">{n}</span>
                        {format!(" {} ({share}%)", health.label().to_lowercase())}
                    </a>
                </li>
            }
        })
        .collect_view();
    view! {
        <Chart
            id="health"
            test="health-chart"
            view_box=format!("0 0 {CHART_WIDTH} 36")
            title="Projects by health"
            description=mix_words(mix)
        >
            {parts}
        </Chart>
        <ul class="legend">{legend}</ul>
        <p class="muted small">"Red: stalled or ownerless. Amber: a demo or review overdue, a gate gap, a review condition overdue, goal drift or a continue loop."</p>
    }
}

/// One attention list: how many projects carry the flag, and the longest-standing few.
#[component]
fn Attention(query: ProjectQuery, list: AttentionList) -> impl IntoView {
    let flag = list.flag;
    let all = list_url(&query, |q| q.flag = Some(flag));
    let items = list
        .items
        .into_iter()
        .map(|item| {
            let owner = item
                .owner
                .clone()
                .unwrap_or_else(|| "nobody".into());
            view! {
                <li data-test="attention-item">
                    <a class="strong" href=format!("/projects/{}", item.id)><bdi>{item.name.clone()}</bdi></a>
                    <span class="muted small">
                        {format!(" · {} · {} · owner: {owner} · {} days in stage", item.team, item.stage.label(), item.days_in_stage)}
                    </span>
                    <p class="small attention-reason">{item.reason.clone()}</p>
                </li>
            }
        })
        .collect_view();
    let test = format!("attention-{}", flag.as_str());
    view! {
        <div class="card attention" data-test=test>
            <h3>
                {flag.label()} " "
                <a href=all.clone() class="count-link" data-test="attention-total">{list.total}</a>
            </h3>
            {if list.total == 0 {
                view! { <p class="muted">"None."</p> }.into_any()
            } else {
                view! {
                    <ul class="attention-list">{items}</ul>
                    <a href=all class="small">{format!("See all {} →", plural(list.total, "project", "projects"))}</a>
                }
                    .into_any()
            }}
        </div>
    }
}

/// Projects per team with their health, each number a link.
#[component]
fn Teams(query: ProjectQuery, portfolio: Portfolio) -> impl IntoView {
    let rows = portfolio
        .teams
        .into_iter()
        .map(|t| {
            let team = t.team.clone();
            let link = |health: Option<Health>, n: i64| {
                let team = team.clone();
                view! { <a href=list_url(&query, move |q| { q.team = Some(team); q.health = health; })>{n}</a> }
            };
            view! {
                <tr data-test="team-row" data-team=t.team.clone()>
                    <th scope="row">{t.team.clone()}</th>
                    <td>{link(None, t.projects)}</td>
                    <td>{link(Some(Health::Green), t.health.green)}</td>
                    <td>{link(Some(Health::Amber), t.health.amber)}</td>
                    <td>{link(Some(Health::Red), t.health.red)}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <DataTable
            test="teams-table"
            columns=columns(["Team", "Projects", "Green", "Amber", "Red"])
        >
            {rows}
        </DataTable>
    }
}
