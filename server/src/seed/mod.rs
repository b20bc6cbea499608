//! `server seed`: fills a database that has no projects yet with a large, realistic portfolio,
//! reproducibly — for demos, screenshots and benchmarks.
//!
//! Every row is generated in Rust from ChaCha8 streams (one for the accounts, one per project),
//! so the same `--projects`, `--seed` and "today" give the same rows on every platform. Rows are
//! bulk-loaded with `COPY` in one transaction while another thread generates the next chunk.
//! Audit events are staged and inserted in time order, so their ids follow `occurred_at`.
//!
//! Each project's state is versioned over its whole seeded timeline (see [`crate::seed_history`]),
//! so the portfolio as of any past day shows what it was then: the earlier versions are copied
//! into `project_signals_history`, the current one is the project row, copied with the instant
//! it began (`signals_from`). The app computes the row's signals in the same transaction, which
//! the history trigger takes as amending the version that transaction opened, not as a change.

use crate::seed_history::{self, Version};
use anyhow::Context;
use app::auth::Role;
use app::health::{Severity, Thresholds};
use app::projects::gate::GateItem;
use app::projects::stage::{RiskTier, Stage};
use app::records::{ResearchKind, ReviewDecision, SignoffDecision};
use chrono::{Days, NaiveDate, NaiveDateTime, NaiveTime, TimeDelta};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde_json::{json, Value};
use sqlx::{ConnectOptions, Connection, PgConnection, PgPool};
use std::collections::HashSet;
use std::fmt::Write as _;
use std::sync::Arc;
use std::time::Instant;
use uuid::Uuid;

/// The password of every seeded account.
pub const PASSWORD: &str = "seed-password-123";
/// Seeded accounts are `editor0042@seed.example` and so on.
pub const EMAIL_DOMAIN: &str = "seed.example";
/// Projects generated and copied at a time.
const CHUNK: usize = 5_000;
/// How far back the portfolio's history reaches.
const HISTORY_DAYS: u64 = 730;

/// The app's word for the `i`-th stage in funnel order (the seed draws indices).
fn stage_word(i: usize) -> &'static str {
    Stage::ALL[i].as_str()
}

/// The app's word for the `i`-th risk tier, from low to high.
fn tier_word(i: usize) -> &'static str {
    RiskTier::ALL[i].as_str()
}

/// What to seed.
#[derive(Debug, Clone, Copy)]
pub struct SeedPlan {
    pub projects: usize,
    pub seed: u64,
    pub today: NaiveDate,
}

