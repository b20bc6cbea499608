//! Computing and storing health signals (server only).
//!
//! Every write that can move a project's signals calls [`refresh`] in its own transaction,
//! after its change and before its commit: the facts are read back, the pure rules
//! ([`super::signals`]) run, and a changed result closes the current history row and opens the
//! next. Readers never run the rules; they compare the stored onsets with their day.

use super::{signals, GateGapFacts, HealthFacts, OwnerFact, Severity, Signals, Thresholds};
use crate::projects::gate::{missing, GateFacts, GateItem, RecordFacts};
use crate::projects::material::{self, MaterialChange};
use crate::projects::stage::{Stage, Status};
use chrono::NaiveDate;
use sqlx::{PgConnection, PgExecutor};
use uuid::Uuid;

/// The thresholds admins have set.
pub async fn thresholds(db: impl PgExecutor<'_>) -> sqlx::Result<Thresholds> {
    let row = sqlx::query!(
        "select demo_cadence_days, stall_days, review_months_high, review_months_medium, review_months_low,
                continue_loop_demos
         from health_settings"
    )
    .fetch_one(db)
    .await?;
    let months = |m: i32| u32::try_from(m).unwrap_or(1);
    Ok(Thresholds {
        demo_cadence_days: i64::from(row.demo_cadence_days),
        stall_days: i64::from(row.stall_days),
        review_months_high: months(row.review_months_high),
        review_months_medium: months(row.review_months_medium),
        review_months_low: months(row.review_months_low),
        continue_loop_demos: months(row.continue_loop_demos),
    })
}

/// Everything the rules look at for one project, as read from the database.
pub struct ProjectFacts {
    pub id: Uuid,
    /// The current stage's owner, if any (active or not).
    pub owner_id: Option<Uuid>,
    pub records: RecordFacts,
    pub health: HealthFacts,
    /// Approvals that would count but for a material change since: the item, who gave the
    /// approval, and the change that voided it.
    pub voided: Vec<(GateItem, Uuid, MaterialChange)>,
}

