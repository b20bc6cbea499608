//! The projects behind a number of the pipeline (`/pipeline/projects?…`): the stays (or, for
//! prototype → production, the projects) it counts, 50 a page, with the view's filters kept.

use super::{filters_in_words, human};
use crate::pipeline::rules::StaySet;
use crate::pipeline::{ListKind, ListParams, ListQuery, PipelineList, PipelineListData, LIST_PAGE_SIZE};
use crate::ui::{Alert, FormAlert, Loading};
use leptos::prelude::*;
use leptos_router::components::A;

#[component]
pub fn ListBody(params: Memo<ListParams>, data: super::ListData) -> impl IntoView {
    let pending = RwSignal::new(false);
    view! {
        <section class="page" data-test="pipeline-list">
            <div class="reloading-area" class:reloading=crate::ui::busy(pending) aria-busy=move || crate::ui::busy(pending)().to_string()>
            <Transition fallback=Loading set_pending=pending.write_only()>
                {move || Suspend::new(async move {
                    let query = params.get_untracked().query();
                    match data.await {
                        Ok(None) => ().into_any(),
                        Ok(Some(data)) => view! { <ListView query data /> }.into_any(),
                        Err(error) => {
                            view! {
                                <h1>"Projects behind a number"</h1>
                                <FormAlert message=Some(Alert::from(error)) />
                                <p><a href=query.filters.to_url()>"Back to the pipeline"</a></p>
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
fn ListView(query: ListQuery, data: PipelineListData) -> impl IntoView {
    let PipelineList {
        range,
        kind,
        total,
        page,
        rows,
        ..
    } = data.list;
    let title = kind.title();
    let mut pinned = query.filters.clone();
    pinned.from = Some(range.from);
    pinned.to = Some(range.to);
    let back = pinned.to_url();
    let filters = filters_in_words(&query.filters, &data.owners);
    let noun = if kind.counts_stays() {
        if total == 1 {
            "stay"
        } else {
            "stays"
        }
    } else if total == 1 {
        "project"
    } else {
        "projects"
    };
    let first = (i64::from(page) - 1) * i64::from(LIST_PAGE_SIZE) + 1;
    let last = first + rows.len() as i64 - 1;
    let pages = ((total + i64::from(LIST_PAGE_SIZE) - 1) / i64::from(LIST_PAGE_SIZE)).max(1) as u32;
    let previous = (page > 1).then(|| query.page_url(range, page - 1));
    let next = (page < pages).then(|| query.page_url(range, page + 1));
    let stays = kind.counts_stays();
    // A list of one outcome says it in its heading: on a phone its column gives way to the days.
    let outcome_class = match kind {
        ListKind::Stays {
            set: StaySet::Ended(_),
            ..
        } => "hide-narrow",
        _ => "",
    };
    let body = rows
        .into_iter()
        .map(|row| {
            let outcome = row.outcome.map(|o| o.label()).unwrap_or_default();
            let days = row.days.map(|d| d.to_string()).unwrap_or_default();
            let deployed = row.deployed_on.map_or_else(|| "not yet".to_owned(), human);
            view! {
                <tr data-test="list-row">
                    <th scope="row"><a href=format!("/projects/{}", row.project_id)><bdi>{row.name}</bdi></a></th>
                    <td class="hide-narrow"><bdi>{row.team}</bdi></td>
                    <td class="nowrap">{human(row.began_on)}</td>
                    {if stays {
                        view! { <td class=outcome_class>{outcome}</td><td data-test="days">{days}</td> }.into_any()
                    } else {
                        view! { <td class="nowrap">{deployed}</td> }.into_any()
                    }}
                </tr>
            }
        })
        .collect_view();
    view! {
        <header class="page-header">
            <p class="breadcrumb"><a href=back.clone() data-test="back-to-pipeline">"Pipeline"</a></p>
            <h1 data-test="list-title">{title}</h1>
            <p class="muted">
                {format!(
                    "{} began from {} to {}",
                    if stays { "Stays that" } else { "Projects that entered Build and" },
                    human(range.from),
                    human(range.to)
                )}
                {(!filters.is_empty()).then(|| format!(" \u{00b7} {filters}"))}
            </p>
        </header>
        <p class="muted small" data-test="list-count" aria-live="polite">
            <span class="strong" data-test="list-total">{total}</span>
            {format!(" {noun}")}
            {if total == 0 {
                String::new()
            } else if first > total {
                format!(" \u{00b7} page {page} is past the end")
            } else {
                format!(" \u{00b7} showing {first}\u{2013}{last}")
            }}
        </p>
        {if total == 0 {
            view! {
                <div class="empty-state">
                    <h2>"None in this view"</h2>
                    <p><a href=back.clone()>"Back to the pipeline"</a></p>
                </div>
            }
                .into_any()
        } else {
            view! {
                <div class="table-wrap">
                    <table class="table" data-test="list-table">
                        <thead>
                            <tr>
                                <th scope="col">"Project"</th>
                                <th scope="col" class="hide-narrow">"Team"</th>
                                <th scope="col">{if stays { "Stay began" } else { "Entered Build" }}</th>
                                {if stays {
                                    view! { <th scope="col" class=outcome_class>"Outcome"</th><th scope="col">"Days"</th> }
                                        .into_any()
                                } else {
                                    view! { <th scope="col">"Reached Deploy"</th> }.into_any()
                                }}
                            </tr>
                        </thead>
                        <tbody>{body}</tbody>
                    </table>
                </div>
                <nav class="pager" aria-label="Pages">
                    {previous.map(|href| view! { <A href=href attr:rel="prev">"\u{2190} Previous"</A> })}
                    <span class="muted small">{format!("Page {page} of {pages}")}</span>
                    {next.map(|href| view! { <A href=href attr:rel="next">"Next \u{2192}"</A> })}
                </nav>
            }
                .into_any()
        }}
        {stays.then(|| view! {
            <p class="muted small">
                "Days: from the day the stay began to the day it ended \u{2014} or, while it is still going on, to today."
            </p>
        })}
    }
}
