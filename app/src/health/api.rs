//! Server functions of the thresholds page: reading them (anyone signed in) and changing them
//! (admins), with a message next to each field out of range.

use super::Thresholds;
use crate::error::AppError;
#[cfg(feature = "ssr")]
use crate::error::FieldErrors;
use leptos::prelude::*;

#[server(prefix = "/api", endpoint = "settings/thresholds")]
pub async fn get_thresholds() -> Result<Thresholds, AppError> {
    use crate::auth::server::{require, Caller};
    use crate::auth::Permission;
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
    /// Absent from older forms and clients: the threshold then stays as it is.
    continue_loop_demos: Option<String>,
) -> Result<u64, AppError> {
    use crate::auth::server::{require, Caller};
    use crate::auth::Permission;
    let Caller { user, state } = require(Permission::ManageAccounts).await?;
    let mut e = FieldErrors::default();
    let demo = number(&mut e, "demo_cadence_days", &demo_cadence_days, 1..=365);
    let stall = number(&mut e, "stall_days", &stall_days, 1..=730);
    let high = number(&mut e, "review_months_high", &review_months_high, 1..=60);
    let medium = number(&mut e, "review_months_medium", &review_months_medium, 1..=60);
    let low = number(&mut e, "review_months_low", &review_months_low, 1..=60);
    let continues = continue_loop_demos.map(|text| number(&mut e, "continue_loop_demos", &text, 2..=20));
    e.into_result()?;
    let kept = super::server::thresholds(&state.pool).await?.continue_loop_demos;
    let thresholds = Thresholds {
        demo_cadence_days: demo.into(),
        stall_days: stall.into(),
        review_months_high: high.unsigned_abs(),
        review_months_medium: medium.unsigned_abs(),
        review_months_low: low.unsigned_abs(),
        continue_loop_demos: continues.map_or(kept, i32::unsigned_abs),
    };
    Ok(super::server::change_thresholds(&state.pool, user.id, thresholds).await?)
}
