//! Background jobs and webhooks against a real PostgreSQL and a real HTTP endpoint: the
//! receiver (`scripts/webhook_receiver.py`) verifies every delivery with the reference Standard
//! Webhooks library, so a signature it accepts is one any consumer's library accepts.
#![expect(clippy::expect_used, reason = "a test fails loudly on what it did not expect")]

mod common;

use app::auth::Role;
use app::jobs::{self, AfterFailure};
use app::projects::input::ProjectInput;
use app::projects::server::write;
use app::webhooks::server as webhooks;
use app::webhooks::EventType;
use chrono::Duration;
use common::{account, user};
use serde_json::{json, Value};
use sqlx::PgPool;
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

const LEASE: Duration = Duration::seconds(60);

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn a_job_claimed_by_one_worker_is_not_run_by_the_other(pool: PgPool) {
    for n in 0..40 {
        jobs::enqueue(&pool, "test", json!({ "n": n }), None, None)
            .await
            .expect("queued");
    }
    let (a, b) = tokio::join!(
        jobs::claim(&pool, "worker-a", LEASE, 30),
        jobs::claim(&pool, "worker-b", LEASE, 30),
    );
    let (a, b) = (a.expect("a claimed"), b.expect("b claimed"));
    let mut ids: Vec<i64> = a.iter().chain(&b).map(|j| j.id).collect();
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), a.len() + b.len(), "no job went to both workers");
    assert_eq!(ids.len(), 40, "between them they took every job");
    assert!(
        jobs::claim(&pool, "worker-c", LEASE, 10)
            .await
            .expect("c")
            .is_empty(),
        "a held job is skipped"
    );
    // A job with a key is queued once, however often it is asked for.
    assert!(jobs::enqueue(&pool, "test", json!({}), Some("once"), None)
        .await
        .expect("first")
        .is_some());
    assert!(jobs::enqueue(&pool, "test", json!({}), Some("once"), None)
        .await
        .expect("again")
        .is_none());
}

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn a_worker_killed_mid_job_leaves_it_to_run_again_when_its_lease_runs_out(pool: PgPool) {
    jobs::enqueue(&pool, "test", json!({}), None, None)
        .await
        .expect("queued");
    let short = Duration::milliseconds(300);
    let taken = jobs::claim(&pool, "dies", short, 1).await.expect("claimed");
    assert_eq!(taken.len(), 1);
    // "dies" never finishes. While its lease lasts nobody else runs the job …
    assert!(jobs::claim(&pool, "lives", LEASE, 1)
        .await
        .expect("claim")
        .is_empty());
    tokio::time::sleep(std::time::Duration::from_millis(400)).await;
    // … then it runs again, as a second try.
    let again = jobs::claim(&pool, "lives", LEASE, 1)
        .await
        .expect("claimed again");
    assert_eq!(again.len(), 1);
    assert_eq!((again[0].id, again[0].attempts), (taken[0].id, 2));
    // The dead worker's late word counts for nothing; the live one's does.
    assert!(!jobs::finish(&pool, &taken[0], "dies").await.expect("finish"));
    assert!(jobs::finish(&pool, &again[0], "lives").await.expect("finish"));
    assert!(
        jobs::claim(&pool, "lives", LEASE, 1)
            .await
            .expect("claim")
            .is_empty(),
        "done is done"
    );
}

/// Moves every waiting job's time to now: the clock moved past their back-off.
async fn wait_is_over(pool: &PgPool) {
    sqlx::query("update jobs set run_at = now() where done_at is null and parked_at is null")
        .execute(pool)
        .await
        .expect("clock moved");
}

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn a_failing_job_waits_longer_each_time_then_is_parked_with_its_error(pool: PgPool) {
    let id = jobs::enqueue(&pool, "test", json!({}), None, None)
        .await
        .expect("queued")
        .expect("id");
    sqlx::query("update jobs set max_attempts = 3 where id = $1")
        .bind(id)
        .execute(&pool)
        .await
        .expect("set");
    let mut waits = Vec::new();
    for _ in 0..2 {
        let job = jobs::claim(&pool, "w", LEASE, 1)
            .await
            .expect("claimed")
            .remove(0);
        let before = chrono::Utc::now();
        match jobs::fail(&pool, &job, "w", "the endpoint answered 500")
            .await
            .expect("failed")
        {
            AfterFailure::RetryAt(at) => waits.push((at - before).num_seconds()),
            other => panic!("expected a retry, got {other:?}"),
        }
        assert!(
            jobs::claim(&pool, "w", LEASE, 1).await.expect("claim").is_empty(),
            "it waits"
        );
        wait_is_over(&pool).await;
    }
    assert!(
        (29..=31).contains(&waits[0]) && (59..=61).contains(&waits[1]),
        "{waits:?}"
    );
    let job = jobs::claim(&pool, "w", LEASE, 1)
        .await
        .expect("claimed")
        .remove(0);
    assert_eq!(
        jobs::fail(&pool, &job, "w", "still 500").await.expect("failed"),
        AfterFailure::Parked
    );
    wait_is_over(&pool).await;
    assert!(
        jobs::claim(&pool, "w", LEASE, 1).await.expect("claim").is_empty(),
        "a parked job is not run"
    );
    let parked = jobs::parked(&pool, 10).await.expect("parked");
    assert_eq!(
        (parked[0].id, parked[0].attempts, parked[0].last_error.as_str()),
        (id, 3, "still 500")
    );
}

