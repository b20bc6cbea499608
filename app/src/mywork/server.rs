//! My work's reads: a few set-based queries, whatever the number of projects.

use super::{AwaitingReview, DemoDue, OwedCondition, OwnedProject, ReviewAgain, Workload};
use crate::auth::{CurrentUser, Permission};
use crate::error::AppError;
use crate::health::Signals;
use crate::projects::gate::{GateItem, RecordFacts};
use crate::projects::stage::Stage;
use chrono::NaiveDate;
use sqlx::PgPool;
use uuid::Uuid;

/// The rows of `projects` with their current signals, in the order given.
fn with_flags(
    rows: Vec<(Uuid, String, Stage)>,
    mut signals: std::collections::HashMap<Uuid, Signals>,
    today: NaiveDate,
) -> Vec<(OwnedProject, Signals)> {
    rows.into_iter()
        .map(|(id, name, stage)| {
            let signals = signals.remove(&id).unwrap_or_default();
            let flags = signals.flags(today);
            (
                OwnedProject {
                    id,
                    name,
                    stage,
                    flags,
                },
                signals,
            )
        })
        .collect()
}

async fn signals_of(
    pool: &PgPool,
    rows: &[(Uuid, String, Stage)],
) -> Result<std::collections::HashMap<Uuid, Signals>, AppError> {
    let ids: Vec<Uuid> = rows.iter().map(|(id, _, _)| *id).collect();
    Ok(crate::health::server::current(pool, &ids)
        .await?
        .into_iter()
        .collect())
}

/// A few set-based reads, whatever the number of projects: the stored signals say what is
/// wrong and when the next demo is due.
pub async fn load(pool: &PgPool, user: &CurrentUser, today: NaiveDate) -> Result<Workload, AppError> {
    let mine: Vec<(Uuid, String, Stage)> = sqlx::query!(
        r#"
        select p.id, p.name, p.stage as "stage: Stage" from projects p
        join stage_owners so on so.project_id = p.id and so.stage = p.stage
        where so.owner_id = $1 and p.status not in ('cancelled', 'retired')
        order by lower(p.name)
        limit 200
        "#,
        user.id
    )
    .fetch_all(pool)
    .await?
    .into_iter()
    .map(|r| (r.id, r.name, r.stage))
    .collect();
    let signals = signals_of(pool, &mine).await?;
    let mut owned = Vec::new();
    let mut demos_due = Vec::new();
    for (project, signals) in with_flags(mine, signals, today) {
        if let Some(due_on) = signals.demo_due_on() {
            if due_on <= today + chrono::Days::new(7) {
                demos_due.push(DemoDue {
                    id: project.id,
                    name: project.name.clone(),
                    due_on,
                    overdue: due_on < today,
                });
            }
        }
        owned.push(project);
    }
    demos_due.sort_by_key(|d| d.due_on);

    let mut ownerless = Vec::new();
    if user.role.can(Permission::EditProjects) {
        let orphans: Vec<(Uuid, String, Stage)> = sqlx::query!(
            r#"
            select p.id, p.name, p.stage as "stage: Stage"
            from projects p
            where p.ownerless_on <= $1
            order by p.stage_entered_at, p.id
            limit 20
            "#,
            today
        )
        .fetch_all(pool)
        .await?
        .into_iter()
        .map(|r| (r.id, r.name, r.stage))
        .collect();
        let signals = signals_of(pool, &orphans).await?;
        ownerless = with_flags(orphans, signals, today)
            .into_iter()
            .map(|(project, _)| project)
            .collect();
    }

    let mut awaiting_review = Vec::new();
    if user.role.can(Permission::ReviewModels) {
        let at_the_door = sqlx::query!(
            r#"
            select p.id, p.name from projects p
            left join stage_owners so on so.project_id = p.id and so.stage = p.stage
            where p.stage = 'build' and p.status = 'active' and so.owner_id is distinct from $1
            order by p.stage_entered_at
            limit 50
            "#,
            user.id
        )
        .fetch_all(pool)
        .await?;
        let ids: Vec<Uuid> = at_the_door.iter().map(|r| r.id).collect();
        let facts: std::collections::HashMap<Uuid, RecordFacts> = crate::health::server::facts(pool, &ids)
            .await?
            .into_iter()
            .map(|f| (f.id, f.records))
            .collect();
        for row in at_the_door {
            let facts = facts.get(&row.id).copied().unwrap_or_default();
            let mut needs = Vec::new();
            if !facts.independent_signoff {
                needs.push(GateItem::ExplainabilitySignoff.describe().to_owned());
            }
            if !facts.independent_review {
                needs.push(GateItem::ModelRiskReview.describe().to_owned());
            }
            if !needs.is_empty() {
                awaiting_review.push(AwaitingReview {
                    id: row.id,
                    name: row.name,
                    needs,
                });
            }
        }
    }
    let review_again = if user.role.can(Permission::ReviewModels) {
        review_again(pool, user).await?
    } else {
        Vec::new()
    };
    let asked = if user.role.can(Permission::ReviewModels) {
        crate::requests::server::asked_of(pool, user).await?
    } else {
        Vec::new()
    };
    let conditions = crate::conditions::server::open_for_owner(pool, user.id)
        .await?
        .into_iter()
        .map(|(c, project_name)| OwedCondition {
            project_id: c.project_id,
            project_name,
            overdue: c.overdue(today),
            text: c.text,
            due_on: c.due_on,
        })
        .collect();
    Ok(Workload {
        owned,
        conditions,
        ownerless,
        demos_due,
        awaiting_review,
        review_again,
        asked,
    })
}

/// Projects on their way to or in production whose approval by `user` a material change has
/// voided since (at most 50).
async fn review_again(pool: &PgPool, user: &CurrentUser) -> Result<Vec<ReviewAgain>, AppError> {
    let rows = sqlx::query!(
        r#"
        select p.id, p.name from projects p
        where p.status = 'active' and p.stage in ('build', 'deploy')
          and exists (select 1 from material_changes m where m.project_id = p.id)
          and (exists (select 1 from explainability_signoffs s
                       where s.project_id = p.id and s.approver_id = $1 and s.withdrawn_at is null)
               or exists (select 1 from risk_reviews r
                          where r.project_id = p.id and r.reviewer_id = $1 and r.withdrawn_at is null))
        order by lower(p.name)
        limit 50
        "#,
        user.id
    )
    .fetch_all(pool)
    .await?;
    let ids: Vec<Uuid> = rows.iter().map(|r| r.id).collect();
    let mut voided: std::collections::HashMap<Uuid, Vec<String>> = std::collections::HashMap::new();
    for facts in crate::health::server::facts(pool, &ids).await? {
        for (item, by, change) in &facts.voided {
            if *by == user.id {
                let what = item.record().unwrap_or("approval");
                voided.entry(facts.id).or_default().push(format!(
                    "your {what} was voided on {}: {}",
                    change.on().format("%-d %b %Y"),
                    change.describe()
                ));
            }
        }
    }
    Ok(rows
        .into_iter()
        .filter_map(|r| {
            voided.remove(&r.id).map(|voided| ReviewAgain {
                id: r.id,
                name: r.name,
                voided,
            })
        })
        .collect())
}