/// The facts of each of `ids` (missing projects are left out), read set-based: one statement
/// whatever the number of projects.
///
/// The latest sign-off and the latest review decide: a later refusal supersedes an approval,
/// and a material change since voids it ([`material::voiding`]).
pub async fn facts(db: impl PgExecutor<'_>, ids: &[Uuid]) -> sqlx::Result<Vec<ProjectFacts>> {
    let rows = sqlx::query!(
        r#"
        select p.id, p.status as "status: Status", p.stage as "stage: Stage",
               p.created_at, p.stage_entered_at,
               p.problem_statement, p.success_metric, p.success_target, p.baseline_metric,
               p.baseline_method, p.data_readiness, p.fallback_plan, p.monitoring_owner,
               so.owner_id as "owner_id?", o.display_name as "owner_name?", o.deactivated_at as "owner_deactivated_at?",
               d.demos as "demos!", d.last_demo, d.demo_withdrawn,
               r.research as "research!", r.research_withdrawn, r.last_research,
               coalesce(s.decision = 'approved' and s.approver_id is distinct from so.owner_id, false)
                 as "signoff!",
               s.approver_id as "signoff_by?", s.created_at as "signoff_at?",
               v.reviewer_id as "review_by?", v.created_at as "review_at?",
               sw.signoff_withdrawn,
               coalesce(v.decision in ('approved', 'approved_with_conditions')
                 and v.reviewer_id is distinct from so.owner_id
                 and (p.risk_tier <> 'high' or not exists (
                       select 1 from ownership_changes c
                        where c.project_id = p.id and c.to_owner_id = v.reviewer_id)), false) as "review!",
               v.next_review_on as "review_due?",
               vw.review_withdrawn,
               exists (select 1 from gate_overrides g where g.project_id = p.id and g.stage = p.stage)
                 as "overridden!",
               exists (select 1 from gate_overrides g
                       where g.project_id = p.id and g.stage = p.stage and g.imported) as "imported!",
               coalesce((select jsonb_agg(jsonb_build_object(
                           'id', m.id, 'kind', m.kind, 'at', m.changed_at, 'stage', m.stage,
                           'before', m.before, 'after', m.after,
                           'acknowledged', m.acknowledged_at is not null) order by m.changed_at, m.id)
                         from material_changes m where m.project_id = p.id), '[]') as "changes!",
               coalesce((select jsonb_agg(jsonb_build_array(dm.held_on, dm.outcome) order by dm.held_on, dm.created_at)
                         from demo_checkpoints dm
                         where dm.project_id = p.id and dm.withdrawn_at is null
                           and dm.held_on >= (p.stage_entered_at at time zone 'UTC')::date), '[]') as "demos_in_stage!",
               coalesce((select jsonb_agg(jsonb_build_object('text', c.text, 'owner', ca.display_name, 'due_on', c.due_on)
                                          order by c.due_on, c.created_at)
                         from review_conditions c
                         join risk_reviews rr on rr.id = c.review_id and rr.withdrawn_at is null
                         join accounts ca on ca.id = c.owner_id
                         where c.project_id = p.id and c.status = 'open'), '[]') as "open_conditions!"
        from projects p
        left join stage_owners so on so.project_id = p.id and so.stage = p.stage
        left join accounts o on o.id = so.owner_id
        cross join lateral (
          select count(*) filter (where withdrawn_at is null) as demos,
                 max(held_on) filter (where withdrawn_at is null) as last_demo,
                 max(withdrawn_at) as demo_withdrawn
          from demo_checkpoints where project_id = p.id) d
        cross join lateral (
          select count(*) filter (where withdrawn_at is null) as research,
                 max(held_on) filter (where withdrawn_at is null) as last_research,
                 max(withdrawn_at) as research_withdrawn
          from research_evidence where project_id = p.id) r
        left join lateral (
          select decision, approver_id, created_at from explainability_signoffs
          where project_id = p.id and withdrawn_at is null
          order by decided_on desc, created_at desc limit 1) s on true
        cross join lateral (
          select max(withdrawn_at) as signoff_withdrawn from explainability_signoffs
          where project_id = p.id) sw
        left join lateral (
          select decision, reviewer_id, next_review_on, created_at from risk_reviews
          where project_id = p.id and withdrawn_at is null
          order by reviewed_on desc, created_at desc limit 1) v on true
        cross join lateral (
          select max(withdrawn_at) as review_withdrawn from risk_reviews
          where project_id = p.id) vw
        where p.id = any($1)
        "#,
        ids
    )
    .fetch_all(db)
    .await?;
    Ok(rows
        .into_iter()
        .map(|row| {
            // Stored by this program: a row it cannot read back counts as no change.
            let changes: Vec<MaterialChange> = serde_json::from_value(row.changes).unwrap_or_default();
            let void = |counts: bool, by: Option<Uuid>, at: Option<chrono::DateTime<chrono::Utc>>, item| {
                let (by, at) = (by?, at?);
                counts
                    .then(|| material::voiding(&changes, at))
                    .flatten()
                    .map(|change| (item, by, change.clone()))
            };
            let voided: Vec<(GateItem, Uuid, MaterialChange)> = [
                void(
                    row.signoff,
                    row.signoff_by,
                    row.signoff_at,
                    GateItem::ExplainabilitySignoff,
                ),
                void(
                    row.review,
                    row.review_by,
                    row.review_at,
                    GateItem::ModelRiskReview,
                ),
            ]
            .into_iter()
            .flatten()
            .collect();
            let is_voided = |item: GateItem| voided.iter().any(|(i, _, _)| *i == item);
            let stale_research = material::last_pivot_before(&changes, Stage::Build)
                .is_some_and(|pivot| row.last_research.is_none_or(|held| held < pivot));
            let records = RecordFacts {
                research: u32::try_from(row.research).unwrap_or(u32::MAX),
                demos: u32::try_from(row.demos).unwrap_or(u32::MAX),
                independent_signoff: row.signoff && !is_voided(GateItem::ExplainabilitySignoff),
                independent_review: row.review && !is_voided(GateItem::ModelRiskReview),
                stale_research,
            };
            let gate_facts = GateFacts {
                records,
                problem_statement: &row.problem_statement,
                success_metric: &row.success_metric,
                success_target: &row.success_target,
                baseline_metric: &row.baseline_metric,
                baseline_method: &row.baseline_method,
                data_readiness: &row.data_readiness,
                fallback_plan: &row.fallback_plan,
                monitoring_owner: &row.monitoring_owner,
            };
            let withdrawn = [
                (GateItem::UserResearch, row.research_withdrawn),
                (GateItem::DemoHeld, row.demo_withdrawn),
                (GateItem::ExplainabilitySignoff, row.signoff_withdrawn),
                (GateItem::ModelRiskReview, row.review_withdrawn),
            ]
            .into_iter()
            .filter_map(|(item, at)| at.map(|at| (item, at.date_naive())))
            .collect();
            let health = HealthFacts {
                status: row.status,
                created_on: row.created_at.date_naive(),
                stage_entered_on: row.stage_entered_at.date_naive(),
                stage_label: row.stage.label(),
                owner: row.owner_name.map(|name| OwnerFact {
                    name,
                    deactivated_on: row.owner_deactivated_at.map(|at| at.date_naive()),
                }),
                last_demo_on: row.last_demo,
                review_due_on: row.review_due,
                material: changes.clone(),
                demos_in_stage: serde_json::from_value(row.demos_in_stage).unwrap_or_default(),
                open_conditions: serde_json::from_value(row.open_conditions).unwrap_or_default(),
                gate: GateGapFacts {
                    unmet: missing(row.stage, &gate_facts),
                    overridden: row.overridden,
                    imported: row.imported,
                    withdrawn,
                    voided: voided
                        .iter()
                        .map(|(item, _, change)| (*item, change.on(), change.describe()))
                        .collect(),
                },
            };
            ProjectFacts {
                id: row.id,
                owner_id: row.owner_id,
                records,
                health,
                voided,
            }
        })
        .collect())
}

