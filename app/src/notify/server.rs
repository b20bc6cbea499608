//! Notifications' work (server only): the scan that turns projects' signals into reminders and
//! flag events, the weekly digest, sending email, and each person's list and preferences.
//!
//! Each runs as a background job (`crate::jobs`), queued under a key (one scan a minute, one
//! digest a week), so with any number of servers each runs once.

use super::mail::MailSettings;
use super::{
    digest_moment, digest_parts, reminder_message, reminders, week_key, Audience, Item, Kind, Message,
    Notification, NotificationsView, Preferences, Section, REMINDER_REACH_AFTER, REMINDER_REACH_BEFORE,
};
use crate::audit;
use crate::auth::Role;
use crate::error::AppError;
use crate::health::{FlagCode, Signals};
use crate::jobs::{self, Job};
use chrono::{DateTime, Days, NaiveDate, Utc};
use serde_json::json;
use sqlx::{PgConnection, PgPool};
use std::collections::{HashMap, HashSet};
use uuid::Uuid;

/// The job kinds of notifications.
pub const SCAN_JOB: &str = "notify_scan";
pub const DIGEST_JOB: &str = "notify_digest";
pub const EMAIL_JOB: &str = "notify_email";

/// How many notifications a person's page lists.
const LISTED: i64 = 100;
/// How long after its moment a missed digest is still sent (a server down at 8:00 sends it at
/// 9:00; one down all week does not send last week's on Friday).
const DIGEST_LATE_HOURS: i64 = 24;
/// Projects whose signals changed this long before the last scan are looked at again: a write
/// that committed after the scan began but computed its signals before is never missed.
const RESCAN_OVERLAP_MINUTES: i64 = 60;
/// How many projects a scan looks at together (see [`scan`]).
const SCAN_BATCH: usize = 2_000;

/// Queues what is due at `now`: this minute's scan, and this week's digest once its moment has
/// come. Called by every worker every round; the keys make each run once.
pub async fn schedule(pool: &PgPool, settings: &MailSettings, now: DateTime<Utc>) -> sqlx::Result<()> {
    let minute = now.format("%Y-%m-%dT%H:%M");
    jobs::enqueue(
        pool,
        SCAN_JOB,
        json!({}),
        Some(&format!("{SCAN_JOB}:{minute}")),
        None,
    )
    .await?;
    let moment = digest_moment(now, settings.digest_weekday, settings.digest_hour);
    if now >= moment && now < moment + chrono::Duration::hours(DIGEST_LATE_HOURS) {
        let week = week_key(now.date_naive());
        jobs::enqueue(
            pool,
            DIGEST_JOB,
            json!({ "week": week }),
            Some(&format!("{DIGEST_JOB}:{week}")),
            None,
        )
        .await?;
    }
    Ok(())
}

/// Counts a portfolio brought in at once (the seed) as already announced: its flags as they
/// stand on `today`, and no project looked at again until it changes or a clock reaches a
/// reminder after `today`. Runs in the caller's transaction.
pub async fn catch_up(tx: &mut PgConnection, today: NaiveDate) -> sqlx::Result<()> {
    sqlx::query!("select notifications_catch_up($1)", today)
        .execute(&mut *tx)
        .await?;
    // The scan looks back RESCAN_OVERLAP_MINUTES before its last run: start it that far ahead.
    sqlx::query!(
        "update notification_scan set scanned_at = now() + make_interval(mins => $1::int)",
        RESCAN_OVERLAP_MINUTES as i32
    )
    .execute(&mut *tx)
    .await?;
    Ok(())
}

/// A project the scan looks at.
struct Candidate {
    id: Uuid,
    /// Its signals changed since the last scan: every reminder it calls for is looked at (a
    /// project that did not change only has those that became due since the last scan's day).
    changed: bool,
    name: String,
    owner_id: Option<Uuid>,
    owner_name: Option<String>,
}

