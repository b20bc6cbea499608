//! The projects list: search, filters, sort and pages, all in SQL.

use crate::error::AppError;
use crate::health::{FlagCode, Health};
use crate::projects::stage::{RiskTier, Stage, Status};
use crate::projects::{
    OwnerChoices, OwnerFilter, Person, ProjectList, ProjectQuery, ProjectRow, OWNER_MENU_LIMIT, PAGE_SIZE,
    SEARCH_COUNT_LIMIT,
};
use chrono::NaiveDate;
use sqlx::PgPool;
use uuid::Uuid;

/// `%text%` for ILIKE, with the wildcards people might type taken literally.
fn contains_pattern(text: &str) -> Option<String> {
    let text = text.trim();
    if text.is_empty() {
        return None;
    }
    let escaped = text.replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_");
    Some(format!("%{escaped}%"))
}

/// The SQL arguments of a view's filters, in `project_rows` order after `today`.
pub struct SqlFilters {
    pub search: Option<String>,
    pub stage: Option<Stage>,
    pub status: Option<Status>,
    pub team: Option<String>,
    pub owner: Option<Uuid>,
    pub owner_email: Option<String>,
    pub no_owner: bool,
    pub health: Option<&'static str>,
    pub flag: Option<&'static str>,
    pub tier: Option<RiskTier>,
    /// The past day to read (`project_rows`' `f_past`), or none for now.
    pub as_of: Option<NaiveDate>,
}

impl SqlFilters {
    pub fn of(query: &ProjectQuery) -> Self {
        let (owner, owner_email, no_owner) = match &query.owner {
            OwnerFilter::Any => (None, None, false),
            OwnerFilter::Nobody => (None, None, true),
            OwnerFilter::Account(id) => (Some(*id), None, false),
            OwnerFilter::Email(email) => (None, Some(email.clone()), false),
        };
        SqlFilters {
            search: contains_pattern(&query.q),
            stage: query.stage,
            status: query.status,
            team: query.team.clone(),
            owner,
            owner_email,
            no_owner,
            health: query.health.map(Health::as_str),
            flag: query.flag.map(FlagCode::as_str),
            tier: query.tier,
            as_of: query.as_of,
        }
    }

    /// The day whose flags are read: the past day asked for, or `today`.
    pub fn day(&self, today: NaiveDate) -> NaiveDate {
        self.as_of.unwrap_or(today)
    }

    /// Whether a past day is read (from the history) rather than the current rows.
    pub fn past(&self) -> bool {
        self.as_of.is_some()
    }

    /// Whether today's rows are read and every filter is one that the counts kept by group
    /// (`project_counts`, `portfolio_days`) split by: stage, status, team, risk tier, no owner.
    pub fn grouped(&self) -> bool {
        self.search.is_none()
            && self.owner.is_none()
            && self.owner_email.is_none()
            && self.health.is_none()
            && self.flag.is_none()
            && !self.past()
    }
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
    let rows = sqlx::query!(
        r#"
        select id as "id!", name as "name!", team as "team!", stage as "stage!: Stage",
               status as "status!: Status", risk_tier as "risk_tier!: RiskTier",
               stage_entered_at as "stage_entered_at!", updated_at as "updated_at!",
               owner_id, owner_name, owner_active, health as "health!", flags as "flags!"
        from project_rows($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, f_owner_email => $11, f_past => $15)
        order by
          case when $12 = 'updated' then updated_at end desc,
          case when $12 = 'stage' then stage end asc,
          case when $12 = 'team' then lower(team) end asc,
          case when $12 = 'stage_age' then stage_entered_at end asc,
          lower(name) asc, id
        limit $13 offset $14
        "#,
        f.day(today),
        f.search,
        f.stage as Option<Stage>,
        f.status as Option<Status>,
        f.team,
        f.owner,
        f.no_owner,
        f.health,
        f.flag,
        f.tier as Option<RiskTier>,
        f.owner_email,
        query.sort.as_str(),
        i64::from(PAGE_SIZE),
        offset,
        f.past(),
    )
    .fetch_all(pool);
    let (total, rows, teams, owners) = tokio::try_join!(
        total,
        async { rows.await.map_err(AppError::from) },
        teams(pool),
        owner_choices(pool),
    )?;
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

/// How many projects `f` selects, and whether more do: under no filter or only those
/// `project_counts` groups by, a sum over its groups (a few hundred rows, whatever the number of
/// projects); otherwise counted — a name search up to [`SEARCH_COUNT_LIMIT`].
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
    let most = if f.search.is_some() {
        SEARCH_COUNT_LIMIT
    } else {
        i64::MAX - 1
    };
    let counted = sqlx::query_scalar!(
        r#"
        select count(*) as "count!" from (
          select from project_rows($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, f_owner_email => $11, f_past => $12)
          limit $13
        ) m
        "#,
        f.day(today),
        f.search,
        f.stage as Option<Stage>,
        f.status as Option<Status>,
        f.team,
        f.owner,
        f.no_owner,
        f.health,
        f.flag,
        f.tier as Option<RiskTier>,
        f.owner_email,
        f.past(),
        most + 1,
    )
    .fetch_one(pool)
    .await?;
    Ok((counted.min(most), counted > most))
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

/// What an owner filter offers: everyone who may own a stage, or an email box when they are
/// too many for a menu.
pub async fn owner_choices(pool: &PgPool) -> Result<OwnerChoices, AppError> {
    let people = sqlx::query_as!(
        Person,
        r#"
        select id, display_name, active from accounts
        where active and role in ('editor', 'admin')
        order by lower(display_name), id
        limit $1
        "#,
        OWNER_MENU_LIMIT + 1
    )
    .fetch_all(pool)
    .await?;
    Ok(if people.len() as i64 > OWNER_MENU_LIMIT {
        OwnerChoices::ByEmail
    } else {
        OwnerChoices::Menu(people)
    })
}

/// The active editor or admin whose email address is `email` (in any case).
pub async fn owner_by_email(pool: &PgPool, email: &str) -> Result<Option<Uuid>, AppError> {
    Ok(sqlx::query_scalar!(
        r#"
        select id from accounts
        where lower(email) = lower($1) and active and role in ('editor', 'admin')
        "#,
        email
    )
    .fetch_optional(pool)
    .await?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn search_text_is_matched_literally() {
        assert_eq!(contains_pattern("  "), None);
        assert_eq!(contains_pattern("churn"), Some("%churn%".into()));
        assert_eq!(contains_pattern("100%_sure"), Some("%100\\%\\_sure%".into()));
    }
}
