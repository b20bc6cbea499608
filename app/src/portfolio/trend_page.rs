//! The portfolio's trend charts: health mix and flags each week, and stage moves each month.
//! Server-drawn SVG, each with a title, a description and its numbers as a table; every day in
//! the tables links to the portfolio as it stood that day.

use super::trend::{StageFlow, TrendPoint};
use crate::health::FlagCode;
use crate::projects::stage::Stage;
use crate::projects::ProjectQuery;
use crate::ui::{columns, Chart, DataTable};
use chrono::NaiveDate;
use leptos::prelude::*;

const WIDTH: f64 = 640.0;
const HEIGHT: f64 = 180.0;
/// Room for the y-axis numbers on the left and the day labels below.
const LEFT: f64 = 44.0;
const BOTTOM: f64 = 22.0;
const TOP: f64 = 8.0;

fn short(day: NaiveDate) -> String {
    day.format("%-d %b %Y").to_string()
}

/// The x position of point `k` of `n`.
fn x_of(k: usize, n: usize) -> f64 {
    let span = WIDTH - LEFT - 8.0;
    if n <= 1 {
        LEFT + span / 2.0
    } else {
        LEFT + span * k as f64 / (n - 1) as f64
    }
}

/// The y position of `value` on a scale up to `max`.
fn y_of(value: i64, max: i64) -> f64 {
    TOP + (HEIGHT - TOP - BOTTOM) * (1.0 - value as f64 / max.max(1) as f64)
}

fn points_attr(values: &[(f64, f64)]) -> String {
    values
        .iter()
        .map(|(x, y)| format!("{x:.1},{y:.1}"))
        .collect::<Vec<_>>()
        .join(" ")
}

/// The axis: 0 and the top value on the left, the first and last days below.
fn axis(max: i64, first: NaiveDate, last: NaiveDate) -> impl IntoView {
    view! {
        <line class="axis" x1=LEFT y1=y_of(0, max) x2=WIDTH - 8.0 y2=y_of(0, max) />
        <text class="chart-tick" x=LEFT - 6.0 y=y_of(0, max) + 4.0 text-anchor="end">"0"</text>
        <text class="chart-tick" x=LEFT - 6.0 y=y_of(max, max) + 10.0 text-anchor="end">{max}</text>
        <text class="chart-tick" x=LEFT y=HEIGHT - 4.0>{short(first)}</text>
        <text class="chart-tick" x=WIDTH - 8.0 y=HEIGHT - 4.0 text-anchor="end">{short(last)}</text>
    }
}

/// The link to the portfolio as it stood at the end of `day`, with this view's filters.
fn as_of_url(query: &ProjectQuery, day: NaiveDate) -> String {
    ProjectQuery {
        as_of: Some(day),
        q: String::new(),
        page: 1,
        ..query.clone()
    }
    .url_at("/portfolio")
}

