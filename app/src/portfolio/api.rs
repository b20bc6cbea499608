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
    // The last week is the day shown, whose numbers the portfolio counts anyway — unless a
    // health or flag filter narrows the portfolio (the trend shows the mix and every flag).
    let counted_by_portfolio = query.health.is_none() && query.flag.is_none();
    let earlier = match weeks.split_last() {
        Some((_, earlier)) if counted_by_portfolio => earlier,
        _ => &weeks[..],
    };
    // Independent reads, side by side on their own connections.
    let (portfolio, mut weekly, monthly_flows, teams, owners) = tokio::try_join!(
        super::server::portfolio(pool, &query, today),
        super::server::points(pool, &query, earlier, today),
        super::server::flows(pool, &query, &months, today),
        teams(pool),
        owner_choices(pool),
    )?;
    if earlier.len() < weeks.len() {
        weekly.push(portfolio.point());
    }
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