/// Seeds `plan` into `pool` in one transaction; refuses when projects or seeded accounts exist.
pub async fn run(pool: &PgPool, plan: SeedPlan) -> anyhow::Result<Summary> {
    let started = Instant::now();
    refuse_unless_empty(pool).await?;
    let password_hash =
        app::auth::server::password::hash(app::auth::server::password::Password::new(PASSWORD.to_owned()))
            .await
            .map_err(|e| anyhow::anyhow!("hashing the seed password: {e}"))?;
    let generator = Arc::new(Generator::new(plan.seed, plan.projects, plan.today));
    // The history is computed with the thresholds the app computes the current signals with.
    let limits = app::health::server::thresholds(pool)
        .await
        .context("reading the health thresholds")?;

    // Its own connection, without the pool's "slow statement" warnings: here every statement is.
    let mut conn = pool
        .connect_options()
        .as_ref()
        .clone()
        .disable_statement_logging()
        .connect()
        .await
        .context("connecting to PostgreSQL")?;
    let mut tx = conn.begin().await.context("starting the seed transaction")?;
    sqlx::query(
        "create temp table seed_audit (seq bigint not null, occurred_at timestamptz not null, \
         actor_id uuid, entity_type text not null, entity_id uuid not null, action text not null, \
         changes jsonb not null) on commit drop",
    )
    .execute(&mut *tx)
    .await
    .context("creating the staging table for audit events")?;
    let xact: String = sqlx::query_scalar("select pg_current_xact_id()::text")
        .fetch_one(&mut *tx)
        .await
        .context("reading the seed transaction's id")?;
    let mut counts = Counts(Tables::default().all().map(|t| (t.name, 0)).to_vec());

    let mut first = Tables::default();
    first.accounts(&generator.people, &password_hash);
    copy_tables(&mut tx, &first, &mut counts).await?;

    // Generation (one core) overlaps with PostgreSQL ingesting the previous chunk (the other).
    let (sender, mut receiver) = tokio::sync::mpsc::channel::<Tables>(2);
    let producer = {
        let generator = Arc::clone(&generator);
        let events_before = first.audit.rows;
        tokio::task::spawn_blocking(move || {
            let mut names = Names::default();
            let mut seq = events_before;
            for start in (0..generator.projects).step_by(CHUNK) {
                let mut tables = Tables {
                    next_seq: seq,
                    xact: xact.clone(),
                    ..Tables::default()
                };
                for index in start..(start + CHUNK).min(generator.projects) {
                    let bundle = generator.project(index, &mut names);
                    let versions = seed_history::versions(&bundle, &generator.people, &limits);
                    tables.bundle(&bundle, &generator.people, &versions);
                }
                seq = tables.next_seq;
                if sender.blocking_send(tables).is_err() {
                    return;
                }
            }
        })
    };
    while let Some(tables) = receiver.recv().await {
        copy_tables(&mut tx, &tables, &mut counts).await?;
    }
    producer.await.context("joining the generator")?;
    tracing::info!(
        seconds = started.elapsed().as_secs_f64(),
        "rows copied; writing the audit trail in time order"
    );

    sqlx::query("set local work_mem = '256MB'")
        .execute(&mut *tx)
        .await?;
    sqlx::query(
        "insert into audit_events (occurred_at, actor_id, entity_type, entity_id, action, changes, \
         created_at, updated_at) \
         select occurred_at, actor_id, entity_type, entity_id, action, changes, occurred_at, occurred_at \
         from seed_audit order by occurred_at, seq",
    )
    .execute(&mut *tx)
    .await
    .context("writing the audit trail")?;
    app::health::server::refresh_all(&mut tx)
        .await
        .context("computing the seeded projects' health signals")?;
    app::health::server::mark_rules_current(&mut tx)
        .await
        .context("recording the rules the signals follow")?;
    // The seeded history is not news: no reminders or flag events for it.
    app::notify::server::catch_up(&mut tx, plan.today)
        .await
        .context("marking the seeded flags as announced")?;
    tx.commit().await.context("committing the seed")?;
    tracing::info!(
        seconds = started.elapsed().as_secs_f64(),
        "committed; vacuuming and analysing the tables"
    );
    // Fresh statistics and visibility maps, as autovacuum would soon leave them, so the first
    // queries (and benchmarks) get the plans a settled database gets: the signals just computed
    // rewrote every project row.
    sqlx::query("vacuum analyze")
        .execute(&mut conn)
        .await
        .context("vacuuming and analysing the tables")?;
    conn.close().await.context("closing the seed connection")?;
    // Each ended day's portfolio, counted once for the trend (as a server does when it starts).
    let days = app::portfolio::server::count_ended_days(pool, plan.today)
        .await
        .context("counting the ended days into the portfolio roll-up")?;
    tracing::info!(
        days,
        seconds = started.elapsed().as_secs_f64(),
        "counted the ended days into the portfolio roll-up"
    );

    Ok(Summary {
        plan,
        counts,
        people: generator.people.census(),
        elapsed: started.elapsed(),
    })
}

async fn refuse_unless_empty(pool: &PgPool) -> anyhow::Result<()> {
    let projects: i64 = sqlx::query_scalar("select count(*) from projects")
        .fetch_one(pool)
        .await
        .context("counting projects")?;
    if projects > 0 {
        anyhow::bail!(
            "the database already holds {projects} projects; `seed` only fills a database without \
             projects (use a fresh database)"
        );
    }
    let seeded: i64 = sqlx::query_scalar("select count(*) from accounts where lower(email) like $1")
        .bind(format!("%@{EMAIL_DOMAIN}"))
        .fetch_one(pool)
        .await
        .context("counting seeded accounts")?;
    if seeded > 0 {
        anyhow::bail!("{seeded} accounts @{EMAIL_DOMAIN} already exist; `seed` needs a fresh database");
    }
    Ok(())
}

async fn copy_tables(tx: &mut PgConnection, tables: &Tables, counts: &mut Counts) -> anyhow::Result<()> {
    for table in tables.all() {
        if table.rows == 0 {
            continue;
        }
        let statement = format!("copy {} ({}) from stdin", table.name, table.columns);
        let mut copy = tx
            .copy_in_raw(&statement)
            .await
            .with_context(|| format!("starting the copy into {}", table.name))?;
        copy.send(table.buf.as_bytes()).await?;
        copy.finish()
            .await
            .with_context(|| format!("copying rows into {}", table.name))?;
        counts.add(table.name, table.rows);
    }
    Ok(())
}

/// What was written, for the command's output.
#[derive(Debug)]
pub struct Summary {
    plan: SeedPlan,
    counts: Counts,
    people: String,
    elapsed: std::time::Duration,
}

