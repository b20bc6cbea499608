//! The portfolio's numbers, aggregated by PostgreSQL in one statement over `project_rows`.

use super::{
    AttentionItem, AttentionList, FlagCounts, HealthMix, Portfolio, StageCount, TeamCount, ATTENTION_FLAGS,
    ATTENTION_SHOWN,
};
use crate::error::AppError;
use crate::health::{flags, FlagCode, HealthFacts, OwnerFact, Thresholds};
use crate::projects::server::list::SqlFilters;
use crate::projects::stage::{RiskTier, Stage, Status};
use crate::projects::ProjectQuery;
use chrono::{DateTime, NaiveDate, Utc};
use serde::Deserialize;
use sqlx::PgPool;
use uuid::Uuid;

#[derive(Deserialize)]
struct StageRow {
    stage: Stage,
    projects: i64,
    green: i64,
    amber: i64,
    red: i64,
    median_days: i64,
    max_days: i64,
    ownerless: i64,
    stalled: i64,
    demo_overdue: i64,
    review_overdue: i64,
    gate_gap: i64,
}

#[derive(Deserialize)]
struct TeamRow {
    team: String,
    projects: i64,
    green: i64,
    amber: i64,
    red: i64,
}

/// A flagged project as the attention lists need it to say why.
#[derive(Deserialize)]
struct FlaggedRow {
    flag: FlagCode,
    id: Uuid,
    name: String,
    team: String,
    stage: Stage,
    status: Status,
    owner_name: Option<String>,
    owner_deactivated_at: Option<DateTime<Utc>>,
    stage_entered_at: DateTime<Utc>,
    created_at: DateTime<Utc>,
    last_demo_on: Option<NaiveDate>,
    next_review_on: Option<NaiveDate>,
}

/// The portfolio of the projects `query` selects (its search, sort and page are ignored), on
/// `today`. The flags are evaluated once; every count comes from that one evaluation.
pub async fn portfolio(
    pool: &PgPool,
    query: &ProjectQuery,
    today: NaiveDate,
    limits: &Thresholds,
) -> Result<Portfolio, AppError> {
    let f = SqlFilters::of(&ProjectQuery {
        q: String::new(),
        ..query.clone()
    });
    let row = sqlx::query!(
        r#"
        with r as materialized (
          select *, $1::date - (stage_entered_at at time zone 'UTC')::date as days_in_stage
          from project_rows($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, f_owner_email => $12)
        ),
        stages as (
          select stage, count(*) as projects,
                 count(*) filter (where health = 'green') as green,
                 count(*) filter (where health = 'amber') as amber,
                 count(*) filter (where health = 'red') as red,
                 percentile_disc(0.5) within group (order by days_in_stage) as median_days,
                 max(days_in_stage) as max_days,
                 count(*) filter (where ownerless) as ownerless,
                 count(*) filter (where stalled) as stalled,
                 count(*) filter (where demo_overdue) as demo_overdue,
                 count(*) filter (where review_overdue) as review_overdue,
                 count(*) filter (where gate_gap) as gate_gap
          from r group by stage
        ),
        teams as (
          select min(team) as team, count(*) as projects,
                 count(*) filter (where health = 'green') as green,
                 count(*) filter (where health = 'amber') as amber,
                 count(*) filter (where health = 'red') as red
          from r group by lower(team)
        ),
        flagged as (
          select f.flag, r.*, row_number() over (partition by f.flag order by r.stage_entered_at, r.id) as n
          from r
          cross join lateral (values ('stalled', r.stalled), ('ownerless', r.ownerless),
                                     ('demo_overdue', r.demo_overdue), ('review_overdue', r.review_overdue))
                     as f (flag, raised)
          where f.raised
        )
        select
          coalesce((select jsonb_agg(s) from stages s), '[]') as "stages!",
          coalesce((select jsonb_agg(t order by t.projects desc, lower(t.team)) from teams t), '[]') as "teams!",
          coalesce((select jsonb_agg(jsonb_build_object(
                      'flag', x.flag, 'id', x.id, 'name', x.name, 'team', x.team, 'stage', x.stage,
                      'status', x.status, 'owner_name', x.owner_name,
                      'owner_deactivated_at', a.deactivated_at, 'stage_entered_at', x.stage_entered_at,
                      'created_at', x.created_at, 'last_demo_on', x.last_demo_on,
                      'next_review_on', x.next_review_on) order by x.flag, x.n)
                    from flagged x left join accounts a on a.id = x.owner_id
                    where x.n <= $11), '[]') as "flagged!"
        "#,
        today,
        f.search,
        f.stage as Option<Stage>,
        f.status as Option<Status>,
        f.team,
        f.owner,
        f.no_owner,
        f.health,
        f.flag,
        f.tier as Option<RiskTier>,
        ATTENTION_SHOWN,
        f.owner_email,
    )
    .fetch_one(pool)
    .await?;
    let stages: Vec<StageRow> = decode(row.stages)?;
    let teams: Vec<TeamRow> = decode(row.teams)?;
    let flagged: Vec<FlaggedRow> = decode(row.flagged)?;
    Ok(assemble(today, limits, stages, teams, flagged))
}

