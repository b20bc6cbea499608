//! The portfolio's numbers, aggregated by PostgreSQL in one statement over `project_rows`.

use super::{
    AttentionItem, AttentionList, FlagCounts, HealthMix, Portfolio, StageCount, TeamCount, ATTENTION_FLAGS,
    ATTENTION_SHOWN,
};
use crate::error::AppError;
use crate::health::{FlagCode, Signals};
use crate::projects::server::rows::{self, SqlFilters};
use crate::projects::stage::Stage;
use crate::projects::ProjectQuery;
use chrono::{DateTime, NaiveDate, Utc};
use serde::Deserialize;
use serde_json::Value;
use sqlx::{PgPool, QueryBuilder};
use std::collections::HashMap;
use uuid::Uuid;

mod counts;
mod trend;
use counts::counts;
pub use trend::{count_ended_days, flows, points, trend};

#[derive(Deserialize)]
struct StageRow {
    stage: Stage,
    projects: i64,
    green: i64,
    amber: i64,
    red: i64,
    /// Filled in from [`MedianRow`].
    #[serde(default)]
    median_days: i64,
    /// Filled in from [`MedianRow`].
    #[serde(default)]
    max_days: i64,
    ownerless: i64,
    stalled: i64,
    demo_overdue: i64,
    review_overdue: i64,
    gate_gap: i64,
    conditions_overdue: i64,
    goal_drift: i64,
    continue_loop: i64,
}

/// The median and the longest days in one stage.
#[derive(Deserialize)]
struct MedianRow {
    stage: Stage,
    days: i64,
    max_days: i64,
}

#[derive(Deserialize)]
struct TeamRow {
    team: String,
    projects: i64,
    green: i64,
    amber: i64,
    red: i64,
}

/// A flagged project as the attention lists show it.
#[derive(Deserialize)]
struct FlaggedRow {
    flag: FlagCode,
    id: Uuid,
    name: String,
    team: String,
    stage: Stage,
    owner_name: Option<String>,
    stage_entered_at: DateTime<Utc>,
}

/// The portfolio of the projects `query` selects (its search, sort and page are ignored), on
/// `today` (or the past day it asks for), from the stored signals. Today: two reads side by
/// side on two connections — every stage's and every team's counts ([`counts`]), and the first
/// few of each attention list (an index walk in entry order) — then each stage's median time
/// (one index walk to its middle, which needs the counts). A past day: one statement over that
/// day's versions ([`past`]). Then the listed projects' signals (for the reasons). Nothing is
/// cached in the process, so every server on one database shows the same numbers right after
/// a change.
pub async fn portfolio(pool: &PgPool, query: &ProjectQuery, today: NaiveDate) -> Result<Portfolio, AppError> {
    crate::projects::server::list::check_as_of(pool, query.as_of, today).await?;
    let f = SqlFilters::of(&ProjectQuery {
        q: String::new(),
        ..query.clone()
    });
    let day = f.day(today);
    let (mut stages, teams, flagged, medians) = if f.past() {
        past(pool, &f, day).await?
    } else {
        let ((stages, teams), flagged) = tokio::try_join!(counts(pool, &f, day), attention(pool, &f, day))?;
        let medians = medians(pool, &f, day, &stages).await?;
        (stages, teams, flagged, medians)
    };
    for stage in &mut stages {
        if let Some(m) = medians.iter().find(|m| m.stage == stage.stage) {
            stage.median_days = m.days;
            stage.max_days = m.max_days;
        }
    }
    let ids: Vec<Uuid> = flagged.iter().map(|r| r.id).collect();
    let signals: HashMap<Uuid, Signals> = match f.as_of {
        Some(day) => crate::health::server::as_of(pool, &ids, crate::health::server::end_of(day)).await?,
        None => crate::health::server::current(pool, &ids).await?,
    }
    .into_iter()
    .collect();
    let mut portfolio = assemble(day, &signals, stages, teams, flagged);
    portfolio.as_of = f.as_of;
    Ok(portfolio)
}

