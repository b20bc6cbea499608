//! Reading a project's records for its page: the four kinds in one statement, each row with the
//! columns every record has (when, who, withdrawn or not) and its own fields by name.

use crate::records::{FormValues, RecordKind, RecordRow, Withdrawal};
use sqlx::PgPool;
use std::collections::BTreeMap;
use uuid::Uuid;

/// Every record of a project, newest first (on one day: demos, evidence, sign-offs, reviews,
/// each in the order written), withdrawn ones included and marked.
pub async fn list(pool: &PgPool, project: Uuid) -> sqlx::Result<Vec<RecordRow>> {
    let rows = sqlx::query!(
        r#"
        select r.kind as "kind!", r.id as "id!", r.on_day as "on_day!", r.author_id as "author_id!",
               a.display_name as author, w.display_name as "withdrawn_by?", r.withdrawn_at,
               r.withdraw_reason as "withdraw_reason!", r.fields as "fields!"
        from (
            select 1 as rank, 'demo' as kind, id, held_on as on_day, author_id, withdrawn_by,
                   withdrawn_at, withdraw_reason, created_at,
                   jsonb_build_object('held_on', held_on::text, 'summary', summary,
                                      'attendees', attendees, 'outcome', outcome::text,
                                      'link', link) as fields
            from demo_checkpoints where project_id = $1
            union all
            select 2, 'evidence', id, held_on, author_id, withdrawn_by, withdrawn_at,
                   withdraw_reason, created_at,
                   jsonb_build_object('kind', kind::text, 'title', title, 'findings', findings,
                                      'participants', participants::text,
                                      'held_on', held_on::text, 'link', link)
            from research_evidence where project_id = $1
            union all
            select 3, 'signoff', id, decided_on, approver_id, withdrawn_by, withdrawn_at,
                   withdraw_reason, created_at,
                   jsonb_build_object('method', method, 'summary', summary,
                                      'decision', decision::text, 'decided_on', decided_on::text)
            from explainability_signoffs where project_id = $1
            union all
            select 4, 'review', id, reviewed_on, reviewer_id, withdrawn_by, withdrawn_at,
                   withdraw_reason, created_at,
                   jsonb_build_object('risk_tier', risk_tier::text, 'findings', findings,
                                      'decision', decision::text,
                                      'reviewed_on', reviewed_on::text,
                                      'next_review_on', next_review_on::text)
            from risk_reviews where project_id = $1
        ) r
        join accounts a on a.id = r.author_id
        left join accounts w on w.id = r.withdrawn_by
        order by r.on_day desc, r.rank, r.created_at
        "#,
        project
    )
    .fetch_all(pool)
    .await?;
    Ok(rows
        .into_iter()
        .filter_map(|r| {
            let fields: BTreeMap<String, String> = serde_json::from_value(r.fields).unwrap_or_default();
            let withdrawn = r.withdrawn_at.map(|at| Withdrawal {
                by: r.withdrawn_by.unwrap_or_default(),
                at,
                reason: r.withdraw_reason,
            });
            let kind = record_kind(&r.kind)?;
            let shown = shown(kind, &fields);
            Some(RecordRow {
                kind,
                id: r.id,
                on: r.on_day,
                headline: shown.headline,
                verdict: shown.verdict,
                details: shown.details,
                author_id: r.author_id,
                author: r.author,
                withdrawn,
                values: FormValues(fields.into_iter().collect()),
            })
        })
        .collect())
}

fn record_kind(name: &str) -> Option<RecordKind> {
    match name {
        "demo" => Some(RecordKind::Demo),
        "evidence" => Some(RecordKind::Evidence),
        "signoff" => Some(RecordKind::Signoff),
        "review" => Some(RecordKind::Review),
        _ => None,
    }
}

/// What the page shows of a record: its headline, its verdict in words, labelled details.
struct Shown {
    headline: String,
    verdict: String,
    details: Vec<(String, String)>,
}

/// A record's fields as the page shows them, by kind.
fn shown(kind: RecordKind, fields: &BTreeMap<String, String>) -> Shown {
    let field = |name: &str| fields.get(name).cloned().unwrap_or_default();
    let label = |name: &str| crate::records::label(&field(name));
    let mut details = Vec::new();
    let (headline, verdict) = match kind {
        RecordKind::Demo => {
            details.push(("Attendees".to_owned(), field("attendees")));
            (field("summary"), format!("Outcome: {}", label("outcome")))
        }
        RecordKind::Evidence => {
            details.push(("Findings".to_owned(), field("findings")));
            details.push(("Participants".to_owned(), field("participants")));
            (field("title"), label("kind"))
        }
        RecordKind::Signoff => (
            format!("{}: {}", field("method"), field("summary")),
            label("decision"),
        ),
        RecordKind::Review => {
            let next = chrono::NaiveDate::parse_from_str(&field("next_review_on"), "%Y-%m-%d")
                .map(|d| d.format("%-d %b %Y").to_string())
                .unwrap_or_default();
            details.push(("Risk tier".to_owned(), label("risk_tier")));
            details.push(("Next review due".to_owned(), next));
            (field("findings"), label("decision"))
        }
    };
    if matches!(kind, RecordKind::Demo | RecordKind::Evidence) && !field("link").is_empty() {
        details.push(("Link".to_owned(), field("link")));
    }
    Shown {
        headline,
        verdict,
        details,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    #[test]
    fn a_demo_shows_its_summary_outcome_attendees_and_a_link_only_when_given() {
        let demo = fields(&[
            ("summary", "Ranked queue"),
            ("outcome", "continue"),
            ("attendees", "Leads"),
            ("link", ""),
        ]);
        let shown = shown(RecordKind::Demo, &demo);
        assert_eq!(shown.headline, "Ranked queue");
        assert_eq!(shown.verdict, "Outcome: Continue");
        assert_eq!(shown.details, vec![("Attendees".to_owned(), "Leads".to_owned())]);
    }

    #[test]
    fn a_review_shows_its_next_date_in_words() {
        let review = fields(&[
            ("findings", "Drift"),
            ("decision", "approved"),
            ("risk_tier", "high"),
            ("next_review_on", "2027-03-05"),
        ]);
        let shown = shown(RecordKind::Review, &review);
        assert_eq!(
            shown.details[1],
            ("Next review due".to_owned(), "5 Mar 2027".to_owned())
        );
        assert_eq!(shown.headline, "Drift");
    }
}
