//! Operating Tollgate: the embedded cluster from a private folder, a database that dies and
//! comes back, failing fast while it is away, a bounded shutdown, and `--version`. These start
//! real PostgreSQL clusters (and the real server binary) in temporary folders.
#![expect(clippy::expect_used, reason = "a test fails loudly on what it did not expect")]

mod common;

use axum::http::StatusCode;
use server::embedded_pg::{default_data_dir, EmbeddedPostgres};
use sqlx::postgres::PgPoolOptions;
use sqlx::{Connection, PgPool};
use std::io::{Read, Write};
use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tower::ServiceExt;

fn is_root() -> bool {
    // SAFETY: geteuid has no preconditions.
    unsafe { libc::geteuid() == 0 }
}

fn private_dir() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o700)).expect("chmod");
    dir
}

fn open_dir() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o755)).expect("chmod");
    dir
}

fn alive(pid: u32) -> bool {
    std::fs::read_to_string(format!("/proc/{pid}/stat"))
        .map(|stat| !stat.contains(") Z "))
        .unwrap_or(false)
}

#[tokio::test]
async fn a_checkout_in_a_private_folder_still_gets_its_embedded_cluster() {
    let checkout = private_dir();
    let fallback = open_dir();
    let data = default_data_dir(checkout.path(), fallback.path());
    if is_root() {
        assert!(
            data.starts_with(fallback.path()),
            "moved out of reach of the 0700 folder: {data:?}"
        );
    } else {
        assert_eq!(data, checkout.path().join(".tollgate/pgdata"));
    }
    let cluster = EmbeddedPostgres::start(&data).await.expect("starts");
    let mut conn = sqlx::PgConnection::connect(&cluster.url())
        .await
        .expect("connect");
    let one: i32 = sqlx::query_scalar("select 1")
        .fetch_one(&mut conn)
        .await
        .expect("query");
    assert_eq!(one, 1);
    conn.close().await.expect("close");
    cluster.stop().await.expect("stop");

    // A data directory set explicitly under a private folder is refused at once, saying what to set.
    if is_root() {
        let started = Instant::now();
        let error = EmbeddedPostgres::start(&checkout.path().join("explicit"))
            .await
            .expect_err("unreachable");
        assert!(format!("{error:#}").contains("TOLLGATE_DATA_DIR"), "{error:#}");
        assert!(started.elapsed() < Duration::from_secs(1));
    }
}

/// Inserts `first`, `first + step`, … as fast as it can, keeping each number PostgreSQL
/// acknowledged; failures (while the database is away) are retried with the next number.
fn writer(
    pool: PgPool,
    first: i64,
    step: i64,
    acknowledged: Arc<Mutex<Vec<i64>>>,
    stop: Arc<std::sync::atomic::AtomicBool>,
) -> tokio::task::JoinHandle<u64> {
    tokio::spawn(async move {
        let mut failed = 0;
        let mut next = first - step;
        while !stop.load(std::sync::atomic::Ordering::Relaxed) {
            next += step;
            match sqlx::query("insert into writes (n) values ($1)")
                .bind(next)
                .execute(&pool)
                .await
            {
                Ok(_) => acknowledged.lock().expect("lock").push(next),
                Err(_) => {
                    failed += 1;
                    tokio::time::sleep(Duration::from_millis(20)).await;
                }
            }
        }
        failed
    })
}

