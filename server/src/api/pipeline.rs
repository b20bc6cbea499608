//! `GET /api/v1/pipeline`: the numbers behind the pipeline page, for the same filters, read
//! strictly — an unknown parameter or value is a 400 that names what is allowed.

use super::ApiError;
use app::pipeline::{Pipeline, PipelineQuery};
use app::projects::stage::RiskTier;
use app::projects::OwnerFilter;
use app::state::AppState;
use axum::extract::{Query, State};
use axum::Json;
use chrono::NaiveDate;
use std::collections::BTreeMap;
use utoipa::IntoParams;

/// Which stays: the filters of the pipeline page (documented for OpenAPI; the handler reads
/// them strictly with [`parse`]).
#[derive(Debug, Default, IntoParams)]
#[into_params(parameter_in = Query)]
#[expect(dead_code, reason = "describes the parameters for the OpenAPI document")]
pub struct PipelineParams {
    /// Only this team's projects (case-insensitive, at most 200 characters).
    #[param(example = "Claims", max_length = 200)]
    team: Option<String>,
    /// Only projects of this risk tier.
    #[param(example = "high")]
    risk_tier: Option<RiskTier>,
    /// The owner (now) of the stage a stay is in: an account id, an email address, or `none`
    /// for nobody.
    #[param(example = "none", max_length = 200)]
    owner: Option<String>,
    /// The first day a counted stay began on (YYYY-MM-DD, UTC). Default: the day after the same
    /// day twelve months before `to`.
    #[param(example = "2025-12-02")]
    from: Option<NaiveDate>,
    /// The last day a counted stay began on (YYYY-MM-DD, UTC, included). Default: today. At most
    /// 3,660 days after `from`.
    #[param(example = "2026-12-01")]
    to: Option<NaiveDate>,
}

const PARAMETERS: [&str; 5] = ["team", "risk_tier", "owner", "from", "to"];

/// Reads the filters from the query string.
pub fn parse(params: &BTreeMap<String, String>) -> Result<PipelineQuery, ApiError> {
    if let Some(unknown) = params.keys().find(|k| !PARAMETERS.contains(&k.as_str())) {
        return Err(ApiError::invalid_filter(format!(
            "Unknown parameter \u{201c}{unknown}\u{201d}: use {}.",
            PARAMETERS.join(", ")
        )));
    }
    let get = |name: &str| params.get(name).map(|v| v.trim()).filter(|v| !v.is_empty());
    let day = |name: &str| {
        get(name)
            .map(|v| {
                NaiveDate::parse_from_str(v, "%Y-%m-%d").map_err(|_| {
                    ApiError::invalid_filter(format!(
                        "Unknown {name} \u{201c}{v}\u{201d}: use a day (2026-06-30)."
                    ))
                })
            })
            .transpose()
    };
    let tier = get("risk_tier")
        .map(|v| {
            RiskTier::ALL
                .iter()
                .copied()
                .find(|t| t.as_str() == v)
                .ok_or_else(|| {
                    let allowed: Vec<&str> = RiskTier::ALL.iter().map(|t| t.as_str()).collect();
                    ApiError::invalid_filter(format!(
                        "Unknown risk_tier \u{201c}{v}\u{201d}: use one of {}.",
                        allowed.join(", ")
                    ))
                })
        })
        .transpose()?;
    let owner = match get("owner") {
        None => OwnerFilter::Any,
        Some(v) => OwnerFilter::parse(v).ok_or_else(|| {
            ApiError::invalid_filter(format!(
                "Unknown owner \u{201c}{v}\u{201d}: use an account id (a UUID), an email address or none."
            ))
        })?,
    };
    Ok(PipelineQuery {
        team: get("team").map(str::to_owned),
        tier,
        owner,
        from: day("from")?,
        to: day("to")?,
    })
}

/// The pipeline's numbers.
///
/// Exactly the numbers behind the pipeline page for the same filters: for each stage, the stays
/// that began in it in the range and how they ended (moved on, moved back, cancelled, retired,
/// still open), the median and 90th-percentile days of the completed stays and of the open
/// ones so far (`percentile_disc`: the days of an actual stay); the conversion from each stage
/// to the next; and prototype → production — of the projects that entered Build in each
/// quarter, the share that reached Deploy — with the industry reference (53%, Gartner 2020).
#[utoipa::path(
    get, path = "/api/v1/pipeline", tag = "pipeline",
    params(PipelineParams),
    responses(
        (status = 200, description = "The numbers behind the pipeline page", body = Pipeline),
        (status = 400, description = "An unknown parameter or value, a day that is not YYYY-MM-DD, `from` after `to`, or a range over 3,660 days (`invalid_filter`)", body = super::error::ErrorBody),
        (status = 401, description = "Missing, wrong or revoked token (`unauthenticated`)", body = super::error::ErrorBody),
        (status = 500, description = "Something went wrong on our side (`internal`)", body = super::error::ErrorBody),
        (status = 503, description = "The database is not answering; try again shortly (`database_unavailable`)", body = super::error::ErrorBody),
    ),
    security(("bearer" = []))
)]
pub async fn pipeline(
    State(state): State<AppState>,
    Query(params): Query<BTreeMap<String, String>>,
) -> Result<Json<Pipeline>, ApiError> {
    let query = parse(&params)?;
    let today = state.clock.today();
    query.check(today).map_err(|error| match error.fields() {
        Some(fields) => ApiError::invalid_filter(
            fields
                .0
                .iter()
                .map(|e| format!("{}: {}", e.field, e.message))
                .collect::<Vec<_>>()
                .join(" "),
        ),
        None => error.into(),
    })?;
    let pipeline = app::pipeline::server::pipeline(&state.pool, &query, today).await?;
    Ok(Json(pipeline))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn params(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn unknown_parameters_and_values_name_what_is_allowed() {
        let error = parse(&params(&[("stage", "build")])).expect_err("refused");
        assert_eq!(error.code(), "invalid_filter");
        assert!(
            error.message().contains("team, risk_tier, owner, from, to"),
            "{}",
            error.message()
        );
        let error = parse(&params(&[("risk_tier", "extreme")])).expect_err("refused");
        assert!(
            error.message().contains("low, medium, high"),
            "{}",
            error.message()
        );
        let error = parse(&params(&[("from", "1 Dec 2026")])).expect_err("refused");
        assert!(error.message().contains("2026-06-30"), "{}", error.message());
        assert!(parse(&params(&[("owner", "someone")])).is_err());
        let query = parse(&params(&[
            ("team", "Claims"),
            ("risk_tier", "high"),
            ("owner", "none"),
            ("from", "2026-01-01"),
            ("to", ""),
        ]))
        .expect("valid");
        assert_eq!(query.tier, Some(RiskTier::High));
        assert_eq!(query.owner, OwnerFilter::Nobody);
        assert_eq!(query.from, NaiveDate::from_ymd_opt(2026, 1, 1));
        assert_eq!(query.to, None, "an empty value is no filter");
    }
}
