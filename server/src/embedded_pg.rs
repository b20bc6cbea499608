//! The private PostgreSQL cluster Tollgate runs when `DATABASE_URL` is unset.
//!
//! `initdb` on first use, then `postgres` itself as a child process, listening only on a unix
//! socket inside the data directory (no TCP port: nothing else can reach it, nothing collides).
//! PostgreSQL refuses to run as root, so as root the cluster runs as the `postgres` user.
//!
//! The child is supervised: if it dies (killed, or by the OOM killer) it is started again at
//! once — PostgreSQL's own crash recovery replays its log, so no committed write is lost — and
//! if it cannot be brought back after a few tries, [`EmbeddedPostgres::gave_up`] resolves so
//! the server can exit non-zero for its supervisor to act. The kernel stops the cluster if
//! the server itself is killed (a parent-death signal), so no orphaned cluster is left running.

use anyhow::{bail, Context};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};
use std::sync::Arc;
use std::time::Duration;
use tokio::process::{Child, Command};
use tokio::sync::watch;

mod place;

use place::is_root;
pub use place::{
    default_data_dir, find_binaries, postgres_account, traversable, unreachable_ancestor, Account,
    DEFAULT_DATA_DIR, FALLBACK_ROOT, NOT_INSTALLED,
};

/// The database Tollgate creates inside its cluster.
const DATABASE: &str = "tollgate";
/// Unix socket paths are limited to 107 bytes on Linux.
const MAX_SOCKET_PATH: usize = 100;
/// How often the supervisor tries to bring a dead cluster back before giving up.
const RESTART_ATTEMPTS: u32 = 5;
/// What the supervisor and [`EmbeddedPostgres::stop`] share.
struct Shared {
    bin_dir: PathBuf,
    data_dir: PathBuf,
    socket_dir: PathBuf,
    run_as: Option<Account>,
    /// The pid of the postmaster we started, 0 when none (or one we found running).
    child_pid: AtomicU32,
    stopping: AtomicBool,
}

pub struct EmbeddedPostgres {
    shared: Arc<Shared>,
    supervisor: tokio::task::JoinHandle<()>,
    gave_up: watch::Receiver<bool>,
}

impl std::fmt::Debug for EmbeddedPostgres {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EmbeddedPostgres")
            .field("data_dir", &self.shared.data_dir)
            .finish()
    }
}

impl EmbeddedPostgres {
    /// Prepares (and on first use initialises) the cluster in `data_dir`, starts it unless it
    /// is already running, and supervises it from then on.
    pub async fn start(data_dir: &Path) -> anyhow::Result<Self> {
        let bin_dir = find_binaries().context(NOT_INSTALLED)?;
        let run_as = if is_root() {
            Some(postgres_account()?)
        } else {
            None
        };
        std::fs::create_dir_all(data_dir)
            .with_context(|| format!("creating the data directory {}", data_dir.display()))?;
        let data_dir = data_dir
            .canonicalize()
            .with_context(|| format!("resolving {}", data_dir.display()))?;
        if let Some(account) = run_as {
            if let Some(blocked) = unreachable_ancestor(&data_dir, account) {
                bail!(
                    "the embedded PostgreSQL runs as the `postgres` user, which can't reach {} because {} \
                     is private. Set TOLLGATE_DATA_DIR to a directory it can reach (for example \
                     {FALLBACK_ROOT}/pgdata), or leave it unset, or set DATABASE_URL",
                    data_dir.display(),
                    blocked.display()
                );
            }
        }
        let socket_dir = socket_dir_for(&data_dir)?;
        let shared = Arc::new(Shared {
            bin_dir,
            data_dir,
            socket_dir,
            run_as,
            child_pid: AtomicU32::new(0),
            stopping: AtomicBool::new(false),
        });
        shared.prepare_directories()?;
        if !shared.data_dir.join("PG_VERSION").exists() {
            shared.initdb().await?;
        }
        shared.recover_stale_lock()?;
        let child = if shared.running_pid().is_some() {
            tracing::info!(data_dir = %shared.data_dir.display(), "using the PostgreSQL already running on this data directory");
            None
        } else {
            Some(shared.spawn_and_wait().await?)
        };
        shared.ensure_database().await?;
        let (tell, gave_up) = watch::channel(false);
        let supervisor = tokio::spawn(supervise(shared.clone(), child, tell));
        Ok(Self {
            shared,
            supervisor,
            gave_up,
        })
    }

    /// The sqlx connection URL for Tollgate's database in this cluster.
    pub fn url(&self) -> String {
        self.shared.url_for(DATABASE)
    }

    /// The data directory in use.
    pub fn data_dir(&self) -> &Path {
        &self.shared.data_dir
    }

    /// The postmaster's process id while it runs.
    pub fn postmaster_pid(&self) -> Option<u32> {
        self.shared.running_pid()
    }

    /// Resolves if the cluster died and could not be started again.
    pub async fn gave_up(&self) {
        let mut gave_up = self.gave_up.clone();
        let _ = gave_up.wait_for(|given_up| *given_up).await;
    }

