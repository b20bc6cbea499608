//! `server`: serves Tollgate, or runs one of its administrative commands.

use anyhow::Context;
use app::auth::server::{accounts, password::Password};
use app::auth::Role;
use app::state::AppState;
use axum::serve::ListenerExt;
use clap::Parser;
use leptos::prelude::*;
use server::config::{Cli, Command, CreateAdminArgs, DatabaseArgs, SeedArgs, ServeArgs};
use server::embedded_pg::{self, EmbeddedPostgres};
use std::io::BufRead;
use std::process::ExitCode;
use tracing_subscriber::EnvFilter;

/// mimalloc returns freed memory to the system: a burst of 19 MiB password hashes, or a large
/// export, does not leave the process holding gigabytes it no longer uses.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main]
async fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn")),
        )
        .init();
    let cli = Cli::parse();
    match run(cli).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            tracing::error!("{error:#}");
            eprintln!("error: {error:#}");
            ExitCode::FAILURE
        }
    }
}

async fn run(cli: Cli) -> anyhow::Result<()> {
    let command = cli.command.unwrap_or(Command::Serve(ServeArgs::parse_from_env()));
    // Pages and API calls get a bounded time per statement; administrative commands do not.
    let statement_timeout = matches!(command, Command::Serve(_))
        .then(|| std::time::Duration::from_secs(cli.database.statement_timeout_seconds.max(1)));
    let database = Database::open(&cli.database, statement_timeout).await?;
    let result = match command {
        Command::Serve(args) => serve(&database, args).await,
        Command::CreateAdmin(args) => create_admin(&database, args).await,
        Command::Seed(args) => seed(&database, args).await,
    };
    database.close().await;
    result
}

/// The database in use, and the embedded cluster behind it when Tollgate owns one.
struct Database {
    pool: sqlx::PgPool,
    embedded: Option<EmbeddedPostgres>,
}

impl Database {
    async fn open(
        args: &DatabaseArgs,
        statement_timeout: Option<std::time::Duration>,
    ) -> anyhow::Result<Self> {
        let (url, embedded) = match &args.database_url {
            Some(url) => (url.clone(), None),
            None => {
                let data_dir = match &args.data_dir {
                    Some(dir) => dir.clone(),
                    None => {
                        let here = std::env::current_dir().context("reading the working directory")?;
                        embedded_pg::default_data_dir(&here, std::path::Path::new(embedded_pg::FALLBACK_ROOT))
                    }
                };
                let cluster = EmbeddedPostgres::start(&data_dir).await?;
                tracing::info!(data_dir = %cluster.data_dir().display(), "using the embedded PostgreSQL");
                (cluster.url(), Some(cluster))
            }
        };
        let pool = match server::connect_and_migrate(&url, args.max_connections, statement_timeout).await {
            Ok(pool) => pool,
            Err(error) => {
                if let Some(cluster) = embedded {
                    let _ = cluster.stop().await;
                }
                return Err(error);
            }
        };
        Ok(Self { pool, embedded })
    }

    async fn close(self) {
        // Connections still held by requests dropped at the deadline are not waited for long.
        if tokio::time::timeout(std::time::Duration::from_secs(5), self.pool.close())
            .await
            .is_err()
        {
            tracing::warn!("database connections still busy after 5 s: stopping anyway");
        }
        if let Some(cluster) = self.embedded {
            if let Err(error) = cluster.stop().await {
                tracing::error!("stopping the embedded PostgreSQL: {error:#}");
            }
        }
    }
}

async fn serve(database: &Database, args: ServeArgs) -> anyhow::Result<()> {
    let conf = get_configuration(None).context("reading the Leptos configuration")?;
    let leptos_options = conf.leptos_options;
    let addr = leptos_options.site_addr;
    let state = AppState {
        leptos_options,
        pool: database.pool.clone(),
        auth: args.auth_settings(),
        clock: args.clock(),
        database: app::state::DatabaseStatus::new(if database.embedded.is_some() {
            "embedded"
        } else {
            "external"
        }),
        mail: args.mail_settings(&addr)?,
    };
    // Signals stored under older rules are recomputed before the first request.
    let mut conn = state.pool.acquire().await.context("connecting to PostgreSQL")?;
    let upgraded = app::health::server::upgrade_rules(&mut conn, state.clock.today())
        .await
        .context("recomputing the health signals under this version's rules")?;
    drop(conn);
    if upgraded > 0 {
        tracing::info!(projects = upgraded, "recomputed health signals under new rules");
    }
    spawn_housekeeping(state.clone());
    spawn_worker(state.clone());
    server::availability::spawn_watcher(state.clone());
    // Responses go out as soon as they are written (no Nagle delay waiting on the client's
    // delayed ACK, which cost 40 ms on a page streamed in several writes).
    let listener = tokio::net::TcpListener::bind(&addr)
        .await
        .with_context(|| format!("listening on {addr}"))?
        .tap_io(|tcp| {
            if let Err(error) = tcp.set_nodelay(true) {
                tracing::warn!(%error, "could not set TCP_NODELAY");
            }
        });
    tracing::info!(
        version = env!("CARGO_PKG_VERSION"),
        "Tollgate is listening on http://{addr}"
    );
    let app = server::app(state).into_make_service_with_connect_info::<std::net::SocketAddr>();

    // SIGTERM or Ctrl-C: stop accepting, let requests in flight finish for at most the
    // deadline, then drop whatever is left (a client stalling on a download included).
    let (stopping, mut stop_seen) = tokio::sync::watch::channel(false);
    let server = axum::serve(listener, app).with_graceful_shutdown(async move {
        shutdown_signal().await;
        let _ = stopping.send(true);
    });
    let deadline = std::time::Duration::from_secs(args.shutdown_seconds);
    let overdue = async move {
        let _ = stop_seen.wait_for(|stopping| *stopping).await;
        tokio::time::sleep(deadline).await;
    };
    let cluster_lost = async {
        match &database.embedded {
            Some(cluster) => cluster.gave_up().await,
            None => std::future::pending().await,
        }
    };
    tokio::select! {
        served = std::future::IntoFuture::into_future(server) => served.context("serving HTTP"),
        () = overdue => {
            tracing::warn!(seconds = args.shutdown_seconds, "requests still running at the shutdown deadline were dropped");
            Ok(())
        }
        () = cluster_lost => {
            anyhow::bail!("the embedded PostgreSQL died and could not be started again; exiting so a supervisor can act")
        }
    }
}

