//! Every stage's and every team's counts for today's portfolio: from the counts every write
//! keeps, from a recent ended day and the changes since, or from every project.

use super::{decode, StageRow, TeamRow};
use crate::error::AppError;
use crate::projects::server::rows::{self, SqlFilters};
use chrono::NaiveDate;
use serde_json::Value;
use sqlx::{PgPool, QueryBuilder};
use uuid::Uuid;

/// Every stage's and every team's counts. When the filters are ones the kept counts group by:
/// today's counts as every write keeps them ([`counts_now`], a sum over a few hundred rows),
/// or — on a day they are not kept for yet — a recent ended day's counts and the projects
/// that changed since ([`counts_since`]: the cost of the changes, not of the portfolio);
/// otherwise in one pass over every project ([`count_all`]).
pub(super) async fn counts(
    pool: &PgPool,
    f: &SqlFilters,
    today: NaiveDate,
) -> Result<(Vec<StageRow>, Vec<TeamRow>), AppError> {
    /// Further back, the changes since may cost more than counting everything.
    const MOST_DAYS_BACK: i64 = 7;
    if f.grouped() {
        let kept = sqlx::query!(
            r#"select (select day from portfolio_now_day) as "now?",
                      (select day from portfolio_days_through) as "counted?""#
        )
        .fetch_one(pool)
        .await?;
        if kept.now == Some(today) {
            return counts_now(pool, f).await;
        }
        if let Some(counted) = kept.counted {
            // A clock set back to a counted day counts from the rows.
            if counted < today && (today - counted).num_days() <= MOST_DAYS_BACK {
                return counts_since(pool, f, counted, today).await;
            }
        }
    }
    count_all(pool, f, today).await
}

/// Today's counts from `portfolio_now`, which every write keeps for the day it holds (the
/// caller has checked that it is today). Equal to [`count_all`] (tested).
async fn counts_now(pool: &PgPool, f: &SqlFilters) -> Result<(Vec<StageRow>, Vec<TeamRow>), AppError> {
    let mut sql = QueryBuilder::new(
        r#"
        select coalesce(jsonb_agg(g) filter (where not g.by_team), '[]'),
               coalesce(jsonb_agg(g) filter (where g.by_team), '[]')
        from (
          select grouping(stage) = 1 as by_team, stage, team, sum(projects) as projects,
                 sum(projects - flagged) as green, sum(flagged - red) as amber, sum(red) as red,
                 sum(ownerless) as ownerless, sum(stalled) as stalled,
                 sum(demo_overdue) as demo_overdue, sum(review_overdue) as review_overdue,
                 sum(gate_gap) as gate_gap, sum(conditions_overdue) as conditions_overdue,
                 sum(goal_drift) as goal_drift, sum(continue_loop) as continue_loop
          from portfolio_now c
          where true"#,
    );
    f.push_groups(&mut sql, "c");
    sql.push(
        r#"
          -- Teams by spelling (cheap to hash); spellings of one team are merged in `teams_of`.
          group by grouping sets ((stage), (team))
          having sum(projects) <> 0
        ) g
        "#,
    );
    let (stages, teams): (Value, Value) = sql.build_query_as().fetch_one(pool).await?;
    Ok((decode(stages)?, decode(teams)?))
}