    /// Stops the cluster, waiting for a clean shutdown.
    pub async fn stop(self) -> anyhow::Result<()> {
        self.shared.stopping.store(true, Ordering::SeqCst);
        let pid = self.shared.child_pid.load(Ordering::SeqCst);
        if pid == 0 {
            // One we found running: pg_ctl knows how to stop it.
            self.supervisor.abort();
            let output = self
                .shared
                .command("pg_ctl")
                .arg("-D")
                .arg(&self.shared.data_dir)
                .args(["-m", "fast", "-w", "stop"])
                .output()
                .await
                .context("running pg_ctl stop")?;
            return check(output, "pg_ctl stop");
        }
        // SIGINT is PostgreSQL's fast shutdown: sessions end, the log is flushed, clean exit.
        signal(pid, libc::SIGINT);
        let mut supervisor = self.supervisor;
        if tokio::time::timeout(Duration::from_secs(30), &mut supervisor)
            .await
            .is_err()
        {
            tracing::warn!("PostgreSQL did not stop within 30 s: stopping it immediately");
            signal(pid, libc::SIGQUIT);
            let _ = tokio::time::timeout(Duration::from_secs(10), supervisor).await;
        }
        Ok(())
    }
}

fn signal(pid: u32, signal: libc::c_int) {
    if let Ok(pid) = libc::pid_t::try_from(pid) {
        // SAFETY: kill has no memory-safety preconditions.
        unsafe { libc::kill(pid, signal) };
    }
}

/// Watches the postmaster; starts it again when it dies, unless we are stopping it.
async fn supervise(shared: Arc<Shared>, mut child: Option<Child>, gave_up: watch::Sender<bool>) {
    loop {
        match child.as_mut() {
            Some(running) => {
                let status = running.wait().await;
                shared.child_pid.store(0, Ordering::SeqCst);
                if shared.stopping.load(Ordering::SeqCst) {
                    tracing::info!("embedded PostgreSQL stopped");
                    return;
                }
                tracing::error!(
                    ?status,
                    "embedded PostgreSQL exited unexpectedly: starting it again"
                );
            }
            None => {
                // One we found running: check on it every second.
                while shared.running_pid().is_some() {
                    tokio::time::sleep(Duration::from_secs(1)).await;
                }
                if shared.stopping.load(Ordering::SeqCst) {
                    return;
                }
                tracing::error!("the PostgreSQL this server was using is gone: starting it again");
            }
        }
        child = None;
        for attempt in 1..=RESTART_ATTEMPTS {
            if shared.stopping.load(Ordering::SeqCst) {
                return;
            }
            // Backends of the dead postmaster leave within a moment; until then the cluster
            // refuses to start ("shared memory block still in use").
            tokio::time::sleep(Duration::from_millis(500 * u64::from(attempt))).await;
            let restarted = async {
                shared.recover_stale_lock()?;
                shared.spawn_and_wait().await
            };
            match restarted.await {
                Ok(started) => {
                    tracing::warn!(
                        attempt,
                        "embedded PostgreSQL is running again (after crash recovery)"
                    );
                    child = Some(started);
                    break;
                }
                Err(error) => tracing::error!(attempt, "starting the embedded PostgreSQL again: {error:#}"),
            }
        }
        if child.is_none() {
            tracing::error!(
                attempts = RESTART_ATTEMPTS,
                "the embedded PostgreSQL could not be started again: giving up"
            );
            let _ = gave_up.send(true);
            return;
        }
    }
}

impl Shared {
    fn url_for(&self, database: &str) -> String {
        format!(
            "postgres://postgres@localhost/{database}?host={}",
            self.socket_dir.display()
        )
    }

    /// A PostgreSQL tool, run as the `postgres` user when we are root.
    fn command(&self, binary: &str) -> Command {
        let mut command = Command::new(self.bin_dir.join(binary));
        if let Some(account) = self.run_as {
            command.uid(account.uid).gid(account.gid);
        }
        // The server's own working directory may be one the postgres user can't enter.
        command.current_dir("/");
        command.kill_on_drop(false);
        command
    }

