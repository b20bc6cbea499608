//! The trend series, counted by PostgreSQL from the ended days' roll-up, the project versions
//! and the stage moves.

use crate::error::AppError;
use crate::portfolio::trend::{series, Interval, StageFlow, Tally, Trend, TrendPoint};
use crate::portfolio::FlagCounts;
use crate::projects::server::rows::{self, SqlFilters};
use crate::projects::stage::{RiskTier, Stage, Status};
use crate::projects::ProjectQuery;
use chrono::NaiveDate;
use sqlx::{PgPool, QueryBuilder};

/// Both series at `days` (ascending): see [`points`] and [`flows`].
pub async fn trend(
    pool: &PgPool,
    query: &ProjectQuery,
    interval: Interval,
    days: &[NaiveDate],
    today: NaiveDate,
) -> Result<Trend, AppError> {
    let (points, flows) =
        tokio::try_join!(points(pool, query, days, today), flows(pool, query, days, today))?;
    Ok(Trend {
        interval,
        points,
        flows,
    })
}

/// The portfolio the filters of `query` select, as it stood at the end of each of `days`
/// (ascending; `today` is the clock's day). Health and flag filters are not applied — the
/// series show the mix and the flags themselves — and search is ignored, as on the portfolio.
///
/// Days that ended and were counted into `portfolio_days` are read from there (one row per
/// group and day); the rest — today, and days the roll-up has not reached — are counted from
/// `project_rows` one by one when they are few, or all in one pass over the versions
/// (`portfolio_trend`). An owner filter always reads the versions (the roll-up has no owners).
pub async fn points(
    pool: &PgPool,
    query: &ProjectQuery,
    days: &[NaiveDate],
    today: NaiveDate,
) -> Result<Vec<TrendPoint>, AppError> {
    if days.is_empty() {
        return Ok(Vec::new());
    }
    let f = SqlFilters::of(query);
    let through = if f.owner.is_some() || f.owner_email.is_some() {
        None
    } else {
        counted_through(pool).await?
    };
    // Today is always counted from the current rows (even when a clock set back finds it in
    // the roll-up already).
    let split = through.map_or(0, |through| {
        days.partition_point(|day| *day <= through && *day < today)
    });
    let (counted, live) = days.split_at(split);
    let (mut points, live) = tokio::try_join!(
        counted_points(pool, &f, counted),
        live_points(pool, &f, live, today)
    )?;
    points.extend(live);
    Ok(points)
}

/// The last day counted into `portfolio_days`.
async fn counted_through(pool: &PgPool) -> Result<Option<NaiveDate>, AppError> {
    Ok(sqlx::query_scalar!("select day from portfolio_days_through")
        .fetch_optional(pool)
        .await?)
}