/// Today's counts as `counted`'s (a day in the roll-up), less what the projects that may count
/// differently today counted then, plus what they count now. A project counts differently
/// only if it has a new version since that day ended or one of its onset dates lies after it
/// (up to today); both sets are index ranges. Equal to [`count_all`] (tested).
async fn counts_since(
    pool: &PgPool,
    f: &SqlFilters,
    counted: NaiveDate,
    today: NaiveDate,
) -> Result<(Vec<StageRow>, Vec<TeamRow>), AppError> {
    // Written for the two days, so that its one plan walks each index's range.
    let after = (counted + chrono::Days::new(1)).format("%Y-%m-%d");
    let mut changed =
        format!("select id from projects where signals_from >= '{after}'::timestamp at time zone 'UTC'");
    for onset in [
        "ownerless_on",
        "stalled_on",
        "demo_overdue_on",
        "review_overdue_on",
        "gate_gap_on",
        "conditions_overdue_on",
        "goal_drift_on",
        "continue_loop_on",
        "flagged_on",
        "red_on",
    ] {
        changed.push_str(&format!(
            " union select id from projects where {onset} > '{counted}'::date and {onset} <= '{today}'::date"
        ));
    }
    let changed: Vec<Uuid> = sqlx::query_scalar(&changed).fetch_all(pool).await?;
    let grouping = f.grouping();
    let then = grouping.rows(counted).among(&changed).at_end_of(counted);
    let now = grouping.rows(today).among(&changed);
    let mut sql = QueryBuilder::new(
        r#"
        select coalesce(jsonb_agg(g) filter (where not g.by_team), '[]'),
               coalesce(jsonb_agg(g) filter (where g.by_team), '[]')
        from (
          select grouping(stage) = 1 as by_team, stage, team, sum(projects) as projects,
                 sum(green) as green, sum(amber) as amber, sum(red) as red,
                 sum(ownerless) as ownerless, sum(stalled) as stalled,
                 sum(demo_overdue) as demo_overdue, sum(review_overdue) as review_overdue,
                 sum(gate_gap) as gate_gap, sum(conditions_overdue) as conditions_overdue,
                 sum(goal_drift) as goal_drift, sum(continue_loop) as continue_loop
          from (
            select c.stage, c.team, c.projects, c.projects - c.flagged as green,
                   c.flagged - c.red as amber, c.red, c.ownerless, c.stalled, c.demo_overdue,
                   c.review_overdue, c.gate_gap, c.conditions_overdue, c.goal_drift, c.continue_loop
            from portfolio_days c
            where "#,
    );
    sql.push(format_args!("c.day = '{counted}'::date"));
    grouping.push_groups(&mut sql, "c");
    sql.push(
        r#"
            union all
            select r.stage, r.team, -1, -(r.health = 'green')::int, -(r.health = 'amber')::int,
                   -(r.health = 'red')::int, -r.ownerless::int, -r.stalled::int,
                   -r.demo_overdue::int, -r.review_overdue::int, -r.gate_gap::int,
                   -r.conditions_overdue::int, -r.goal_drift::int, -r.continue_loop::int
            from "#,
    );
    then.push(&mut sql);
    sql.push(
        r#"
            union all
            select r.stage, r.team, 1, (r.health = 'green')::int, (r.health = 'amber')::int,
                   (r.health = 'red')::int, r.ownerless::int, r.stalled::int,
                   r.demo_overdue::int, r.review_overdue::int, r.gate_gap::int,
                   r.conditions_overdue::int, r.goal_drift::int, r.continue_loop::int
            from "#,
    );
    now.push(&mut sql);
    sql.push(
        r#"
          ) x
          -- Teams by spelling (cheap to hash); spellings of one team are merged in `teams_of`.
          group by grouping sets ((stage), (team))
          having sum(projects) <> 0
        ) g
        "#,
    );
    let (stages, teams): (Value, Value) = rows::fetch_one(pool, &now, &mut sql).await?;
    Ok((decode(stages)?, decode(teams)?))
}

/// Every stage's and every team's counts, in one pass over `project_rows`.
async fn count_all(
    pool: &PgPool,
    f: &SqlFilters,
    today: NaiveDate,
) -> Result<(Vec<StageRow>, Vec<TeamRow>), AppError> {
    let rows = f.rows(today);
    let mut sql = QueryBuilder::new(
        r#"
        select coalesce(jsonb_agg(g) filter (where not g.by_team), '[]'),
               coalesce(jsonb_agg(g) filter (where g.by_team), '[]')
        from (
          select grouping(stage) = 1 as by_team, stage, team, count(*) as projects,
                 count(*) filter (where health = 'green') as green,
                 count(*) filter (where health = 'amber') as amber,
                 count(*) filter (where health = 'red') as red,
                 count(*) filter (where ownerless) as ownerless,
                 count(*) filter (where stalled) as stalled,
                 count(*) filter (where demo_overdue) as demo_overdue,
                 count(*) filter (where review_overdue) as review_overdue,
                 count(*) filter (where gate_gap) as gate_gap,
                 count(*) filter (where conditions_overdue) as conditions_overdue,
                 count(*) filter (where goal_drift) as goal_drift,
                 count(*) filter (where continue_loop) as continue_loop
          from "#,
    );
    rows.push(&mut sql);
    sql.push(
        r#"
          -- Teams by spelling (cheap to hash); spellings of one team are merged in `teams_of`.
          group by grouping sets ((stage), (team))
        ) g
        "#,
    );
    let (stages, teams): (Value, Value) = rows::fetch_one(pool, &rows, &mut sql).await?;
    Ok((decode(stages)?, decode(teams)?))
}
