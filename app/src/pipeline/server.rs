//! The pipeline's numbers and lists, selected and counted by PostgreSQL from `stage_stays`
//! (through `pipeline_stays`, which applies a view's filters); what the counted facts mean is
//! decided by [`super::rules`].

use super::rules::{self, CohortCount, Counted};
use super::{DateRange, ListKind, ListQuery, ListRow, Pipeline, PipelineList, PipelineQuery, LIST_PAGE_SIZE};
use crate::error::AppError;
use crate::projects::stage::{RiskTier, Stage, Status};
use crate::projects::OwnerFilter;
use chrono::{DateTime, NaiveDate, Utc};
use sqlx::PgPool;
use uuid::Uuid;

/// A view's filters as `pipeline_stays` takes them.
struct Filters {
    team: Option<String>,
    tier: Option<RiskTier>,
    owner: Option<Uuid>,
    owner_email: Option<String>,
    no_owner: bool,
}

impl Filters {
    fn of(query: &PipelineQuery) -> Filters {
        let (owner, owner_email, no_owner) = match &query.owner {
            OwnerFilter::Any => (None, None, false),
            OwnerFilter::Nobody => (None, None, true),
            OwnerFilter::Account(id) => (Some(*id), None, false),
            OwnerFilter::Email(email) => (None, Some(email.clone()), false),
        };
        Filters {
            team: query.team.clone(),
            tier: query.tier,
            owner,
            owner_email,
            no_owner,
        }
    }
}

/// The first instant of a UTC day.
fn start_of(day: NaiveDate) -> DateTime<Utc> {
    day.and_time(chrono::NaiveTime::MIN).and_utc()
}

/// The instants `[from, to)` of a range of days, both days included.
fn bounds(range: DateRange) -> (DateTime<Utc>, DateTime<Utc>) {
    let end = range.to.succ_opt().unwrap_or(range.to);
    (start_of(range.from), start_of(end))
}

/// The pipeline for a view, on `today`. Two statements run side by side on two connections:
/// every stay begun in the range counted by its facts (one index range), and the projects that
/// entered Build counted per quarter (another).
pub async fn pipeline(pool: &PgPool, query: &PipelineQuery, today: NaiveDate) -> Result<Pipeline, AppError> {
    let range = query.check(today)?;
    let f = Filters::of(query);
    let (counted, cohorts) = tokio::try_join!(counted(pool, &f, range, today), cohorts(pool, &f, range))?;
    let stages = rules::stage_flows(&counted);
    Ok(Pipeline {
        today,
        from: range.from,
        to: range.to,
        conversions: rules::conversions(&stages),
        stages,
        production: rules::production(range.from, range.to, &cohorts),
    })
}

/// Every stay begun in the range, counted by stage, next stage, status and days; and the last
/// stays again, by their age today — one pass over the range, two groupings.
async fn counted(
    pool: &PgPool,
    f: &Filters,
    range: DateRange,
    today: NaiveDate,
) -> Result<Vec<Counted>, AppError> {
    let (from, to) = bounds(range);
    let rows = sqlx::query!(
        r#"
        select stage as "stage!: Stage", next_stage as "next_stage?: Stage", status as "status?: Status",
               case when grouping(days) = 0 then days end as "days?",
               case when grouping(days) = 1 then age end as "age?",
               count(*) as "stays!"
        from (
          select stage, next_stage, status, days,
                 case when next_stage is null then $8::date - began_on end as age
          from pipeline_stays($1, $2, null, $3, $4, $5, $6, $7)
        ) s
        group by grouping sets ((stage, next_stage, status, days), (stage, status, age))
        "#,
        from,
        to,
        f.team.as_deref(),
        f.tier as Option<RiskTier>,
        f.owner,
        f.owner_email.as_deref(),
        f.no_owner,
        today,
    )
    .fetch_all(pool)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| Counted {
            stage: r.stage,
            next: r.next_stage,
            status: r.status,
            days: r.days.map(i64::from),
            age: r.age.map(i64::from),
            stays: r.stays,
        })
        .collect())
}

/// The projects that entered Build in each quarter of the range (each once per quarter) and
/// how many of them have entered Deploy since; then the same over the whole range.
async fn cohorts(pool: &PgPool, f: &Filters, range: DateRange) -> Result<Vec<CohortCount>, AppError> {
    let (from, to) = bounds(range);
    let starts: Vec<DateTime<Utc>> = rules::quarters(range.from, range.to)
        .into_iter()
        .map(|(_, start, _)| start_of(start))
        .collect();
    let rows = sqlx::query!(
        r#"
        select q, count(distinct project_id) as "entered!",
               count(distinct project_id) filter (where reached) as "reached!"
        from (
          select project_id, width_bucket(began_at, $8::timestamptz[]) as q,
                 bool_or(deployed_at is not null) as reached
          from pipeline_stays($1, $2, 'build', $3, $4, $5, $6, $7)
          group by 1, 2
        ) b
        group by grouping sets ((q), ())
        "#,
        from,
        to,
        f.team.as_deref(),
        f.tier as Option<RiskTier>,
        f.owner,
        f.owner_email.as_deref(),
        f.no_owner,
        &starts,
    )
    .fetch_all(pool)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| CohortCount {
            // width_bucket counts from 1 for the first quarter.
            quarter: r.q.and_then(|q| usize::try_from(q - 1).ok()),
            entered_build: r.entered,
            reached_deploy: r.reached,
        })
        .collect())
}

