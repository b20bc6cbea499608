//! Loading what the health rules need (server only).

use super::{flags, Flag, HealthFacts, OwnerFact, Thresholds};
use crate::projects::gate::{missing, RecordFacts};
use crate::projects::Project;
use chrono::NaiveDate;
use sqlx::PgExecutor;

/// The thresholds admins have set.
pub async fn thresholds(db: impl PgExecutor<'_>) -> sqlx::Result<Thresholds> {
    let row = sqlx::query!(
        "select demo_cadence_days, stall_days, review_months_high, review_months_medium, review_months_low
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
    })
}

/// The flags of one project on `today`.
pub async fn project_flags(
    db: &sqlx::PgPool,
    project: &Project,
    records: RecordFacts,
    today: NaiveDate,
    limits: &Thresholds,
) -> sqlx::Result<Vec<Flag>> {
    let row = sqlx::query!(
        r#"
        select o.display_name as "owner_name?", o.deactivated_at as "owner_deactivated_at?",
               (select max(d.held_on) from demo_checkpoints d
                 where d.project_id = p.id and d.withdrawn_at is null) as last_demo,
               (select v.next_review_on from risk_reviews v
                 where v.project_id = p.id and v.withdrawn_at is null
                 order by v.reviewed_on desc, v.created_at desc limit 1) as review_due,
               (select max(g.overridden_at) from gate_overrides g
                 where g.project_id = p.id and g.stage = p.stage) as overridden_at
        from projects p
        left join stage_owners so on so.project_id = p.id and so.stage = p.stage
        left join accounts o on o.id = so.owner_id
        where p.id = $1
        "#,
        project.id
    )
    .fetch_one(db)
    .await?;
    let stage_entered_on = project.stage_entered_at.date_naive();
    let unmet = missing(project.stage, &project.gate_facts(records));
    let gate_gap = (!unmet.is_empty()).then(|| {
        let how = if row.overridden_at.is_some() {
            "entered by an admin override"
        } else {
            "entered"
        };
        let items: Vec<String> = unmet.iter().map(|i| i.describe().to_lowercase()).collect();
        (
            stage_entered_on,
            format!("{} {how} without {}", project.stage.label(), items.join("; ")),
        )
    });
    let facts = HealthFacts {
        status: project.status,
        created_on: project.created_at.date_naive(),
        stage_entered_on,
        stage_label: project.stage.label(),
        owner: row.owner_name.map(|name| OwnerFact {
            name,
            deactivated_on: row.owner_deactivated_at.map(|at| at.date_naive()),
        }),
        last_demo_on: row.last_demo,
        review_due_on: row.review_due,
        gate_gap,
    };
    Ok(flags(&facts, today, limits))
}

/// Every project's flag codes on `today`, computed in SQL (the `project_health` function of
/// the migrations) — what lists filter by, the portfolio counts and the export writes.
/// Must agree with [`super::flags`] (tested over generated portfolios).
pub async fn flag_codes_sql(
    db: impl PgExecutor<'_>,
    today: NaiveDate,
) -> sqlx::Result<Vec<(uuid::Uuid, Vec<super::FlagCode>)>> {
    use super::FlagCode;
    let rows = sqlx::query!(
        r#"
        select project_id as "id!", ownerless as "ownerless!", stalled as "stalled!",
               demo_overdue as "demo_overdue!", review_overdue as "review_overdue!", gate_gap as "gate_gap!"
        from project_health($1)
        "#,
        today
    )
    .fetch_all(db)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| {
            let codes = [
                (r.ownerless, FlagCode::Ownerless),
                (r.stalled, FlagCode::Stalled),
                (r.demo_overdue, FlagCode::DemoOverdue),
                (r.review_overdue, FlagCode::ReviewOverdue),
                (r.gate_gap, FlagCode::GateGap),
            ]
            .into_iter()
            .filter_map(|(on, code)| on.then_some(code))
            .collect();
            (r.id, codes)
        })
        .collect())
}
