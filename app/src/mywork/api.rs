//! My work's server function.

use super::Workload;
use crate::error::AppError;
use leptos::prelude::*;

#[server(prefix = "/api", endpoint = "my-work")]
pub async fn my_work() -> Result<Workload, AppError> {
    use crate::auth::server::{require, Caller};
    use crate::auth::Permission;
    let Caller { user, state } = require(Permission::Read).await?;
    super::server::load(&state.pool, &user, state.clock.today()).await
}
