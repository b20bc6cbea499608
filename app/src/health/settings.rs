//! The admin's thresholds page: demo cadence, stall days, review cadence per risk tier.
//! A change takes effect at once: every page reads the thresholds when it computes flags.

use super::Thresholds;
use crate::auth::{Permission, Protected};
use crate::error::AppError;
#[cfg(feature = "ssr")]
use crate::error::FieldErrors;
use crate::ui::{action_error, field_message, form_message, Alert, Field, FormAlert, Loading};
use leptos::prelude::*;
use leptos_meta::Title;

#[server(prefix = "/api", endpoint = "settings/thresholds")]
pub async fn get_thresholds() -> Result<Thresholds, AppError> {
    use crate::auth::server::{require, Caller};
    let Caller { state, .. } = require(Permission::Read).await?;
    Ok(super::server::thresholds(&state.pool).await?)
}

/// A whole number of days or months within `range`, as a message next to the field if not.
#[cfg(feature = "ssr")]
fn number(errors: &mut FieldErrors, field: &str, value: &str, range: std::ops::RangeInclusive<i32>) -> i32 {
    match value.trim().parse::<i32>() {
        Ok(n) if range.contains(&n) => n,
        _ => {
            errors.add(
                field,
                format!("Enter a whole number from {} to {}.", range.start(), range.end()),
            );
            0
        }
    }
}

#[server(prefix = "/api", endpoint = "settings/thresholds/save")]
pub async fn save_thresholds(
    demo_cadence_days: String,
    stall_days: String,
    review_months_high: String,
    review_months_medium: String,
    review_months_low: String,
) -> Result<u64, AppError> {
    use crate::auth::server::{require, Caller};
    let Caller { user, state } = require(Permission::ManageAccounts).await?;
    let mut e = FieldErrors::default();
    let demo = number(&mut e, "demo_cadence_days", &demo_cadence_days, 1..=365);
    let stall = number(&mut e, "stall_days", &stall_days, 1..=730);
    let high = number(&mut e, "review_months_high", &review_months_high, 1..=60);
    let medium = number(&mut e, "review_months_medium", &review_months_medium, 1..=60);
    let low = number(&mut e, "review_months_low", &review_months_low, 1..=60);
    e.into_result()?;
    let mut tx = state.pool.begin().await?;
    let before = super::server::thresholds(&mut *tx).await?;
    sqlx::query!(
        "update health_settings set demo_cadence_days = $1, stall_days = $2, review_months_high = $3,
                review_months_medium = $4, review_months_low = $5",
        demo,
        stall,
        high,
        medium,
        low,
    )
    .execute(&mut *tx)
    .await?;
    let after = super::server::thresholds(&mut *tx).await?;
    let changes = serde_json::json!({
        "thresholds": { "before": serde_json::to_value(before).unwrap_or_default(),
                        "after": serde_json::to_value(after).unwrap_or_default() }
    });
    crate::audit::record(
        &mut *tx,
        Some(user.id),
        "settings",
        uuid::Uuid::nil(),
        "thresholds_changed",
        changes,
    )
    .await?;
    // Every project's clocks run on these numbers: its signals are recomputed in this same
    // transaction (a few seconds for 100,000 projects), so no page ever mixes old and new.
    let projects = super::server::refresh_all(&mut tx).await?;
    tx.commit().await?;
    Ok(projects)
}

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