/// One page of the projects behind a number of the pipeline for a view, on `today`.
pub async fn list(pool: &PgPool, query: &ListQuery, today: NaiveDate) -> Result<PipelineList, AppError> {
    let range = query.filters.check(today)?;
    let kind = query.kind.ok_or_else(|| {
        let mut errors = crate::error::FieldErrors::default();
        errors.add(
            "outcome",
            "Say which projects: a stage and an outcome (entered, completed, moved_on, moved_back, \
             cancelled, retired, open), or a cohort (a quarter such as 2026-Q1, or all) and an \
             outcome (entered, reached_deploy).",
        );
        AppError::Invalid(errors)
    })?;
    let f = Filters::of(&query.filters);
    let offset = i64::from(query.page.saturating_sub(1)) * i64::from(LIST_PAGE_SIZE);
    let (total, rows) = match kind {
        ListKind::Stays { stage, set } => stays(pool, &f, range, today, stage, set, offset).await?,
        ListKind::Cohort { quarter, reached } => {
            // A quarter's cohort: the part of the quarter inside the range.
            let span = match quarter {
                Some(q) => DateRange {
                    from: q.first_day().max(range.from),
                    to: q.last_day().min(range.to),
                },
                None => range,
            };
            cohort(pool, &f, span, reached, offset).await?
        }
    };
    Ok(PipelineList {
        today,
        range,
        kind,
        total,
        page: query.page,
        rows,
    })
}

async fn stays(
    pool: &PgPool,
    f: &Filters,
    range: DateRange,
    today: NaiveDate,
    stage: Stage,
    set: rules::StaySet,
    offset: i64,
) -> Result<(i64, Vec<ListRow>), AppError> {
    let (from, to) = bounds(range);
    let facts: Option<Vec<String>> = set
        .facts(stage)
        .map(|facts| facts.into_iter().map(str::to_owned).collect());
    let rows = sqlx::query!(
        r#"
        select s.project_id as "project_id!", p.name, p.team, s.began_on as "began_on!",
               s.next_stage as "next_stage?: Stage", s.status as "status?: Status", s.days as "days!",
               $8::date - s.began_on as "age!", s.total as "total!"
        from (
          select s.*, count(*) over () as total
          from pipeline_stays($1, $2, $3, $4, $5, $6, $7, $12) s
          where $9::text[] is null or coalesce(s.next_stage::text, s.status::text) = any($9)
          order by s.began_at desc, s.project_id
          limit $10 offset $11
        ) s
        join projects p on p.id = s.project_id
        order by s.began_at desc, s.project_id
        "#,
        from,
        to,
        stage as Stage,
        f.team.as_deref(),
        f.tier as Option<RiskTier>,
        f.owner,
        f.owner_email.as_deref(),
        today,
        facts.as_deref(),
        i64::from(LIST_PAGE_SIZE),
        offset,
        f.no_owner,
    )
    .fetch_all(pool)
    .await?;
    let total = rows.first().map_or(0, |r| r.total);
    let rows = rows
        .into_iter()
        .map(|r| {
            let outcome = rules::Outcome::of(stage, r.next_stage, r.status);
            ListRow {
                project_id: r.project_id,
                name: r.name,
                team: r.team,
                began_on: r.began_on,
                outcome: Some(outcome),
                days: Some(rules::stay_days(outcome, i64::from(r.days), i64::from(r.age))),
                deployed_on: None,
            }
        })
        .collect();
    Ok((total, rows))
}

async fn cohort(
    pool: &PgPool,
    f: &Filters,
    span: DateRange,
    reached: bool,
    offset: i64,
) -> Result<(i64, Vec<ListRow>), AppError> {
    let (from, to) = bounds(span);
    let rows = sqlx::query!(
        r#"
        select b.project_id as "project_id!", p.name, p.team, b.began_on as "began_on!", b.deployed_at,
               b.total as "total!"
        from (
          select b.*, count(*) over () as total
          from (
            select project_id, min(began_at) as began_at, min(began_on) as began_on,
                   min(deployed_at) as deployed_at
            from pipeline_stays($1, $2, 'build', $3, $4, $5, $6, $7)
            group by project_id
          ) b
          where not $8 or b.deployed_at is not null
          order by b.began_at desc, b.project_id
          limit $9 offset $10
        ) b
        join projects p on p.id = b.project_id
        order by b.began_at desc, b.project_id
        "#,
        from,
        to,
        f.team.as_deref(),
        f.tier as Option<RiskTier>,
        f.owner,
        f.owner_email.as_deref(),
        f.no_owner,
        reached,
        i64::from(LIST_PAGE_SIZE),
        offset,
    )
    .fetch_all(pool)
    .await?;
    let total = rows.first().map_or(0, |r| r.total);
    let rows = rows
        .into_iter()
        .map(|r| ListRow {
            project_id: r.project_id,
            name: r.name,
            team: r.team,
            began_on: r.began_on,
            outcome: None,
            days: None,
            deployed_on: r.deployed_at.map(|at| at.date_naive()),
        })
        .collect();
    Ok((total, rows))
}