/// The receiver, started for one test and stopped with it.
struct Receiver {
    child: Child,
    base: String,
}

impl Receiver {
    fn start() -> Receiver {
        let python = std::env::var("TOLLGATE_TEST_PYTHON").unwrap_or_else(|_| "python3".into());
        let script = concat!(env!("CARGO_MANIFEST_DIR"), "/../scripts/webhook_receiver.py");
        let mut child = Command::new(&python)
            .arg(script)
            .stdout(Stdio::piped())
            .spawn()
            .unwrap_or_else(|e| panic!("starting the webhook receiver with {python}: {e}"));
        let mut line = String::new();
        BufReader::new(child.stdout.take().expect("stdout"))
            .read_line(&mut line)
            .expect("the receiver says where it listens");
        let port = line.trim().strip_prefix("listening on ").unwrap_or_else(|| {
            panic!("the receiver did not start (is standardwebhooks installed for {python}?): {line:?}")
        });
        Receiver {
            child,
            base: format!("http://127.0.0.1:{port}"),
        }
    }

    async fn post(&self, path: &str, body: &str) {
        let response = reqwest::Client::new()
            .post(format!("{}{path}", self.base))
            .body(body.to_owned())
            .send()
            .await
            .expect("the receiver answers");
        assert!(response.status().is_success(), "{path}: {}", response.status());
    }

    async fn received(&self) -> Vec<Value> {
        reqwest::get(format!("{}/received", self.base))
            .await
            .expect("the receiver answers")
            .json()
            .await
            .expect("json")
    }
}

