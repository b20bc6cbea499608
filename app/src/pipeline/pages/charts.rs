//! The pipeline's charts: SVG drawn on the server, each one image with a title and a
//! description, followed by the same numbers as a table whose every number links to the
//! projects behind it (no links inside the images: see the portfolio's funnel).

use super::human;
use crate::pipeline::rules::{percent, Outcome, StaySet};
use crate::pipeline::{
    BuildCohort, DateRange, ListKind, ListQuery, PipelineQuery, ProductionShare, StageConversion, StageStays,
};
use crate::projects::stage::Stage;
use crate::ui::{columns, Chart, DataTable};
use leptos::prelude::*;

const WIDTH: f64 = 440.0;
const LABEL: f64 = 90.0;
const BAR: f64 = 28.0;
const GAP: f64 = 12.0;

fn stays_url(query: &PipelineQuery, range: DateRange, stage: Stage, set: StaySet) -> String {
    ListQuery::url_for(query, range, ListKind::Stays { stage, set })
}

fn cohort_url(query: &PipelineQuery, range: DateRange, cohort: &BuildCohort, reached: bool) -> String {
    let quarter = cohort
        .quarter
        .as_deref()
        .and_then(crate::pipeline::rules::Quarter::parse);
    ListQuery::url_for(query, range, ListKind::Cohort { quarter, reached })
}

/// "2026 Q1" for a quarter's cohort.
fn quarter_label(cohort: &BuildCohort) -> String {
    cohort.quarter.as_deref().unwrap_or("").replace("-Q", " Q")
}

fn days(value: Option<i64>) -> String {
    match value {
        Some(1) => "1 day".into(),
        Some(n) => format!("{n} days"),
        None => "\u{2014}".into(),
    }
}

/// Each stage's stays as one bar, split by how they ended, then the numbers as a table.
#[component]
pub fn Flow(query: PipelineQuery, range: DateRange, stages: Vec<StageStays>) -> impl IntoView {
    let widest = stages.iter().map(|s| s.entered).max().unwrap_or(0).max(1);
    let scale = (WIDTH - LABEL - 60.0) / widest as f64;
    let height = stages.len() as f64 * (BAR + GAP);
    let description = stages
        .iter()
        .map(|s| {
            let parts: Vec<String> = Outcome::ALL
                .iter()
                .map(|&o| format!("{} {}", s.count(o), o.label().to_lowercase()))
                .collect();
            format!(
                "{}: {} entered ({})",
                s.stage.label(),
                s.entered,
                parts.join(", ")
            )
        })
        .collect::<Vec<_>>()
        .join("; ");
    let bars = stages
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let y = i as f64 * (BAR + GAP);
            let mut x = LABEL;
            let parts = Outcome::ALL
                .iter()
                .filter(|&&o| s.count(o) > 0)
                .map(|&o| {
                    let width = s.count(o) as f64 * scale;
                    let rect = view! {
                        <rect class=format!("seg out-{}", o.as_str()) x=x y=y width=width height=BAR />
                    };
                    x += width;
                    rect
                })
                .collect_view();
            view! {
                <g data-test="flow-bar" data-stage=s.stage.as_str()>
                    <text class="chart-label" x="0" y=y + BAR * 0.65>{s.stage.label()}</text>
                    {parts}
                    <text class="chart-value" x=LABEL + s.entered as f64 * scale + 8.0 y=y + BAR * 0.65>{s.entered}</text>
                </g>
            }
        })
        .collect_view();
    let legend = Outcome::ALL
        .iter()
        .map(|o| {
            view! {
                <li><span class=format!("swatch out-{}", o.as_str()) aria-hidden="true"></span>{o.label()}</li>
            }
        })
        .collect_view();
    let rows = stages
        .iter()
        .map(|s| {
            let stage = s.stage;
            let cell = |set: StaySet, n: i64, test: &'static str| {
                view! { <td><a href=stays_url(&query, range, stage, set) data-test=test>{n}</a></td> }
            };
            view! {
                <tr data-test="flow-row" data-stage=stage.as_str()>
                    <th scope="row">{stage.label()}</th>
                    {cell(StaySet::Entered, s.entered, "entered")}
                    {Outcome::ALL
                        .iter()
                        .map(|&o| cell(StaySet::Ended(o), s.count(o), o.as_str()))
                        .collect_view()}
                </tr>
            }
        })
        .collect_view();
    view! {
        <Chart
            id="flow"
            test="flow-chart"
            class="pipeline-chart"
            view_box=format!("0 0 {WIDTH} {height}")
            title="Stays begun in each stage, by how they ended"
            description=description
        >
            {bars}
        </Chart>
        <ul class="legend">{legend}</ul>
        <DataTable
            test="flow-table"
            compact=true
            caption="Stays begun in each stage in the range, by how they ended. A project that entered a stage twice (after moving back) counts twice."
            columns=columns(["Stage", "Entered"]).into_iter().chain(Outcome::ALL.iter().map(|o| o.label().to_owned())).collect()
        >
            {rows}
        </DataTable>
    }
    .into_any()
}