/// A past day's numbers in one statement: that day's versions are found once (a range-index
/// walk, the costly part; names are looked up for the listed projects only) and every count,
/// median and attention list is taken from them —
/// the same numbers the current rows' statements below give (tested: a past day reads what
/// the portfolio showed that day).
async fn past(
    pool: &PgPool,
    f: &SqlFilters,
    day: NaiveDate,
) -> Result<(Vec<StageRow>, Vec<TeamRow>, Vec<FlaggedRow>, Vec<MedianRow>), AppError> {
    let rows = f.rows(day);
    let mut sql = QueryBuilder::new(
        "with r as materialized (select id, team, stage, stage_entered_at, health, ownerless, \
         stalled, demo_overdue, review_overdue, gate_gap, conditions_overdue, goal_drift, \
         continue_loop from ",
    );
    rows.push(&mut sql);
    sql.push(format_args!(
        r#"),
        g as (
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
          from r
          group by grouping sets ((stage), (team))
        ),
        -- The median is the ⌈n/2⌉-th smallest number of days; the longest, the earliest entry.
        m as (
          select stage,
                 percentile_disc(0.5) within group (
                   order by '{day}'::date - (stage_entered_at at time zone 'UTC')::date) as days,
                 '{day}'::date - (min(stage_entered_at) at time zone 'UTC')::date as max_days
          from r
          group by stage
        ),
        -- Each list: the first few, oldest in their stage first (a top-N pass each).
        flagged as ({lists})
        select
          (select coalesce(jsonb_agg(g), '[]') from g where not g.by_team),
          (select coalesce(jsonb_agg(g), '[]') from g where g.by_team),
          (select coalesce(jsonb_agg(m), '[]') from m),
          (select coalesce(jsonb_agg(jsonb_build_object(
                    'flag', x.flag, 'id', x.id, 'name', p.name, 'team', x.team, 'stage', x.stage,
                    'owner_name', o.display_name, 'stage_entered_at', x.stage_entered_at)
                    order by x.flag, x.stage_entered_at, x.id), '[]')
           from flagged x
           join projects p on p.id = x.id
           left join stage_owners so on so.project_id = x.id and so.stage = x.stage
           left join accounts o on o.id = so.owner_id)
        "#,
        lists = listed_flags(f)
            .map(|flag| format!(
                "(select '{flag}' as flag, id, team, stage, stage_entered_at from r where {flag} \
                 order by stage_entered_at, id limit {ATTENTION_SHOWN})",
                flag = flag.as_str()
            ))
            .chain(std::iter::once(
                "(select null, null::uuid, null, null::project_stage, null::timestamptz where false)"
                    .to_owned()
            ))
            .collect::<Vec<_>>()
            .join(" union all "),
    ));
    let (stages, teams, medians, flagged): (Value, Value, Value, Value) =
        rows::fetch_one(pool, &rows, &mut sql).await?;
    Ok((
        decode(stages)?,
        decode(teams)?,
        decode(flagged)?,
        decode(medians)?,
    ))
}

/// Each stage's median and longest days in stage, from one walk of the stage's entries in
/// order (an index-only walk; projects that entered at the same instant have the same days, so
/// ties need no order): the median (percentile_disc 0.5) is the ⌈n/2⌉-th smallest number of
/// days, which is the entry (n - 1) / 2 places from the newest, so the walk from the oldest
/// stops there — it is the last entry read, and the longest is the first.
async fn medians(
    pool: &PgPool,
    f: &SqlFilters,
    today: NaiveDate,
    stages: &[StageRow],
) -> Result<Vec<MedianRow>, AppError> {
    let walked = |stage: Stage| {
        stages
            .iter()
            .find(|r| r.stage == stage)
            .map_or(0, |r| r.projects - (r.projects - 1).max(0) / 2)
    };
    let day = f.day(today);
    if f.stage_only() {
        return kept_medians(pool, f.stage, day).await;
    }
    let rows = f.rows(today);
    let mut sql = QueryBuilder::new("select coalesce(jsonb_agg(m), '[]') from (");
    for (i, &stage) in Stage::ALL.iter().enumerate() {
        if i > 0 {
            sql.push(" union all ");
        }
        sql.push(format_args!(
            "(select '{stage}'::project_stage as stage, '{day}'::date - (max(e) at time zone 'UTC')::date as days, \
             '{day}'::date - (min(e) at time zone 'UTC')::date as max_days \
             from (select stage_entered_at as e from ",
            stage = stage.as_str()
        ));
        rows.in_stage(stage).push(&mut sql);
        // Bound, not written: the counts change with every write, the statement should not.
        sql.push(" order by stage_entered_at limit ")
            .push_bind(walked(stage))
            .push(") w having count(*) > 0)");
    }
    sql.push(") m");
    let (medians,): (Value,) = rows::fetch_one(pool, &rows, &mut sql).await?;
    decode(medians)
}

