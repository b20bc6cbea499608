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
use app::health::Severity;
use chrono::{Days, Months, NaiveDate, NaiveDateTime, NaiveTime, TimeDelta};
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

const STAGES: [&str; 4] = ["define", "design", "build", "deploy"];
const TIERS: [&str; 3] = ["low", "medium", "high"];
/// Months between model-risk reviews, by tier (the default health settings).
const CADENCE_MONTHS: [u32; 3] = [24, 12, 6];

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

/// One account; other rows refer to accounts by their index in [`People::accounts`].
#[derive(Debug, Clone, PartialEq)]
pub struct Account {
    pub id: Uuid,
    pub email: String,
    pub display_name: String,
    pub role: &'static str,
    pub created_at: NaiveDateTime,
    pub deactivated_at: Option<NaiveDateTime>,
}

impl Account {
    fn active_at(&self, at: NaiveDateTime) -> bool {
        self.deactivated_at.is_none_or(|gone| at < gone)
    }
}

/// Every seeded account, by role.
#[derive(Debug, Clone, PartialEq)]
pub struct People {
    pub accounts: Vec<Account>,
    admins: Vec<usize>,
    editors: Vec<usize>,
    /// Editors who never leave, the fallback when a random pick has left.
    stayers: Vec<usize>,
    reviewers: Vec<usize>,
    viewers: usize,
}

