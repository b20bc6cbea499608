//! The projects list: search, filters, sort and pages, all in SQL.

use super::super::stage::{RiskTier, Stage, Status};
use super::super::{OwnerFilter, Person, ProjectList, ProjectQuery, ProjectRow, PAGE_SIZE};
use crate::error::AppError;
use sqlx::PgPool;

/// `%text%` for ILIKE, with the wildcards people might type taken literally.
fn contains_pattern(text: &str) -> Option<String> {
    let text = text.trim();
    if text.is_empty() {
        return None;
    }
    let escaped = text.replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_");
    Some(format!("%{escaped}%"))
}

/// One page of projects matching `query`, with the options the filter menus offer.
pub async fn list(pool: &PgPool, query: &ProjectQuery) -> Result<ProjectList, AppError> {
    let pattern = contains_pattern(&query.q);
    let (owner_id, nobody) = match query.owner {
        OwnerFilter::Any => (None, false),
        OwnerFilter::Nobody => (None, true),
        OwnerFilter::Account(id) => (Some(id), false),
    };
    let offset = i64::from(query.page.saturating_sub(1)) * i64::from(PAGE_SIZE);
    let total = sqlx::query_scalar!(
        r#"
        select count(*) as "count!"
        from projects p
        left join stage_owners so on so.project_id = p.id and so.stage = p.stage
        where ($1::text is null or p.name ilike $1)
          and ($2::project_stage is null or p.stage = $2)
          and ($3::project_status is null or p.status = $3)
          and ($4::text is null or lower(p.team) = lower($4))
          and ($5::uuid is null or so.owner_id = $5)
          and (not $6 or so.owner_id is null)
        "#,
        pattern,
        query.stage as Option<Stage>,
        query.status as Option<Status>,
        query.team,
        owner_id,
        nobody,
    )
    .fetch_one(pool)
    .await?;
    let rows = sqlx::query!(
        r#"
        select p.id, p.name, p.team, p.stage as "stage: Stage", p.status as "status: Status",
               p.risk_tier as "risk_tier: RiskTier", p.stage_entered_at, p.updated_at,
               o.id as "owner_id?", o.display_name as "owner_name?", o.active as "owner_active?"
        from projects p
        left join stage_owners so on so.project_id = p.id and so.stage = p.stage
        left join accounts o on o.id = so.owner_id
        where ($1::text is null or p.name ilike $1)
          and ($2::project_stage is null or p.stage = $2)
          and ($3::project_status is null or p.status = $3)
          and ($4::text is null or lower(p.team) = lower($4))
          and ($5::uuid is null or so.owner_id = $5)
          and (not $6 or so.owner_id is null)
        order by
          case when $7 = 'updated' then p.updated_at end desc,
          case when $7 = 'stage' then p.stage end asc,
          case when $7 = 'team' then lower(p.team) end asc,
          case when $7 = 'stage_age' then p.stage_entered_at end asc,
          lower(p.name) asc, p.id
        limit $8 offset $9
        "#,
        pattern,
        query.stage as Option<Stage>,
        query.status as Option<Status>,
        query.team,
        owner_id,
        nobody,
        query.sort.as_str(),
        i64::from(PAGE_SIZE),
        offset,
    )
    .fetch_all(pool)
    .await?
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
    })
    .collect();
    let teams = sqlx::query_scalar!(
        r#"select distinct on (lower(team)) team as "team!" from projects order by lower(team), team"#
    )
    .fetch_all(pool)
    .await?;
    Ok(ProjectList {
        rows,
        total,
        page: query.page,
        teams,
        owners: owners(pool).await?,
    })
}

/// Everyone who may own a stage (active editors and admins), by name.
pub async fn owners(pool: &PgPool) -> Result<Vec<Person>, AppError> {
    Ok(sqlx::query_as!(
        Person,
        r#"
        select id, display_name, active from accounts
        where active and role in ('editor', 'admin')
        order by lower(display_name), id
        "#
    )
    .fetch_all(pool)
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