/// Background jobs (webhook deliveries): a round every second on every server; the jobs table
/// shares them out, so any number of servers can run on one database (see `app::jobs`).
fn spawn_worker(state: AppState) {
    // Who holds a job, as the jobs table shows it: host, process and start.
    let host = std::fs::read_to_string("/proc/sys/kernel/hostname").unwrap_or_default();
    let started = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_micros())
        .unwrap_or_default();
    let worker = format!("{}:{}:{started}", host.trim(), std::process::id());
    tokio::spawn(async move {
        let mut every = tokio::time::interval(std::time::Duration::from_secs(1));
        every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
        let mut failing = false;
        loop {
            every.tick().await;
            match app::jobs::run_due(&state, &worker, chrono::Duration::seconds(60)).await {
                Ok(_) => failing = false,
                // Said once when it starts failing, not every second while the database is away.
                Err(error) if !failing => {
                    failing = true;
                    tracing::warn!(%error, "running background jobs");
                }
                Err(_) => {}
            }
        }
    });
}

/// At start and every ten minutes: counts the ended days the portfolio roll-up has not reached
/// (the trend reads them; days not yet counted are counted when asked for, only slower), and
/// deletes expired sessions, background jobs done over a week ago and sign-in failures too old
/// to count (lookups and the throttle already ignore them).
fn spawn_housekeeping(state: AppState) {
    tokio::spawn(async move {
        let mut every = tokio::time::interval(std::time::Duration::from_secs(600));
        loop {
            every.tick().await;
            match app::portfolio::server::count_ended_days(&state.pool, state.clock.today()).await {
                Ok(0) => {}
                Ok(n) => tracing::info!(days = n, "counted ended days into the portfolio roll-up"),
                Err(error) => tracing::warn!(%error, "counting ended days into the portfolio roll-up"),
            }
            match app::auth::server::session::purge_expired(&state.pool, &state.auth).await {
                Ok(0) => {}
                Ok(n) => tracing::info!(sessions = n, "purged expired sessions"),
                Err(error) => tracing::warn!(%error, "purging expired sessions"),
            }
            match app::jobs::purge_done(&state.pool).await {
                Ok(0) => {}
                Ok(n) => tracing::info!(jobs = n, "purged background jobs done over a week ago"),
                Err(error) => tracing::warn!(%error, "purging done background jobs"),
            }
            match accounts::purge_login_failures(&state.pool).await {
                Ok(0) => {}
                Ok(n) => tracing::info!(failures = n, "purged old sign-in failures"),
                Err(error) => tracing::warn!(%error, "purging old sign-in failures"),
            }
        }
    });
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
    tracing::info!("shutting down");
}

async fn create_admin(database: &Database, args: CreateAdminArgs) -> anyhow::Result<()> {
    let password = match std::env::var("TOLLGATE_ADMIN_PASSWORD") {
        Ok(password) => password,
        Err(_) => {
            eprintln!(
                "Password for {} (at least 12 characters), then Enter:",
                args.email
            );
            let mut line = String::new();
            std::io::stdin()
                .lock()
                .read_line(&mut line)
                .context("reading the password from stdin")?;
            line.trim_end_matches(['\r', '\n']).to_owned()
        }
    };
    let name = args
        .name
        .clone()
        .unwrap_or_else(|| args.email.split('@').next().unwrap_or_default().to_owned());
    let account = accounts::NewAccount {
        display_name: name,
        email: args.email.clone(),
        role: Role::Admin,
        password: Password::new(password),
    };
    match accounts::create(&database.pool, None, account).await {
        Ok(created) => {
            println!("Created admin {} <{}>.", created.display_name, created.email);
            Ok(())
        }
        Err(app::error::AppError::Invalid(fields)) => {
            let problems: Vec<String> = fields
                .0
                .iter()
                .map(|f| format!("{}: {}", f.field, f.message))
                .collect();
            anyhow::bail!("the admin was not created — {}", problems.join("; "))
        }
        Err(other) => anyhow::bail!("the admin was not created — {other}"),
    }
}

async fn seed(database: &Database, args: SeedArgs) -> anyhow::Result<()> {
    let plan = server::seed::SeedPlan {
        projects: args.projects,
        seed: args.seed,
        today: args.today.unwrap_or_else(|| chrono::Utc::now().date_naive()),
    };
    let summary = server::seed::run(&database.pool, plan).await?;
    println!("{summary}");
    Ok(())
}
