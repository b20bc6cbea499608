//! Reminders and the weekly digest against a real PostgreSQL and a real SMTP server: the
//! receiver (`scripts/smtp_receiver.py`, aiosmtpd) decodes each message with Python's email
//! library, so what the tests read is what a mail client shows. The one clock is moved forward
//! by handing the scan a later day.
#![expect(clippy::expect_used, reason = "a test fails loudly on what it did not expect")]

mod common;

use app::auth::Role;
use app::health::server as signals_db;
use app::jobs;
use app::notify::mail::{MailSettings, Mailer};
use app::notify::server as notify;
use app::notify::Preferences;
use app::projects::input::ProjectInput;
use app::projects::server::{read, write};
use app::projects::stage::Stage;
use app::records::server::{self as records, DemoInput};
use chrono::{Days, NaiveDate};
use common::{account, user};
use serde_json::Value;
use sqlx::PgPool;
use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};

const PUBLIC_URL: &str = "https://tollgate.example";

/// The SMTP server, killed when the test ends.
struct Receiver {
    child: Child,
    out: PathBuf,
    port: u16,
}

impl Drop for Receiver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_file(&self.out);
    }
}

impl Receiver {
    fn start() -> Self {
        let python = std::env::var("TOLLGATE_TEST_PYTHON").unwrap_or_else(|_| "python3".into());
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("a free port")
            .port();
        let out = std::env::temp_dir().join(format!("tollgate-mail-{}-{port}.jsonl", std::process::id()));
        let script = concat!(env!("CARGO_MANIFEST_DIR"), "/../scripts/smtp_receiver.py");
        let mut child = Command::new(python)
            .args([script, "--port", &port.to_string(), "--out"])
            .arg(&out)
            .stdout(Stdio::piped())
            .spawn()
            .expect("the SMTP receiver starts (aiosmtpd: scripts/setup.sh test installs it)");
        let mut line = String::new();
        BufReader::new(child.stdout.take().expect("stdout"))
            .read_line(&mut line)
            .expect("the receiver says it listens");
        assert!(line.starts_with("listening"), "{line}");
        Self { child, out, port }
    }

    fn settings(&self) -> MailSettings {
        MailSettings {
            mailer: Some(
                Mailer::new(
                    &format!("smtp://127.0.0.1:{}", self.port),
                    "Tollgate <tollgate@example.com>",
                )
                .expect("a mailer"),
            ),
            public_url: PUBLIC_URL.into(),
            ..MailSettings::default()
        }
    }

    /// Every message received so far.
    fn received(&self) -> Vec<Value> {
        std::fs::read_to_string(&self.out)
            .unwrap_or_default()
            .lines()
            .map(|line| serde_json::from_str(line).expect("a JSON line"))
            .collect()
    }
}

/// Runs the jobs that are due (the emails the scan queued) until none is left.
async fn send_queued(pool: &PgPool, settings: &MailSettings, today: NaiveDate) {
    let state = app::state::AppState {
        clock: app::clock::Clock::Fixed(today),
        mail: settings.clone(),
        ..common::state(pool.clone())
    };
    for _ in 0..20 {
        let ran = jobs::run_due(&state, "test-worker", chrono::Duration::seconds(60))
            .await
            .expect("a round");
        if ran == 0 {
            return;
        }
    }
    panic!("the jobs never ran out");
}

async fn scan_and_send(pool: &PgPool, settings: &MailSettings, today: NaiveDate) -> notify::Scanned {
    // One project at a time: every scan here crosses batches as a large portfolio's does.
    let scanned = notify::scan_in_batches(pool, settings, today, 1)
        .await
        .expect("scanned");
    send_queued(pool, settings, today).await;
    scanned
}

fn input(name: &str) -> ProjectInput {
    ProjectInput {
        name: name.into(),
        team: "Claims".into(),
        risk_tier: "medium".into(),
        status: "active".into(),
        ..ProjectInput::default()
    }
}