/// Health mix (stacked areas) and flag counts (lines) week by week.
#[component]
pub fn WeeklyTrend(query: ProjectQuery, points: Vec<TrendPoint>) -> impl IntoView {
    let (Some(first), Some(last)) = (points.first().copied(), points.last().copied()) else {
        return view! { <p class="muted">"No history to draw yet."</p> }.into_any();
    };
    let n = points.len();
    let max = points.iter().map(|p| p.projects).max().unwrap_or(0).max(1);
    // Stacked from the bottom: red, then amber, then green.
    let band = |lower: &dyn Fn(&TrendPoint) -> i64, upper: &dyn Fn(&TrendPoint) -> i64| {
        let mut outline: Vec<(f64, f64)> = points
            .iter()
            .enumerate()
            .map(|(k, p)| (x_of(k, n), y_of(upper(p), max)))
            .collect();
        outline.extend(
            points
                .iter()
                .enumerate()
                .rev()
                .map(|(k, p)| (x_of(k, n), y_of(lower(p), max))),
        );
        points_attr(&outline)
    };
    let red = band(&|_| 0, &|p| p.health.red);
    let amber = band(&|p| p.health.red, &|p| p.health.red + p.health.amber);
    let green = band(&|p| p.health.red + p.health.amber, &|p| p.projects);
    let health_desc = format!(
        "From {} to {}: {} projects ({} green, {} amber, {} red) then, {} ({} green, {} amber, {} red) now.",
        short(first.day),
        short(last.day),
        first.projects,
        first.health.green,
        first.health.amber,
        first.health.red,
        last.projects,
        last.health.green,
        last.health.amber,
        last.health.red
    );

    let flag_max = points
        .iter()
        .flat_map(|p| FlagCode::ALL.iter().map(|f| p.flags.get(*f)))
        .max()
        .unwrap_or(0)
        .max(1);
    let lines = FlagCode::ALL
        .iter()
        .map(|&flag| {
            let line: Vec<(f64, f64)> = points
                .iter()
                .enumerate()
                .map(|(k, p)| (x_of(k, n), y_of(p.flags.get(flag), flag_max)))
                .collect();
            view! {
                <polyline class=format!("trend-line line-{}", flag.as_str()) points=points_attr(&line)
                    data-test=format!("trend-{}", flag.as_str()) />
            }
        })
        .collect_view();
    let flag_desc = FlagCode::ALL
        .iter()
        .map(|&f| {
            format!(
                "{}: {} then, {} now",
                f.label(),
                first.flags.get(f),
                last.flags.get(f)
            )
        })
        .collect::<Vec<_>>()
        .join("; ");
    let legend = FlagCode::ALL
        .iter()
        .map(|&f| {
            view! {
                <li><span class=format!("swatch line-{}", f.as_str()) aria-hidden="true"></span>{f.label()}</li>
            }
        })
        .collect_view();
    let rows = points
        .iter()
        .rev()
        .map(|p| {
            view! {
                <tr data-test="trend-row">
                    <th scope="row"><a href=as_of_url(&query, p.day)>{short(p.day)}</a></th>
                    <td>{p.projects}</td>
                    <td>{p.health.green}</td>
                    <td>{p.health.amber}</td>
                    <td>{p.health.red}</td>
                    {FlagCode::ALL.iter().map(|&f| view! { <td>{p.flags.get(f)}</td> }).collect_view()}
                </tr>
            }
        })
        .collect_view();
    let weeks = n;
    view! {
        <div class="card" data-test="weekly-trend">
            <h2 id="trend-heading">"Health over time"</h2>
            <p class="muted small">{format!("Each week for the last {weeks} weeks, the projects in this view as they stood at the end of that day.")}</p>
            <Chart
                id="health-trend"
                test="health-trend"
                view_box=format!("0 0 {WIDTH} {HEIGHT}")
                title="Health mix each week"
                description=health_desc
            >
                <polygon class="seg-red" points=red />
                <polygon class="seg-amber" points=amber />
                <polygon class="seg-green" points=green />
                {axis(max, first.day, last.day)}
            </Chart>
            <Chart
                id="flag-trend"
                test="flag-trend"
                view_box=format!("0 0 {WIDTH} {HEIGHT}")
                title="Projects with each flag, each week"
                description=flag_desc
            >
                {lines}
                {axis(flag_max, first.day, last.day)}
            </Chart>
            <ul class="legend" aria-label="Lines">{legend}</ul>
            <details>
                <summary>"The numbers, week by week"</summary>
                <DataTable
                    test="trend-table"
                    compact=true
                    caption="Newest first; each day opens the portfolio as it stood then."
                    columns=columns(["Week ending", "Projects", "Green", "Amber", "Red"])
                        .into_iter()
                        .chain(FlagCode::ALL.iter().map(|f| f.label().to_owned()))
                        .collect()
                >
                    {rows}
                </DataTable>
            </details>
        </div>
    }
    .into_any()
}