impl People {
    fn census(&self) -> String {
        format!(
            "{} admins, {} editors ({} of them deactivated leavers), {} reviewers, {} viewers",
            self.admins.len(),
            self.editors.len(),
            self.editors.len() - self.stayers.len(),
            self.reviewers.len(),
            self.viewers
        )
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Project {
    pub id: Uuid,
    pub name: String,
    pub team: &'static str,
    pub summary: String,
    pub problem_statement: String,
    pub success_metric: String,
    pub success_target: String,
    pub baseline_metric: String,
    pub baseline_method: String,
    pub data_readiness: String,
    pub fallback_plan: String,
    pub monitoring_owner: String,
    pub risk_tier: usize,
    pub stage: usize,
    pub status: &'static str,
    pub stage_entered_at: NaiveDateTime,
    pub created_by: usize,
    pub updated_by: usize,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Owner {
    pub stage: usize,
    pub owner: usize,
    pub assigned_by: usize,
    pub assigned_at: NaiveDateTime,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Handoff {
    pub stage: usize,
    pub from: Option<usize>,
    pub to: usize,
    pub by: usize,
    pub at: NaiveDateTime,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Move {
    pub from: usize,
    pub to: usize,
    pub note: &'static str,
    pub by: usize,
    pub at: NaiveDateTime,
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Withdrawal {
    pub at: NaiveDateTime,
    pub by: usize,
    pub reason: &'static str,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Demo {
    pub id: Uuid,
    pub held_on: NaiveDate,
    pub summary: String,
    pub attendees: String,
    pub outcome: &'static str,
    pub link: String,
    pub author: usize,
    pub created_at: NaiveDateTime,
    pub withdrawn: Option<Withdrawal>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Evidence {
    pub id: Uuid,
    pub kind: &'static str,
    pub title: String,
    pub findings: String,
    pub participants: i32,
    pub held_on: NaiveDate,
    pub link: String,
    pub author: usize,
    pub created_at: NaiveDateTime,
    pub withdrawn: Option<Withdrawal>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Signoff {
    pub id: Uuid,
    pub method: &'static str,
    pub summary: String,
    pub decision: &'static str,
    pub decided_on: NaiveDate,
    pub approver: usize,
    pub created_at: NaiveDateTime,
    pub withdrawn: Option<Withdrawal>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Review {
    pub id: Uuid,
    pub tier: usize,
    pub findings: String,
    pub decision: &'static str,
    pub reviewed_on: NaiveDate,
    pub next_review_on: NaiveDate,
    pub reviewer: usize,
    pub created_at: NaiveDateTime,
    pub withdrawn: Option<Withdrawal>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Override {
    pub stage: usize,
    pub missing: Vec<&'static str>,
    pub justification: &'static str,
    pub by: usize,
    pub at: NaiveDateTime,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Event {
    pub at: NaiveDateTime,
    pub actor: Option<usize>,
    pub entity_type: &'static str,
    pub entity_id: Uuid,
    pub action: &'static str,
    pub changes: Value,
}

/// One project and everything recorded about it.
#[derive(Debug, Clone, PartialEq)]
pub struct Bundle {
    pub project: Project,
    pub owners: Vec<Owner>,
    pub handoffs: Vec<Handoff>,
    pub moves: Vec<Move>,
    pub demos: Vec<Demo>,
    pub evidence: Vec<Evidence>,
    pub signoffs: Vec<Signoff>,
    pub reviews: Vec<Review>,
    pub overrides: Vec<Override>,
    pub events: Vec<Event>,
}

/// Project names given so far (compared without case, like the unique index).
#[derive(Debug, Default)]
pub struct Names(HashSet<String>);

impl Names {
    fn claim(&mut self, candidate: String) -> Option<String> {
        self.0.insert(candidate.to_lowercase()).then_some(candidate)
    }
}

/// The portfolio for one seed: accounts up front, projects one at a time by index.
#[derive(Debug)]
pub struct Generator {
    seed: u64,
    projects: usize,
    today: NaiveDate,
    pub people: People,
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Activity {
    /// Demo within the cadence.
    Healthy,
    /// Demo overdue, not yet stalled.
    Lagging,
    /// No stage change or demo for over the stall threshold.
    Stalled,
    /// Paused, cancelled or retired: activity stopped a while ago.
    Dormant,
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum GapKind {
    Field(&'static str),
    Research,
    Demo,
    Signoff,
    Review,
}

/// A gate of the current stage left unmet on purpose: overridden by an admin, or its evidence
/// withdrawn (or a field emptied) after the move.
#[derive(Debug, Clone, Copy)]
struct Gap {
    kind: GapKind,
    item: &'static str,
    overridden: bool,
}

fn stream(seed: u64, stream: u64) -> ChaCha8Rng {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    rng.set_stream(stream);
    rng
}

fn new_id(rng: &mut ChaCha8Rng) -> Uuid {
    uuid::Builder::from_random_bytes(rng.gen()).into_uuid()
}

fn pick<T: Copy>(rng: &mut ChaCha8Rng, items: &[T]) -> T {
    items[rng.gen_range(0..items.len())]
}

/// An index drawn with the given weights.
fn weighted(rng: &mut ChaCha8Rng, weights: &[u32]) -> usize {
    let mut roll = rng.gen_range(0..weights.iter().sum::<u32>());
    for (i, w) in weights.iter().enumerate() {
        if roll < *w {
            return i;
        }
        roll -= w;
    }
    weights.len() - 1
}

fn person(rng: &mut ChaCha8Rng) -> String {
    format!("{} {}", pick(rng, FIRST_NAMES), pick(rng, LAST_NAMES))
}

impl Generator {
    pub fn new(seed: u64, projects: usize, today: NaiveDate) -> Self {
        let people = Self::people(seed, projects, today);
        Self {
            seed,
            projects,
            today,
            people,
        }
    }

    fn people(seed: u64, projects: usize, today: NaiveDate) -> People {
        let mut rng = stream(seed, 0);
        let editors = (projects / 25).max(5);
        let reviewers = (projects / 100).max(3);
        let viewers = 3 + projects / 5_000;
        let leavers: HashSet<usize> = rand::seq::index::sample(&mut rng, editors, (editors / 20).max(1))
            .into_iter()
            .collect();
        let mut people = People {
            accounts: Vec::with_capacity(2 + editors + reviewers + viewers),
            admins: Vec::new(),
            editors: Vec::new(),
            stayers: Vec::new(),
            reviewers: Vec::new(),
            viewers,
        };
        let roles = [
            ("admin", 2, 2),
            ("editor", editors, 4),
            ("reviewer", reviewers, 4),
            ("viewer", viewers, 4),
        ];
        for (role, count, width) in roles {
            for n in 0..count {
                let joined = HISTORY_DAYS + rng.gen_range(30..400);
                let created_at = moment(&mut rng, today, joined);
                let leaver = role == "editor" && leavers.contains(&n);
                let deactivated_at = if leaver {
                    let gone_ago = rng.gen_range(5..=540);
                    Some(moment(&mut rng, today, gone_ago))
                } else {
                    None
                };
                let index = people.accounts.len();
                people.accounts.push(Account {
                    id: new_id(&mut rng),
                    email: format!("{role}{:0width$}@{EMAIL_DOMAIN}", n + 1),
                    display_name: person(&mut rng),
                    role,
                    created_at,
                    deactivated_at,
                });
                match role {
                    "admin" => people.admins.push(index),
                    "editor" => {
                        people.editors.push(index);
                        if !leaver {
                            people.stayers.push(index);
                        }
                    }
                    "reviewer" => people.reviewers.push(index),
                    _ => {}
                }
            }
        }
        people
    }

    fn account(&self, index: usize) -> &Account {
        &self.people.accounts[index]
    }

    /// An editor who is still active at `at`.
    fn active_editor(&self, rng: &mut ChaCha8Rng, at: NaiveDateTime) -> usize {
        let editor = pick(rng, &self.people.editors);
        if self.account(editor).active_at(at) {
            editor
        } else {
            pick(rng, &self.people.stayers)
        }
    }

    /// `preferred` if still active at `at`, else the first admin (who tidies up after leavers).
    fn or_admin(&self, preferred: usize, at: NaiveDateTime) -> usize {
        if self.account(preferred).active_at(at) {
            preferred
        } else {
            self.people.admins[0]
        }
    }

    fn at(&self, rng: &mut ChaCha8Rng, days_ago: u64) -> NaiveDateTime {
        moment(rng, self.today, days_ago)
    }

    fn days_ago(&self, at: NaiveDateTime) -> u64 {
        (self.today - at.date()).num_days().max(0) as u64
    }

    /// Project `index` (0-based). Projects must be generated in index order for unique names.
    pub fn project(&self, index: usize, names: &mut Names) -> Bundle {
        let mut rng = stream(self.seed, index as u64 + 1);
        let id = new_id(&mut rng);
        let shape = Shape::draw(&mut rng);
        let mut draft = Draft::start(self, rng, id, shape, names);
        draft.move_through_stages();
        draft.hand_off();
        draft.add_research();
        draft.add_demos();
        draft.add_signoffs_and_reviews();
        draft.finish()
    }

    fn withdrawal(&self, rng: &mut ChaCha8Rng, created: NaiveDateTime, by: usize) -> Withdrawal {
        let latest = self.today.and_time(NaiveTime::MIN) - TimeDelta::hours(1);
        let at = (created + TimeDelta::hours(rng.gen_range(1..=96))).min(latest);
        Withdrawal {
            at: at.max(created + TimeDelta::minutes(1)),
            by: self.or_admin(by, at),
            reason: pick(rng, WITHDRAW_REASONS),
        }
    }
}

/// What a project is like — where it is, how it got there, how lively it is — drawn first;
/// its records follow from it.
#[derive(Debug)]
struct Shape {
    stage: usize,
    status: &'static str,
    tier: usize,
    activity: Activity,
    /// The stages in the order they were entered, from `define` to `stage`.
    path: Vec<usize>,
    /// The furthest stage it has been in.
    reached: usize,
    gap: Option<Gap>,
    /// Days since it was created.
    age: u64,
    /// Days ago of each move along `path`.
    move_agos: Vec<u64>,
}

impl Shape {
    fn draw(rng: &mut ChaCha8Rng) -> Self {
        let stage = weighted(rng, &[35, 28, 22, 15]);
        let mut status = ["active", "paused", "cancelled", "retired"][weighted(rng, &[80, 8, 7, 5])];
        if status == "retired" && stage != 3 {
            status = "cancelled";
        }
        let tier = weighted(rng, &[40, 40, 20]);
        let activity = if status == "active" {
            [Activity::Healthy, Activity::Lagging, Activity::Stalled][weighted(rng, &[64, 22, 14])]
        } else {
            Activity::Dormant
        };
        let quiet = matches!(activity, Activity::Stalled | Activity::Dormant);
        let path = stage_path(rng, stage);
        let moves_n = path.len() as u64 - 1;
        let reached = path.iter().copied().max().unwrap_or(0);
        let last_move_forward = path.len() >= 2 && path[path.len() - 2] < path[path.len() - 1];
        let gap = (stage >= 1 && rng.gen_bool(0.06)).then(|| {
            let (kind, item) = pick(rng, GAPS[stage - 1]);
            Gap {
                kind,
                item,
                overridden: last_move_forward && rng.gen_bool(0.6),
            }
        });

        // Created `age` days ago, the last move `last_ago` days ago, the others spread between
        // (at least ten days apart). Quiet projects have not moved for over the stall threshold.
        let age = rng.gen_range(20 * moves_n + if quiet { 70 } else { 3 }..=HISTORY_DAYS);
        let last_ago = if moves_n == 0 {
            age
        } else if quiet {
            rng.gen_range(63..=age - 20 * moves_n)
        } else {
            rng.gen_range(1..=age - 20 * moves_n)
        };
        let span = age - last_ago;
        let mut move_agos = Vec::with_capacity(moves_n as usize);
        for j in 1..=moves_n {
            let ago = if j == moves_n {
                last_ago
            } else {
                let even = age - span * j / moves_n;
                let jitter = span / (4 * moves_n);
                rng.gen_range(even - jitter..=even + jitter)
            };
            move_agos.push(ago);
        }
        Self {
            stage,
            status,
            tier,
            activity,
            path,
            reached,
            gap,
            age,
            move_agos,
        }
    }

    /// Whether the current stage's gate is left unmet in this way.
    fn gap_is(&self, kind: GapKind) -> bool {
        self.gap.is_some_and(|g| g.kind == kind)
    }

    /// Whether it is, and an admin pushed the move through anyway (the record never existed).
    fn gap_overridden(&self, kind: GapKind) -> bool {
        self.gap.is_some_and(|g| g.kind == kind && g.overridden)
    }
}

/// What a project's texts are about.
struct Words {
    subject: String,
    team: &'static str,
    users: &'static str,
}

impl Words {
    fn fill(&self, rng: &mut ChaCha8Rng, templates: &[&str]) -> String {
        let template = pick(rng, templates);
        fill(template, &self.subject, self.team, self.users, rng)
    }
}

/// A project being generated, step by step. The steps draw from `rng` in a fixed order.
struct Draft<'g> {
    g: &'g Generator,
    rng: ChaCha8Rng,
    shape: Shape,
    words: Words,
    project: Project,
    /// Days ago each stage was first entered.
    first_entry: [Option<u64>; 4],
    touched: Latest,
    owners: Vec<Owner>,
    handoffs: Vec<Handoff>,
    moves: Vec<Move>,
    demos: Vec<Demo>,
    evidence: Vec<Evidence>,
    signoffs: Vec<Signoff>,
    reviews: Vec<Review>,
    overrides: Vec<Override>,
    events: Vec<Event>,
}

impl<'g> Draft<'g> {
    /// The project as created: its texts, its creator owning `define`, the `created` event.
    fn start(g: &'g Generator, mut rng: ChaCha8Rng, id: Uuid, shape: Shape, names: &mut Names) -> Self {
        let rng_ = &mut rng;
        let created_at = g.at(rng_, shape.age);
        let creator = g.active_editor(rng_, created_at);
        let subject = pick(rng_, SUBJECTS);
        let task = pick(rng_, TASKS);
        let codename = pick(rng_, CODENAMES);
        let name = unique_name(names, subject, task, codename);
        let team = TEAMS[weighted(rng_, &TEAM_WEIGHTS)];
        let reached = shape.reached;
        let fill_design = reached >= 1 || rng_.gen_bool(0.5);
        let fill_build = reached >= 2 || (reached == 1 && rng_.gen_bool(0.4));
        let fill_deploy = reached >= 3 || (reached == 2 && rng_.gen_bool(0.3));
        // Text is drawn whether or not it is kept, so one field's fate never shifts the others.
        let text = |fill: bool, field: &'static str, value: String| {
            if fill && !shape.gap_is(GapKind::Field(field)) {
                value
            } else {
                String::new()
            }
        };
        let words = Words {
            subject: subject.to_lowercase(),
            team,
            users: pick(rng_, USERS),
        };
        let summary = format!("{task} for {} in {team}, used by {}.", words.subject, words.users);
        let project = Project {
            id,
            problem_statement: text(fill_design, "problem_statement", words.fill(rng_, PROBLEMS)),
            success_metric: text(fill_design, "success_metric", words.fill(rng_, METRICS)),
            success_target: text(fill_design, "success_target", words.fill(rng_, TARGETS)),
            baseline_metric: text(fill_build, "baseline_metric", words.fill(rng_, BASELINES)),
            baseline_method: text(fill_build, "baseline_method", words.fill(rng_, BASELINE_METHODS)),
            data_readiness: text(fill_build, "data_readiness", words.fill(rng_, READINESS)),
            fallback_plan: text(fill_deploy, "fallback_plan", words.fill(rng_, FALLBACKS)),
            monitoring_owner: text(
                fill_deploy,
                "monitoring_owner",
                format!("{} ({team} on-call)", person(rng_)),
            ),
            name,
            team,
            summary,
            risk_tier: shape.tier,
            stage: shape.stage,
            status: shape.status,
            stage_entered_at: created_at,
            created_by: creator,
            updated_by: creator,
            created_at,
            updated_at: created_at,
        };
        let created = Event {
            at: created_at,
            actor: Some(creator),
            entity_type: "project",
            entity_id: id,
            action: "created",
            changes: added(&[
                ("name", json!(project.name)),
                ("team", json!(team)),
                ("summary", json!(project.summary)),
                ("risk_tier", json!(TIERS[shape.tier])),
                ("status", json!("active")),
                ("stage", json!("define")),
                ("owner.define", json!(g.account(creator).display_name)),
            ]),
        };
        Self {
            g,
            rng,
            first_entry: [Some(shape.age), None, None, None],
            shape,
            words,
            project,
            touched: Latest(created_at, creator),
            owners: vec![Owner {
                stage: 0,
                owner: creator,
                assigned_by: creator,
                assigned_at: created_at,
            }],
            handoffs: vec![Handoff {
                stage: 0,
                from: None,
                to: creator,
                by: creator,
                at: created_at,
            }],
            moves: Vec::new(),
            demos: Vec::new(),
            evidence: Vec::new(),
            signoffs: Vec::new(),
            reviews: Vec::new(),
            overrides: Vec::new(),
            events: vec![created],
        }
    }

    fn event(&mut self, at: NaiveDateTime, by: usize, action: &'static str, changes: Value) {
        self.events
            .push(record_event(self.project.id, at, by, action, changes));
    }

    /// Each move along the path, by the owner of the stage left (an admin for an override),
    /// and an owner for each stage entered the first time.
    fn move_through_stages(&mut self) {
        let g = self.g;
        let admin = g.people.admins[0];
        let overridden = self.shape.gap.filter(|gap| gap.overridden);
        for j in 0..self.shape.path.len() - 1 {
            let (from, to) = (self.shape.path[j], self.shape.path[j + 1]);
            let ago = self.shape.move_agos[j];
            let at = g.at(&mut self.rng, ago);
            let final_move = j + 2 == self.shape.path.len();
            let current_owner = self.owners.iter().find(|o| o.stage == from).map(|o| o.owner);
            let overriding = overridden.filter(|_| final_move);
            let by = match overriding {
                Some(_) => admin,
                None => current_owner.map_or(admin, |o| g.or_admin(o, at)),
            };
            let note = if to < from {
                pick(&mut self.rng, PIVOT_NOTES)
            } else {
                ""
            };
            let mut changes = json!({ "stage": { "before": STAGES[from], "after": STAGES[to] } });
            if !note.is_empty() {
                changes["note"] = json!({ "before": null, "after": note });
            }
            if let Some(gap) = overriding {
                let justification = pick(&mut self.rng, JUSTIFICATIONS);
                let missing = vec![gap.item];
                changes["override"] = json!({ "before": null, "after": justification });
                changes["missing"] = json!({ "before": null, "after": missing.join("; ") });
                self.overrides.push(Override {
                    stage: to,
                    missing,
                    justification,
                    by,
                    at,
                });
            }
            self.moves.push(Move {
                from,
                to,
                note,
                by,
                at,
            });
            self.event(at, by, "stage_moved", changes);
            self.touched.touch(at, by);
            if self.first_entry[to].is_some() {
                continue;
            }
            self.first_entry[to] = Some(ago);
            // A few current stages were never given an owner.
            if final_move && self.rng.gen_bool(0.035) {
                continue;
            }
            let previous = current_owner.filter(|o| g.account(*o).active_at(at));
            let owner = match previous {
                Some(o) if self.rng.gen_bool(0.55) => o,
                _ => g.active_editor(&mut self.rng, at),
            };
            self.owners.push(Owner {
                stage: to,
                owner,
                assigned_by: by,
                assigned_at: at,
            });
            self.handoffs.push(Handoff {
                stage: to,
                from: None,
                to: owner,
                by,
                at,
            });
        }
        self.project.stage_entered_at = self.moves.last().map_or(self.project.created_at, |m| m.at);
    }

    /// Handoffs after assignment, and some leavers' stages handed on after they left (the
    /// others stay with the leaver, and the project is ownerless).
    fn hand_off(&mut self) {
        let g = self.g;
        let rng = &mut self.rng;
        for i in 0..self.owners.len() {
            let o = self.owners[i].clone();
            let assigned_ago = g.days_ago(o.assigned_at);
            let mut when = None;
            if assigned_ago >= 3 && rng.gen_bool(0.12) {
                let ago = rng.gen_range(1..assigned_ago);
                when = Some(g.at(rng, ago));
            }
            if let Some(gone) = g.account(o.owner).deactivated_at {
                if gone > o.assigned_at && rng.gen_bool(0.4) {
                    let after = g.days_ago(gone).saturating_sub(rng.gen_range(1..=20)).max(1);
                    let at = g.at(rng, after);
                    if at > gone {
                        when = Some(at);
                    }
                }
            }
            let Some(at) = when.filter(|at| *at > o.assigned_at) else {
                continue;
            };
            let to = g.active_editor(rng, at);
            if to == o.owner {
                continue;
            }
            let by = g.or_admin(o.owner, at);
            self.handoffs.push(Handoff {
                stage: o.stage,
                from: Some(o.owner),
                to,
                by,
                at,
            });
            let changes = json!({ format!("owner.{}", STAGES[o.stage]): {
                "before": g.account(o.owner).display_name,
                "after": g.account(to).display_name,
            } });
            self.events
                .push(record_event(self.project.id, at, by, "owner_assigned", changes));
            self.touched.touch(at, by);
            self.owners[i] = Owner {
                stage: o.stage,
                owner: to,
                assigned_by: by,
                assigned_at: at,
            };
        }
    }

    /// The owner of the current stage, or the creator when it has none.
    fn lead(&self) -> usize {
        self.owners
            .iter()
            .find(|o| o.stage == self.shape.stage)
            .map_or(self.project.created_by, |o| o.owner)
    }

    /// User research, the first piece before the move to design.
    fn add_research(&mut self) {
        let g = self.g;
        let (age, reached) = (self.shape.age, self.shape.reached);
        let rng = &mut self.rng;
        let count = if reached >= 1 {
            rng.gen_range(1..=4)
        } else if rng.gen_bool(0.5) {
            rng.gen_range(1..=2)
        } else {
            0
        };
        let count = if self.shape.gap_overridden(GapKind::Research) {
            0
        } else {
            count
        };
        for k in 0..count {
            let ago = match self.first_entry[1] {
                Some(design) if k == 0 => rng.gen_range(design + 1..age),
                _ => rng.gen_range(1..age.max(2)),
            };
            let created_at = g.at(rng, ago);
            let author = g.or_admin(g.active_editor(rng, created_at), created_at);
            let kind = RESEARCH_KINDS[weighted(rng, &[40, 20, 15, 8, 12, 5])];
            let participants = match kind {
                "survey" => rng.gen_range(40..=2500),
                "data_analysis" => rng.gen_range(0..=3),
                _ => rng.gen_range(3..=24),
            };
            let withdrawn = (self.shape.gap_is(GapKind::Research) || rng.gen_bool(0.015))
                .then(|| g.withdrawal(rng, created_at, author));
            self.evidence.push(Evidence {
                id: new_id(rng),
                kind,
                title: self.words.fill(rng, RESEARCH_TITLES),
                findings: self.words.fill(rng, RESEARCH_FINDINGS),
                participants,
                held_on: g.today - Days::new(ago),
                link: link(rng, "research"),
                author,
                created_at,
                withdrawn,
            });
        }
        self.evidence.sort_by_key(|e| e.created_at);
    }

    /// Demos: the latest one's age follows the project's activity; earlier ones monthly-ish.
    fn add_demos(&mut self) {
        let g = self.g;
        let lead = self.lead();
        let shape = &self.shape;
        let age = shape.age;
        let rng = &mut self.rng;
        let latest = match shape.activity {
            Activity::Healthy if age > 30 || rng.gen_bool(0.5) => {
                Some(rng.gen_range(1..=30.min(age - 1).max(1)))
            }
            Activity::Lagging if age > 33 => Some(rng.gen_range(32..=62.min(age - 1))),
            Activity::Stalled if shape.stage >= 2 || rng.gen_bool(0.8) => Some(rng.gen_range(63..=age - 1)),
            Activity::Dormant => Some(rng.gen_range(20..=age - 1)),
            _ => None,
        };
        let Some(latest) = latest.filter(|_| !shape.gap_overridden(GapKind::Demo)) else {
            return;
        };
        let count = rng.gen_range(1..=(1 + (age - latest) / 25).min(8));
        let mut ago = latest;
        for k in 0..count {
            if k > 0 {
                ago += rng.gen_range(18..=40);
                if ago >= age {
                    break;
                }
            }
            let created_at = g.at(rng, ago);
            let author = g.or_admin(lead, created_at);
            // A project stops at its last demo; earlier demos continue it or change course.
            let outcome = if k == 0 && shape.status == "cancelled" {
                "stop"
            } else {
                ["continue", "pivot"][weighted(rng, &[88, 12])]
            };
            let withdrawn = (shape.gap_is(GapKind::Demo) || (k > 0 && rng.gen_bool(0.02)))
                .then(|| g.withdrawal(rng, created_at, author));
            let users = self.words.users;
            self.demos.push(Demo {
                id: new_id(rng),
                held_on: g.today - Days::new(ago),
                summary: self.words.fill(rng, DEMO_SUMMARIES),
                attendees: format!(
                    "{}, {}, {} and {} {users}",
                    person(rng),
                    person(rng),
                    person(rng),
                    rng.gen_range(2..=9)
                ),
                outcome,
                link: link(rng, "demos"),
                author,
                created_at,
                withdrawn,
            });
        }
        self.demos.reverse();
    }

    /// Explainability sign-offs and model-risk reviews, by reviewers (never owners, so always
    /// independent): approved before deploy for projects that got there, under way in build.
    fn add_signoffs_and_reviews(&mut self) {
        let g = self.g;
        let reviewer = pick(&mut self.rng, &g.people.reviewers);
        let (age, reached) = (self.shape.age, self.shape.reached);
        let entered = |s: usize, first: &[Option<u64>; 4]| first[s].unwrap_or(age);
        let rng = &mut self.rng;
        if reached >= 3 || (reached == 2 && rng.gen_bool(0.45)) {
            let (approved_ago, decision) = if reached >= 3 {
                (entered(3, &self.first_entry) + rng.gen_range(1..=15), "approved")
            } else {
                let ago = rng.gen_range(1..entered(2, &self.first_entry).max(2));
                (ago, SIGNOFF_DECISIONS[weighted(rng, &[50, 40, 10])])
            };
            let approved_ago = approved_ago.min(age - 1);
            let earlier = approved_ago + rng.gen_range(10..=40);
            if rng.gen_bool(0.3) && earlier < age {
                let s = self.signoff(earlier, "changes_requested", reviewer);
                self.signoffs.push(s);
            }
            if !self.shape.gap_overridden(GapKind::Signoff) {
                let mut s = self.signoff(approved_ago, decision, reviewer);
                if self.shape.gap_is(GapKind::Signoff) {
                    s.withdrawn = Some(g.withdrawal(&mut self.rng, s.created_at, s.approver));
                }
                self.signoffs.push(s);
            }
        }
        let rng = &mut self.rng;
        let chain = reached >= 3 || (reached == 2 && rng.gen_bool(0.3));
        if !chain || self.shape.gap_overridden(GapKind::Review) {
            return;
        }
        let (ago, decision) = if reached >= 3 {
            (
                entered(3, &self.first_entry) + rng.gen_range(1..=20),
                REVIEW_DECISIONS[weighted(rng, &[70, 30, 0])],
            )
        } else {
            let ago = rng.gen_range(1..entered(2, &self.first_entry).max(2));
            (ago, REVIEW_DECISIONS[weighted(rng, &[55, 30, 15])])
        };
        let (mut ago, mut decision, mut who) = (ago.min(age - 1), decision, reviewer);
        let keep_up = if self.shape.status == "active" { 0.7 } else { 0.4 };
        let tier = self.shape.tier;
        loop {
            let reviewed_on = g.today - Days::new(ago);
            let next_review_on = reviewed_on + Months::new(CADENCE_MONTHS[tier]);
            let created_at = g.at(rng, ago);
            self.reviews.push(Review {
                id: new_id(rng),
                tier,
                findings: self.words.fill(rng, REVIEW_FINDINGS),
                decision,
                reviewed_on,
                next_review_on,
                reviewer: who,
                created_at,
                withdrawn: None,
            });
            // Periodic re-reviews, until one is skipped (then the review is overdue).
            if next_review_on >= g.today || self.reviews.len() >= 5 || !rng.gen_bool(keep_up) {
                break;
            }
            ago = (g.today - next_review_on).num_days() as u64 + rng.gen_range(0..=14);
            decision = REVIEW_DECISIONS[weighted(rng, &[75, 22, 3])];
            if rng.gen_bool(0.4) {
                who = pick(rng, &g.people.reviewers);
            }
        }
        if self.shape.gap_is(GapKind::Review) {
            for r in self.reviews.iter_mut() {
                r.withdrawn = Some(g.withdrawal(rng, r.created_at, r.reviewer));
            }
        }
    }

    fn signoff(&mut self, ago: u64, decision: &'static str, approver: usize) -> Signoff {
        let rng = &mut self.rng;
        let method = pick(rng, METHODS);
        Signoff {
            id: new_id(rng),
            method,
            summary: format!(
                "{method} on a holdout sample: the drivers of {} predictions match what the team \
                 expects; {}",
                self.words.subject,
                pick(rng, SIGNOFF_REMARKS)
            ),
            decision,
            decided_on: self.g.today - Days::new(ago),
            approver,
            created_at: self.g.at(rng, ago),
            withdrawn: None,
        }
    }

    /// Audit events for the records (the latest of each kind, and every withdrawal), the
    /// status change of projects no longer active, and `updated_at`.
    fn finish(mut self) -> Bundle {
        let g = self.g;
        let mut record_events = Vec::new();
        if let Some(d) = self.demos.last() {
            let changes = added(&[
                ("held_on", json!(d.held_on)),
                ("summary", json!(d.summary)),
                ("outcome", json!(d.outcome)),
            ]);
            record_events.push((d.created_at, d.author, "demo_added", changes));
        }
        if let Some(e) = self.evidence.first() {
            let changes = added(&[
                ("kind", json!(e.kind)),
                ("title", json!(e.title)),
                ("participants", json!(e.participants)),
                ("held_on", json!(e.held_on)),
            ]);
            record_events.push((e.created_at, e.author, "evidence_added", changes));
        }
        if let Some(s) = self.signoffs.last() {
            let changes = added(&[
                ("method", json!(s.method)),
                ("decision", json!(s.decision)),
                ("decided_on", json!(s.decided_on)),
            ]);
            record_events.push((s.created_at, s.approver, "signoff_added", changes));
        }
        if let Some(r) = self.reviews.last() {
            let changes = added(&[
                ("risk_tier", json!(TIERS[r.tier])),
                ("decision", json!(r.decision)),
                ("reviewed_on", json!(r.reviewed_on)),
                ("next_review_on", json!(r.next_review_on)),
            ]);
            record_events.push((r.created_at, r.reviewer, "review_added", changes));
        }
        let withdrawals = (self.demos.iter())
            .filter_map(|d| d.withdrawn.map(|w| ("demo checkpoint", d.id, w)))
            .chain(
                (self.evidence.iter())
                    .filter_map(|e| e.withdrawn.map(|w| ("user-research evidence", e.id, w))),
            )
            .chain(
                (self.signoffs.iter())
                    .filter_map(|s| s.withdrawn.map(|w| ("explainability sign-off", s.id, w))),
            )
            .chain((self.reviews.iter()).filter_map(|r| r.withdrawn.map(|w| ("model-risk review", r.id, w))));
        for (kind, record, w) in withdrawals {
            let changes = json!({
                "record": { "before": null, "after": format!("{kind} {record}") },
                "reason": { "before": null, "after": w.reason },
            });
            record_events.push((w.at, w.by, "record_withdrawn", changes));
        }
        for (at, by, action, changes) in record_events {
            self.event(at, by, action, changes);
        }
        let record_times = (self.demos.iter().map(|d| (d.created_at, d.author)))
            .chain(self.evidence.iter().map(|e| (e.created_at, e.author)))
            .chain(self.signoffs.iter().map(|s| (s.created_at, s.approver)))
            .chain(self.reviews.iter().map(|r| (r.created_at, r.reviewer)))
            .chain(self.events.iter().filter_map(|e| e.actor.map(|a| (e.at, a))));
        for (at, by) in record_times.collect::<Vec<_>>() {
            self.touched.touch(at, by);
        }

        // Paused, cancelled and retired projects stopped a while after their last activity.
        let status = self.shape.status;
        if status != "active" {
            let quiet_since = g.days_ago(self.touched.0);
            let ago = quiet_since.saturating_sub(self.rng.gen_range(3..=30)).max(1);
            let at = g.at(&mut self.rng, ago).max(self.touched.0 + TimeDelta::hours(1));
            let by = g.or_admin(self.lead(), at);
            let changes = json!({ "status": { "before": "active", "after": status } });
            self.events.push(Event {
                at,
                actor: Some(by),
                entity_type: "project",
                entity_id: self.project.id,
                action: "updated",
                changes,
            });
            self.touched.touch(at, by);
        }
        let Latest(updated_at, updated_by) = self.touched;
        self.project.updated_at = updated_at;
        self.project.updated_by = updated_by;
        Bundle {
            project: self.project,
            owners: self.owners,
            handoffs: self.handoffs,
            moves: self.moves,
            demos: self.demos,
            evidence: self.evidence,
            signoffs: self.signoffs,
            reviews: self.reviews,
            overrides: self.overrides,
            events: self.events,
        }
    }
}

/// The latest change to a project and who made it (its `updated_at` / `updated_by`).
#[derive(Debug, Clone, Copy)]
struct Latest(NaiveDateTime, usize);

impl Latest {
    fn touch(&mut self, at: NaiveDateTime, by: usize) {
        if at > self.0 {
            *self = Latest(at, by);
        }
    }
}

/// The stages a project went through, in order, ending at `stage`; 5% pivoted back once.
fn stage_path(rng: &mut ChaCha8Rng, stage: usize) -> Vec<usize> {
    let mut path: Vec<usize> = (0..=stage).collect();
    if rng.gen_bool(0.05) {
        if stage >= 2 && (stage == 3 || rng.gen_bool(0.5)) {
            // Reached k, went back to k-1 with a note, then forward again.
            let k = rng.gen_range(1..stage);
            path = (0..=k).chain([k - 1]).chain(k..=stage).collect();
        } else {
            // Tried the next stage and came back.
            path.extend([stage + 1, stage]);
        }
    }
    path
}

/// A moment on the day `days_ago` before `today`, in working hours.
fn moment(rng: &mut ChaCha8Rng, today: NaiveDate, days_ago: u64) -> NaiveDateTime {
    let day = today - Days::new(days_ago);
    day.and_time(NaiveTime::MIN) + TimeDelta::seconds(rng.gen_range(8 * 3600..18 * 3600))
}

fn unique_name(names: &mut Names, subject: &str, task: &str, codename: &str) -> String {
    let base = format!("{subject} {task}");
    if let Some(name) = names.claim(base.clone()) {
        return name;
    }
    let coded = format!("{base} {codename}");
    if let Some(name) = names.claim(coded.clone()) {
        return name;
    }
    (2..)
        .find_map(|n| names.claim(format!("{coded} {n}")))
        .unwrap_or(coded)
}

/// Fills a template's `{s}` (subject), `{t}` (team), `{u}` (users) and `{n}` (a number).
fn fill(template: &str, subject: &str, team: &str, users: &str, rng: &mut ChaCha8Rng) -> String {
    template
        .replace("{s}", subject)
        .replace("{t}", team)
        .replace("{u}", users)
        .replace("{n}", &rng.gen_range(3..=40).to_string())
}

fn link(rng: &mut ChaCha8Rng, kind: &str) -> String {
    if rng.gen_bool(0.4) {
        format!("https://wiki.{EMAIL_DOMAIN}/{kind}/{:08x}", rng.gen::<u32>())
    } else {
        String::new()
    }
}

fn added(fields: &[(&str, Value)]) -> Value {
    Value::Object(
        fields
            .iter()
            .map(|(k, v)| ((*k).to_owned(), json!({ "before": null, "after": v })))
            .collect(),
    )
}

fn record_event(
    project: Uuid,
    at: NaiveDateTime,
    actor: usize,
    action: &'static str,
    changes: Value,
) -> Event {
    Event {
        at,
        actor: Some(actor),
        entity_type: "project",
        entity_id: project,
        action,
        changes,
    }
}

// ---------------------------------------------------------------------------------------------
// COPY text format.

#[derive(Debug)]
struct Table {
    name: &'static str,
    columns: &'static str,
    buf: String,
    rows: u64,
}

impl Table {
    fn new(name: &'static str, columns: &'static str) -> Self {
        Self {
            name,
            columns,
            buf: String::new(),
            rows: 0,
        }
    }

    fn row(&mut self) -> Row<'_> {
        self.rows += 1;
        Row {
            out: &mut self.buf,
            started: false,
        }
    }
}

/// One line of COPY text: tab-separated fields, `\N` for null, backslash escapes.
struct Row<'a> {
    out: &'a mut String,
    started: bool,
}

impl Row<'_> {
    fn sep(&mut self) {
        if self.started {
            self.out.push('\t');
        }
        self.started = true;
    }

    fn text(&mut self, value: &str) -> &mut Self {
        self.sep();
        for c in value.chars() {
            match c {
                '\\' => self.out.push_str("\\\\"),
                '\n' => self.out.push_str("\\n"),
                '\r' => self.out.push_str("\\r"),
                '\t' => self.out.push_str("\\t"),
                c => self.out.push(c),
            }
        }
        self
    }

    /// A value whose text form needs no escaping (numbers, ids, dates, enum labels).
    fn plain(&mut self, value: impl std::fmt::Display) -> &mut Self {
        self.sep();
        let _ = write!(self.out, "{value}");
        self
    }

    fn null(&mut self) -> &mut Self {
        self.sep();
        self.out.push_str("\\N");
        self
    }

    fn maybe(&mut self, value: Option<impl std::fmt::Display>) -> &mut Self {
        match value {
            Some(v) => self.plain(v),
            None => self.null(),
        }
    }

    fn ts(&mut self, at: NaiveDateTime) -> &mut Self {
        self.sep();
        let _ = write!(self.out, "{at}+00");
        self
    }

    fn maybe_text(&mut self, value: Option<&str>) -> &mut Self {
        match value {
            Some(v) => self.text(v),
            None => self.null(),
        }
    }

    fn maybe_ts(&mut self, at: Option<NaiveDateTime>) -> &mut Self {
        match at {
            Some(at) => self.ts(at),
            None => self.null(),
        }
    }

    fn withdrawal(&mut self, w: Option<Withdrawal>, ids: impl Fn(usize) -> Uuid) -> &mut Self {
        self.maybe_ts(w.map(|w| w.at))
            .maybe(w.map(|w| ids(w.by)))
            .text(w.map_or("", |w| w.reason))
    }

    fn end(&mut self) {
        self.out.push('\n');
    }
}

/// One chunk of rows, per table, in the order they must be copied (parents first).
#[derive(Debug)]
struct Tables {
    accounts: Table,
    projects: Table,
    stage_owners: Table,
    ownership_changes: Table,
    stage_moves: Table,
    demos: Table,
    evidence: Table,
    signoffs: Table,
    reviews: Table,
    overrides: Table,
    /// The projects' earlier versions.
    history: Table,
    audit: Table,
    /// Order of audit events that share a moment.
    next_seq: u64,
    /// The seed transaction's id: it opened every project's current version.
    xact: String,
}

impl Default for Tables {
    fn default() -> Self {
        Self {
            accounts: Table::new(
                "accounts",
                "id, email, display_name, role, password_hash, active, deactivated_at, created_at, updated_at",
            ),
            projects: Table::new(
                "projects",
                "id, name, team, summary, problem_statement, success_metric, success_target, \
                 baseline_metric, baseline_method, data_readiness, fallback_plan, monitoring_owner, \
                 risk_tier, stage, status, stage_entered_at, version, created_by, updated_by, \
                 created_at, updated_at, signals_from, signals_xact",
            ),
            stage_owners: Table::new(
                "stage_owners",
                "project_id, stage, owner_id, assigned_by, assigned_at, created_at, updated_at",
            ),
            ownership_changes: Table::new(
                "ownership_changes",
                "project_id, stage, from_owner_id, to_owner_id, changed_by, changed_at, created_at, updated_at",
            ),
            stage_moves: Table::new(
                "stage_moves",
                "project_id, from_stage, to_stage, note, moved_by, moved_at, created_at, updated_at",
            ),
            demos: Table::new(
                "demo_checkpoints",
                "id, project_id, held_on, summary, attendees, outcome, link, author_id, \
                 withdrawn_at, withdrawn_by, withdraw_reason, created_at, updated_at",
            ),
            evidence: Table::new(
                "research_evidence",
                "id, project_id, kind, title, findings, participants, held_on, link, author_id, \
                 withdrawn_at, withdrawn_by, withdraw_reason, created_at, updated_at",
            ),
            signoffs: Table::new(
                "explainability_signoffs",
                "id, project_id, method, summary, decision, decided_on, approver_id, \
                 withdrawn_at, withdrawn_by, withdraw_reason, created_at, updated_at",
            ),
            reviews: Table::new(
                "risk_reviews",
                "id, project_id, risk_tier, findings, decision, reviewed_on, next_review_on, reviewer_id, \
                 withdrawn_at, withdrawn_by, withdraw_reason, created_at, updated_at",
            ),
            overrides: Table::new(
                "gate_overrides",
                "project_id, stage, missing, justification, overridden_by, overridden_at, created_at, updated_at",
            ),
            history: Table::new(
                "project_signals_history",
                "project_id, valid_from, valid_to, stage, status, team, risk_tier, owner_id, \
                 stage_entered_at, ownerless_on, stalled_on, demo_overdue_on, review_overdue_on, \
                 gate_gap_on, red_on, flagged_on, ownerless_reason, gate_gap_reason, progress_on, \
                 last_demo_on, review_due_on",
            ),
            audit: Table::new(
                "seed_audit",
                "seq, occurred_at, actor_id, entity_type, entity_id, action, changes",
            ),
            next_seq: 0,
            xact: String::new(),
        }
    }
}

impl Tables {
    fn all(&self) -> [&Table; 12] {
        [
            &self.accounts,
            &self.projects,
            &self.stage_owners,
            &self.ownership_changes,
            &self.stage_moves,
            &self.demos,
            &self.evidence,
            &self.signoffs,
            &self.reviews,
            &self.overrides,
            &self.history,
            &self.audit,
        ]
    }

    fn event(&mut self, e: &Event, ids: impl Fn(usize) -> Uuid) {
        let seq = self.next_seq;
        self.next_seq += 1;
        self.audit
            .row()
            .plain(seq)
            .ts(e.at)
            .maybe(e.actor.map(&ids))
            .text(e.entity_type)
            .plain(e.entity_id)
            .text(e.action)
            .text(&e.changes.to_string())
            .end();
    }

    fn accounts(&mut self, people: &People, password_hash: &str) {
        let ids = |i: usize| people.accounts[i].id;
        let admin = people.admins[0];
        for (i, a) in people.accounts.iter().enumerate() {
            let updated = a.deactivated_at.unwrap_or(a.created_at);
            self.accounts
                .row()
                .plain(a.id)
                .text(&a.email)
                .text(&a.display_name)
                .plain(a.role)
                .text(password_hash)
                .plain(if a.deactivated_at.is_some() { "f" } else { "t" })
                .maybe_ts(a.deactivated_at)
                .ts(a.created_at)
                .ts(updated)
                .end();
            let created = Event {
                at: a.created_at,
                actor: (i != admin).then_some(admin),
                entity_type: "account",
                entity_id: a.id,
                action: "created",
                changes: added(&[
                    ("email", json!(a.email)),
                    ("display_name", json!(a.display_name)),
                    ("role", json!(a.role)),
                    ("active", json!(true)),
                ]),
            };
            self.event(&created, ids);
            if let Some(gone) = a.deactivated_at {
                let left = Event {
                    at: gone,
                    actor: Some(admin),
                    entity_type: "account",
                    entity_id: a.id,
                    action: "deactivated",
                    changes: json!({ "active": { "before": true, "after": false } }),
                };
                self.event(&left, ids);
            }
        }
    }

    /// The rows of `b`, its state's `versions` among them.
    fn bundle(&mut self, b: &Bundle, people: &People, versions: &[Version]) {
        let ids = |i: usize| people.accounts[i].id;
        let p = &b.project;
        let current_since = versions.last().map_or(p.created_at, |v| v.valid_from);
        self.projects
            .row()
            .plain(p.id)
            .text(&p.name)
            .text(p.team)
            .text(&p.summary)
            .text(&p.problem_statement)
            .text(&p.success_metric)
            .text(&p.success_target)
            .text(&p.baseline_metric)
            .text(&p.baseline_method)
            .text(&p.data_readiness)
            .text(&p.fallback_plan)
            .text(&p.monitoring_owner)
            .plain(TIERS[p.risk_tier])
            .plain(STAGES[p.stage])
            .plain(p.status)
            .ts(p.stage_entered_at)
            .plain(1)
            .plain(ids(p.created_by))
            .plain(ids(p.updated_by))
            .ts(p.created_at)
            .ts(p.updated_at)
            .ts(current_since)
            .plain(&self.xact)
            .end();
        for o in &b.owners {
            self.stage_owners
                .row()
                .plain(p.id)
                .plain(STAGES[o.stage])
                .plain(ids(o.owner))
                .plain(ids(o.assigned_by))
                .ts(o.assigned_at)
                .ts(o.assigned_at)
                .ts(o.assigned_at)
                .end();
        }
        for h in &b.handoffs {
            self.ownership_changes
                .row()
                .plain(p.id)
                .plain(STAGES[h.stage])
                .maybe(h.from.map(ids))
                .plain(ids(h.to))
                .plain(ids(h.by))
                .ts(h.at)
                .ts(h.at)
                .ts(h.at)
                .end();
        }
        for m in &b.moves {
            self.stage_moves
                .row()
                .plain(p.id)
                .plain(STAGES[m.from])
                .plain(STAGES[m.to])
                .text(m.note)
                .plain(ids(m.by))
                .ts(m.at)
                .ts(m.at)
                .ts(m.at)
                .end();
        }
        for d in &b.demos {
            self.demos
                .row()
                .plain(d.id)
                .plain(p.id)
                .plain(d.held_on)
                .text(&d.summary)
                .text(&d.attendees)
                .plain(d.outcome)
                .text(&d.link)
                .plain(ids(d.author))
                .withdrawal(d.withdrawn, ids)
                .ts(d.created_at)
                .ts(d.withdrawn.map_or(d.created_at, |w| w.at))
                .end();
        }
        for e in &b.evidence {
            self.evidence
                .row()
                .plain(e.id)
                .plain(p.id)
                .plain(e.kind)
                .text(&e.title)
                .text(&e.findings)
                .plain(e.participants)
                .plain(e.held_on)
                .text(&e.link)
                .plain(ids(e.author))
                .withdrawal(e.withdrawn, ids)
                .ts(e.created_at)
                .ts(e.withdrawn.map_or(e.created_at, |w| w.at))
                .end();
        }
        for s in &b.signoffs {
            self.signoffs
                .row()
                .plain(s.id)
                .plain(p.id)
                .text(s.method)
                .text(&s.summary)
                .plain(s.decision)
                .plain(s.decided_on)
                .plain(ids(s.approver))
                .withdrawal(s.withdrawn, ids)
                .ts(s.created_at)
                .ts(s.withdrawn.map_or(s.created_at, |w| w.at))
                .end();
        }
        for r in &b.reviews {
            self.reviews
                .row()
                .plain(r.id)
                .plain(p.id)
                .plain(TIERS[r.tier])
                .text(&r.findings)
                .plain(r.decision)
                .plain(r.reviewed_on)
                .plain(r.next_review_on)
                .plain(ids(r.reviewer))
                .withdrawal(r.withdrawn, ids)
                .ts(r.created_at)
                .ts(r.withdrawn.map_or(r.created_at, |w| w.at))
                .end();
        }
        for o in &b.overrides {
            let missing: Vec<String> = o
                .missing
                .iter()
                .map(|m| format!("\"{}\"", m.replace('\\', "\\\\").replace('"', "\\\"")))
                .collect();
            self.overrides
                .row()
                .plain(p.id)
                .plain(STAGES[o.stage])
                .text(&format!("{{{}}}", missing.join(",")))
                .text(o.justification)
                .plain(ids(o.by))
                .ts(o.at)
                .ts(o.at)
                .ts(o.at)
                .end();
        }
        for e in &b.events {
            self.event(e, ids);
        }
        self.history(b, people, versions);
    }

    /// Every one of `b`'s `versions` but the current one (the project row's), each with its
    /// signals as the app's `store` writes them.
    fn history(&mut self, b: &Bundle, people: &People, versions: &[Version]) {
        let ids = |i: usize| people.accounts[i].id;
        let p = &b.project;
        for version in versions {
            let Some(valid_to) = version.valid_to else {
                continue;
            };
            let state = &version.state;
            let s = &state.signals;
            self.history
                .row()
                .plain(p.id)
                .ts(version.valid_from)
                .ts(valid_to)
                .plain(state.stage)
                .plain(state.status)
                .text(p.team)
                .plain(TIERS[p.risk_tier])
                .maybe(state.owner.map(ids))
                .ts(state.stage_entered_at)
                .maybe(s.ownerless_on)
                .maybe(s.stalled_on)
                .maybe(s.demo_overdue_on)
                .maybe(s.review_overdue_on)
                .maybe(s.gate_gap_on)
                .maybe(s.onset_of(Severity::Red))
                .maybe(s.onset_of(Severity::Amber))
                .maybe_text(s.ownerless_reason.as_deref())
                .maybe_text(s.gate_gap_reason.as_deref())
                .plain(s.progress_on)
                .maybe(s.last_demo_on)
                .maybe(s.review_due_on)
                .end();
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Word lists.

const FIRST_NAMES: &[&str] = &[
    "Ada",
    "Aisha",
    "Alejandro",
    "Amara",
    "Anders",
    "Ana",
    "Arjun",
    "Beatriz",
    "Ben",
    "Carlos",
    "Chen",
    "Chloe",
    "Daniel",
    "Dara",
    "Elena",
    "Emeka",
    "Eva",
    "Fatima",
    "Felix",
    "Grace",
    "Hana",
    "Hugo",
    "Ines",
    "Ivan",
    "Jamal",
    "Jana",
    "Jonas",
    "Julia",
    "Kai",
    "Kofi",
    "Lars",
    "Leila",
    "Liam",
    "Lucia",
    "Maya",
    "Mateo",
    "Mei",
    "Nadia",
    "Niamh",
    "Noah",
    "Olga",
    "Omar",
    "Priya",
    "Rafael",
    "Rosa",
    "Sam",
    "Sara",
    "Sofia",
    "Tariq",
    "Tom",
    "Uma",
    "Victor",
    "Wei",
    "Yara",
    "Yusuf",
    "Zoe",
];
const LAST_NAMES: &[&str] = &[
    "Adeyemi",
    "Andersen",
    "Bauer",
    "Brennan",
    "Castro",
    "Chowdhury",
    "Costa",
    "Dubois",
    "Eriksen",
    "Fischer",
    "Garcia",
    "Gupta",
    "Haddad",
    "Hansen",
    "Ibrahim",
    "Ito",
    "Jensen",
    "Kim",
    "Kowalski",
    "Larsen",
    "Lee",
    "Lopez",
    "Mahmoud",
    "Martin",
    "Mensah",
    "Moreau",
    "Murphy",
    "Nakamura",
    "Novak",
    "Okafor",
    "Olsen",
    "Patel",
    "Petrov",
    "Quinn",
    "Rossi",
    "Santos",
    "Schmidt",
    "Shah",
    "Silva",
    "Singh",
    "Suzuki",
    "Tanaka",
    "Torres",
    "Nguyen",
    "Varga",
    "Wagner",
    "Walsh",
    "Wong",
    "Yilmaz",
    "Zhang",
];
const TEAMS: [&str; 30] = [
    "Fraud Analytics",
    "Pricing",
    "Credit Risk",
    "Customer Insights",
    "Marketing Science",
    "Supply Chain",
    "Claims Operations",
    "Underwriting",
    "Customer Service",
    "Payments",
    "Growth",
    "Search & Discovery",
    "Recommendations",
    "Logistics",
    "Demand Planning",
    "People Analytics",
    "Finance Planning",
    "Compliance",
    "Cyber Security",
    "Collections",
    "Retail Banking",
    "Wealth Management",
    "Procurement",
    "Field Operations",
    "Energy Trading",
    "Network Operations",
    "Product Analytics",
    "Legal Operations",
    "Sales Operations",
    "Quality Engineering",
];
/// Bigger teams run more projects.
const TEAM_WEIGHTS: [u32; 30] = [
    60, 55, 52, 48, 45, 42, 40, 38, 36, 34, 32, 30, 28, 27, 26, 25, 24, 23, 22, 21, 20, 19, 18, 17, 16, 15,
    14, 13, 12, 11,
];
const SUBJECTS: &[&str] = &[
    "Churn",
    "Fraud",
    "Demand",
    "Claims",
    "Credit Limit",
    "Invoice",
    "Call Transcript",
    "Price Elasticity",
    "Supplier Risk",
    "Route",
    "Inventory",
    "Lead",
    "Support Ticket",
    "Contract",
    "Returns",
    "Warranty",
    "Energy Load",
    "Payment Default",
    "Customer Lifetime Value",
    "Transaction Anomaly",
    "Shift",
    "Document",
    "Product Image",
    "Complaint",
    "Chargeback",
    "Cash Flow",
    "Attrition",
    "Maintenance",
    "Card Spend",
    "Mortgage",
    "Promotion",
    "Store Traffic",
    "Delivery Time",
    "Insurance Quote",
    "Email Intent",
    "Sanctions Screening",
    "Network Outage",
    "Basket",
    "Loyalty",
    "Spare Parts",
];
const TASKS: &[&str] = &[
    "Forecaster",
    "Scoring",
    "Triage",
    "Classifier",
    "Recommender",
    "Early Warning",
    "Summariser",
    "Optimiser",
    "Detector",
    "Extraction",
    "Segmentation",
    "Assistant",
    "Propensity Model",
    "Matching",
    "Ranking",
    "Prioritisation",
    "Risk Model",
    "Routing",
    "Tagging",
    "Nowcast",
    "Copilot",
    "Deduplication",
    "Alerting",
    "Estimator",
    "Insights",
];
const CODENAMES: &[&str] = &[
    "Atlas", "Beacon", "Cobalt", "Delta", "Ember", "Falcon", "Granite", "Harbor", "Iris", "Juniper",
    "Kestrel", "Lumen", "Meridian", "Nimbus", "Onyx", "Polaris", "Quartz", "Raven", "Sierra", "Tundra",
    "Umbra", "Vega", "Willow", "Xenon", "Yukon", "Zephyr", "Aurora", "Basalt", "Cedar", "Drift", "Echo",
    "Fjord", "Glacier", "Helix", "Indigo", "Jade", "Kite", "Lotus", "Magnet", "Nova",
];
const USERS: &[&str] = &[
    "claims handlers",
    "fraud investigators",
    "analysts",
    "store managers",
    "planners",
    "underwriters",
    "contact-centre agents",
    "relationship managers",
    "dispatchers",
    "buyers",
    "collectors",
    "compliance officers",
    "traders",
    "field engineers",
    "account managers",
];
const PROBLEMS: &[&str] = &[
    "{u} in {t} sort {s} cases by hand; a case waits {n} hours before anyone looks at it.",
    "{t} reacts to {s} problems after the fact; {u} want a warning {n} days earlier.",
    "{u} spend about {n}% of their week on {s} work that follows the same few patterns.",
    "Decisions on {s} differ between {u}; the same case gets different answers on different days.",
    "The current {s} rules in {t} flag too much: {u} dismiss {n} of every 50 alerts.",
];
const METRICS: &[&str] = &[
    "Share of {s} cases handled without manual review",
    "Hours from a {s} case arriving to a decision",
    "Precision of {s} alerts at the current alert volume",
    "Forecast error (MAPE) for {s}, weekly, by region",
    "Hours per week {u} spend on {s} work",
];
const TARGETS: &[&str] = &[
    "At least {n}% better than the baseline within two quarters",
    "Halve the baseline by the end of the pilot",
    "{n}% improvement on the baseline, with no drop in quality scores",
    "Within {n}% of what the best {u} achieve today",
];
const BASELINES: &[&str] = &[
    "{n}% of {s} cases handled without manual review today",
    "{n} hours median from arrival to decision",
    "Precision 0.{n} at today's alert volume",
    "MAPE {n}% over the last four quarters",
];
const BASELINE_METHODS: &[&str] = &[
    "Measured over {n} weeks of production logs from {t}",
    "Sampled {n}0 cases and timed them with {u}",
    "Back-tested the current rules on the last {n} months of labelled outcomes",
    "From the {t} operations dashboard, averaged over {n} weeks",
];
const READINESS: &[&str] = &[
    "{n} months of labelled history in the {t} warehouse; access approved; labels audited on a sample.",
    "Event data streams into the lake daily; {n}% of records need a fix to the customer key first.",
    "Historical {s} outcomes are complete since 2023; personal data is pseudonymised and approved for use.",
    "Training data extracted and versioned; the data owner in {t} signed the data-sharing agreement.",
];
const FALLBACKS: &[&str] = &[
    "Switch the model off with the feature flag; {u} go back to the current rules within an hour.",
    "If scores drift past the agreed bound, traffic returns to the previous model version automatically.",
    "Cases the model is unsure about go to {u} as today; a kill switch sends everything to them.",
    "Roll back to the last approved model from the registry; the manual process stays staffed for {n} days.",
];
const RESEARCH_KINDS: [&str; 6] = [
    "interview",
    "survey",
    "usability_test",
    "shadowing",
    "data_analysis",
    "other",
];
const RESEARCH_TITLES: &[&str] = &[
    "Interviews with {u} about {s} work",
    "Survey of {u} on where {s} decisions go wrong",
    "Shadowing {u} for a week",
    "Usability test of the {s} prototype",
    "Analysis of {n} months of {s} outcomes",
    "Workshop with {t} on the {s} process",
];
const RESEARCH_FINDINGS: &[&str] = &[
    "{u} trust a score only when they can see why; most time goes to gathering context, not deciding.",
    "{n}% of cases are routine; the hard ones need a person and more context, not a faster answer.",
    "The biggest delay is hand-offs between teams, not the decision itself.",
    "{u} already keep their own spreadsheets to prioritise; they would drop them for a ranked queue.",
    "Users want fewer, better alerts; they ignore anything below the top {n}.",
];
const DEMO_SUMMARIES: &[&str] = &[
    "Walked through the latest {s} results on real cases; {u} found {n} useful hits and two false alarms.",
    "Showed the new explanation panel; feedback: clearer reasons, fewer columns.",
    "Demoed the prototype in the {t} workflow; agreed to widen the pilot next month.",
    "Reviewed accuracy against the baseline; still below target on the smallest segment.",
    "Live run on last week's {s} data; latency fine, two data-quality issues found.",
    "Presented the monitoring dashboard and the rollback drill to {t}.",
];
const PIVOT_NOTES: &[&str] = &[
    "Users did not trust the scores; back to rework the problem framing with them.",
    "The data turned out not to support the target; going back to redefine the metric.",
    "Pilot showed the real bottleneck is elsewhere; stepping back to re-scope.",
    "Model-risk review asked for a simpler model; returning to rebuild it.",
    "Sponsor changed; revisiting the success metric with the new owner.",
];
const JUSTIFICATIONS: &[&str] = &[
    "Regulatory deadline; the missing item is scheduled for the next sprint and tracked by the owner.",
    "Approved by the steering committee as a time-boxed exception while the evidence is written up.",
    "The work was done but recorded elsewhere; it will be entered here within two weeks.",
];
const WITHDRAW_REASONS: &[&str] = &[
    "Logged against the wrong project.",
    "Superseded: the findings were re-done with a proper sample.",
    "Recorded twice by mistake.",
    "The evidence did not hold up on review.",
];
const METHODS: &[&str] = &[
    "SHAP",
    "LIME",
    "Anchors",
    "Counterfactual explanations",
    "Interpretable model (GAM)",
    "Partial dependence plots",
    "Integrated gradients",
];
const SIGNOFF_REMARKS: &[&str] = &[
    "no proxy for protected attributes found.",
    "explanations were tested with users and understood.",
    "one feature needs a plain-language label before go-live.",
    "reason codes are stable across retraining runs.",
];
const SIGNOFF_DECISIONS: [&str; 3] = ["approved", "changes_requested", "rejected"];
const REVIEW_DECISIONS: [&str; 3] = ["approved", "approved_with_conditions", "rejected"];
const REVIEW_FINDINGS: &[&str] = &[
    "Validation on out-of-time data holds; performance monitoring and a drift alert are in place.",
    "Conditions: add a challenger model and report stability monthly to {t}.",
    "Concentration risk on one data source; the fallback covers it. Bias tests passed.",
    "Documentation complete; limits of use agreed with {u}; retraining cadence set to {n} weeks.",
];

/// Gates that can be left unmet on purpose, per stage after define, with the gate's wording.
const GAPS: [&[(GapKind, &str)]; 3] = [
    &[
        (
            GapKind::Field("success_target"),
            "A target for the success metric",
        ),
        (GapKind::Research, "At least one piece of user-research evidence"),
    ],
    &[
        (GapKind::Field("baseline_method"), "How the baseline was measured"),
        (
            GapKind::Field("data_readiness"),
            "A data-readiness statement: the data exists, is accessible and is fit for use",
        ),
        (GapKind::Demo, "At least one demo checkpoint held"),
    ],
    &[
        (
            GapKind::Field("fallback_plan"),
            "A fallback plan: what happens when the model is wrong or switched off",
        ),
        (
            GapKind::Field("monitoring_owner"),
            "A named monitoring owner for the model in production",
        ),
        (
            GapKind::Signoff,
            "An approved explainability sign-off by someone other than the owner",
        ),
        (
            GapKind::Review,
            "An approved model-risk review by an independent reviewer",
        ),
    ],
];

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
                assert_eq!(owner.role, "editor");
                assert!(owner.active_at(o.assigned_at), "assigned while active");
            }
            for r in &b.reviews {
                assert!(r.next_review_on > r.reviewed_on);
                assert_eq!(people.accounts[r.reviewer].role, "reviewer");
            }
            for s in &b.signoffs {
                assert_eq!(people.accounts[s.approver].role, "reviewer");
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
