//! `GET /api/v1/portfolio/trend`: the series behind the portfolio page's trend charts.

use super::filters::{self, ViewParams};
use super::ApiError;
use app::portfolio::trend::{days, weeks_before, Interval, Trend, MAX_POINTS};
use app::state::AppState;
use axum::extract::{Query, State};
use axum::Json;
use chrono::NaiveDate;
use std::collections::BTreeMap;
use utoipa::IntoParams;

/// The span and spacing of a trend.
#[derive(Debug, Default, IntoParams)]
#[into_params(parameter_in = Query)]
#[expect(dead_code, reason = "describes the parameters for the OpenAPI document")]
pub struct TrendParams {
    /// The first day (YYYY-MM-DD); default 51 weeks before `to`. Clamped to the day the
    /// history starts.
    #[param(example = "2025-12-02")]
    from: Option<NaiveDate>,
    /// The last day (YYYY-MM-DD), today or earlier; default today.
    #[param(example = "2026-12-01")]
    to: Option<NaiveDate>,
    /// `week` (every seventh day back from `to`) or `month` (month ends, and `to`).
    #[param(example = "week")]
    interval: Option<String>,
}

fn day(params: &BTreeMap<String, String>, name: &str) -> Result<Option<NaiveDate>, ApiError> {
    params
        .get(name)
        .map(|v| v.trim())
        .filter(|v| !v.is_empty())
        .map(|v| {
            NaiveDate::parse_from_str(v, "%Y-%m-%d").map_err(|_| {
                ApiError::invalid_filter(format!(
                    "Unknown {name} \u{201c}{v}\u{201d}: use a day (2026-06-30)."
                ))
            })
        })
        .transpose()
}

/// The portfolio over time.
///
/// For the projects the filters select (health and flag filters do not apply: the series
/// show them), at each day of the series: the projects, their health mix and the count of each
/// flag, as they stood at the end of that day; and the projects that entered and left each
/// stage between one day and the next (`flows`; the first day only bounds the first period).
/// The same numbers as the portfolio page's trend charts. At most 520 days.
#[utoipa::path(
    get, path = "/api/v1/portfolio/trend", tag = "portfolio",
    params(ViewParams, TrendParams),
    responses(
        (status = 200, description = "The series", body = Trend),
        (status = 400, description = "An unknown parameter or value, `from` after `to`, or `to` in the future (`invalid_filter`)", body = super::error::ErrorBody),
        (status = 401, description = "Missing, wrong or revoked token (`unauthenticated`)", body = super::error::ErrorBody),
        (status = 500, description = "Something went wrong on our side (`internal`)", body = super::error::ErrorBody),
        (status = 503, description = "The database is not answering; try again shortly (`database_unavailable`)", body = super::error::ErrorBody),
    ),
    security(("bearer" = []))
)]
pub async fn trend(
    State(state): State<AppState>,
    Query(mut params): Query<BTreeMap<String, String>>,
) -> Result<Json<Trend>, ApiError> {
    let from = day(&params, "from")?;
    let to = day(&params, "to")?;
    let interval = match params.get("interval").map(|v| v.trim()).filter(|v| !v.is_empty()) {
        None => Interval::Week,
        Some(v) => Interval::parse(v).ok_or_else(|| {
            ApiError::invalid_filter(format!(
                "Unknown interval \u{201c}{v}\u{201d}: use week or month."
            ))
        })?,
    };
    for name in ["from", "to", "interval"] {
        params.remove(name);
    }
    let (filters, _, _) = filters::parse(&params, false)?;
    if filters.updated_since.is_some() || filters.query.as_of.is_some() {
        return Err(ApiError::invalid_filter(
            "A trend spans from..to: updated_since and as_of apply to /projects and /portfolio only.",
        ));
    }
    let today = state.clock.today();
    let to = to.unwrap_or(today);
    if to > today {
        return Err(ApiError::invalid_filter(format!(
            "to {to} has not happened yet: pick {today} or an earlier day."
        )));
    }
    let from = from.unwrap_or_else(|| weeks_before(to, 51));
    if from > to {
        return Err(ApiError::invalid_filter(format!("from {from} is after to {to}.")));
    }
    let first = app::projects::server::list::history_start(&state.pool)
        .await?
        .unwrap_or(to);
    let series = days(interval, from.max(first), to);
    debug_assert!(series.len() <= MAX_POINTS);
    let trend = app::portfolio::server::trend(&state.pool, &filters.query, interval, &series, today).await?;
    Ok(Json(trend))
}
