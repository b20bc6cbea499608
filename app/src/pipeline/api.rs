//! The pipeline pages' server functions: everyone signed in may read them.

use super::{ListQuery, Pipeline, PipelineList, PipelineQuery};
use crate::error::AppError;
use crate::projects::OwnerChoices;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// What the pipeline page shows: the numbers, and what its filter menus offer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PipelinePageData {
    pub pipeline: Pipeline,
    pub teams: Vec<String>,
    pub owners: OwnerChoices,
}

#[server(prefix = "/api", endpoint = "pipeline/view")]
pub async fn pipeline_view(#[server(default)] query: PipelineQuery) -> Result<PipelinePageData, AppError> {
    use crate::auth::server::{require, Caller};
    use crate::auth::Permission;
    use crate::projects::server::list::{owner_choices, teams};
    let Caller { state, .. } = require(Permission::Read).await?;
    let pool = &state.pool;
    // Independent reads, side by side on their own connections.
    let (pipeline, teams, owners) = tokio::try_join!(
        super::server::pipeline(pool, &query, state.clock.today()),
        teams(pool),
        owner_choices(pool),
    )?;
    Ok(PipelinePageData {
        pipeline,
        teams,
        owners,
    })
}

/// A list's address parameters, as they were given (read by [`ListQuery::from_params`]).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ListParams {
    pub stage: Option<String>,
    pub outcome: Option<String>,
    pub cohort: Option<String>,
    pub team: Option<String>,
    pub tier: Option<String>,
    pub owner: Option<String>,
    pub from: Option<String>,
    pub to: Option<String>,
    pub page: Option<String>,
}

impl ListParams {
    pub fn from_params(get: impl Fn(&str) -> Option<String>) -> Self {
        ListParams {
            stage: get("stage"),
            outcome: get("outcome"),
            cohort: get("cohort"),
            team: get("team"),
            tier: get("tier"),
            owner: get("owner"),
            from: get("from"),
            to: get("to"),
            page: get("page"),
        }
    }

    pub fn query(&self) -> ListQuery {
        ListQuery::from_params(|key| {
            match key {
                "stage" => &self.stage,
                "outcome" => &self.outcome,
                "cohort" => &self.cohort,
                "team" => &self.team,
                "tier" => &self.tier,
                "owner" => &self.owner,
                "from" => &self.from,
                "to" => &self.to,
                "page" => &self.page,
                _ => &None,
            }
            .clone()
        })
    }
}

/// What a list behind a number shows: its page of projects, and who the owner filter names.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PipelineListData {
    pub list: PipelineList,
    pub owners: OwnerChoices,
}

#[server(prefix = "/api", endpoint = "pipeline/projects")]
pub async fn pipeline_projects(#[server(default)] params: ListParams) -> Result<PipelineListData, AppError> {
    use crate::auth::server::{require, Caller};
    use crate::auth::Permission;
    use crate::projects::server::list::owner_choices;
    let Caller { state, .. } = require(Permission::Read).await?;
    let query = params.query();
    let (list, owners) = tokio::try_join!(
        super::server::list(&state.pool, &query, state.clock.today()),
        owner_choices(&state.pool),
    )?;
    Ok(PipelineListData { list, owners })
}
