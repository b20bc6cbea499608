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
}

#[server(prefix = "/api", endpoint = "portfolio/view")]
pub async fn portfolio_view(#[server(default)] query: ProjectQuery) -> Result<PortfolioPageData, AppError> {
    use crate::auth::server::{require, Caller};
    use crate::auth::Permission;
    use crate::projects::server::list::{owner_choices, teams};
    let Caller { state, .. } = require(Permission::Read).await?;
    query.check()?;
    let portfolio = super::server::portfolio(&state.pool, &query, state.clock.today()).await?;
    Ok(PortfolioPageData {
        portfolio,
        teams: teams(&state.pool).await?,
        owners: owner_choices(&state.pool).await?,
    })
}