    fn prepare_directories(&self) -> anyhow::Result<()> {
        use std::os::unix::fs::PermissionsExt;
        for dir in [&self.data_dir, &self.socket_dir] {
            std::fs::create_dir_all(dir)?;
            std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700))
                .with_context(|| format!("restricting {}", dir.display()))?;
            if let Some(account) = self.run_as {
                std::os::unix::fs::chown(dir, Some(account.uid), Some(account.gid))
                    .with_context(|| format!("giving {} to the postgres user", dir.display()))?;
            }
        }
        Ok(())
    }

    async fn initdb(&self) -> anyhow::Result<()> {
        tracing::info!(data_dir = %self.data_dir.display(), "initialising the embedded PostgreSQL cluster");
        let output = self
            .command("initdb")
            .arg("-D")
            .arg(&self.data_dir)
            .args(["-U", "postgres", "--auth=trust", "-E", "UTF8", "--locale=C.UTF-8"])
            .output()
            .await
            .context("running initdb")?;
        check(output, "initdb")
    }

    /// The pid in `postmaster.pid`, if that process is alive and is PostgreSQL.
    fn running_pid(&self) -> Option<u32> {
        let contents = std::fs::read_to_string(self.data_dir.join("postmaster.pid")).ok()?;
        let pid = contents.lines().next()?.trim().parse::<u32>().ok()?;
        let comm = std::fs::read_to_string(format!("/proc/{pid}/comm")).ok()?;
        (comm.trim() == "postgres").then_some(pid)
    }

    /// A `postmaster.pid` left by a crash names a process that is gone (or is no longer
    /// PostgreSQL): remove it so the cluster can start.
    fn recover_stale_lock(&self) -> anyhow::Result<()> {
        let lock = self.data_dir.join("postmaster.pid");
        if lock.exists() && self.running_pid().is_none() {
            tracing::warn!(lock = %lock.display(), "removing a stale PostgreSQL lock file left by a crash");
            std::fs::remove_file(&lock).with_context(|| format!("removing {}", lock.display()))?;
        }
        Ok(())
    }

    /// Starts the postmaster as our child and waits until it accepts connections.
    async fn spawn_and_wait(&self) -> anyhow::Result<Child> {
        let log_path = self.data_dir.join("server.log");
        let log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&log_path)
            .with_context(|| format!("opening {}", log_path.display()))?;
        let mut command = self.command("postgres");
        command
            .arg("-D")
            .arg(&self.data_dir)
            .args(["-c", "listen_addresses=", "-k"])
            .arg(&self.socket_dir)
            .stdin(std::process::Stdio::null())
            .stdout(log.try_clone().context("log file")?)
            .stderr(log)
            // Its own process group: a Ctrl-C meant for the server must not stop the cluster
            // under it (the server stops it, cleanly, at the end).
            .process_group(0);
        // SAFETY: prctl is async-signal-safe and touches no memory of ours. It runs in the
        // child after the switch to the postgres user (which would otherwise clear it).
        unsafe {
            command.pre_exec(|| {
                // If the server dies, even by SIGKILL, the kernel asks PostgreSQL to stop.
                if libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGINT) != 0 {
                    return Err(std::io::Error::last_os_error());
                }
                Ok(())
            });
        }
        let mut child = command.spawn().context("starting postgres")?;
        let pid = child.id().unwrap_or_default();
        self.child_pid.store(pid, Ordering::SeqCst);
        let deadline = tokio::time::Instant::now() + Duration::from_secs(60);
        loop {
            if let Some(status) = child.try_wait().context("checking on postgres")? {
                self.child_pid.store(0, Ordering::SeqCst);
                bail!(
                    "postgres exited at start ({status}); the end of {}:\n{}",
                    log_path.display(),
                    tail(&log_path, 8)
                );
            }
            if self.accepts_connections().await {
                tracing::info!(pid, socket_dir = %self.socket_dir.display(), "embedded PostgreSQL started");
                return Ok(child);
            }
            if tokio::time::Instant::now() > deadline {
                let _ = child.start_kill();
                bail!(
                    "postgres did not accept connections within 60 s; see {}",
                    log_path.display()
                );
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    async fn accepts_connections(&self) -> bool {
        use sqlx::Connection;
        match sqlx::PgConnection::connect(&self.url_for("postgres")).await {
            Ok(conn) => {
                let _ = conn.close().await;
                true
            }
            Err(_) => false,
        }
    }

    async fn ensure_database(&self) -> anyhow::Result<()> {
        use sqlx::Connection;
        let mut admin = sqlx::PgConnection::connect(&self.url_for("postgres"))
            .await
            .context("connecting to the embedded PostgreSQL")?;
        let exists: bool = sqlx::query_scalar("select exists (select 1 from pg_database where datname = $1)")
            .bind(DATABASE)
            .fetch_one(&mut admin)
            .await?;
        if !exists {
            sqlx::query(&format!("create database {DATABASE}"))
                .execute(&mut admin)
                .await
                .context("creating the tollgate database")?;
        }
        admin.close().await?;
        Ok(())
    }
}

/// The last `lines` lines of a text file, for an error message.
fn tail(path: &Path, lines: usize) -> String {
    let text = std::fs::read_to_string(path).unwrap_or_default();
    let all: Vec<&str> = text.lines().collect();
    all[all.len().saturating_sub(lines)..].join("\n")
}

/// The socket lives in the data directory unless its path would be too long for a socket.
fn socket_dir_for(data_dir: &Path) -> anyhow::Result<PathBuf> {
    let socket = data_dir.join(".s.PGSQL.5432");
    if socket.as_os_str().len() <= MAX_SOCKET_PATH {
        return Ok(data_dir.to_path_buf());
    }
    use std::hash::{Hash, Hasher};
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    data_dir.hash(&mut hasher);
    Ok(std::env::temp_dir().join(format!("tollgate-pg-{:016x}", hasher.finish())))
}

fn check(output: std::process::Output, what: &str) -> anyhow::Result<()> {
    if output.status.success() {
        return Ok(());
    }
    bail!(
        "{what} failed ({}): {}{}",
        output.status,
        String::from_utf8_lossy(&output.stderr).trim(),
        String::from_utf8_lossy(&output.stdout).trim()
    )
}