/// Recomputes the signals of `ids` and stores those that changed, in the caller's transaction.
/// The caller holds the projects' row locks (every write locks its project first).
pub async fn refresh(tx: &mut PgConnection, ids: &[Uuid]) -> sqlx::Result<()> {
    let limits = thresholds(&mut *tx).await?;
    let computed: Vec<Computed> = facts(&mut *tx, ids)
        .await?
        .into_iter()
        .map(|f| Computed {
            id: f.id,
            owner_id: f.owner_id,
            signals: signals(&f.health, &limits),
        })
        .collect();
    store(tx, &computed).await
}

/// One project's freshly computed signals, with the stage owner they were computed with.
struct Computed {
    id: Uuid,
    owner_id: Option<Uuid>,
    signals: Signals,
}

/// Writes `computed` as the current signals: a project whose signals (or stage owner) changed
/// has its current version closed and the next one opened, at one instant, by the database's
/// `projects_keep_history` trigger; an unchanged one is left alone.
async fn store(tx: &mut PgConnection, computed: &[Computed]) -> sqlx::Result<()> {
    if computed.is_empty() {
        return Ok(());
    }
    macro_rules! column {
        ($field:ident) => {
            computed
                .iter()
                .map(|c| c.signals.$field.clone())
                .collect::<Vec<_>>()
        };
    }
    let ids: Vec<Uuid> = computed.iter().map(|c| c.id).collect();
    let owners: Vec<Option<Uuid>> = computed.iter().map(|c| c.owner_id).collect();
    let red: Vec<Option<NaiveDate>> = computed
        .iter()
        .map(|c| c.signals.onset_of(Severity::Red))
        .collect();
    let flagged: Vec<Option<NaiveDate>> = computed
        .iter()
        .map(|c| c.signals.onset_of(Severity::Amber))
        .collect();
    sqlx::query!(
        r#"
        select store_signals($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16,
                             $17, $18, $19, $20)
        "#,
        &ids,
        &owners as &[Option<Uuid>],
        &column!(ownerless_on) as &[Option<NaiveDate>],
        &column!(stalled_on) as &[Option<NaiveDate>],
        &column!(demo_overdue_on) as &[Option<NaiveDate>],
        &column!(review_overdue_on) as &[Option<NaiveDate>],
        &column!(gate_gap_on) as &[Option<NaiveDate>],
        &column!(conditions_overdue_on) as &[Option<NaiveDate>],
        &column!(goal_drift_on) as &[Option<NaiveDate>],
        &column!(continue_loop_on) as &[Option<NaiveDate>],
        &red as &[Option<NaiveDate>],
        &flagged as &[Option<NaiveDate>],
        &column!(ownerless_reason) as &[Option<String>],
        &column!(gate_gap_reason) as &[Option<String>],
        &column!(conditions_overdue_reason) as &[Option<String>],
        &column!(goal_drift_reason) as &[Option<String>],
        &column!(continue_loop_reason) as &[Option<String>],
        &column!(progress_on),
        &column!(last_demo_on) as &[Option<NaiveDate>],
        &column!(review_due_on) as &[Option<NaiveDate>],
    )
    .execute(&mut *tx)
    .await?;
    Ok(())
}