async fn project_events(pool: &PgPool, id: uuid::Uuid) -> Vec<(String, Value)> {
    sqlx::query_as(
        "select action, changes from audit_events where entity_id = $1 and action like 'flag_%' order by id",
    )
    .bind(id)
    .fetch_all(pool)
    .await
    .expect("events")
}

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn reminders_are_emailed_once_per_occurrence_and_stop_when_the_cause_clears(pool: PgPool) {
    let smtp = Receiver::start();
    let settings = smtp.settings();
    let ana = user(&account(&pool, "ana@example.com", Role::Editor).await);
    account(&pool, "root@example.com", Role::Admin).await;
    let id = write::create(&pool, &ana, input("Churn model").validate().expect("valid"))
        .await
        .expect("created");
    // Its first demo falls due the day before this (no demo yet: the clock runs from creation).
    let overdue_on = signals_db::current_of(&pool, id)
        .await
        .expect("signals")
        .demo_overdue_on
        .expect("a demo clock");
    let day = |n: i64| {
        if n >= 0 {
            overdue_on + Days::new(n as u64)
        } else {
            overdue_on - Days::new(n.unsigned_abs())
        }
    };

    scan_and_send(&pool, &settings, day(-8)).await;
    assert!(smtp.received().is_empty(), "eight days ahead: nothing yet");

    scan_and_send(&pool, &settings, day(-7)).await;
    let mail = smtp.received();
    assert_eq!(mail.len(), 1, "{mail:#?}");
    let due_by = day(-1).format("%-d %b %Y").to_string();
    assert_eq!(mail[0]["to"], serde_json::json!(["ana@example.com"]));
    assert_eq!(mail[0]["subject"], format!("Demo due by {due_by}: Churn model"));
    let link = format!("{PUBLIC_URL}/projects/{id}");
    let text = mail[0]["text"].as_str().expect("a text part");
    assert!(
        text.contains(&format!("needs its next demo checkpoint by {due_by}")),
        "{text}"
    );
    assert!(text.contains(&link), "{text}");
    let html = mail[0]["html"].as_str().expect("an HTML part");
    assert!(html.contains(&format!("<a href=\"{link}\">")), "{html}");
    assert!(!text.contains("secret") && !html.contains("password_hash"));

    // Scanned again, that day and later in the week: the same occurrence, no second email.
    scan_and_send(&pool, &settings, day(-7)).await;
    scan_and_send(&pool, &settings, day(-3)).await;
    assert_eq!(smtp.received().len(), 1);

    // The day it is overdue: one more, and webhooks hear the flag raised.
    scan_and_send(&pool, &settings, day(0)).await;
    let mail = smtp.received();
    assert_eq!(mail.len(), 2);
    assert_eq!(mail[1]["subject"], "Demo overdue: Churn model");
    let events = project_events(&pool, id).await;
    assert_eq!(events.len(), 1, "{events:?}");
    assert_eq!(events[0].0, "flag_raised");
    assert_eq!(events[0].1["flag"]["after"], "demo_overdue");

    // The demo is held: the cause is gone. No reminder about it, not even the escalation
    // that would have come fourteen days on; the flag is cleared for webhooks.
    let demo = DemoInput {
        held_on: day(0).to_string(),
        summary: "Showed the model to the claims team".into(),
        attendees: "Claims leads".into(),
        outcome: "continue".into(),
        link: String::new(),
    };
    records::add_demo(&pool, &ana, id, &demo, day(0))
        .await
        .expect("demo recorded");
    scan_and_send(&pool, &settings, day(0)).await;
    scan_and_send(&pool, &settings, day(14)).await;
    assert_eq!(smtp.received().len(), 2);
    let events = project_events(&pool, id).await;
    assert_eq!(
        events.iter().map(|e| e.0.as_str()).collect::<Vec<_>>(),
        ["flag_raised", "flag_cleared"]
    );

    // Ana turns reminder email off: the next reminder is in the app only.
    notify::save_preferences(
        &pool,
        ana.id,
        Preferences {
            email_reminders: false,
            weekly_digest: true,
        },
    )
    .await
    .expect("saved");
    let next_due = signals_db::current_of(&pool, id)
        .await
        .expect("signals")
        .demo_overdue_on
        .expect("the next demo clock");
    scan_and_send(&pool, &settings, next_due - Days::new(7)).await;
    assert_eq!(smtp.received().len(), 2, "no email");
    let list = notify::list(&pool, &settings, ana.id).await.expect("listed");
    assert_eq!(list.unread, 3);
    assert_eq!(
        list.items
            .iter()
            .map(|n| (n.kind.as_str(), n.email.as_str()))
            .collect::<Vec<_>>(),
        [
            ("demo_due_soon", "in_app"),
            ("demo_overdue", "sent"),
            ("demo_due_soon", "sent")
        ]
    );
    let audited: i64 = sqlx::query_scalar(
        "select count(*) from audit_events where action = 'preferences_changed' and entity_id = $1",
    )
    .bind(ana.id)
    .fetch_one(&pool)
    .await
    .expect("count");
    assert_eq!(audited, 1);
    assert_eq!(notify::mark_all_read(&pool, ana.id).await.expect("read"), 3);
    assert_eq!(notify::unread(&pool, ana.id).await.expect("unread"), 0);
}

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn an_owner_gone_is_told_to_the_admins_and_an_overdue_demo_escalates_after_fourteen_days(pool: PgPool) {
    let smtp = Receiver::start();
    let mut settings = smtp.settings();
    settings.escalation_address = Some("risk-office@example.com".into());
    let ana = user(&account(&pool, "ana@example.com", Role::Editor).await);
    let root = account(&pool, "root@example.com", Role::Admin).await;
    let id = write::create(&pool, &ana, input("Fraud scoring").validate().expect("valid"))
        .await
        .expect("created");
    let overdue_on = signals_db::current_of(&pool, id)
        .await
        .expect("signals")
        .demo_overdue_on
        .expect("a demo clock");

    scan_and_send(&pool, &settings, overdue_on + Days::new(14)).await;
    let mail = smtp.received();
    let to = |m: &Value| m["to"][0].as_str().unwrap_or_default().to_owned();
    let mut got: Vec<(String, String)> = mail
        .iter()
        .map(|m| (to(m), m["subject"].as_str().unwrap_or_default().to_owned()))
        .collect();
    got.sort();
    let since = overdue_on.format("%-d %b %Y");
    assert_eq!(
        got,
        [
            (
                "ana@example.com".to_owned(),
                "Demo overdue: Fraud scoring".to_owned()
            ),
            (
                "risk-office@example.com".to_owned(),
                format!("Escalation — demo overdue since {since}: Fraud scoring")
            ),
            (
                "root@example.com".to_owned(),
                format!("Escalation — demo overdue since {since}: Fraud scoring")
            ),
        ]
    );

    // Ana's account is closed: the project is ownerless, and the admins hear of it once.
    app::admin::server::set_active(&pool, root.id, ana.id, false)
        .await
        .expect("deactivated");
    scan_and_send(&pool, &settings, overdue_on + Days::new(14)).await;
    scan_and_send(&pool, &settings, overdue_on + Days::new(15)).await;
    let ownerless: Vec<Value> = smtp
        .received()
        .into_iter()
        .filter(|m| m["subject"] == "No owner: Fraud scoring")
        .collect();
    assert_eq!(ownerless.len(), 1);
    assert_eq!(ownerless[0]["to"], serde_json::json!(["root@example.com"]));
}

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn a_project_that_did_not_change_hears_only_of_what_fell_due_since_the_last_scan(pool: PgPool) {
    let smtp = Receiver::start();
    let settings = smtp.settings();
    let ana = user(&account(&pool, "ana@example.com", Role::Editor).await);
    account(&pool, "root@example.com", Role::Admin).await;
    let id = write::create(&pool, &ana, input("Churn model").validate().expect("valid"))
        .await
        .expect("created");
    let overdue_on = signals_db::current_of(&pool, id)
        .await
        .expect("signals")
        .demo_overdue_on
        .expect("a demo clock");
    // The portfolio arrives (as a seed does) with the demo 10 days overdue: that is not news.
    let start = overdue_on + Days::new(10);
    let mut tx = pool.begin().await.expect("tx");
    notify::catch_up(&mut tx, start).await.expect("caught up");
    tx.commit().await.expect("committed");
    scan_and_send(&pool, &settings, start).await;
    scan_and_send(&pool, &settings, overdue_on + Days::new(13)).await;
    assert!(smtp.received().is_empty(), "{:#?}", smtp.received());
    assert!(
        project_events(&pool, id).await.is_empty(),
        "its flag counts as announced"
    );
    // Overdue by more than 14 days is new: the escalation goes out, the overdue reminder not.
    scan_and_send(&pool, &settings, overdue_on + Days::new(14)).await;
    let mail = smtp.received();
    assert_eq!(mail.len(), 1, "{mail:#?}");
    assert_eq!(mail[0]["to"], serde_json::json!(["root@example.com"]));
    assert!(mail[0]["subject"]
        .as_str()
        .expect("subject")
        .starts_with("Escalation — demo overdue since"));
}

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn the_weekly_digest_tells_owners_what_needs_them_and_leaders_the_week_and_skips_who_opted_out(
    pool: PgPool,
) {
    let smtp = Receiver::start();
    let settings = smtp.settings();
    let ana = user(&account(&pool, "ana@example.com", Role::Editor).await);
    let root = user(&account(&pool, "root@example.com", Role::Admin).await);
    let lead = account(&pool, "lead@example.com", Role::Viewer).await;
    let quiet = account(&pool, "quiet@example.com", Role::Viewer).await;
    notify::save_preferences(
        &pool,
        quiet.id,
        Preferences {
            email_reminders: true,
            weekly_digest: false,
        },
    )
    .await
    .expect("opted out");
    let id = write::create(&pool, &ana, input("Claims triage").validate().expect("valid"))
        .await
        .expect("created");
    // An admin overrides the gate into Design and hands it to Ana: a gate gap, and a move.
    let version = read::project(&pool, id)
        .await
        .expect("read")
        .expect("found")
        .version;
    write::move_stage(
        &pool,
        &root,
        id,
        version,
        Stage::Design,
        "",
        "The sponsor asked for a design review now",
        Some(ana.id),
    )
    .await
    .expect("moved");
    // Bo's project loses its owner this week.
    let bo = user(&account(&pool, "bo@example.com", Role::Editor).await);
    let orphan = write::create(&pool, &bo, input("Invoice matching").validate().expect("valid"))
        .await
        .expect("created");
    app::admin::server::set_active(&pool, root.id, bo.id, false)
        .await
        .expect("deactivated");
    let today = chrono::Utc::now().date_naive();

    assert_eq!(
        notify::digest(&pool, &settings, today).await.expect("digest"),
        3,
        "Ana, the lead, the admin"
    );
    assert_eq!(
        notify::digest(&pool, &settings, today).await.expect("again"),
        0,
        "one digest a week"
    );
    send_queued(&pool, &settings, today).await;
    // (The jobs round also ran the minute's scan: the admin heard of Bo's project by a reminder.)
    let mail: Vec<Value> = smtp
        .received()
        .into_iter()
        .filter(|m| {
            m["subject"]
                .as_str()
                .is_some_and(|s| s.starts_with("Tollgate weekly digest"))
        })
        .collect();
    let to = |who: &str| {
        mail.iter()
            .find(|m| m["to"][0] == who)
            .unwrap_or_else(|| panic!("no digest for {who}: {mail:#?}"))
    };
    assert_eq!(mail.len(), 3, "Ana, the lead and the admin; not who opted out");
    assert!(mail.iter().all(|m| m["to"][0] != "quiet@example.com"));

    let ana_text = to("ana@example.com")["text"].as_str().expect("text").to_owned();
    assert!(
        ana_text.contains("Your projects that need attention"),
        "{ana_text}"
    );
    assert!(
        ana_text.contains("- Claims triage — Design entered by an admin override without"),
        "{ana_text}"
    );
    assert!(ana_text.contains(&format!("{PUBLIC_URL}/projects/{id}")));
    assert!(
        !ana_text.contains("The portfolio this week"),
        "an owner gets their projects"
    );

    let lead_text = to("lead@example.com")["text"].as_str().expect("text").to_owned();
    assert!(lead_text.contains("The portfolio this week"), "{lead_text}");
    assert!(
        lead_text.contains("- 2 projects: 0 green, 1 amber, 1 red"),
        "{lead_text}"
    );
    assert!(lead_text.contains("Newly without an owner (1)\n"), "{lead_text}");
    assert!(
        lead_text.contains(&format!("- Invoice matching\n  {PUBLIC_URL}/projects/{orphan}")),
        "{lead_text}"
    );
    assert!(lead_text.contains("Newly stalled (0)\n"), "{lead_text}");
    assert!(lead_text.contains("Stage moves (1)\n"), "{lead_text}");
    assert!(
        lead_text.contains("- Claims triage: Define → Design"),
        "{lead_text}"
    );
    assert!(lead_text.contains("Deployed (0)\n"), "{lead_text}");
    assert!(!lead_text.contains("Your projects that need attention"));
    let lead_html = to("lead@example.com")["html"].as_str().expect("html").to_owned();
    assert!(lead_html.contains(&format!(
        "<a href=\"{PUBLIC_URL}/projects/{id}\">Claims triage: Define → Design</a>"
    )));
    assert!(to("lead@example.com")["subject"]
        .as_str()
        .expect("subject")
        .starts_with("Tollgate weekly digest"));

    let in_app = notify::list(&pool, &settings, lead.id).await.expect("listed");
    assert_eq!(in_app.items.len(), 1);
    assert_eq!(in_app.items[0].kind, app::notify::Kind::Digest);
    assert!(notify::list(&pool, &settings, quiet.id)
        .await
        .expect("listed")
        .items
        .is_empty());
}
