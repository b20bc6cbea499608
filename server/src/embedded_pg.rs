//! The private PostgreSQL cluster Tollgate runs when `DATABASE_URL` is unset.
//!
//! `initdb` on first use, `pg_ctl start` on a unix socket inside the data directory (no TCP
//! port, so nothing else can reach it and nothing collides), `pg_ctl stop` at shutdown.
//! PostgreSQL refuses to run as root, so as root the cluster runs as the `postgres` user.

use anyhow::{bail, Context};
use std::path::{Path, PathBuf};
use std::process::Output;
use tokio::process::Command;

/// The database Tollgate creates inside its cluster.
const DATABASE: &str = "tollgate";
/// Unix socket paths are limited to 107 bytes on Linux.
const MAX_SOCKET_PATH: usize = 100;

#[derive(Debug)]
pub struct EmbeddedPostgres {
    bin_dir: PathBuf,
    data_dir: PathBuf,
    socket_dir: PathBuf,
    run_as_postgres: bool,
}

/// The message shown when no PostgreSQL binaries can be found.
pub const NOT_INSTALLED: &str = "PostgreSQL is not installed: no initdb/pg_ctl on PATH or under \
/usr/lib/postgresql/*/bin. Install it (Debian/Ubuntu: `apt-get install postgresql`) or set \
DATABASE_URL to an existing PostgreSQL server.";

/// The directory holding `initdb`, `pg_ctl` and `postgres`: on PATH, else the newest
/// `/usr/lib/postgresql/<version>/bin`.
pub fn find_binaries() -> Option<PathBuf> {
    let complete = |dir: &Path| {
        ["initdb", "pg_ctl", "postgres"]
            .iter()
            .all(|b| dir.join(b).is_file())
    };
    let on_path = std::env::var_os("PATH")
        .map(|path| std::env::split_paths(&path).collect::<Vec<_>>())
        .unwrap_or_default();
    if let Some(dir) = on_path.into_iter().find(|dir| complete(dir)) {
        return Some(dir);
    }
    let mut versions: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .ok()?
        .filter_map(Result::ok)
        .filter_map(|entry| {
            let version = entry.file_name().to_str()?.parse::<u32>().ok()?;
            Some((version, entry.path().join("bin")))
        })
        .filter(|(_, bin)| complete(bin))
        .collect();
    versions.sort();
    versions.pop().map(|(_, bin)| bin)
}

fn is_root() -> bool {
    // SAFETY: geteuid has no preconditions and cannot fail.
    unsafe { libc::geteuid() == 0 }
}

impl EmbeddedPostgres {
    /// Prepares (and on first use initialises) the cluster in `data_dir`, then starts it
    /// unless it is already running.
    pub async fn start(data_dir: &Path) -> anyhow::Result<Self> {
        let bin_dir = find_binaries().context(NOT_INSTALLED)?;
        std::fs::create_dir_all(data_dir)
            .with_context(|| format!("creating the data directory {}", data_dir.display()))?;
        let data_dir = data_dir
            .canonicalize()
            .with_context(|| format!("resolving {}", data_dir.display()))?;
        let run_as_postgres = is_root();
        let socket_dir = socket_dir_for(&data_dir)?;
        let cluster = Self {
            bin_dir,
            data_dir,
            socket_dir,
            run_as_postgres,
        };
        cluster.prepare_directories()?;
        if !cluster.data_dir.join("PG_VERSION").exists() {
            cluster.initdb().await?;
        }
        cluster.recover_stale_lock()?;
        if !cluster.is_running().await? {
            cluster.pg_ctl_start().await?;
        }
        cluster.ensure_database().await?;
        Ok(cluster)
    }

    /// The sqlx connection URL for Tollgate's database in this cluster.
    pub fn url(&self) -> String {
        self.url_for(DATABASE)
    }

    fn url_for(&self, database: &str) -> String {
        format!(
            "postgres://postgres@localhost/{database}?host={}",
            self.socket_dir.display()
        )
    }

    /// Stops the cluster, waiting for a clean shutdown.
    pub async fn stop(&self) -> anyhow::Result<()> {
        let output = self
            .command("pg_ctl")
            .arg("-D")
            .arg(&self.data_dir)
            .args(["-m", "fast", "-w", "stop"])
            .output()
            .await
            .context("running pg_ctl stop")?;
        check(output, "pg_ctl stop")
    }

    fn command(&self, binary: &str) -> Command {
        let program = self.bin_dir.join(binary);
        let mut command = if self.run_as_postgres {
            let mut command = Command::new("runuser");
            command.args(["-u", "postgres", "--"]).arg(program);
            command
        } else {
            Command::new(program)
        };
        command.kill_on_drop(false);
        command
    }

    fn prepare_directories(&self) -> anyhow::Result<()> {
        use std::os::unix::fs::PermissionsExt;
        for dir in [&self.data_dir, &self.socket_dir] {
            std::fs::create_dir_all(dir)?;
            std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700))
                .with_context(|| format!("restricting {}", dir.display()))?;
            if self.run_as_postgres {
                chown_to_postgres(dir)?;
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

    /// A `postmaster.pid` left by a crash names a process that is gone (or is no longer
    /// PostgreSQL): remove it so the cluster can start.
    fn recover_stale_lock(&self) -> anyhow::Result<()> {
        let lock = self.data_dir.join("postmaster.pid");
        let Ok(contents) = std::fs::read_to_string(&lock) else {
            return Ok(());
        };
        let pid = contents.lines().next().and_then(|l| l.trim().parse::<u32>().ok());
        let alive_postgres = pid
            .and_then(|pid| std::fs::read_to_string(format!("/proc/{pid}/comm")).ok())
            .is_some_and(|comm| comm.trim() == "postgres");
        if !alive_postgres {
            tracing::warn!(lock = %lock.display(), "removing a stale PostgreSQL lock file left by a crash");
            std::fs::remove_file(&lock).with_context(|| format!("removing {}", lock.display()))?;
        }
        Ok(())
    }

    async fn is_running(&self) -> anyhow::Result<bool> {
        let status = self
            .command("pg_ctl")
            .arg("-D")
            .arg(&self.data_dir)
            .arg("status")
            .output()
            .await
            .context("running pg_ctl status")?;
        Ok(status.status.success())
    }

    async fn pg_ctl_start(&self) -> anyhow::Result<()> {
        let options = format!("-c listen_addresses='' -k {}", self.socket_dir.display());
        let output = self
            .command("pg_ctl")
            .arg("-D")
            .arg(&self.data_dir)
            .arg("-l")
            .arg(self.data_dir.join("server.log"))
            .args(["-w", "-t", "60", "-o", &options, "start"])
            .output()
            .await
            .context("running pg_ctl start")?;
        check(output, "pg_ctl start")
            .with_context(|| format!("see {}", self.data_dir.join("server.log").display()))?;
        tracing::info!(socket_dir = %self.socket_dir.display(), "embedded PostgreSQL started");
        Ok(())
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

fn chown_to_postgres(path: &Path) -> anyhow::Result<()> {
    let output = std::process::Command::new("chown")
        .arg("postgres:postgres")
        .arg(path)
        .output()
        .context("running chown")?;
    if !output.status.success() {
        bail!(
            "could not give {} to the postgres user: {}",
            path.display(),
            String::from_utf8_lossy(&output.stderr).trim()
        );
    }
    Ok(())
}

fn check(output: Output, what: &str) -> anyhow::Result<()> {
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
