//! The filters of `/api/v1/projects` (JSON and CSV), read strictly: an unknown parameter or
//! value is a 400 that names what is allowed, never silently ignored.

use super::ApiError;
use app::health::{FlagCode, Health};
use app::projects::stage::{RiskTier, Stage};
use app::projects::{OwnerFilter, ProjectQuery};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use chrono::{DateTime, NaiveDate, Utc};
use std::collections::BTreeMap;
use utoipa::IntoParams;
use uuid::Uuid;

/// Which projects: the filters shared by the JSON list, the CSV export and the portfolio
/// (documented for OpenAPI; the handlers read them strictly with [`parse`]).
#[derive(Debug, Default, IntoParams)]
#[into_params(parameter_in = Query)]
#[expect(dead_code, reason = "describes the parameters for the OpenAPI document")]
pub struct ViewParams {
    /// Only projects in this stage.
    #[param(example = "build")]
    stage: Option<Stage>,
    /// Only projects of this overall health (red: stalled or ownerless; amber: a demo or
    /// review overdue, a gate gap, a review condition overdue, goal drift or a continue loop;
    /// green: no flag).
    #[param(example = "red")]
    health: Option<Health>,
    /// Only projects with this flag.
    #[param(example = "stalled")]
    flag: Option<FlagCode>,
    /// Only this team's projects (case-insensitive, at most 200 characters).
    #[param(example = "Claims", max_length = 200)]
    team: Option<String>,
    /// The owner of the current stage: an account id, an email address, or `none` for nobody.
    #[param(example = "none", max_length = 200)]
    owner: Option<String>,
    /// Only projects of this risk tier.
    #[param(example = "high")]
    risk_tier: Option<RiskTier>,
    /// Read the portfolio as it stood at the end of this past day (YYYY-MM-DD, UTC): each
    /// project's stage, status, owner and flags then. Today or earlier, not before the history
    /// starts.
    #[param(example = "2026-06-30")]
    as_of: Option<NaiveDate>,
}

/// Changed since: for incremental exports.
#[derive(Debug, Default, IntoParams)]
#[into_params(parameter_in = Query)]
#[expect(dead_code, reason = "describes the parameters for the OpenAPI document")]
pub struct SinceParams {
    /// Only projects changed at or after this instant (RFC 3339) or day (YYYY-MM-DD, UTC).
    #[param(example = "2026-11-25T09:00:00Z")]
    updated_since: Option<String>,
}

/// Paging of the JSON list.
#[derive(Debug, Default, IntoParams)]
#[into_params(parameter_in = Query)]
#[expect(dead_code, reason = "describes the parameters for the OpenAPI document")]
pub struct PageParams {
    /// The `next_cursor` of the previous page; omit for the first page.
    cursor: Option<String>,
    /// Projects per page.
    #[param(minimum = 1, maximum = 1000, default = 100, example = 100)]
    limit: Option<u32>,
}

/// What a request asked for.
#[derive(Debug, Default)]
pub struct Filters {
    pub query: ProjectQuery,
    pub updated_since: Option<DateTime<Utc>>,
}

/// Where the next page starts: after this (created_at, id).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cursor {
    pub created_at: DateTime<Utc>,
    pub id: Uuid,
}

impl Cursor {
    pub fn encode(self) -> String {
        URL_SAFE_NO_PAD.encode(format!("{}|{}", self.created_at.timestamp_micros(), self.id))
    }

    pub fn decode(text: &str) -> Result<Cursor, ApiError> {
        let bytes = URL_SAFE_NO_PAD
            .decode(text)
            .map_err(|_| ApiError::invalid_cursor())?;
        let text = String::from_utf8(bytes).map_err(|_| ApiError::invalid_cursor())?;
        let (micros, id) = text.split_once('|').ok_or_else(ApiError::invalid_cursor)?;
        let created_at = micros
            .parse::<i64>()
            .ok()
            .and_then(DateTime::from_timestamp_micros)
            .ok_or_else(ApiError::invalid_cursor)?;
        let id = id.parse().map_err(|_| ApiError::invalid_cursor())?;
        Ok(Cursor { created_at, id })
    }
}

const FILTERS: [&str; 8] = [
    "stage",
    "health",
    "flag",
    "team",
    "owner",
    "risk_tier",
    "updated_since",
    "as_of",
];

fn one_of<T: Copy>(
    name: &str,
    value: &str,
    all: &[T],
    word: impl Fn(T) -> &'static str,
) -> Result<T, ApiError> {
    all.iter().copied().find(|v| word(*v) == value).ok_or_else(|| {
        let allowed: Vec<&str> = all.iter().map(|v| word(*v)).collect();
        ApiError::invalid_filter(format!(
            "Unknown {name} \u{201c}{value}\u{201d}: use one of {}.",
            allowed.join(", ")
        ))
    })
}