impl std::fmt::Display for Summary {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        writeln!(
            f,
            "Seeded {} projects (seed {}, today {}) in {:.1} s:",
            self.plan.projects,
            self.plan.seed,
            self.plan.today,
            self.elapsed.as_secs_f64()
        )?;
        for (table, rows) in &self.counts.0 {
            let table = if *table == "seed_audit" {
                "audit_events"
            } else {
                table
            };
            writeln!(f, "  {table:<24} {rows:>9}")?;
        }
        writeln!(f, "Accounts: {}.", self.people)?;
        write!(
            f,
            "Every seeded account signs in with the password \"{PASSWORD}\": admin01@{d}, \
             editor0001@{d}, reviewer0001@{d}, viewer0001@{d}, …",
            d = EMAIL_DOMAIN
        )
    }
}

/// Rows written per table, in copy order.
#[derive(Debug)]
struct Counts(Vec<(&'static str, u64)>);

impl Counts {
    fn add(&mut self, table: &'static str, rows: u64) {
        match self.0.iter_mut().find(|(t, _)| *t == table) {
            Some((_, n)) => *n += rows,
            None => self.0.push((table, rows)),
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Generation: pure, deterministic, no IO.

mod copy;
mod draft;
mod generator;
mod model;
mod records;
mod words;

use copy::*;
use draft::*;
pub use generator::Generator;
use generator::*;
pub use model::*;
use words::*;

#[cfg(test)]
mod tests {
    use super::*;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 26).unwrap()
    }

    fn portfolio(seed: u64, n: usize) -> Vec<Bundle> {
        let generator = Generator::new(seed, n, today());
        let mut names = Names::default();
        (0..n).map(|i| generator.project(i, &mut names)).collect()
    }

    #[test]
    fn the_same_seed_gives_the_same_portfolio() {
        assert_eq!(portfolio(7, 300), portfolio(7, 300));
        assert_eq!(
            Generator::new(7, 300, today()).people,
            Generator::new(7, 300, today()).people
        );
    }

    #[test]
    fn a_different_seed_gives_a_different_portfolio() {
        let a: Vec<String> = portfolio(7, 50).into_iter().map(|b| b.project.name).collect();
        let b: Vec<String> = portfolio(8, 50).into_iter().map(|b| b.project.name).collect();
        assert_ne!(a, b);
    }

    #[test]
    fn names_are_unique_ignoring_case_and_fit_the_column() {
        let bundles = portfolio(1, 5_000);
        let names: HashSet<String> = bundles.iter().map(|b| b.project.name.to_lowercase()).collect();
        assert_eq!(names.len(), bundles.len());
        assert!(bundles.iter().all(|b| b.project.name.chars().count() <= 120));
    }

    #[test]
    fn stages_form_a_funnel_and_most_projects_are_active() {
        let bundles = portfolio(3, 4_000);
        let mut per_stage = [0usize; 4];
        for b in &bundles {
            per_stage[b.project.stage] += 1;
        }
        assert!(per_stage.windows(2).all(|w| w[0] > w[1]), "{per_stage:?}");
        let active = bundles.iter().filter(|b| b.project.status == "active").count();
        assert!(
            (0.75..0.85).contains(&(active as f64 / bundles.len() as f64)),
            "{active}"
        );
    }

    #[test]
    fn rows_keep_the_schema_rules_and_happen_in_the_past() {
        let generator = Generator::new(11, 3_000, today());
        let mut names = Names::default();
        let end = today().and_time(NaiveTime::MIN);
        let people = &generator.people;
        for i in 0..3_000 {
            let b = generator.project(i, &mut names);
            let p = &b.project;
            assert!(p.created_at < end && p.updated_at < end && p.stage_entered_at <= p.updated_at);
            assert!(p.created_at <= p.stage_entered_at);
            let mut at = p.created_at;
            let mut stage = 0;
            for m in &b.moves {
                assert_ne!(m.from, m.to);
                assert_eq!(m.from, stage, "moves chain");
                assert!(m.to == m.from + 1 || (m.to < m.from && !m.note.is_empty()));
                assert!(m.at > at);
                (at, stage) = (m.at, m.to);
            }
            assert_eq!(stage, p.stage);
            for o in &b.owners {
                let owner = &people.accounts[o.owner];
                assert_eq!(owner.role, Role::Editor);
                assert!(owner.active_at(o.assigned_at), "assigned while active");
            }
            for r in &b.reviews {
                assert!(r.next_review_on > r.reviewed_on);
                assert_eq!(people.accounts[r.reviewer].role, Role::Reviewer);
            }
            for s in &b.signoffs {
                assert_eq!(people.accounts[s.approver].role, Role::Reviewer);
            }
            for d in &b.demos {
                assert!(d.held_on < today() && d.held_on > p.created_at.date());
                assert!(d.withdrawn.is_none_or(|w| w.at > d.created_at && w.at < end));
            }
            assert!(b
                .events
                .iter()
                .any(|e| e.action == "created" && e.at == p.created_at));
            assert!(b.events.iter().all(|e| e.at < end));
        }
    }
}