/// One notification to add.
struct Outgoing {
    account: Uuid,
    kind: Kind,
    project: Option<Uuid>,
    key: String,
    subject: String,
    message: Message,
}

/// What a scan did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Scanned {
    pub projects: usize,
    pub notified: usize,
    pub flag_events: usize,
}

/// Looks at every project whose signals changed since the last scan, or whose clocks reach a
/// reminder between the last scan's day and `today`: adds the reminders they call for (each
/// once per occurrence), and tells webhooks of flags raised and cleared.
pub async fn scan(pool: &PgPool, settings: &MailSettings, today: NaiveDate) -> Result<Scanned, AppError> {
    scan_in_batches(pool, settings, today, SCAN_BATCH).await
}

/// [`scan`], looking at `batch_size` projects at a time (the tests take one at a time).
pub async fn scan_in_batches(
    pool: &PgPool,
    settings: &MailSettings,
    today: NaiveDate,
    batch_size: usize,
) -> Result<Scanned, AppError> {
    let mut tx = pool.begin().await?;
    let last = sqlx::query!("select scanned_at, scanned_day from notification_scan for update")
        .fetch_one(&mut *tx)
        .await?;
    let near = |n: u64| {
        last.scanned_day
            .checked_sub_days(Days::new(n))
            .unwrap_or(NaiveDate::MIN)
    };
    let ahead = today
        .checked_add_days(Days::new(REMINDER_REACH_BEFORE))
        .unwrap_or(NaiveDate::MAX);
    let candidates = sqlx::query_as!(
        Candidate,
        r#"
        select p.id, p.signals_from > $1::timestamptz - make_interval(mins => $2::int) as "changed!",
               p.name, case when a.active then a.id end as "owner_id?",
               a.display_name as "owner_name?"
        from projects p
        left join accounts a on a.id = p.signals_owner_id
        where p.signals_from is not null
          and (p.signals_from > $1::timestamptz - make_interval(mins => $2::int)
               or p.demo_overdue_on > $3 and p.demo_overdue_on <= $4
               or p.review_overdue_on > $3 and p.review_overdue_on <= $4
               or p.stalled_on > $5 and p.stalled_on <= $6
               or p.ownerless_on > $5 and p.ownerless_on <= $6
               or p.gate_gap_on > $5 and p.gate_gap_on <= $6
               or p.conditions_overdue_on > $5 and p.conditions_overdue_on <= $6
               or p.goal_drift_on > $5 and p.goal_drift_on <= $6
               or p.continue_loop_on > $5 and p.continue_loop_on <= $6)
        "#,
        last.scanned_at,
        RESCAN_OVERLAP_MINUTES as i32,
        near(REMINDER_REACH_AFTER),
        ahead,
        last.scanned_day,
        today,
    )
    .fetch_all(&mut *tx)
    .await?;
    let admins = sqlx::query_scalar!("select id from accounts where role = 'admin' and active")
        .fetch_all(&mut *tx)
        .await?;

    // A few thousand projects at a time, so that a scan after a change to every project (a
    // threshold change at 100,000 projects) holds one batch's signals and messages in memory,
    // not the whole portfolio's; all in the one transaction.
    let (mut notified, mut flag_events) = (0, 0);
    let mut escalated = HashSet::new();
    for batch in candidates.chunks(batch_size.max(1)) {
        let ids: Vec<Uuid> = batch.iter().map(|c| c.id).collect();
        let signals: HashMap<Uuid, Signals> = crate::health::server::current(&mut *tx, &ids)
            .await?
            .into_iter()
            .collect();
        let mut outgoing = Vec::new();
        for project in batch {
            let Some(signals) = signals.get(&project.id) else {
                continue;
            };
            let link = format!("/projects/{}", project.id);
            let new = |r: &super::Reminder| project.changed || r.due_from > last.scanned_day;
            for reminder in reminders(signals, today).into_iter().filter(new) {
                let (subject, message) =
                    reminder_message(&reminder, &project.name, &link, project.owner_name.as_deref());
                let to: Vec<Uuid> = match reminder.audience {
                    Audience::Owner => project.owner_id.into_iter().collect(),
                    Audience::Admins => admins.clone(),
                };
                for account in to {
                    outgoing.push(Outgoing {
                        account,
                        kind: reminder.kind,
                        project: Some(project.id),
                        key: reminder.key(project.id),
                        subject: subject.clone(),
                        message: message.clone(),
                    });
                }
            }
        }
        let added = add(&mut tx, settings, &outgoing).await?;
        notified += added.len();
        // Escalations also go to the configured address, once: when the admins first hear of them.
        if let Some(address) = &settings.escalation_address {
            for (n, _) in &added {
                let o = &outgoing[*n];
                if matches!(o.kind, Kind::DemoEscalated | Kind::ReviewEscalated)
                    && escalated.insert(o.key.clone())
                {
                    jobs::enqueue(
                        &mut *tx,
                        EMAIL_JOB,
                        json!({ "to": address, "subject": o.subject, "message": o.message }),
                        Some(&format!("escalation:{}", o.key)),
                        None,
                    )
                    .await?;
                }
            }
        }
        flag_events += announce_flags(&mut tx, batch, &signals, today).await?;
    }
    sqlx::query!(
        "update notification_scan set scanned_at = greatest(scanned_at, now()), scanned_day = greatest(scanned_day, $1)",
        today
    )
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(Scanned {
        projects: candidates.len(),
        notified,
        flag_events,
    })
}