fn decode<T: serde::de::DeserializeOwned>(value: serde_json::Value) -> Result<T, AppError> {
    serde_json::from_value(value).map_err(|e| AppError::from(anyhow::anyhow!("reading the portfolio: {e}")))
}

fn assemble(
    today: NaiveDate,
    limits: &Thresholds,
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
    let teams = team_rows
        .into_iter()
        .map(|t| TeamCount {
            team: t.team,
            projects: t.projects,
            health: HealthMix {
                green: t.green,
                amber: t.amber,
                red: t.red,
            },
        })
        .collect();
    let attention = ATTENTION_FLAGS
        .iter()
        .map(|&flag| AttentionList {
            flag,
            total: counts.get(flag),
            items: flagged
                .iter()
                .filter(|r| r.flag == flag)
                .map(|r| attention_item(r, today, limits))
                .collect(),
        })
        .collect();
    Portfolio {
        today,
        projects: health.total(),
        health,
        flags: counts,
        stages,
        teams,
        attention,
    }
}

/// Says why a listed project carries its flag, in the words the project page uses: the pure
/// rules of `health::flags` run over the facts the row carries.
fn attention_item(row: &FlaggedRow, today: NaiveDate, limits: &Thresholds) -> AttentionItem {
    let stage_entered_on = row.stage_entered_at.date_naive();
    let facts = HealthFacts {
        status: row.status,
        created_on: row.created_at.date_naive(),
        stage_entered_on,
        stage_label: row.stage.label(),
        owner: row.owner_name.clone().map(|name| OwnerFact {
            name,
            deactivated_on: row.owner_deactivated_at.map(|at| at.date_naive()),
        }),
        last_demo_on: row.last_demo_on,
        review_due_on: row.next_review_on,
        gate_gap: None,
    };
    let flag = flags(&facts, today, limits)
        .into_iter()
        .find(|f| f.code == row.flag);
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

/// Portfolios already computed, by view and day, valid while nothing has changed since: every
/// change writes an audit event in its transaction, so the newest event id is the data's
/// version. A stale entry is recomputed on the next request, never served.
///
/// Ids are taken before commit, so a transaction still open may hold an id below the newest
/// one and commit later without changing the maximum. A portfolio is therefore kept only when
/// it was computed while no writing transaction was open (the snapshot's xmin equals its
/// xmax): then every id up to the version had already committed.
#[derive(Clone, Default)]
pub struct PortfolioCache {
    entries: std::sync::Arc<std::sync::Mutex<std::collections::HashMap<(String, NaiveDate), Cached>>>,
}

#[derive(Clone)]
struct Cached {
    version: i64,
    portfolio: std::sync::Arc<Portfolio>,
}

/// How many views the cache keeps before it starts again.
const CACHED_VIEWS: usize = 256;

impl PortfolioCache {
    pub async fn get(
        &self,
        pool: &PgPool,
        query: &ProjectQuery,
        today: NaiveDate,
    ) -> Result<std::sync::Arc<Portfolio>, AppError> {
        let now = sqlx::query!(
            r#"
            select coalesce(max(id), 0) as "version!",
                   pg_snapshot_xmin(pg_current_snapshot()) = pg_snapshot_xmax(pg_current_snapshot())
                       as "settled!"
            from audit_events
            "#
        )
        .fetch_one(pool)
        .await?;
        let version = now.version;
        let key = (query.url_at(""), today);
        if let Some(hit) = self.lookup(&key).filter(|c| c.version == version) {
            return Ok(hit.portfolio);
        }
        let limits = crate::health::server::thresholds(pool).await?;
        let fresh = std::sync::Arc::new(portfolio(pool, query, today, &limits).await?);
        if !now.settled {
            return Ok(fresh);
        }
        let mut entries = self
            .entries
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        if entries.len() >= CACHED_VIEWS {
            entries.clear();
        }
        entries.insert(
            key,
            Cached {
                version,
                portfolio: fresh.clone(),
            },
        );
        Ok(fresh)
    }

    fn lookup(&self, key: &(String, NaiveDate)) -> Option<Cached> {
        let entries = self
            .entries
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        entries.get(key).cloned()
    }
}