/// How many projects one statement of a whole-portfolio refresh covers.
const BATCH: i64 = 2_000;

/// Recomputes every project's signals (after the thresholds changed), in the caller's
/// transaction, a batch at a time; returns how many projects were looked at.
pub async fn refresh_all(tx: &mut PgConnection) -> sqlx::Result<u64> {
    let mut after = Uuid::nil();
    let mut seen = 0u64;
    loop {
        let ids = sqlx::query_scalar!(
            "select id from projects where id > $1 order by id limit $2 for update",
            after,
            BATCH
        )
        .fetch_all(&mut *tx)
        .await?;
        let Some(last) = ids.last() else {
            return Ok(seen);
        };
        after = *last;
        seen += ids.len() as u64;
        refresh(tx, &ids).await?;
    }
}

/// Stores new thresholds, audited, and recomputes every project's signals with them, all in
/// one transaction (a few seconds for 100,000 projects), so no page ever mixes old and new.
/// Returns how many projects were looked at.
pub async fn change_thresholds(pool: &sqlx::PgPool, actor: Uuid, new: Thresholds) -> sqlx::Result<u64> {
    let int = |n: i64| i32::try_from(n).unwrap_or(i32::MAX);
    let months = |m: u32| i32::try_from(m).unwrap_or(i32::MAX);
    let mut tx = pool.begin().await?;
    let before = thresholds(&mut *tx).await?;
    sqlx::query!(
        "update health_settings set demo_cadence_days = $1, stall_days = $2, review_months_high = $3,
                review_months_medium = $4, review_months_low = $5, continue_loop_demos = $6",
        int(new.demo_cadence_days),
        int(new.stall_days),
        months(new.review_months_high),
        months(new.review_months_medium),
        months(new.review_months_low),
        months(new.continue_loop_demos),
    )
    .execute(&mut *tx)
    .await?;
    let after = thresholds(&mut *tx).await?;
    let changes = serde_json::json!({
        "thresholds": { "before": serde_json::to_value(before).unwrap_or_default(),
                        "after": serde_json::to_value(after).unwrap_or_default() }
    });
    crate::audit::record(
        &mut *tx,
        Some(actor),
        "settings",
        Uuid::nil(),
        "thresholds_changed",
        changes,
    )
    .await?;
    let projects = refresh_all(&mut tx).await?;
    tx.commit().await?;
    Ok(projects)
}

/// The version of the rules in this program. Raise it when a rule concludes something else from
/// the same facts (a new flag, a new gate item): the server then recomputes every project once.
pub const RULES_VERSION: i32 = 2;