/// Adds `outgoing` (a notification already given for its occurrence is skipped) and queues the
/// email of each new one whose recipient wants it. Returns the (index, id) of those added.
async fn add(
    tx: &mut PgConnection,
    settings: &MailSettings,
    outgoing: &[Outgoing],
) -> sqlx::Result<Vec<(usize, i64)>> {
    if outgoing.is_empty() {
        return Ok(Vec::new());
    }
    let ordinal: Vec<i32> = (0..outgoing.len()).map(|n| n as i32).collect();
    let accounts: Vec<Uuid> = outgoing.iter().map(|o| o.account).collect();
    let kinds: Vec<String> = outgoing.iter().map(|o| o.kind.as_str().to_owned()).collect();
    let projects: Vec<Option<Uuid>> = outgoing.iter().map(|o| o.project).collect();
    let keys: Vec<String> = outgoing.iter().map(|o| o.key.clone()).collect();
    let subjects: Vec<String> = outgoing
        .iter()
        .map(|o| o.subject.chars().take(300).collect())
        .collect();
    let messages: Vec<serde_json::Value> = outgoing.iter().map(|o| json!(o.message)).collect();
    let added = sqlx::query!(
        r#"
        with given as (
            insert into notifications (account_id, kind, project_id, occurrence_key, subject, message)
            select account_id, kind, project_id, occurrence_key, subject, message
            from unnest($1::uuid[], $2::text[], $3::uuid[], $4::text[], $5::text[], $6::jsonb[])
                as o (account_id, kind, project_id, occurrence_key, subject, message)
            on conflict (account_id, occurrence_key) do nothing
            returning id, account_id, occurrence_key
        )
        select g.id, o.n as "n!"
        from given g
        join unnest($1::uuid[], $4::text[], $7::int[]) as o (account_id, occurrence_key, n)
          on o.account_id = g.account_id and o.occurrence_key = g.occurrence_key
        "#,
        &accounts,
        &kinds,
        &projects as &[Option<Uuid>],
        &keys,
        &subjects,
        &messages,
        &ordinal,
    )
    .fetch_all(&mut *tx)
    .await?;
    if settings.mailer.is_some() {
        let ids: Vec<i64> = added.iter().map(|a| a.id).collect();
        let emailed = sqlx::query_scalar!(
            r#"
            update notifications n set email = 'queued'
            where n.id = any($1)
              and exists (select 1 from accounts a where a.id = n.account_id and a.active)
              and coalesce((select case when n.kind = 'digest' then p.weekly_digest else p.email_reminders end
                            from notification_preferences p where p.account_id = n.account_id), true)
            returning n.id
            "#,
            &ids,
        )
        .fetch_all(&mut *tx)
        .await?;
        for id in emailed {
            jobs::enqueue(
                &mut *tx,
                EMAIL_JOB,
                json!({ "notification": id }),
                Some(&format!("{EMAIL_JOB}:{id}")),
                None,
            )
            .await?;
        }
    }
    Ok(added.into_iter().map(|a| (a.n as usize, a.id)).collect())
}