impl Drop for Receiver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Runs worker rounds until `done` holds of what the receiver got (at most 15 s).
async fn deliver_until(pool: &PgPool, receiver: &Receiver, done: impl Fn(&[Value]) -> bool) -> Vec<Value> {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(15);
    loop {
        jobs::run_due(&common::state(pool.clone()), "test-worker", LEASE)
            .await
            .expect("a worker round");
        let got = receiver.received().await;
        if done(&got) || std::time::Instant::now() > deadline {
            return got;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
}

/// Runs worker rounds until `n` tries have been made in all (at most 15 s).
async fn tried(pool: &PgPool, n: i64) {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(15);
    while std::time::Instant::now() < deadline {
        jobs::run_due(&common::state(pool.clone()), "test-worker", LEASE)
            .await
            .expect("a worker round");
        let tries: i64 =
            sqlx::query_scalar("select coalesce(sum(attempts), 0)::bigint from webhook_deliveries")
                .fetch_one(pool)
                .await
                .expect("tries");
        if tries >= n {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    panic!("{n} tries were not made within 15 s");
}

async fn statuses(pool: &PgPool) -> Vec<(String, String, i32, Option<i32>)> {
    sqlx::query_as(
        "select event_type, status, attempts, response_code from webhook_deliveries order by event_id, created_at",
    )
    .fetch_all(pool)
    .await
    .expect("deliveries")
}

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn deliveries_are_signed_so_the_reference_library_verifies_them_and_a_failing_endpoint_gets_them_again(
    pool: PgPool,
) {
    let receiver = Receiver::start();
    let admin = user(&account(&pool, "root@example.com", Role::Admin).await);
    let url = format!("{}/hook", receiver.base);

    // A loopback address is refused at once while such addresses are not allowed …
    let refused = webhooks::create(&pool, admin.id, &url, &[EventType::ProjectCreated]).await;
    assert!(
        matches!(&refused, Err(app::error::AppError::Invalid(fields)) if fields.get("url").is_some_and(|m| m.contains("loopback or private network"))),
        "{refused:?}"
    );
    // … and checked again at every delivery (a name may resolve to one later): registered while
    // allowed, refused once the setting is off, the delivery saying why.
    webhooks::set_allow_private(&pool, admin.id, true)
        .await
        .expect("allowed");
    let (_, secret) = webhooks::create(&pool, admin.id, &url, &[EventType::ProjectCreated])
        .await
        .expect("registered");
    webhooks::set_allow_private(&pool, admin.id, false)
        .await
        .expect("refused again");
    receiver.post("/secret", &secret).await;
    let input = |name: &str| ProjectInput {
        name: name.into(),
        team: "Claims".into(),
        risk_tier: "medium".into(),
        status: "active".into(),
        ..ProjectInput::default()
    };
    write::create(&pool, &admin, input("Fraud scoring").validate().expect("valid"))
        .await
        .expect("created");
    tried(&pool, 1).await;
    let refused: (String, String) = sqlx::query_as("select status, last_error from webhook_deliveries")
        .fetch_one(&pool)
        .await
        .expect("one");
    assert_eq!(refused.0, "failing");
    assert!(refused.1.contains("loopback or private network"), "{}", refused.1);
    assert!(
        receiver.received().await.is_empty(),
        "nothing reached the refused address"
    );

    // Allowed: the waiting delivery goes through, signed.
    webhooks::set_allow_private(&pool, admin.id, true)
        .await
        .expect("allowed");
    wait_is_over(&pool).await;
    let got = deliver_until(&pool, &receiver, |got| got.len() == 1).await;
    assert_eq!(got.len(), 1, "{got:?}");
    assert_eq!(got[0]["verified"], true, "{got:?}");
    assert_eq!(got[0]["type"], "project.created");
    let event_id = got[0]["event_id"].as_i64().expect("the audit event's id");
    assert_eq!(got[0]["id"], format!("msg_{event_id}"));
    assert_eq!(
        statuses(&pool).await[0],
        ("project.created".into(), "delivered".into(), 2, Some(204))
    );

    // A second endpoint hearing every event; the receiver fails twice, then succeeds.
    webhooks::delete(
        &pool,
        admin.id,
        webhooks::view(&pool, None).await.expect("view").webhooks[0].id,
    )
    .await
    .expect("deleted");
    let (_, secret) = webhooks::create(&pool, admin.id, &url, EventType::ALL)
        .await
        .expect("registered");
    receiver.post("/secret", &secret).await;
    receiver.post("/fail", "2").await;
    let id = write::create(&pool, &admin, input("Churn model").validate().expect("valid"))
        .await
        .expect("created");
    let got = deliver_until(&pool, &receiver, |got| !got.is_empty()).await;
    assert_eq!(
        got.iter().map(|g| g["answered"].as_i64()).collect::<Vec<_>>(),
        vec![Some(500)]
    );
    wait_is_over(&pool).await;
    deliver_until(&pool, &receiver, |got| got.len() == 2).await;
    wait_is_over(&pool).await;
    let got = deliver_until(&pool, &receiver, |got| got.len() == 3).await;
    // Some more rounds: a delivered event is not sent again.
    wait_is_over(&pool).await;
    jobs::run_due(&common::state(pool.clone()), "test-worker", LEASE)
        .await
        .expect("round");
    let got_after = receiver.received().await;
    assert_eq!(got_after.len(), 3, "{got_after:?}");
    let answers: Vec<_> = got
        .iter()
        .map(|g| (g["answered"].as_i64(), g["id"].clone()))
        .collect();
    assert_eq!(answers[0].0, Some(500));
    assert_eq!(answers[1].0, Some(500));
    assert_eq!(answers[2].0, Some(204));
    assert!(
        answers.iter().all(|a| a.1 == answers[0].1),
        "every try carries the same webhook-id"
    );
    assert!(got.iter().all(|g| g["verified"] == true));
    let churn = statuses(&pool).await.pop().expect("the newest delivery");
    assert_eq!(
        churn,
        ("project.created".into(), "delivered".into(), 3, Some(204))
    );

    // A deleted endpoint hears nothing more; the one left hears a project edit.
    let edit = ProjectInput {
        summary: "Predicts churn a month ahead.".into(),
        ..input("Churn model")
    };
    write::update(&pool, &admin, id, 1, edit.validate().expect("valid"))
        .await
        .expect("edited");
    let got = deliver_until(&pool, &receiver, |got| got.len() == 4).await;
    assert_eq!(got[3]["type"], "project.updated");
    assert_eq!(got[3]["verified"], true);

    // A tampered body fails the reference library's check.
    let tampered = reqwest::Client::new()
        .post(&url)
        .header("webhook-id", "msg_1")
        .header("webhook-timestamp", chrono::Utc::now().timestamp().to_string())
        .header(
            "webhook-signature",
            "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=",
        )
        .body(r#"{"type":"project.created","data":{}}"#)
        .send()
        .await
        .expect("sent");
    assert_eq!(tampered.status().as_u16(), 400);

    // Every change to webhooks was audited.
    let actions: Vec<String> = sqlx::query_scalar(
        "select action from audit_events where entity_type in ('webhook', 'settings') order by id",
    )
    .fetch_all(&pool)
    .await
    .expect("audit");
    assert_eq!(
        actions,
        [
            "webhooks_private_changed",
            "webhook_created",
            "webhooks_private_changed",
            "webhooks_private_changed",
            "webhook_deleted",
            "webhook_created"
        ]
    );
}