/// Each stage's median and longest days in stage on `day`, for every project (or one stage's),
/// from the entries per day that every write keeps (`stage_entry_days`): the median is the
/// entry day of the ⌈n/2⌉-th oldest entry — where the running count from the oldest day first
/// reaches it — as [`medians`] finds it by walking the entries themselves (tested equal).
async fn kept_medians(
    pool: &PgPool,
    stage: Option<Stage>,
    day: NaiveDate,
) -> Result<Vec<MedianRow>, AppError> {
    Ok(sqlx::query_as!(
        MedianRow,
        r#"
        select stage as "stage!: Stage",
               ($1::date - min(entered_on) filter (where entered >= n - (n - 1) / 2))::bigint as "days!",
               ($1::date - min(entered_on))::bigint as "max_days!"
        from (
          select stage, entered_on,
                 sum(projects) over (partition by stage order by entered_on) as entered,
                 sum(projects) over (partition by stage) as n
          from stage_entry_days
          where projects <> 0 and ($2::project_stage is null or stage = $2)
        ) h
        group by stage
        "#,
        day,
        stage as Option<Stage>,
    )
    .fetch_all(pool)
    .await?)
}

/// The first few projects of each attention list, oldest in its stage first.
async fn attention(pool: &PgPool, f: &SqlFilters, today: NaiveDate) -> Result<Vec<FlaggedRow>, AppError> {
    let rows = f.rows(today);
    let lists: Vec<FlagCode> = listed_flags(f).collect();
    if lists.is_empty() {
        return Ok(Vec::new());
    }
    // Each list asks `project_rows` for its flag: an onset index range, or a walk in entry
    // order, whichever is cheaper for that flag's numbers.
    let mut sql = QueryBuilder::new("with flagged as (");
    for (i, &flag) in lists.iter().enumerate() {
        if i > 0 {
            sql.push(" union all ");
        }
        sql.push(format_args!(
            "(select '{}' as flag, id, name, team, stage, stage_entered_at from ",
            flag.as_str()
        ));
        rows.flagged(flag).push(&mut sql);
        sql.push(format_args!(
            " order by stage_entered_at, id limit {ATTENTION_SHOWN})"
        ));
    }
    sql.push(
        r#")
        select coalesce(jsonb_agg(jsonb_build_object(
                 'flag', x.flag, 'id', x.id, 'name', x.name, 'team', x.team, 'stage', x.stage,
                 'owner_name', o.display_name, 'stage_entered_at', x.stage_entered_at)
                 order by x.flag, x.stage_entered_at, x.id), '[]')
        from flagged x
        left join stage_owners so on so.project_id = x.id and so.stage = x.stage
        left join accounts o on o.id = so.owner_id
        "#,
    );
    let (flagged,): (Value,) = rows::fetch_one(pool, &rows, &mut sql).await?;
    decode(flagged)
}

/// The attention lists a view shows: every one, or the one of the flag it is filtered to.
fn listed_flags(f: &SqlFilters) -> impl Iterator<Item = FlagCode> + '_ {
    ATTENTION_FLAGS
        .iter()
        .copied()
        .filter(|&flag| f.flag.is_none_or(|only| only == flag))
}

fn decode<T: serde::de::DeserializeOwned>(value: serde_json::Value) -> Result<T, AppError> {
    serde_json::from_value(value).map_err(|e| AppError::from(anyhow::anyhow!("reading the portfolio: {e}")))
}