/// Writes a `flag_raised` or `flag_cleared` audit event (which webhooks and `/api/v1/events`
/// carry) for each flag of `candidates` that appeared or went since it was last announced.
async fn announce_flags(
    tx: &mut PgConnection,
    candidates: &[Candidate],
    signals: &HashMap<Uuid, Signals>,
    today: NaiveDate,
) -> sqlx::Result<usize> {
    let ids: Vec<Uuid> = candidates.iter().map(|c| c.id).collect();
    let announced: HashSet<(Uuid, String)> = sqlx::query!(
        "select project_id, code from flags_announced where project_id = any($1)",
        &ids
    )
    .fetch_all(&mut *tx)
    .await?
    .into_iter()
    .map(|r| (r.project_id, r.code))
    .collect();
    let mut events = 0;
    let (mut keep_ids, mut keep_codes, mut keep_since) = (Vec::new(), Vec::new(), Vec::new());
    for id in &ids {
        let flags = signals.get(id).map(|s| s.flags(today)).unwrap_or_default();
        for flag in &flags {
            keep_ids.push(*id);
            keep_codes.push(flag.code.as_str().to_owned());
            keep_since.push(flag.since);
            if !announced.contains(&(*id, flag.code.as_str().to_owned())) {
                let changes = json!({
                    "flag": { "before": null, "after": flag.code.as_str() },
                    "reason": { "before": null, "after": flag.reason },
                    "since": { "before": null, "after": flag.since },
                });
                audit::record(&mut *tx, None, "project", *id, "flag_raised", changes).await?;
                events += 1;
            }
        }
        for code in FlagCode::ALL {
            let was = announced.contains(&(*id, code.as_str().to_owned()));
            if was && !flags.iter().any(|f| f.code == code) {
                let changes = json!({ "flag": { "before": code.as_str(), "after": null } });
                audit::record(&mut *tx, None, "project", *id, "flag_cleared", changes).await?;
                events += 1;
            }
        }
    }
    sqlx::query!("delete from flags_announced where project_id = any($1)", &ids)
        .execute(&mut *tx)
        .await?;
    sqlx::query!(
        "insert into flags_announced (project_id, code, since) select * from unnest($1::uuid[], $2::text[], $3::date[])",
        &keep_ids,
        &keep_codes,
        &keep_since,
    )
    .execute(&mut *tx)
    .await?;
    Ok(events)
}

/// The week before `today` as people read it: the day six days ago to today.
fn week_start(today: NaiveDate) -> NaiveDate {
    today.checked_sub_days(Days::new(6)).unwrap_or(today)
}

