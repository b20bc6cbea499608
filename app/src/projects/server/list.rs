//! The projects list: search, filters, sort and pages, all in SQL.

use crate::auth::server::people;
use crate::auth::Permission;
use crate::error::AppError;
use crate::health::{FlagCode, Health};
use crate::projects::server::rows;
use crate::projects::stage::{RiskTier, Stage, Status};
use crate::projects::{
    OwnerChoices, Person, ProjectList, ProjectQuery, ProjectRow, SortKey, PAGE_SIZE, SEARCH_COUNT_LIMIT,
};
use chrono::{DateTime, NaiveDate, Utc};
use sqlx::{PgPool, QueryBuilder};
use uuid::Uuid;

pub use super::rows::SqlFilters;

/// A row of the list as `project_rows` gives it.
#[derive(sqlx::FromRow)]
struct ListRow {
    id: Uuid,
    name: String,
    team: String,
    stage: Stage,
    status: Status,
    risk_tier: RiskTier,
    stage_entered_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
    owner_id: Option<Uuid>,
    owner_name: Option<String>,
    owner_active: Option<bool>,
    health: String,
    flags: String,
}

/// The first day of the recorded history (none before the first project).
pub async fn history_start(pool: &PgPool) -> Result<Option<NaiveDate>, AppError> {
    let starts = sqlx::query_scalar!(r#"select history_starts() as "starts""#)
        .fetch_one(pool)
        .await?;
    Ok(starts.map(|at| at.date_naive()))
}

/// Refuses a past day the history cannot show: one after `today`, or before the first
/// recorded history (the message names the first day there is).
pub async fn check_as_of(pool: &PgPool, as_of: Option<NaiveDate>, today: NaiveDate) -> Result<(), AppError> {
    let Some(day) = as_of else {
        return Ok(());
    };
    let mut errors = crate::error::FieldErrors::default();
    if day > today {
        errors.add(
            "as_of",
            format!("{day} has not happened yet: pick {today} or an earlier day."),
        );
        return errors.into_result();
    }
    match history_start(pool).await? {
        Some(first) if day >= first => Ok(()),
        Some(first) => {
            errors.add(
                "as_of",
                format!("The history starts on {first}: pick that day or a later one."),
            );
            errors.into_result()
        }
        None => {
            errors.add("as_of", "There is no history yet: add a project first.");
            errors.into_result()
        }
    }
}

/// "ownerless stalled" (as `project_rows` writes them) → the codes.
pub fn flag_codes(text: &str) -> Vec<FlagCode> {
    text.split_whitespace().filter_map(FlagCode::parse).collect()
}

/// One page of projects matching `query`, with the options the filter menus offer.
pub async fn list(pool: &PgPool, query: &ProjectQuery, today: NaiveDate) -> Result<ProjectList, AppError> {
    check_as_of(pool, query.as_of, today).await?;
    let f = SqlFilters::of(query);
    let offset = i64::from(query.page.saturating_sub(1)) * i64::from(PAGE_SIZE);
    // The total, the page and the menus' options side by side, on their own connections.
    let total = total(pool, &f, today);
    let rows = page(pool, &f, query, offset, today);
    let (total, rows, teams, owners) = tokio::try_join!(total, rows, teams(pool), owner_choices(pool))?;
    let rows = rows
        .into_iter()
        .map(|r| ProjectRow {
            id: r.id,
            name: r.name,
            team: r.team,
            stage: r.stage,
            status: r.status,
            risk_tier: r.risk_tier,
            owner: match (r.owner_id, r.owner_name, r.owner_active) {
                (Some(id), Some(display_name), Some(active)) => Some(Person {
                    id,
                    display_name,
                    active,
                }),
                _ => None,
            },
            stage_entered_at: r.stage_entered_at,
            updated_at: r.updated_at,
            health: Health::parse(&r.health).unwrap_or(Health::Green),
            flags: flag_codes(&r.flags),
        })
        .collect();
    let (total, more) = total;
    Ok(ProjectList {
        today: f.day(today),
        rows,
        total,
        more,
        page: query.page,
        teams,
        owners,
    })
}

/// The page of projects `f` selects in `query`'s order, after the first `offset`. A name search
/// alone, in name order, first finds the page's projects in the name indexes
/// ([`rows::name_matches`]) and then reads those rows: walking the projects themselves in name
/// order would visit every project before the page's last match, not only its name.
async fn page(
    pool: &PgPool,
    f: &SqlFilters,
    query: &ProjectQuery,
    offset: i64,
    today: NaiveDate,
) -> Result<Vec<ListRow>, AppError> {
    let columns = "select id, name, team, stage, status, risk_tier, stage_entered_at, updated_at, owner_id, \
                   owner_name, owner_active, health, flags from ";
    let everything = SqlFilters::default();
    if let Some(pattern) = f.search_alone().filter(|_| query.sort == SortKey::Name) {
        let ids = rows::name_matches(pool, pattern, PAGE_SIZE.into(), offset).await?;
        let rows_of = everything.rows(today).among(&ids);
        let mut sql = QueryBuilder::new(columns);
        rows_of.push(&mut sql);
        sql.push(" order by lower(name), id");
        return Ok(rows::fetch_all(pool, &rows_of, &mut sql).await?);
    }
    let rows_of = f.rows(today);
    let mut sql = QueryBuilder::new(columns);
    rows_of.push(&mut sql);
    sql.push(format_args!(
        " order by {}lower(name), id limit {PAGE_SIZE} offset {offset}",
        match query.sort {
            SortKey::Name => "",
            SortKey::Updated => "updated_at desc, ",
            SortKey::Stage => "stage, ",
            SortKey::Team => "lower(team), ",
            SortKey::StageAge => "stage_entered_at, ",
        }
    ));
    Ok(rows::fetch_all(pool, &rows_of, &mut sql).await?)
}

/// How many projects `f` selects, and whether more do: under no filter or only those
/// `project_counts` groups by, a sum over its groups (a few hundred rows, whatever the number of
/// projects); with a flag or a health besides, a sum over today's kept counts
/// ([`counted_now`]); otherwise counted — a name search up to [`SEARCH_COUNT_LIMIT`], in the name
/// indexes alone when it is the only filter ([`rows::count_name_matches`]).
async fn total(pool: &PgPool, f: &SqlFilters, today: NaiveDate) -> Result<(i64, bool), AppError> {
    if f.grouped() {
        return Ok(sqlx::query_scalar!(
            r#"
            select coalesce(sum(projects), 0)::bigint as "count!"
            from project_counts
            where ($1::project_stage is null or stage = $1)
              and ($2::project_status is null or status = $2)
              and ($3::text is null or lower(team) = lower($3))
              and ($4::risk_tier is null or risk_tier = $4)
              and (not $5 or not owned)
            "#,
            f.stage as Option<Stage>,
            f.status as Option<Status>,
            f.team.as_deref(),
            f.tier as Option<RiskTier>,
            f.no_owner,
        )
        .fetch_one(pool)
        .await
        .map(|total| (total, false))?);
    }
    if let Some(kept) = counted_now(pool, f, today).await? {
        return Ok((kept, false));
    }
    let most = if f.search.is_some() {
        SEARCH_COUNT_LIMIT
    } else {
        i64::MAX - 1
    };
    if let Some(pattern) = f.search_alone() {
        let counted = rows::count_name_matches(pool, pattern, most + 1).await?;
        return Ok((counted.min(most), counted > most));
    }
    let rows_of = f.rows(today);
    let mut sql = QueryBuilder::new("select count(*) from (select from ");
    rows_of.push(&mut sql);
    sql.push(format_args!(" limit {}) m", most.saturating_add(1)));
    // Unlike the page's rows, a count's plan does not depend on the pattern — the trigram index
    // finds the matches however many there are — so it keeps its one plan (planning a pattern
    // costs ~4 ms at 100k projects).
    let (counted,): (i64,) = sql.build_query_as().fetch_one(pool).await?;
    Ok((counted.min(most), counted > most))
}

/// How many projects carry `f`'s flag or health today, summed over the counts every write keeps
/// for today (`portfolio_now`, a few hundred rows however many projects are flagged) — when
/// the other filters are ones those counts group by and they are kept for `today`; otherwise
/// none, and the rows are counted.
async fn counted_now(pool: &PgPool, f: &SqlFilters, today: NaiveDate) -> Result<Option<i64>, AppError> {
    let Some(column) = f.counted_now() else {
        return Ok(None);
    };
    let mut sql = QueryBuilder::new("select case when (select day from portfolio_now_day) = ");
    sql.push_bind(today);
    sql.push(format_args!(
        " then coalesce(sum({column}), 0)::bigint end from portfolio_now c where true"
    ));
    f.push_groups(&mut sql, "c");
    let (counted,): (Option<i64>,) = sql.build_query_as().fetch_one(pool).await?;
    Ok(counted)
}

/// Every team name in use, once each (case-insensitively), A–Z. A skip scan: one index probe
/// per team, however many projects there are.
pub async fn teams(pool: &PgPool) -> Result<Vec<String>, AppError> {
    Ok(sqlx::query_scalar!(
        r#"
        with recursive t (k, team) as (
          (select lower(team), team from projects order by lower(team), team limit 1)
          union all
          select n.k, n.team from t cross join lateral (
            select lower(p.team) as k, p.team from projects p
            where lower(p.team) > t.k order by lower(p.team), p.team limit 1) n
        )
        select team as "team!" from t
        "#
    )
    .fetch_all(pool)
    .await?)
}

/// What an owner filter offers: everyone who may own a stage (active editors and admins), or
/// an email box when they are too many for a menu.
pub async fn owner_choices(pool: &PgPool) -> Result<OwnerChoices, AppError> {
    people::choices(pool, Permission::EditProjects).await
}

/// The active editor or admin whose email address is `email` (in any case).
pub async fn owner_by_email(pool: &PgPool, email: &str) -> Result<Option<Uuid>, AppError> {
    people::by_email(pool, email, Permission::EditProjects).await
}