/// Records that the stored signals follow this program's rules (after a whole recompute).
pub async fn mark_rules_current(tx: &mut PgConnection) -> sqlx::Result<()> {
    sqlx::query!("update signals_rules set version = $1", RULES_VERSION)
        .execute(&mut *tx)
        .await?;
    Ok(())
}

/// Recomputes every project's signals once when they were computed with older rules (one
/// transaction, as a threshold change does), and marks the flags that appear only because a
/// rule changed as already announced: the facts did not change, so they are not news. Returns
/// how many projects were looked at (none when the rules are current).
pub async fn upgrade_rules(conn: &mut PgConnection, today: NaiveDate) -> sqlx::Result<u64> {
    use sqlx::Connection;
    let mut tx = conn.begin().await?;
    let version = sqlx::query_scalar!("select version from signals_rules for update")
        .fetch_one(&mut *tx)
        .await?;
    if version >= RULES_VERSION {
        return Ok(0);
    }
    let seen = refresh_all(&mut tx).await?;
    sqlx::query!(
        r#"
        insert into flags_announced (project_id, code, since)
        select p.id, f.code, f.since
        from projects p
        cross join lateral (values
            ('ownerless', p.ownerless_on), ('stalled', p.stalled_on),
            ('demo_overdue', p.demo_overdue_on), ('review_overdue', p.review_overdue_on),
            ('gate_gap', p.gate_gap_on), ('conditions_overdue', p.conditions_overdue_on),
            ('goal_drift', p.goal_drift_on), ('continue_loop', p.continue_loop_on)
        ) f (code, since)
        where f.since <= $1
        on conflict (project_id, code) do nothing
        "#,
        today
    )
    .execute(&mut *tx)
    .await?;
    mark_rules_current(&mut tx).await?;
    tx.commit().await?;
    Ok(seen)
}

/// Gives every project without signals its first ones: projects that existed before signals
/// were stored, or were written by hand. Run before the server serves; returns how many.
pub async fn backfill(conn: &mut PgConnection) -> sqlx::Result<u64> {
    use sqlx::Connection;
    let mut filled = 0u64;
    loop {
        let mut tx = conn.begin().await?;
        let ids = sqlx::query_scalar!(
            r#"
            select p.id from projects p
            where p.signals_from is null
            order by p.id limit $1
            for update of p skip locked
            "#,
            BATCH
        )
        .fetch_all(&mut *tx)
        .await?;
        if ids.is_empty() {
            return Ok(filled);
        }
        filled += ids.len() as u64;
        refresh(&mut tx, &ids).await?;
        tx.commit().await?;
    }
}

/// A stored row of signals.
struct Stored {
    project_id: Uuid,
    ownerless_on: Option<NaiveDate>,
    ownerless_reason: Option<String>,
    stalled_on: Option<NaiveDate>,
    progress_on: NaiveDate,
    demo_overdue_on: Option<NaiveDate>,
    last_demo_on: Option<NaiveDate>,
    created_on: NaiveDate,
    review_overdue_on: Option<NaiveDate>,
    review_due_on: Option<NaiveDate>,
    gate_gap_on: Option<NaiveDate>,
    gate_gap_reason: Option<String>,
    conditions_overdue_on: Option<NaiveDate>,
    conditions_overdue_reason: Option<String>,
    goal_drift_on: Option<NaiveDate>,
    goal_drift_reason: Option<String>,
    continue_loop_on: Option<NaiveDate>,
    continue_loop_reason: Option<String>,
}