/// Sends this week's digest to everyone who has not turned it off; returns how many got one.
pub async fn digest(pool: &PgPool, settings: &MailSettings, today: NaiveDate) -> Result<usize, AppError> {
    let week = week_key(today);
    let from = week_start(today);
    let people = sqlx::query!(
        r#"
        select a.id as "id!", a.role as "role!: Role",
               exists (select 1 from projects p where p.signals_owner_id = a.id and p.status in ('active', 'paused')) as "owns!"
        from accounts a
        left join notification_preferences pref on pref.account_id = a.id
        where a.active and coalesce(pref.weekly_digest, true)
        "#
    )
    .fetch_all(pool)
    .await?;
    // What needs each owner's attention: their projects with a flag today.
    let flagged = sqlx::query!(
        r#"
        select id, name, signals_owner_id as "owner!"
        from projects
        where signals_owner_id is not null and flagged_on <= $1
        order by red_on nulls last, flagged_on, name
        "#,
        today
    )
    .fetch_all(pool)
    .await?;
    let ids: Vec<Uuid> = flagged.iter().map(|f| f.id).collect();
    let signals: HashMap<Uuid, Signals> = crate::health::server::current(pool, &ids)
        .await?
        .into_iter()
        .collect();
    let mut attention: HashMap<Uuid, Vec<Item>> = HashMap::new();
    for project in &flagged {
        let reasons: Vec<String> = signals
            .get(&project.id)
            .map(|s| s.flags(today))
            .unwrap_or_default()
            .into_iter()
            .map(|f| f.reason)
            .collect();
        attention.entry(project.owner).or_default().push(Item {
            text: format!("{} — {}", project.name, reasons.join("; ")),
            link: Some(format!("/projects/{}", project.id)),
        });
    }
    let numbers = week_in_numbers(pool, from, today).await?;

    let mut outgoing = Vec::new();
    for person in &people {
        let (wants_attention, wants_numbers) = digest_parts(person.role, person.owns);
        let mut sections = Vec::new();
        if wants_attention {
            sections.push(Section {
                heading: Some("Your projects that need attention".into()),
                items: attention.get(&person.id).cloned().unwrap_or_default(),
                empty: Some("None of your projects carries a flag. Well kept.".into()),
            });
        }
        if wants_numbers {
            sections.extend(numbers.iter().cloned());
        }
        outgoing.push(Outgoing {
            account: person.id,
            kind: Kind::Digest,
            project: None,
            key: format!("digest:{week}"),
            subject: format!("Tollgate weekly digest — week of {}", from.format("%-d %b %Y")),
            message: Message {
                intro: format!(
                    "Your week in Tollgate, {} to {}.",
                    from.format("%-d %b"),
                    today.format("%-d %b %Y")
                ),
                sections,
            },
        });
    }
    let mut tx = pool.begin().await?;
    let added = add(&mut tx, settings, &outgoing).await?;
    tx.commit().await?;
    Ok(added.len())
}

/// Most names a digest section lists (the rest are counted).
const DIGEST_LISTED: usize = 10;