fn assemble(
    today: NaiveDate,
    signals: &HashMap<Uuid, Signals>,
    stage_rows: Vec<StageRow>,
    team_rows: Vec<TeamRow>,
    flagged: Vec<FlaggedRow>,
) -> Portfolio {
    let mut health = HealthMix::default();
    let mut counts = FlagCounts::default();
    let stages = Stage::ALL
        .iter()
        .map(|&stage| match stage_rows.iter().find(|r| r.stage == stage) {
            Some(r) => {
                health.green += r.green;
                health.amber += r.amber;
                health.red += r.red;
                counts.ownerless += r.ownerless;
                counts.stalled += r.stalled;
                counts.demo_overdue += r.demo_overdue;
                counts.review_overdue += r.review_overdue;
                counts.gate_gap += r.gate_gap;
                counts.conditions_overdue += r.conditions_overdue;
                counts.goal_drift += r.goal_drift;
                counts.continue_loop += r.continue_loop;
                StageCount {
                    stage,
                    projects: r.projects,
                    health: HealthMix {
                        green: r.green,
                        amber: r.amber,
                        red: r.red,
                    },
                    median_days_in_stage: r.median_days,
                    max_days_in_stage: r.max_days,
                }
            }
            None => StageCount {
                stage,
                projects: 0,
                health: HealthMix::default(),
                median_days_in_stage: 0,
                max_days_in_stage: 0,
            },
        })
        .collect::<Vec<_>>();
    let teams = teams_of(team_rows);
    let attention = ATTENTION_FLAGS
        .iter()
        .map(|&flag| AttentionList {
            flag,
            total: counts.get(flag),
            items: flagged
                .iter()
                .filter(|r| r.flag == flag)
                .map(|r| attention_item(r, today, signals.get(&r.id)))
                .collect(),
        })
        .collect();
    Portfolio {
        today,
        as_of: None,
        projects: health.total(),
        health,
        flags: counts,
        stages,
        teams,
        attention,
    }
}

/// One row per team, its spellings merged case-insensitively under the first spelling in
/// code-point order; the largest team first, then A–Z.
fn teams_of(mut rows: Vec<TeamRow>) -> Vec<TeamCount> {
    let mut teams: Vec<TeamCount> = Vec::new();
    rows.sort_by(|a, b| {
        a.team
            .to_lowercase()
            .cmp(&b.team.to_lowercase())
            .then(a.team.cmp(&b.team))
    });
    for row in rows {
        match teams.last_mut() {
            Some(team) if team.team.to_lowercase() == row.team.to_lowercase() => {
                team.projects += row.projects;
                team.health.green += row.green;
                team.health.amber += row.amber;
                team.health.red += row.red;
                if row.team < team.team {
                    team.team = row.team;
                }
            }
            _ => teams.push(TeamCount {
                team: row.team,
                projects: row.projects,
                health: HealthMix {
                    green: row.green,
                    amber: row.amber,
                    red: row.red,
                },
            }),
        }
    }
    teams.sort_by(|a, b| {
        b.projects
            .cmp(&a.projects)
            .then(a.team.to_lowercase().cmp(&b.team.to_lowercase()))
    });
    teams
}

/// Says why a listed project carries its flag, in the words the project page uses: its
/// stored signals read on `today`.
fn attention_item(row: &FlaggedRow, today: NaiveDate, signals: Option<&Signals>) -> AttentionItem {
    let stage_entered_on = row.stage_entered_at.date_naive();
    let flag = signals.and_then(|s| s.flags(today).into_iter().find(|f| f.code == row.flag));
    AttentionItem {
        id: row.id,
        name: row.name.clone(),
        team: row.team.clone(),
        stage: row.stage,
        owner: row.owner_name.clone(),
        days_in_stage: (today - stage_entered_on).num_days(),
        reason: flag
            .as_ref()
            .map(|f| f.reason.clone())
            .unwrap_or_else(|| row.flag.label().to_owned()),
        since: flag.map(|f| f.since).unwrap_or(stage_entered_on),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(team: &str, projects: i64, red: i64) -> TeamRow {
        TeamRow {
            team: team.into(),
            projects,
            green: projects - red,
            amber: 0,
            red,
        }
    }

    #[test]
    fn spellings_of_one_team_are_counted_together_largest_team_first() {
        let teams = teams_of(vec![
            row("risk", 2, 1),
            row("Claims", 3, 0),
            row("Risk", 2, 0),
            row("Ads", 3, 3),
        ]);
        let summary: Vec<(&str, i64, i64)> = teams
            .iter()
            .map(|t| (t.team.as_str(), t.projects, t.health.red))
            .collect();
        assert_eq!(summary, vec![("Risk", 4, 1), ("Ads", 3, 3), ("Claims", 3, 0)]);
    }
}