impl From<Stored> for (Uuid, Signals) {
    fn from(r: Stored) -> Self {
        let signals = Signals {
            ownerless_on: r.ownerless_on,
            ownerless_reason: r.ownerless_reason,
            stalled_on: r.stalled_on,
            progress_on: r.progress_on,
            demo_overdue_on: r.demo_overdue_on,
            last_demo_on: r.last_demo_on,
            created_on: r.created_on,
            review_overdue_on: r.review_overdue_on,
            review_due_on: r.review_due_on,
            gate_gap_on: r.gate_gap_on,
            gate_gap_reason: r.gate_gap_reason,
            conditions_overdue_on: r.conditions_overdue_on,
            conditions_overdue_reason: r.conditions_overdue_reason,
            goal_drift_on: r.goal_drift_on,
            goal_drift_reason: r.goal_drift_reason,
            continue_loop_on: r.continue_loop_on,
            continue_loop_reason: r.continue_loop_reason,
        };
        (r.project_id, signals)
    }
}

/// The current signals of each of `ids` (a project without any yet is left out).
pub async fn current(db: impl PgExecutor<'_>, ids: &[Uuid]) -> sqlx::Result<Vec<(Uuid, Signals)>> {
    let rows = sqlx::query_as!(
        Stored,
        r#"
        select id as project_id, ownerless_on, ownerless_reason, stalled_on, progress_on as "progress_on!",
               demo_overdue_on, last_demo_on, (created_at at time zone 'UTC')::date as "created_on!",
               review_overdue_on, review_due_on, gate_gap_on, gate_gap_reason,
               conditions_overdue_on, conditions_overdue_reason, goal_drift_on, goal_drift_reason,
               continue_loop_on, continue_loop_reason
        from projects
        where id = any($1) and signals_from is not null
        "#,
        ids,
    )
    .fetch_all(db)
    .await?;
    Ok(rows.into_iter().map(Into::into).collect())
}

/// The end of `day` (UTC), the instant a past day is read at: what stood then is what the
/// day ended with.
pub fn end_of(day: NaiveDate) -> chrono::DateTime<chrono::Utc> {
    day.succ_opt()
        .unwrap_or(day)
        .and_time(chrono::NaiveTime::MIN)
        .and_utc()
}

/// The signals each of `ids` had just before the instant `at`, from the history (a version
/// that ends at `at` is the one read, as `project_rows` reads a past day).
pub async fn as_of(
    db: impl PgExecutor<'_>,
    ids: &[Uuid],
    at: chrono::DateTime<chrono::Utc>,
) -> sqlx::Result<Vec<(Uuid, Signals)>> {
    let rows = sqlx::query_as!(
        Stored,
        r#"
        select id as "project_id!", ownerless_on, ownerless_reason, stalled_on, progress_on as "progress_on!",
               demo_overdue_on, last_demo_on, (created_at at time zone 'UTC')::date as "created_on!",
               review_overdue_on, review_due_on, gate_gap_on, gate_gap_reason,
               conditions_overdue_on, conditions_overdue_reason, goal_drift_on, goal_drift_reason,
               continue_loop_on, continue_loop_reason
        from projects
        where id = any($1) and signals_from < $2
        union all
        select h.project_id, h.ownerless_on, h.ownerless_reason, h.stalled_on, h.progress_on,
               h.demo_overdue_on, h.last_demo_on, (p.created_at at time zone 'UTC')::date,
               h.review_overdue_on, h.review_due_on, h.gate_gap_on, h.gate_gap_reason,
               h.conditions_overdue_on, h.conditions_overdue_reason, h.goal_drift_on, h.goal_drift_reason,
               h.continue_loop_on, h.continue_loop_reason
        from project_signals_history h join projects p on p.id = h.project_id
        where h.project_id = any($1) and h.valid_from < $2 and h.valid_to >= $2
        "#,
        ids,
        at,
    )
    .fetch_all(db)
    .await?;
    Ok(rows.into_iter().map(Into::into).collect())
}

/// The current signals of one project (default, flagless, if it has none yet).
pub async fn current_of(db: impl PgExecutor<'_>, id: Uuid) -> sqlx::Result<Signals> {
    Ok(current(db, &[id])
        .await?
        .into_iter()
        .next()
        .map(|(_, s)| s)
        .unwrap_or_default())
}