#[tokio::test]
async fn a_killed_embedded_postgres_comes_back_within_seconds_and_loses_no_acknowledged_write() {
    let dir = open_dir();
    let cluster = EmbeddedPostgres::start(&dir.path().join("pgdata"))
        .await
        .expect("starts");
    let pool = PgPoolOptions::new()
        .max_connections(4)
        .acquire_timeout(Duration::from_secs(2))
        .connect(&cluster.url())
        .await
        .expect("pool");
    sqlx::query("create table writes (n bigint primary key)")
        .execute(&pool)
        .await
        .expect("table");

    let acknowledged = Arc::new(Mutex::new(Vec::new()));
    let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
    // Two writers with disjoint numbers.
    let writers: Vec<_> = (1..=2)
        .map(|first| writer(pool.clone(), first, 2, acknowledged.clone(), stop.clone()))
        .collect();
    tokio::time::sleep(Duration::from_millis(500)).await;

    let before = cluster.postmaster_pid().expect("running");
    // The OOM killer's way: SIGKILL, no goodbye.
    // SAFETY: kill has no memory-safety preconditions.
    unsafe { libc::kill(before as i32, libc::SIGKILL) };
    let killed_at = Instant::now();
    let acked_at_kill = acknowledged.lock().expect("lock").len();
    let back = loop {
        let now = acknowledged.lock().expect("lock").len();
        if now > acked_at_kill + 50 && cluster.postmaster_pid().is_some_and(|pid| pid != before) {
            break killed_at.elapsed();
        }
        assert!(
            killed_at.elapsed() < Duration::from_secs(15),
            "not serving again after 15 s"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    assert!(back < Duration::from_secs(10), "serving again after {back:?}");
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    for writer in writers {
        writer.await.expect("writer");
    }

    let acknowledged = acknowledged.lock().expect("lock").clone();
    let stored: Vec<i64> = sqlx::query_scalar("select n from writes")
        .fetch_all(&pool)
        .await
        .expect("read");
    let stored: std::collections::HashSet<i64> = stored.into_iter().collect();
    let lost: Vec<_> = acknowledged.iter().filter(|n| !stored.contains(n)).collect();
    assert!(
        acknowledged.len() > 100,
        "the writers wrote ({})",
        acknowledged.len()
    );
    assert!(
        lost.is_empty(),
        "{} acknowledged writes lost: {lost:?}",
        lost.len()
    );
    pool.close().await;
    cluster.stop().await.expect("stop");
}

#[tokio::test]
async fn while_the_database_is_away_requests_fail_within_two_seconds_with_503_and_recover() {
    let dir = open_dir();
    let data = dir.path().join("pgdata");
    let cluster = EmbeddedPostgres::start(&data).await.expect("starts");
    // Used as an external database: Tollgate's pool, not its supervisor, has to cope.
    let url = cluster.url();
    let pool = server::connect_and_migrate(&url, 4, Some(Duration::from_secs(15)))
        .await
        .expect("pool");
    let state = common::state(pool.clone());
    let app = server::app(state.clone());
    // With a session cookie, so answering needs the database.
    let list = || {
        common::post_form(
            "/api/projects/list",
            "",
            Some("tollgate_session=not-a-live-session"),
        )
    };
    assert_eq!(
        app.clone().oneshot(list()).await.expect("answered").status(),
        StatusCode::UNAUTHORIZED,
        "up: an ordinary answer"
    );

    cluster.stop().await.expect("stop");
    // Before the watcher notices: each request waits at most 2 s for a connection.
    let started = Instant::now();
    let response = app.clone().oneshot(list()).await.expect("answered");
    assert!(
        started.elapsed() < Duration::from_millis(2600),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(common::error_code(response).await, "database_unavailable");

    // Once it has noticed: at once, a page for browsers, the envelope for the rest.
    assert!(!server::availability::answers(&state).await);
    state.database.set_up(false);
    let started = Instant::now();
    let page = app
        .clone()
        .oneshot(common::get("/projects", None))
        .await
        .expect("answered");
    assert!(started.elapsed() < Duration::from_millis(200));
    assert_eq!(page.status(), StatusCode::SERVICE_UNAVAILABLE);
    let policy = page.headers()[axum::http::header::CONTENT_SECURITY_POLICY]
        .to_str()
        .unwrap_or_default()
        .to_owned();
    assert!(
        policy.contains("style-src 'self'"),
        "the page may load our stylesheet: {policy}"
    );
    assert!(common::body_text(page)
        .await
        .contains("Tollgate is unavailable for a moment"));
    let health = app
        .clone()
        .oneshot(common::get("/healthz", None))
        .await
        .expect("answered");
    assert_eq!(health.status(), StatusCode::SERVICE_UNAVAILABLE);

    let cluster = EmbeddedPostgres::start(&data).await.expect("back");
    assert!(
        server::availability::answers(&state).await,
        "the pool reconnects by itself"
    );
    state.database.set_up(true);
    assert_eq!(
        app.oneshot(list()).await.expect("answered").status(),
        StatusCode::UNAUTHORIZED
    );
    pool.close().await;
    cluster.stop().await.expect("stop");
}

/// A free port on the loopback interface.
fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

fn server_command(data: &Path, port: u16) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_server"));
    command
        .env_remove("DATABASE_URL")
        .env("TOLLGATE_DATA_DIR", data)
        .env("LEPTOS_OUTPUT_NAME", "tollgate")
        .env("LEPTOS_SITE_ROOT", "target/site")
        .env("LEPTOS_SITE_PKG_DIR", "pkg")
        .env("LEPTOS_SITE_ADDR", format!("127.0.0.1:{port}"))
        .env("LEPTOS_RELOAD_PORT", free_port().to_string())
        .env("TOLLGATE_SHUTDOWN_SECONDS", "2")
        .env("RUST_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    command
}

fn wait_for_health(port: u16, child: &mut std::process::Child) -> String {
    let started = Instant::now();
    loop {
        if let Ok(mut stream) = std::net::TcpStream::connect(("127.0.0.1", port)) {
            let _ =
                stream.write_all(b"GET /healthz HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n");
            let mut answer = String::new();
            let _ = stream.read_to_string(&mut answer);
            if answer.starts_with("HTTP/1.1 200") {
                return answer;
            }
        }
        assert!(
            child.try_wait().expect("status").is_none(),
            "the server exited at start"
        );
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "the server did not start"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

fn postmaster_pid(data: &Path) -> Option<u32> {
    std::fs::read_to_string(data.join("postmaster.pid"))
        .ok()?
        .lines()
        .next()?
        .trim()
        .parse()
        .ok()
}

#[test]
fn sigterm_drops_a_stalled_request_at_the_deadline_and_stops_the_cluster() {
    let dir = open_dir();
    let data = dir.path().join("pgdata");
    let port = free_port();
    let mut child = server_command(&data, port).spawn().expect("server");
    let health = wait_for_health(port, &mut child);
    assert!(health.contains("\"database\":\"embedded\""), "{health}");
    assert!(health.contains("\"migration\":"), "{health}");
    let postgres = postmaster_pid(&data).expect("cluster running");

    // A client that sends half a request body and then stalls.
    let mut stalled = std::net::TcpStream::connect(("127.0.0.1", port)).expect("connect");
    stalled
        .write_all(
            format!(
                "POST /api/login HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nOrigin: http://127.0.0.1:{port}\r\n\
                 Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 1000\r\n\r\nemail=a"
            )
            .as_bytes(),
        )
        .expect("half a request");
    std::thread::sleep(Duration::from_millis(300));

    let started = Instant::now();
    // SAFETY: kill has no memory-safety preconditions.
    unsafe { libc::kill(child.id() as i32, libc::SIGTERM) };
    let status = loop {
        if let Some(status) = child.try_wait().expect("status") {
            break status;
        }
        assert!(
            started.elapsed() < Duration::from_secs(15),
            "still running 15 s after SIGTERM"
        );
        std::thread::sleep(Duration::from_millis(50));
    };
    let took = started.elapsed();
    assert!(status.success(), "{status}");
    assert!(
        took >= Duration::from_secs(2),
        "waited for the request in flight ({took:?})"
    );
    assert!(took < Duration::from_secs(10), "but not forever ({took:?})");
    assert!(!alive(postgres), "the cluster was stopped");
    drop(stalled);
}

#[test]
fn a_server_killed_outright_takes_its_cluster_with_it() {
    let dir = open_dir();
    let data = dir.path().join("pgdata");
    let port = free_port();
    let mut child = server_command(&data, port).spawn().expect("server");
    wait_for_health(port, &mut child);
    let postgres = postmaster_pid(&data).expect("cluster running");
    child.kill().expect("SIGKILL");
    child.wait().expect("reaped");
    let started = Instant::now();
    while alive(postgres) {
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "the cluster outlived its server"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn the_server_says_its_version() {
    let output = Command::new(env!("CARGO_BIN_EXE_server"))
        .arg("--version")
        .output()
        .expect("runs");
    assert!(output.status.success());
    assert_eq!(
        String::from_utf8_lossy(&output.stdout).trim(),
        format!("server {}", env!("CARGO_PKG_VERSION"))
    );
}
