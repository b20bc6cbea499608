//! Reading a project's records for its page.

use crate::records::{FormValues, RecordKind, RecordRow, Withdrawal};
use sqlx::PgPool;
use uuid::Uuid;

/// Every record of a project, newest first, withdrawn ones included (and marked).
pub async fn list(pool: &PgPool, project: Uuid) -> sqlx::Result<Vec<RecordRow>> {
    let mut rows = Vec::new();
    let withdrawal = |by: Option<String>, at: Option<chrono::DateTime<chrono::Utc>>, reason: String| {
        at.map(|at| Withdrawal {
            by: by.unwrap_or_default(),
            at,
            reason,
        })
    };
    for r in sqlx::query!(
        r#"
        select d.id, d.held_on, d.summary, d.attendees, d.outcome::text as "outcome!", d.link,
               d.author_id, a.display_name as author, w.display_name as "withdrawn_by?",
               d.withdrawn_at, d.withdraw_reason
        from demo_checkpoints d
        join accounts a on a.id = d.author_id
        left join accounts w on w.id = d.withdrawn_by
        where d.project_id = $1
        "#,
        project
    )
    .fetch_all(pool)
    .await?
    {
        let values = form_values(&[
            ("held_on", r.held_on.to_string()),
            ("summary", r.summary.clone()),
            ("attendees", r.attendees.clone()),
            ("outcome", r.outcome.clone()),
            ("link", r.link.clone()),
        ]);
        let mut details = vec![("Attendees".to_owned(), r.attendees)];
        if !r.link.is_empty() {
            details.push(("Link".into(), r.link));
        }
        rows.push(RecordRow {
            kind: RecordKind::Demo,
            id: r.id,
            on: r.held_on,
            headline: r.summary,
            verdict: format!("Outcome: {}", crate::records::label(&r.outcome)),
            details,
            author_id: r.author_id,
            author: r.author,
            withdrawn: withdrawal(r.withdrawn_by, r.withdrawn_at, r.withdraw_reason),
            values,
        });
    }
    for r in sqlx::query!(
        r#"
        select e.id, e.held_on, e.kind::text as "kind!", e.title, e.findings, e.participants, e.link,
               e.author_id, a.display_name as author, w.display_name as "withdrawn_by?",
               e.withdrawn_at, e.withdraw_reason
        from research_evidence e
        join accounts a on a.id = e.author_id
        left join accounts w on w.id = e.withdrawn_by
        where e.project_id = $1
        "#,
        project
    )
    .fetch_all(pool)
    .await?
    {
        let values = form_values(&[
            ("kind", r.kind.clone()),
            ("title", r.title.clone()),
            ("findings", r.findings.clone()),
            ("participants", r.participants.to_string()),
            ("held_on", r.held_on.to_string()),
            ("link", r.link.clone()),
        ]);
        let mut details = vec![
            ("Findings".to_owned(), r.findings),
            ("Participants".to_owned(), r.participants.to_string()),
        ];
        if !r.link.is_empty() {
            details.push(("Link".into(), r.link));
        }
        rows.push(RecordRow {
            kind: RecordKind::Evidence,
            id: r.id,
            on: r.held_on,
            headline: r.title,
            verdict: crate::records::label(&r.kind),
            details,
            author_id: r.author_id,
            author: r.author,
            withdrawn: withdrawal(r.withdrawn_by, r.withdrawn_at, r.withdraw_reason),
            values,
        });
    }
    for r in sqlx::query!(
        r#"
        select s.id, s.decided_on, s.method, s.summary, s.decision::text as "decision!",
               s.approver_id, a.display_name as approver, w.display_name as "withdrawn_by?",
               s.withdrawn_at, s.withdraw_reason
        from explainability_signoffs s
        join accounts a on a.id = s.approver_id
        left join accounts w on w.id = s.withdrawn_by
        where s.project_id = $1
        "#,
        project
    )
    .fetch_all(pool)
    .await?
    {
        let values = form_values(&[
            ("method", r.method.clone()),
            ("summary", r.summary.clone()),
            ("decision", r.decision.clone()),
            ("decided_on", r.decided_on.to_string()),
        ]);
        rows.push(RecordRow {
            kind: RecordKind::Signoff,
            id: r.id,
            on: r.decided_on,
            headline: format!("{}: {}", r.method, r.summary),
            verdict: crate::records::label(&r.decision),
            details: Vec::new(),
            author_id: r.approver_id,
            author: r.approver,
            withdrawn: withdrawal(r.withdrawn_by, r.withdrawn_at, r.withdraw_reason),
            values,
        });
    }
    for r in sqlx::query!(
        r#"
        select v.id, v.reviewed_on, v.next_review_on, v.risk_tier::text as "risk_tier!", v.findings,
               v.decision::text as "decision!", v.reviewer_id, a.display_name as reviewer,
               w.display_name as "withdrawn_by?", v.withdrawn_at, v.withdraw_reason
        from risk_reviews v
        join accounts a on a.id = v.reviewer_id
        left join accounts w on w.id = v.withdrawn_by
        where v.project_id = $1
        "#,
        project
    )
    .fetch_all(pool)
    .await?
    {
        let values = form_values(&[
            ("risk_tier", r.risk_tier.clone()),
            ("findings", r.findings.clone()),
            ("decision", r.decision.clone()),
            ("reviewed_on", r.reviewed_on.to_string()),
            ("next_review_on", r.next_review_on.to_string()),
        ]);
        rows.push(RecordRow {
            kind: RecordKind::Review,
            id: r.id,
            on: r.reviewed_on,
            headline: r.findings,
            verdict: crate::records::label(&r.decision),
            details: vec![
                ("Risk tier".to_owned(), crate::records::label(&r.risk_tier)),
                (
                    "Next review due".to_owned(),
                    r.next_review_on.format("%-d %b %Y").to_string(),
                ),
            ],
            author_id: r.reviewer_id,
            author: r.reviewer,
            withdrawn: withdrawal(r.withdrawn_by, r.withdrawn_at, r.withdraw_reason),
            values,
        });
    }
    rows.sort_by_key(|r| std::cmp::Reverse(r.on));
    Ok(rows)
}

fn form_values(fields: &[(&str, String)]) -> FormValues {
    FormValues(
        fields
            .iter()
            .map(|(name, value)| (name.to_string(), value.clone()))
            .collect(),
    )
}