/// The portfolio's week: today's numbers, and what changed from `from` to `today`.
async fn week_in_numbers(pool: &PgPool, from: NaiveDate, today: NaiveDate) -> Result<Vec<Section>, AppError> {
    let portfolio =
        crate::portfolio::server::portfolio(pool, &crate::projects::ProjectQuery::default(), today).await?;
    let h = portfolio.health;
    let mut sections = vec![Section {
        heading: Some("The portfolio this week".into()),
        items: vec![
            Item {
                text: format!(
                    "{} {}: {} green, {} amber, {} red",
                    portfolio.projects,
                    if portfolio.projects == 1 {
                        "project"
                    } else {
                        "projects"
                    },
                    h.green,
                    h.amber,
                    h.red
                ),
                link: Some("/portfolio".into()),
            },
            Item {
                text: format!(
                    "{} stalled, {} without an owner, {} with a demo overdue, {} with a review overdue",
                    portfolio.flags.stalled,
                    portfolio.flags.ownerless,
                    portfolio.flags.demo_overdue,
                    portfolio.flags.review_overdue
                ),
                link: Some("/portfolio".into()),
            },
        ],
        empty: None,
    }];
    let newly = sqlx::query!(
        r#"
        select id, name, coalesce(stalled_on between $1 and $2, false) as "stalled!",
               coalesce(ownerless_on between $1 and $2, false) as "ownerless!"
        from projects
        where stalled_on between $1 and $2 or ownerless_on between $1 and $2
        order by name
        limit 500
        "#,
        from,
        today
    )
    .fetch_all(pool)
    .await?;
    let moves = sqlx::query!(
        r#"
        select p.id, p.name, m.from_stage::text as "from_stage!", m.to_stage::text as "to_stage!"
        from stage_moves m join projects p on p.id = m.project_id
        where m.moved_at >= $1::date and m.moved_at < $2::date + 1
        order by m.moved_at desc
        limit 500
        "#,
        from,
        today
    )
    .fetch_all(pool)
    .await?;
    let list = |heading: &str, empty: &str, items: Vec<Item>| {
        let total = items.len();
        let mut shown: Vec<Item> = items.into_iter().take(DIGEST_LISTED).collect();
        if total > DIGEST_LISTED {
            shown.push(Item {
                text: format!("and {} more", total - DIGEST_LISTED),
                link: Some("/projects".into()),
            });
        }
        Section {
            heading: Some(format!("{heading} ({total})")),
            items: shown,
            empty: Some(empty.into()),
        }
    };
    let link = |id: Uuid| Some(format!("/projects/{id}"));
    let stage_label = |s: &str| {
        s.parse::<crate::projects::stage::Stage>()
            .map(|s| s.label())
            .unwrap_or("?")
    };
    sections.push(list(
        "Newly stalled",
        "No project stalled this week.",
        newly
            .iter()
            .filter(|n| n.stalled)
            .map(|n| Item {
                text: n.name.clone(),
                link: link(n.id),
            })
            .collect(),
    ));
    sections.push(list(
        "Newly without an owner",
        "No project lost its owner this week.",
        newly
            .iter()
            .filter(|n| n.ownerless)
            .map(|n| Item {
                text: n.name.clone(),
                link: link(n.id),
            })
            .collect(),
    ));
    sections.push(list(
        "Stage moves",
        "No project moved stage this week.",
        moves
            .iter()
            .map(|m| Item {
                text: format!(
                    "{}: {} → {}",
                    m.name,
                    stage_label(&m.from_stage),
                    stage_label(&m.to_stage)
                ),
                link: link(m.id),
            })
            .collect(),
    ));
    sections.push(list(
        "Deployed",
        "Nothing went into Deploy this week.",
        moves
            .iter()
            .filter(|m| m.to_stage == "deploy")
            .map(|m| Item {
                text: m.name.clone(),
                link: link(m.id),
            })
            .collect(),
    ));
    Ok(sections)
}

/// Sends one email job: a notification to its recipient, or a message to an address.
pub async fn email(pool: &PgPool, settings: &MailSettings, job: &Job) -> Result<(), String> {
    let Some(mailer) = &settings.mailer else {
        return Err("no SMTP server is configured (TOLLGATE_SMTP_URL)".into());
    };
    if let Some(id) = job.payload.get("notification").and_then(|v| v.as_i64()) {
        let Some(n) = sqlx::query!(
            r#"
            select n.subject, n.message, a.email, a.active
            from notifications n join accounts a on a.id = n.account_id
            where n.id = $1
            "#,
            id
        )
        .fetch_optional(pool)
        .await
        .map_err(|e| e.to_string())?
        else {
            return Ok(()); // Gone (its project was deleted): nothing to send.
        };
        if !n.active {
            return Ok(());
        }
        let message: Message = serde_json::from_value(n.message).map_err(|e| e.to_string())?;
        mailer
            .send(&n.email, &n.subject, &message, &settings.public_url)
            .await?;
        sqlx::query!("update notifications set email = 'sent' where id = $1", id)
            .execute(pool)
            .await
            .map_err(|e| e.to_string())?;
        return Ok(());
    }
    let to = job.payload.get("to").and_then(|v| v.as_str()).unwrap_or_default();
    let subject = job
        .payload
        .get("subject")
        .and_then(|v| v.as_str())
        .unwrap_or_default();
    let message: Message = serde_json::from_value(job.payload.get("message").cloned().unwrap_or_default())
        .map_err(|e| e.to_string())?;
    mailer.send(to, subject, &message, &settings.public_url).await
}