/// The share of each stage's stays that moved on to the next, as bars against 100 %.
#[component]
pub fn Conversions(
    query: PipelineQuery,
    range: DateRange,
    conversions: Vec<StageConversion>,
) -> impl IntoView {
    const NAME: f64 = 160.0;
    let track = WIDTH - NAME - 60.0;
    let height = conversions.len() as f64 * (BAR + GAP);
    let description = conversions
        .iter()
        .map(|c| {
            format!(
                "{} to {}: {} ({} of {})",
                c.from.label(),
                c.to.label(),
                percent(c.share),
                c.moved_on,
                c.entered
            )
        })
        .collect::<Vec<_>>()
        .join("; ");
    let bars = conversions
        .iter()
        .enumerate()
        .map(|(i, c)| {
            let y = i as f64 * (BAR + GAP);
            let width = c.share.unwrap_or(0.0) * track;
            view! {
                <g data-test="conversion-bar" data-from=c.from.as_str()>
                    <text class="chart-label" x="0" y=y + BAR * 0.65>{format!("{} \u{2192} {}", c.from.label(), c.to.label())}</text>
                    <rect class="track" x=NAME y=y width=track height=BAR />
                    <rect class="seg out-moved_on" x=NAME y=y width=width height=BAR />
                    <text class="chart-value" x=NAME + track + 8.0 y=y + BAR * 0.65>{percent(c.share)}</text>
                </g>
            }
        })
        .collect_view();
    let rows = conversions
        .iter()
        .map(|c| {
            let moved_on = stays_url(&query, range, c.from, StaySet::Ended(Outcome::MovedOn));
            view! {
                <tr data-test="conversion-row" data-from=c.from.as_str()>
                    <th scope="row">{format!("{} \u{2192} {}", c.from.label(), c.to.label())}</th>
                    <td><a href=stays_url(&query, range, c.from, StaySet::Entered) data-test="entered">{c.entered}</a></td>
                    <td><a href=moved_on.clone() data-test="moved_on">{c.moved_on}</a></td>
                    <td><a href=moved_on data-test="share">{percent(c.share)}</a></td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <Chart
            id="conversion"
            test="conversion-chart"
            class="pipeline-chart"
            view_box=format!("0 0 {WIDTH} {height}")
            title="Share of stays that moved on to the next stage"
            description=description
        >
            {bars}
        </Chart>
        <DataTable
            test="conversion-table"
            compact=true
            caption="Of the stays begun in a stage in the range, the share that moved on to the next (open stays count as not yet)."
            columns=columns(["From \u{2192} to", "Entered", "Moved on", "Conversion"])
        >
            {rows}
        </DataTable>
    }
    .into_any()
}

/// Median and 90th-percentile days of the completed stays in each stage (a bar to the median
/// inside a lighter one to the 90th percentile); the open stays' days so far in the table.
#[component]
pub fn TimeInStage(query: PipelineQuery, range: DateRange, stages: Vec<StageStays>) -> impl IntoView {
    let longest = stages
        .iter()
        .filter_map(|s| s.completed.p90_days)
        .max()
        .unwrap_or(0)
        .max(1);
    let scale = (WIDTH - LABEL - 150.0) / longest as f64;
    let height = stages.len() as f64 * (BAR + GAP);
    let description = stages
        .iter()
        .map(|s| {
            format!(
                "{}: median {}, 90th percentile {} ({} completed stays)",
                s.stage.label(),
                days(s.completed.median_days),
                days(s.completed.p90_days),
                s.completed.stays
            )
        })
        .collect::<Vec<_>>()
        .join("; ");
    let bars = stages
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let y = i as f64 * (BAR + GAP);
            let p90 = s.completed.p90_days.unwrap_or(0) as f64 * scale;
            let median = s.completed.median_days.unwrap_or(0) as f64 * scale;
            let words = match (s.completed.median_days, s.completed.p90_days) {
                (Some(m), Some(p)) => format!("{m} / {p} d"),
                _ => "no completed stays".into(),
            };
            view! {
                <g data-test="time-bar" data-stage=s.stage.as_str()>
                    <text class="chart-label" x="0" y=y + BAR * 0.65>{s.stage.label()}</text>
                    <rect class="time-p90" x=LABEL y=y width=p90 height=BAR />
                    <rect class="time-median" x=LABEL y=y + BAR * 0.2 width=median height=BAR * 0.6 />
                    <text class="chart-value" x=LABEL + p90 + 8.0 y=y + BAR * 0.65>{words}</text>
                </g>
            }
        })
        .collect_view();
    let rows = stages
        .iter()
        .map(|s| {
            let stage = s.stage;
            let completed = stays_url(&query, range, stage, StaySet::Completed);
            let open = stays_url(&query, range, stage, StaySet::Ended(Outcome::Open));
            view! {
                <tr data-test="time-row" data-stage=stage.as_str()>
                    <th scope="row">{stage.label()}</th>
                    <td><a href=completed.clone() data-test="completed">{s.completed.stays}</a></td>
                    <td><a href=completed.clone() data-test="median">{days(s.completed.median_days)}</a></td>
                    <td><a href=completed data-test="p90">{days(s.completed.p90_days)}</a></td>
                    <td><a href=open.clone() data-test="open">{s.open_so_far.stays}</a></td>
                    <td><a href=open.clone() data-test="open-median">{days(s.open_so_far.median_days)}</a></td>
                    <td><a href=open data-test="open-p90">{days(s.open_so_far.p90_days)}</a></td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <Chart
            id="time"
            test="time-chart"
            class="pipeline-chart"
            view_box=format!("0 0 {WIDTH} {height}")
            title="Days in each stage: median and 90th percentile of completed stays"
            description=description
        >
            {bars}
        </Chart>
        <ul class="legend">
            <li><span class="swatch time-median" aria-hidden="true"></span>"Median"</li>
            <li><span class="swatch time-p90" aria-hidden="true"></span>"90th percentile"</li>
        </ul>
        <DataTable
            test="time-table"
            compact=true
            caption=concat!("Completed stays: days from the day a stay began to the day it ended (moved on, moved back, cancelled or retired). ", "Open stays, apart: days so far. Median and 90th percentile are discrete: the day count of an actual stay.")
            columns=columns(["Stage", "Completed", "Median", "90th pct", "Open", "Median so far", "90th pct so far"])
        >
            {rows}
        </DataTable>
    }
    .into_any()
}

/// Of the projects that entered Build in each quarter, the share that reached Deploy: one bar
/// per quarter against 0–100 %, with the industry's 53 % drawn across as a dashed line.
#[component]
pub fn ProductionChart(query: PipelineQuery, range: DateRange, production: ProductionShare) -> impl IntoView {
    const AXIS: f64 = 44.0;
    // The reference line's key sits above the plot, clear of the bars and their shares.
    const TOP: f64 = 36.0;
    const PLOT: f64 = 200.0;
    const BELOW: f64 = 40.0;
    const RIGHT: f64 = WIDTH - 6.0;
    let quarters = production.quarters.clone();
    let slot = (RIGHT - AXIS) / quarters.len().max(1) as f64;
    let bar = (slot * 0.6).min(40.0);
    // Over a long range only every few quarters are named (the table names them all).
    let every = (56.0 / slot).ceil().max(1.0) as usize;
    let y_of = |share: f64| TOP + PLOT * (1.0 - share);
    let reference = production.reference.clone();
    let overall = production.overall.clone();
    let ticks = [0.0, 0.25, 0.5, 0.75, 1.0]
        .into_iter()
        .map(|t| {
            view! {
                <line class="axis" x1=AXIS x2=RIGHT y1=y_of(t) y2=y_of(t) />
                <text class="chart-tick" x=AXIS - 6.0 y=y_of(t) + 4.0 text-anchor="end">{format!("{}%", (t * 100.0) as i64)}</text>
            }
        })
        .collect_view();
    let bars = quarters
        .iter()
        .enumerate()
        .map(|(i, c)| {
            let x = AXIS + i as f64 * slot + (slot - bar) / 2.0;
            let share = c.share.unwrap_or(0.0);
            view! {
                <g data-test="production-bar" data-quarter=c.quarter.clone().unwrap_or_default()>
                    {c.share.map(|_| view! { <rect class="seg production-bar" x=x y=y_of(share) width=bar height=PLOT * share /> })}
                    {(i % every == 0).then(|| view! {
                        <text class="chart-tick" x=x + bar / 2.0 y=TOP + PLOT + 18.0 text-anchor="middle">{quarter_label(c)}</text>
                    })}
                    {(every == 1).then(|| view! {
                        <text class="chart-tick" x=x + bar / 2.0 y=TOP + PLOT + 34.0 text-anchor="middle">{format!("n = {}", c.entered_build)}</text>
                    })}
                </g>
            }
        })
        .collect_view();
    // The shares are written last, haloed, so the reference line never hides one.
    let values = quarters
        .iter()
        .enumerate()
        .filter(|_| every == 1)
        .map(|(i, c)| {
            let x = AXIS + i as f64 * slot + slot / 2.0;
            view! {
                <text class="chart-value bar-value" x=x y=y_of(c.share.unwrap_or(0.0)) - 6.0 text-anchor="middle">{percent(c.share)}</text>
            }
        })
        .collect_view();
    let line = y_of(reference.share);
    let description = format!(
        "{} Reference line: {} ({}). Overall {} of {} projects ({}).",
        quarters
            .iter()
            .map(|c| format!(
                "{}: {} of {} reached Deploy ({})",
                c.quarter.as_deref().unwrap_or(""),
                c.reached_deploy,
                c.entered_build,
                percent(c.share)
            ))
            .collect::<Vec<_>>()
            .join("; "),
        percent(Some(reference.share)),
        reference.source,
        overall.reached_deploy,
        overall.entered_build,
        percent(overall.share),
    );
    let rows = quarters
        .iter()
        .map(|c| {
            view! {
                <tr data-test="cohort-row" data-quarter=c.quarter.clone().unwrap_or_default()>
                    <th scope="row">
                        {quarter_label(c)}
                        <span class="muted small hide-narrow">{format!(" ({} \u{2013} {})", human(c.from), human(c.to))}</span>
                    </th>
                    <td><a href=cohort_url(&query, range, c, false) data-test="entered-build">{c.entered_build}</a></td>
                    <td><a href=cohort_url(&query, range, c, true) data-test="reached-deploy">{c.reached_deploy}</a></td>
                    <td><a href=cohort_url(&query, range, c, true) data-test="share">{percent(c.share)}</a></td>
                </tr>
            }
        })
        .collect_view();
    let industry = format!(
        "Industry {} ({})",
        percent(Some(reference.share)),
        reference.source
    );
    view! {
        <p class="production-headline" data-test="production-overall">
            "Of the "
            <a href=cohort_url(&query, range, &overall, false) data-test="entered-build">{overall.entered_build}</a>
            " projects that entered Build from " {human(overall.from)} " to " {human(overall.to)} ", "
            <a href=cohort_url(&query, range, &overall, true) data-test="reached-deploy">{overall.reached_deploy}</a>
            " have reached Deploy: "
            <strong><a href=cohort_url(&query, range, &overall, true) data-test="share">{percent(overall.share)}</a></strong>
            {format!(". The industry reference is {}.", percent(Some(reference.share)))}
        </p>
        <Chart
            id="production"
            test="production-chart"
            class="pipeline-chart"
            view_box=format!("0 0 {WIDTH} {}", TOP + PLOT + BELOW)
            title="Prototype to production: share of projects entering Build each quarter that reached Deploy, beside the industry's 53%"
            description=description
        >
            {ticks}
            {bars}
            <line class="reference-line" x1=AXIS x2=RIGHT y1=line y2=line data-test="reference-line" />
            <line class="reference-line" x1=AXIS x2=AXIS + 28.0 y1="10" y2="10" />
            <text class="reference-label" x=AXIS + 34.0 y="14">
                {industry}
            </text>
            {values}
        </Chart>
        <p class="small" data-test="reference-source">
            <span class="reference-key" aria-hidden="true"></span>
            {format!("Dashed line: {} Source: {}.", reference.statement, reference.source)}
        </p>
        <DataTable
            test="production-table"
            compact=true
            caption="Projects that entered Build in each quarter of the range (each counted once a quarter), and how many have entered Deploy since. Recent quarters have had less time."
            columns=columns(["Quarter", "Entered Build", "Reached Deploy", "Share"])
        >
            {rows}
        </DataTable>
    }
    .into_any()
}