/// Counts every ended day the roll-up has not reached (up to the day before `today`), a week
/// per statement so that none runs long, and today's counts afresh when the counts every write
/// keeps (`portfolio_now`) are another day's; returns how many ended days were added. Any
/// number of servers may call it at once (they take turns).
pub async fn count_ended_days(pool: &PgPool, today: NaiveDate) -> Result<i64, AppError> {
    let kept = sqlx::query_scalar!("select day from portfolio_now_day")
        .fetch_optional(pool)
        .await?;
    if kept != Some(today) {
        sqlx::query_scalar!(r#"select portfolio_now_refresh($1) as "refreshed!""#, today)
            .fetch_one(pool)
            .await?;
    }
    let Some(yesterday) = today.pred_opt() else {
        return Ok(0);
    };
    let mut added = 0;
    loop {
        let days = sqlx::query_scalar!(r#"select portfolio_days_fill($1, 7) as "days!""#, yesterday)
            .fetch_one(pool)
            .await?;
        if days == 0 {
            return Ok(added);
        }
        added += i64::from(days);
    }
}

/// One day's counts, as the roll-up and `project_rows` both give them.
#[derive(sqlx::FromRow)]
struct DayCounts {
    day: NaiveDate,
    projects: i64,
    flagged: i64,
    red: i64,
    ownerless: i64,
    stalled: i64,
    demo_overdue: i64,
    review_overdue: i64,
    gate_gap: i64,
    conditions_overdue: i64,
    goal_drift: i64,
    continue_loop: i64,
}

impl DayCounts {
    fn point(self) -> TrendPoint {
        let flags = FlagCounts {
            ownerless: self.ownerless,
            stalled: self.stalled,
            demo_overdue: self.demo_overdue,
            review_overdue: self.review_overdue,
            gate_gap: self.gate_gap,
            conditions_overdue: self.conditions_overdue,
            goal_drift: self.goal_drift,
            continue_loop: self.continue_loop,
        };
        TrendPoint::new(self.day, self.projects, self.flagged, self.red, flags)
    }
}

/// The points of days in the roll-up: the whole portfolio or one stage from the stage
/// totals (a row per stage and day), other filters from every group of the day.
async fn counted_points(
    pool: &PgPool,
    f: &SqlFilters,
    days: &[NaiveDate],
) -> Result<Vec<TrendPoint>, AppError> {
    if days.is_empty() {
        return Ok(Vec::new());
    }
    let by_stage = f.status.is_none() && f.team.is_none() && !f.no_owner && f.tier.is_none();
    let mut sql = QueryBuilder::new(
        "select d.day, coalesce(sum(c.projects), 0)::bigint as projects,
                coalesce(sum(c.flagged), 0)::bigint as flagged, coalesce(sum(c.red), 0)::bigint as red,
                coalesce(sum(c.ownerless), 0)::bigint as ownerless,
                coalesce(sum(c.stalled), 0)::bigint as stalled,
                coalesce(sum(c.demo_overdue), 0)::bigint as demo_overdue,
                coalesce(sum(c.review_overdue), 0)::bigint as review_overdue,
                coalesce(sum(c.gate_gap), 0)::bigint as gate_gap,
                coalesce(sum(c.conditions_overdue), 0)::bigint as conditions_overdue,
                coalesce(sum(c.goal_drift), 0)::bigint as goal_drift,
                coalesce(sum(c.continue_loop), 0)::bigint as continue_loop
         from unnest(",
    );
    sql.push_bind(days.to_vec()).push("::date[]) d (day) left join ");
    sql.push(if by_stage {
        "portfolio_day_stages"
    } else {
        "portfolio_days"
    });
    sql.push(" c on c.day = d.day");
    f.grouping().push_groups(&mut sql, "c");
    sql.push(" group by d.day order by d.day");
    let rows: Vec<DayCounts> = sql.build_query_as().fetch_all(pool).await?;
    Ok(rows.into_iter().map(DayCounts::point).collect())
}

/// A few days are counted one by one from `project_rows` (today from the current rows);
/// more in one pass over the versions.
async fn live_points(
    pool: &PgPool,
    f: &SqlFilters,
    days: &[NaiveDate],
    today: NaiveDate,
) -> Result<Vec<TrendPoint>, AppError> {
    const ONE_BY_ONE: usize = 3;
    if days.len() > ONE_BY_ONE {
        return versions_points(pool, f, days).await;
    }
    let mut points = Vec::with_capacity(days.len());
    for &day in days {
        points.push(day_point(pool, f, day, today).await?);
    }
    Ok(points)
}

/// The portfolio at the end of `day`, counted from `project_rows`.
async fn day_point(
    pool: &PgPool,
    f: &SqlFilters,
    day: NaiveDate,
    today: NaiveDate,
) -> Result<TrendPoint, AppError> {
    // A day's trend point counts every project the view's stage, status, team, owner and
    // tier select: a search, health or flag filter narrows the lists, not the trend.
    let counted = SqlFilters {
        search: None,
        health: None,
        flag: None,
        ..f.clone()
    };
    let rows = if day < today {
        counted.rows(day).at_end_of(day)
    } else {
        counted.rows(day).on(day)
    };
    let mut sql = QueryBuilder::new(format!(
        r#"
        select '{day}'::date as day,
               count(*) as projects,
               count(*) filter (where health <> 'green') as flagged,
               count(*) filter (where health = 'red') as red,
               count(*) filter (where ownerless) as ownerless,
               count(*) filter (where stalled) as stalled,
               count(*) filter (where demo_overdue) as demo_overdue,
               count(*) filter (where review_overdue) as review_overdue,
               count(*) filter (where gate_gap) as gate_gap,
               count(*) filter (where conditions_overdue) as conditions_overdue,
               count(*) filter (where goal_drift) as goal_drift,
               count(*) filter (where continue_loop) as continue_loop
        from "#
    ));
    rows.push(&mut sql);
    let counts: DayCounts = rows::fetch_one(pool, &rows, &mut sql).await?;
    Ok(counts.point())
}

/// Every day of `days` in one pass over the versions valid in their span.
async fn versions_points(
    pool: &PgPool,
    f: &SqlFilters,
    days: &[NaiveDate],
) -> Result<Vec<TrendPoint>, AppError> {
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
/// period), for the team, tier, stage and stage owner `query` selects. Without a team, tier or
/// owner, what happened by the last day counted comes from `stage_flow_days` — a period that
/// runs past that day takes its counted days from there too — and only what happened since
/// from the moves themselves (a day or two of moves, not a month's).
pub async fn flows(
    pool: &PgPool,
    query: &ProjectQuery,
    days: &[NaiveDate],
    today: NaiveDate,
) -> Result<Vec<StageFlow>, AppError> {
    let f = SqlFilters::of(query);
    let through = if f.team.is_none() && f.tier.is_none() && f.owner.is_none() {
        counted_through(pool).await?
    } else {
        None
    };
    // Periods ending on days[1..split] are counted; the rest start at days[split - 1], or at
    // the last counted day when that lies inside the first of them.
    let split = through.map_or(0, |through| {
        days.partition_point(|day| *day <= through && *day < today)
    });
    let live_from = split.saturating_sub(1);
    let partly_counted = through.filter(|&through| {
        split >= 1
            && days.get(live_from).is_some_and(|&from| from < through)
            && days.get(split).is_some_and(|&next| through < next)
    });
    let (mut counted, partial, mut live) = match partly_counted {
        Some(through) => {
            let counted_part = [days[live_from], through];
            let since: Vec<NaiveDate> = std::iter::once(through)
                .chain(days[split..].iter().copied())
                .collect();
            let (counted, partial, live) = tokio::try_join!(
                counted_flows(pool, &f, &days[..split]),
                counted_flows(pool, &f, &counted_part),
                moves(pool, &f, &since),
            )?;
            (counted, partial, live)
        }
        None => {
            let (counted, live) = tokio::try_join!(
                counted_flows(pool, &f, &days[..split]),
                moves(pool, &f, &days[live_from..])
            )?;
            (counted, Vec::new(), live)
        }
    };
    // The counted days of the first live period belong to it.
    for part in partial {
        let day = days[split];
        match live.iter_mut().find(|l| l.day == day && l.stage == part.stage) {
            Some(l) => {
                l.entered += part.entered;
                l.left += part.left;
            }
            None => live.push(StageFlow { day, ..part }),
        }
    }
    live.sort_by_key(|l| (l.day, l.stage));
    counted.extend(live);
    Ok(counted)
}

/// The periods between `days` from the roll-up of ended days.
async fn counted_flows(
    pool: &PgPool,
    f: &SqlFilters,
    days: &[NaiveDate],
) -> Result<Vec<StageFlow>, AppError> {
    if days.len() < 2 {
        return Ok(Vec::new());
    }
    let rows = sqlx::query!(
        r#"
        select stage as "stage!: Stage", width_bucket(day - 1, $1::date[]) as "k!",
               sum(entered)::bigint as "entered!", sum(exited)::bigint as "exited!"
        from stage_flow_days
        where day > ($1::date[])[1] and day <= ($1::date[])[array_length($1::date[], 1)]
          and ($2::project_stage is null or stage = $2)
        group by 1, 2
        order by 2, 1
        "#,
        days,
        f.stage as Option<Stage>,
    )
    .fetch_all(pool)
    .await?;
    Ok(periods(
        days,
        rows.into_iter().map(|r| (r.k, r.stage, r.entered, r.exited)),
    ))
}

/// The periods between `days` counted from the stage moves (and creations).
async fn moves(pool: &PgPool, f: &SqlFilters, days: &[NaiveDate]) -> Result<Vec<StageFlow>, AppError> {
    if days.len() < 2 {
        return Ok(Vec::new());
    }
    let rows = sqlx::query!(
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
    Ok(periods(
        days,
        rows.into_iter().map(|r| (r.k, r.stage, r.entered, r.exited)),
    ))
}

/// (period index, stage, entered, left) → flows dated by the period's last day.
fn periods(days: &[NaiveDate], rows: impl Iterator<Item = (i32, Stage, i64, i64)>) -> Vec<StageFlow> {
    rows.filter_map(|(k, stage, entered, left)| {
        let day = usize::try_from(k).ok().and_then(|k| days.get(k))?;
        Some(StageFlow {
            day: *day,
            stage,
            entered,
            left,
        })
    })
    .collect()
}