/// Projects entering (above the line) and leaving (below) each stage, month by month.
#[component]
pub fn MonthlyFlows(months: Vec<NaiveDate>, flows: Vec<StageFlow>) -> impl IntoView {
    // The first day only bounds the first month.
    let periods: Vec<NaiveDate> = months.iter().skip(1).copied().collect();
    if periods.is_empty() {
        return view! { <p class="muted">"No months to show yet."</p> }.into_any();
    }
    let of = |day: NaiveDate, stage: Stage| {
        flows
            .iter()
            .find(|f| f.day == day && f.stage == stage)
            .map_or((0, 0), |f| (f.entered, f.left))
    };
    let totals: Vec<(i64, i64)> = periods
        .iter()
        .map(|&day| {
            Stage::ALL.iter().fold((0, 0), |(e, l), &s| {
                let (de, dl) = of(day, s);
                (e + de, l + dl)
            })
        })
        .collect();
    let max = totals.iter().map(|(e, l)| (*e).max(*l)).max().unwrap_or(0).max(1);
    let middle = TOP + (HEIGHT - TOP - BOTTOM) / 2.0;
    let half = (HEIGHT - TOP - BOTTOM) / 2.0;
    let slot = (WIDTH - LEFT - 8.0) / periods.len() as f64;
    let bar = slot * 0.7;
    let bars = periods
        .iter()
        .enumerate()
        .map(|(i, &day)| {
            let x = LEFT + slot * i as f64 + (slot - bar) / 2.0;
            let (mut up, mut down) = (middle, middle);
            Stage::ALL
                .iter()
                .map(|&stage| {
                    let (entered, left) = of(day, stage);
                    let h_in = half * entered as f64 / max as f64;
                    let h_out = half * left as f64 / max as f64;
                    up -= h_in;
                    let rects = view! {
                        <rect class=format!("flow flow-{}", stage.as_str()) x=x y=up width=bar height=h_in />
                        <rect class=format!("flow flow-{} flow-out", stage.as_str()) x=x y=down width=bar height=h_out />
                    };
                    down += h_out;
                    rects
                })
                .collect_view()
        })
        .collect_view();
    let first = periods.first().copied().unwrap_or_default();
    let last = periods.last().copied().unwrap_or_default();
    let desc = periods
        .iter()
        .zip(&totals)
        .map(|(day, (e, l))| format!("{}: {e} in, {l} out", day.format("%b %Y")))
        .collect::<Vec<_>>()
        .join("; ");
    let legend = Stage::ALL
        .iter()
        .map(|s| view! { <li><span class=format!("swatch flow-{}", s.as_str()) aria-hidden="true"></span>{s.label()}</li> })
        .collect_view();
    let rows = periods
        .iter()
        .rev()
        .map(|&day| {
            view! {
                <tr data-test="flow-row">
                    <th scope="row">{day.format("%b %Y").to_string()}</th>
                    {Stage::ALL
                        .iter()
                        .map(|&s| {
                            let (e, l) = of(day, s);
                            view! { <td>{format!("{e} in · {l} out")}</td> }
                        })
                        .collect_view()}
                </tr>
            }
        })
        .collect_view();
    view! {
        <div class="card" data-test="monthly-flows">
            <h2>"Moves between stages"</h2>
            <p class="muted small">"Each month: projects entering a stage above the line, leaving it below (creation enters Define)."</p>
            <Chart
                id="flow"
                test="flow-chart"
                view_box=format!("0 0 {WIDTH} {HEIGHT}")
                title="Projects entering and leaving stages each month"
                description=desc
            >
                {bars}
                <line class="axis" x1=LEFT y1=middle x2=WIDTH - 8.0 y2=middle />
                <text class="chart-tick" x=LEFT - 6.0 y=TOP + 10.0 text-anchor="end">{format!("{max} in")}</text>
                <text class="chart-tick" x=LEFT - 6.0 y=HEIGHT - BOTTOM text-anchor="end">{format!("{max} out")}</text>
                <text class="chart-tick" x=LEFT y=HEIGHT - 4.0>{first.format("%b %Y").to_string()}</text>
                <text class="chart-tick" x=WIDTH - 8.0 y=HEIGHT - 4.0 text-anchor="end">{last.format("%b %Y").to_string()}</text>
            </Chart>
            <ul class="legend" aria-label="Stages">{legend}</ul>
            <details>
                <summary>"The numbers, month by month"</summary>
                <DataTable
                    test="flow-table"
                    compact=true
                    caption="Newest first; the last month so far."
                    columns=columns(["Month"]).into_iter().chain(Stage::ALL.iter().map(|s| s.label().to_owned())).collect()
                >
                    {rows}
                </DataTable>
            </details>
        </div>
    }
    .into_any()
}