/// Reads the filters (and, when `paging`, the cursor and limit) from the query string.
pub fn parse(
    params: &BTreeMap<String, String>,
    paging: bool,
) -> Result<(Filters, Option<Cursor>, i64), ApiError> {
    let paging_names: &[&str] = if paging { &["cursor", "limit"] } else { &[] };
    if let Some(unknown) = params
        .keys()
        .find(|k| !FILTERS.contains(&k.as_str()) && !paging_names.contains(&k.as_str()))
    {
        let allowed: Vec<&str> = FILTERS.iter().chain(paging_names).copied().collect();
        return Err(ApiError::invalid_filter(format!(
            "Unknown parameter \u{201c}{unknown}\u{201d}: use {}.",
            allowed.join(", ")
        )));
    }
    let get = |name: &str| params.get(name).map(|v| v.trim()).filter(|v| !v.is_empty());
    let mut f = Filters::default();
    if let Some(v) = get("stage") {
        f.query.stage = Some(one_of("stage", v, Stage::ALL, Stage::as_str)?);
    }
    if let Some(v) = get("health") {
        f.query.health = Some(one_of("health", v, &Health::ALL, Health::as_str)?);
    }
    if let Some(v) = get("flag") {
        f.query.flag = Some(one_of("flag", v, &FlagCode::ALL, FlagCode::as_str)?);
    }
    if let Some(v) = get("risk_tier") {
        f.query.tier = Some(one_of("risk_tier", v, RiskTier::ALL, RiskTier::as_str)?);
    }
    f.query.team = get("team").map(str::to_owned);
    if let Some(v) = get("owner") {
        f.query.owner = OwnerFilter::parse(v).ok_or_else(|| {
            ApiError::invalid_filter(format!(
                "Unknown owner \u{201c}{v}\u{201d}: use an account id (a UUID), an email address or none."
            ))
        })?;
    }
    if let Some(v) = get("updated_since") {
        let instant = DateTime::parse_from_rfc3339(v)
            .map(|at| at.with_timezone(&Utc))
            .or_else(|_| NaiveDate::parse_from_str(v, "%Y-%m-%d").map(|d| d.and_time(chrono::NaiveTime::MIN).and_utc()))
            .map_err(|_| {
                ApiError::invalid_filter(format!(
                    "Unknown updated_since \u{201c}{v}\u{201d}: use an RFC 3339 instant (2026-11-25T09:00:00Z) or a day (2026-11-25)."
                ))
            })?;
        f.updated_since = Some(instant);
    }
    if let Some(v) = get("as_of") {
        f.query.as_of = Some(NaiveDate::parse_from_str(v, "%Y-%m-%d").map_err(|_| {
            ApiError::invalid_filter(format!(
                "Unknown as_of \u{201c}{v}\u{201d}: use a day (2026-06-30)."
            ))
        })?);
    }
    if let Err(error) = f.query.check() {
        let detail = error
            .fields()
            .map(|fields| {
                fields
                    .0
                    .iter()
                    .map(|e| format!("{}: {}", e.field, e.message))
                    .collect::<Vec<_>>()
                    .join("; ")
            })
            .unwrap_or_default();
        return Err(ApiError::invalid_filter(format!(
            "A filter is too long — {detail}"
        )));
    }
    let cursor = get("cursor").map(Cursor::decode).transpose()?;
    let limit = match get("limit") {
        None => 100,
        Some(v) => match v.parse::<i64>() {
            Ok(n) if (1..=1000).contains(&n) => n,
            _ => {
                return Err(ApiError::invalid_filter(format!(
                    "Unknown limit \u{201c}{v}\u{201d}: use a whole number from 1 to 1000."
                )))
            }
        },
    };
    Ok((f, cursor, limit))
}

/// Refuses (400 `invalid_filter`) a past day the history cannot show: in the future, or
/// before the first recorded history.
pub async fn check_as_of(state: &app::state::AppState, query: &ProjectQuery) -> Result<(), ApiError> {
    app::projects::server::list::check_as_of(&state.pool, query.as_of, state.clock.today())
        .await
        .map_err(|error| match error.fields() {
            Some(fields) => ApiError::invalid_filter(
                fields
                    .0
                    .iter()
                    .map(|e| e.message.clone())
                    .collect::<Vec<_>>()
                    .join(" "),
            ),
            None => error.into(),
        })
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
    fn cursors_round_trip_and_forgeries_are_refused() {
        let cursor = Cursor {
            created_at: DateTime::from_timestamp_micros(1_764_000_000_123_456).expect("instant"),
            id: Uuid::from_u128(42),
        };
        assert_eq!(Cursor::decode(&cursor.encode()).expect("decodes"), cursor);
        assert!(Cursor::decode("not-a-cursor").is_err());
        assert!(Cursor::decode(&URL_SAFE_NO_PAD.encode("12|x")).is_err());
    }

    #[test]
    fn unknown_values_and_parameters_name_what_is_allowed() {
        let error = parse(&params(&[("stage", "launch")]), true).expect_err("refused");
        assert_eq!(error.code(), "invalid_filter");
        assert!(
            error.message().contains("define, design, build, deploy"),
            "{}",
            error.message()
        );
        let error = parse(&params(&[("colour", "red")]), true).expect_err("refused");
        assert!(error.message().contains("stage, health"), "{}", error.message());
        let error = parse(&params(&[("cursor", "x")]), false).expect_err("no paging on CSV");
        assert_eq!(error.code(), "invalid_filter");
        assert!(parse(&params(&[("limit", "0")]), true).is_err());
        let (f, _, limit) = parse(
            &params(&[
                ("health", "red"),
                ("owner", "none"),
                ("updated_since", "2026-11-01"),
                ("limit", "5"),
            ]),
            true,
        )
        .expect("valid");
        assert_eq!(f.query.health, Some(Health::Red));
        assert_eq!(f.query.owner, OwnerFilter::Nobody);
        assert_eq!(
            f.updated_since.map(|t| t.to_rfc3339()),
            Some("2026-11-01T00:00:00+00:00".into())
        );
        assert_eq!(limit, 5);
    }
}
