//! The admin's thresholds page: demo cadence, stall days, review cadence per risk tier.
//! A change takes effect at once: every project's signals are recomputed with it.

use super::{get_thresholds, SaveThresholds};
use crate::auth::{Permission, Protected};
use crate::ui::{action_error, field_message, form_message, Alert, Field, FormAlert, Loading};
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn ThresholdsPage() -> impl IntoView {
    view! {
        <Title text="Thresholds · Tollgate" />
        <Protected permission=Permission::ManageAccounts view=|_| view! { <ThresholdsForm /> } />
    }
}

#[component]
fn ThresholdsForm() -> impl IntoView {
    let save = ServerAction::<SaveThresholds>::new();
    let error = action_error(save);
    let current = Resource::new(|| (), |_| get_thresholds());
    let m = move |f: &'static str| field_message(error, f);
    let saved = move || {
        save.value().get().and_then(Result::ok).map(|projects| {
            let projects = if projects == 1 {
                "1 project".to_owned()
            } else {
                format!("{projects} projects")
            };
            view! {
                <div class="alert alert-success" role="status" data-test="form-success">
                    {format!("Saved. The health of {projects} was recomputed with the new thresholds.")}
                </div>
            }
        })
    };
    let pending = save.pending();
    view! {
        <section class="page narrow-wide">
            <header class="page-header">
                <h1>"Health thresholds"</h1>
                <p class="muted">"When a project is flagged. Changes apply to every project at once."</p>
            </header>
            {saved}
            <FormAlert message=form_message(error) />
            <Suspense fallback=Loading>
                {move || Suspend::new(async move {
                    match current.await {
                        Ok(t) => view! {
                            <ActionForm action=save attr:novalidate="" attr:data-test="thresholds-form" attr:class="card">
                                <div class="form-grid">
                                    <Field label="Demo cadence (days)" name="demo_cadence_days" input_type="number"
                                        value=t.demo_cadence_days.to_string()
                                        hint="A demo older than this is overdue." error=m("demo_cadence_days") />
                                    <Field label="Stalled after (days)" name="stall_days" input_type="number"
                                        value=t.stall_days.to_string()
                                        hint="No stage change and no demo for longer than this." error=m("stall_days") />
                                </div>
                                <div class="form-grid">
                                    <Field label="Review every (months), high risk" name="review_months_high" input_type="number"
                                        value=t.review_months_high.to_string() error=m("review_months_high") />
                                    <Field label="Medium risk" name="review_months_medium" input_type="number"
                                        value=t.review_months_medium.to_string() error=m("review_months_medium") />
                                    <Field label="Low risk" name="review_months_low" input_type="number"
                                        value=t.review_months_low.to_string() error=m("review_months_low") />
                                </div>
                                <div class="form-grid">
                                    <Field label="Continue loop after (demos)" name="continue_loop_demos" input_type="number"
                                        value=t.continue_loop_demos.to_string()
                                        hint="This many demos in a row saying \u{201c}continue\u{201d}, with no stage move, are a loop."
                                        error=m("continue_loop_demos") />
                                </div>
                                <p class="muted small save-note">"Saving recomputes every project's health: with many thousands of projects this takes a few seconds."</p>
                                <button type="submit" class="button primary" aria-disabled=move || pending.get().to_string()>
                                    {move || if pending.get() { "Saving and recomputing…" } else { "Save thresholds" }}
                                </button>
                            </ActionForm>
                        }
                            .into_any(),
                        Err(error) => view! { <FormAlert message=Some(Alert::from(error)) /> }.into_any(),
                    }
                })}
            </Suspense>
        </section>
    }
}