/// A person's newest notifications and how many are unread.
pub async fn list(
    pool: &PgPool,
    settings: &MailSettings,
    account: Uuid,
) -> Result<NotificationsView, AppError> {
    let rows = sqlx::query!(
        r#"
        select id, kind, subject, message, email, created_at, read_at is not null as "read!"
        from notifications
        where account_id = $1
        order by created_at desc, id desc
        limit $2
        "#,
        account,
        LISTED,
    )
    .fetch_all(pool)
    .await?;
    let items = rows
        .into_iter()
        .filter_map(|r| {
            Some(Notification {
                id: r.id,
                kind: r.kind.parse().ok()?,
                subject: r.subject,
                message: serde_json::from_value(r.message).ok()?,
                email: r.email,
                created_at: r.created_at,
                read: r.read,
            })
        })
        .collect();
    Ok(NotificationsView {
        items,
        unread: unread(pool, account).await?,
        email_configured: settings.mailer.is_some(),
    })
}

/// How many of a person's notifications are unread.
pub async fn unread(pool: &PgPool, account: Uuid) -> sqlx::Result<i64> {
    sqlx::query_scalar!(
        r#"select count(*) as "n!" from notifications where account_id = $1 and read_at is null"#,
        account
    )
    .fetch_one(pool)
    .await
}

/// Marks all of a person's notifications read.
pub async fn mark_all_read(pool: &PgPool, account: Uuid) -> sqlx::Result<u64> {
    let done = sqlx::query!(
        "update notifications set read_at = now() where account_id = $1 and read_at is null",
        account
    )
    .execute(pool)
    .await?;
    Ok(done.rows_affected())
}

/// A person's email preferences (the defaults when never saved).
pub async fn preferences(pool: &PgPool, account: Uuid) -> sqlx::Result<Preferences> {
    Ok(sqlx::query_as!(
        Preferences,
        "select email_reminders, weekly_digest from notification_preferences where account_id = $1",
        account
    )
    .fetch_optional(pool)
    .await?
    .unwrap_or_default())
}

/// Saves a person's preferences, audited with what changed.
pub async fn save_preferences(pool: &PgPool, account: Uuid, new: Preferences) -> Result<(), AppError> {
    let mut tx = pool.begin().await?;
    let old = sqlx::query_as!(
        Preferences,
        "select email_reminders, weekly_digest from notification_preferences where account_id = $1 for update",
        account
    )
    .fetch_optional(&mut *tx)
    .await?
    .unwrap_or_default();
    if old == new {
        return Ok(());
    }
    sqlx::query!(
        r#"
        insert into notification_preferences (account_id, email_reminders, weekly_digest)
        values ($1, $2, $3)
        on conflict (account_id) do update
        set email_reminders = excluded.email_reminders, weekly_digest = excluded.weekly_digest, updated_at = now()
        "#,
        account,
        new.email_reminders,
        new.weekly_digest,
    )
    .execute(&mut *tx)
    .await?;
    let changes: serde_json::Map<String, serde_json::Value> = [
        ("email_reminders", old.email_reminders, new.email_reminders),
        ("weekly_digest", old.weekly_digest, new.weekly_digest),
    ]
    .into_iter()
    .filter(|(_, before, after)| before != after)
    .map(|(field, before, after)| (field.to_owned(), json!({ "before": before, "after": after })))
    .collect();
    audit::record(
        &mut *tx,
        Some(account),
        "account",
        account,
        "preferences_changed",
        changes.into(),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}
