//! The trend series, counted by PostgreSQL from the project versions and stage moves.

use super::super::trend::{series, Interval, StageFlow, Tally, Trend, TrendPoint};
use crate::error::AppError;
use crate::projects::server::list::SqlFilters;
use crate::projects::stage::{RiskTier, Stage, Status};
use crate::projects::ProjectQuery;
use chrono::NaiveDate;
use sqlx::PgPool;

/// Both series at `days` (ascending): see [`points`] and [`flows`].
pub async fn trend(
    pool: &PgPool,
    query: &ProjectQuery,
    interval: Interval,
    days: &[NaiveDate],
) -> Result<Trend, AppError> {
    let (points, flows) = tokio::try_join!(points(pool, query, days), flows(pool, query, days))?;
    Ok(Trend {
        interval,
        points,
        flows,
    })
}

/// The portfolio the filters of `query` select, as it stood at the end of each of `days`
/// (ascending). Health and flag filters are not applied — the series show the mix and the
/// flags themselves — and search is ignored, as on the portfolio.
pub async fn points(
    pool: &PgPool,
    query: &ProjectQuery,
    days: &[NaiveDate],
) -> Result<Vec<TrendPoint>, AppError> {
    if days.is_empty() {
        return Ok(Vec::new());
    }
    let f = SqlFilters::of(query);
    let tallies = sqlx::query_as!(
        Tally,
        r#"
        select measure as "measure!", k as "k!", starts as "starts!", ends as "ends!"
        from portfolio_trend($1, $2, $3, $4, $5, $6, $7, $8)
        "#,
        days,
        f.stage as Option<Stage>,
        f.status as Option<Status>,
        f.team.as_deref(),
        f.owner,
        f.no_owner,
        f.tier as Option<RiskTier>,
        f.owner_email.as_deref(),
    )
    .fetch_all(pool)
    .await?;
    Ok(series(days, &tallies))
}

/// Projects entering and leaving each stage in each period between consecutive `days` (after
/// the end of one day, up to the end of the next; the first day only bounds the first
/// period), for the team, tier, stage and stage owner `query` selects.
pub async fn flows(
    pool: &PgPool,
    query: &ProjectQuery,
    days: &[NaiveDate],
) -> Result<Vec<StageFlow>, AppError> {
    if days.is_empty() {
        return Ok(Vec::new());
    }
    let f = SqlFilters::of(query);
    let moves = sqlx::query!(
        r#"
        select stage as "stage!: Stage", k as "k!", entered as "entered!", exited as "exited!"
        from stage_flows($1, $2, $3, $4, $5)
        order by k, stage
        "#,
        days,
        f.stage as Option<Stage>,
        f.team.as_deref(),
        f.owner,
        f.tier as Option<RiskTier>,
    )
    .fetch_all(pool)
    .await?;
    Ok(moves
        .into_iter()
        .filter_map(|m| {
            let day = usize::try_from(m.k).ok().and_then(|k| days.get(k))?;
            Some(StageFlow {
                day: *day,
                stage: m.stage,
                entered: m.entered,
                left: m.exited,
            })
        })
        .collect())
}
