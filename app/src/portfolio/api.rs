//! The portfolio page's server function: everyone signed in may read it.

use super::Portfolio;
use crate::error::AppError;
use crate::projects::ProjectQuery;
use leptos::prelude::*;

/// What the portfolio page shows: the numbers, and what its filter menus offer.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct PortfolioPageData {
    pub portfolio: Portfolio,
    pub teams: Vec<String>,
    pub owners: crate::projects::OwnerChoices,
    /// The clock's day: the latest a past day may be.
    pub today: chrono::NaiveDate,
    /// Health and flags each week of the last year, and stage moves each month, up to the
    /// day shown.
    pub weekly: Vec<super::trend::TrendPoint>,
    /// The month ends of the flows (the first only bounds the first month).
    pub months: Vec<chrono::NaiveDate>,
    pub monthly_flows: Vec<super::trend::StageFlow>,
}

#[server(prefix = "/api", endpoint = "portfolio/view")]
pub async fn portfolio_view(#[server(default)] query: ProjectQuery) -> Result<PortfolioPageData, AppError> {
    use super::trend::{days, months_before, weeks_before, Interval};
    use crate::auth::server::{require, Caller};
    use crate::auth::Permission;
    use crate::projects::server::list::{history_start, owner_choices, teams};
    let Caller { state, .. } = require(Permission::Read).await?;
    query.check()?;
    let today = state.clock.today();
    let pool = &state.pool;
    // The last 52 weeks and 12 months up to the day shown, or since the history starts.
    let last = query.as_of.unwrap_or(today);
    let first = history_start(pool).await?.unwrap_or(last);
    let weeks = days(Interval::Week, weeks_before(last, 51).max(first), last);
    let months = days(Interval::Month, months_before(last, 12).max(first), last);
    // Independent reads, side by side on their own connections.
    let (portfolio, weekly, monthly_flows, teams, owners) = tokio::try_join!(
        super::server::portfolio(pool, &query, today),
        super::server::points(pool, &query, &weeks),
        super::server::flows(pool, &query, &months),
        teams(pool),
        owner_choices(pool),
    )?;
    Ok(PortfolioPageData {
        portfolio,
        teams,
        owners,
        today,
        weekly,
        months,
        monthly_flows,
    })
}
