//! Configuration: command-line flags, each with an environment variable and a default.

use clap::{Args, Parser, Subcommand};
use std::path::PathBuf;

#[derive(Debug, Parser)]
#[command(
    name = "server",
    version,
    about = "Tollgate: governance for a portfolio of ML projects"
)]
pub struct Cli {
    #[command(flatten)]
    pub database: DatabaseArgs,
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve the web app (the default). The address comes from LEPTOS_SITE_ADDR.
    Serve(ServeArgs),
    /// Create an admin account. The password is read from TOLLGATE_ADMIN_PASSWORD or stdin.
    CreateAdmin(CreateAdminArgs),
    /// Fill a database without projects with a generated portfolio (same flags, same data).
    Seed(SeedArgs),
}

#[derive(Debug, Args, Clone)]
pub struct DatabaseArgs {
    /// PostgreSQL to use. When unset, Tollgate runs its own private cluster in --data-dir.
    #[arg(long, env = "DATABASE_URL", hide_env_values = true)]
    pub database_url: Option<String>,
    /// Where the embedded PostgreSQL keeps its data (used only without DATABASE_URL). Default:
    /// .tollgate/pgdata, or, when run as root from a folder the postgres user can't reach,
    /// a folder of this checkout's own under /var/lib/tollgate (the log says which).
    #[arg(long, env = "TOLLGATE_DATA_DIR")]
    pub data_dir: Option<PathBuf>,
    /// Largest number of pooled database connections.
    #[arg(long, env = "TOLLGATE_DB_MAX_CONNECTIONS", default_value_t = 10)]
    pub max_connections: u32,
    /// Longest a single database statement may run while serving pages and API calls, in
    /// seconds (administrative commands such as `seed` are not bounded).
    #[arg(long, env = "TOLLGATE_STATEMENT_TIMEOUT_SECONDS", default_value_t = 15)]
    pub statement_timeout_seconds: u64,
}

#[derive(Debug, Args, Clone, Default)]
pub struct ServeArgs {
    /// Mark the session cookie Secure (set this when serving over HTTPS).
    #[arg(long, env = "TOLLGATE_SECURE_COOKIES", default_value_t = false)]
    pub secure_cookies: bool,
    /// Minutes of inactivity after which a session ends.
    #[arg(long, env = "TOLLGATE_SESSION_IDLE_MINUTES", default_value_t = 480)]
    pub session_idle_minutes: i64,
    /// Hours after sign-in at which a session ends, however active.
    #[arg(long, env = "TOLLGATE_SESSION_MAX_HOURS", default_value_t = 168)]
    pub session_max_hours: i64,
    /// Pin "today" for the health and gate rules (YYYY-MM-DD), for demos and tests.
    #[arg(long, env = "TOLLGATE_FAKE_TODAY")]
    pub fake_today: Option<chrono::NaiveDate>,
    /// The address people reach Tollgate at (https://tollgate.example.com). Forms and other
    /// state-changing requests are accepted only from this origin; when unset, only from the
    /// host each request names.
    #[arg(long, env = "TOLLGATE_PUBLIC_URL", value_parser = parse_public_url)]
    pub public_url: Option<String>,
    /// Reverse proxies (addresses or CIDR ranges, comma-separated) whose X-Forwarded-For
    /// header names the client, for the per-address sign-in throttle. Nobody else's is believed.
    #[arg(long, env = "TOLLGATE_TRUSTED_PROXIES", value_delimiter = ',', value_parser = parse_proxy)]
    pub trusted_proxies: Vec<ipnet::IpNet>,
    /// On SIGTERM, how long requests in flight may take to finish before they are dropped.
    #[arg(long, env = "TOLLGATE_SHUTDOWN_SECONDS", default_value_t = 20)]
    pub shutdown_seconds: u64,
    /// The SMTP relay notifications are emailed through: smtp://host:25 (plain),
    /// smtp://user:password@host:587?tls=required (STARTTLS), smtps://host:465 (TLS). Unset:
    /// notifications stay in the app.
    #[arg(long, env = "TOLLGATE_SMTP_URL", hide_env_values = true)]
    pub smtp_url: Option<String>,
    /// The sender of notification email.
    #[arg(
        long,
        env = "TOLLGATE_SMTP_FROM",
        default_value = "Tollgate <tollgate@localhost>"
    )]
    pub smtp_from: String,
    /// Where escalations (a demo or review overdue by more than 14 days) are emailed as well as
    /// to the admins.
    #[arg(long, env = "TOLLGATE_ESCALATION_EMAIL")]
    pub escalation_email: Option<String>,
    /// The day the weekly digest goes out (monday … sunday), in UTC; Monday when unset.
    #[arg(long, env = "TOLLGATE_DIGEST_DAY")]
    pub digest_day: Option<chrono::Weekday>,
    /// The hour (0–23, UTC) the weekly digest goes out.
    #[arg(long, env = "TOLLGATE_DIGEST_HOUR", default_value_t = 8, value_parser = clap::value_parser!(u32).range(0..24))]
    pub digest_hour: u32,
}

/// The origin (scheme://host[:port]) of the public URL, or why it is not one.
fn parse_public_url(text: &str) -> Result<String, String> {
    crate::security::origin_of(text)
        .ok_or_else(|| format!("{text:?} is not an http(s) URL like https://tollgate.example.com"))
}

/// One trusted proxy: an address (a /32 or /128) or a CIDR range.
fn parse_proxy(text: &str) -> Result<ipnet::IpNet, String> {
    let text = text.trim();
    text.parse::<ipnet::IpNet>()
        .or_else(|_| text.parse::<std::net::IpAddr>().map(ipnet::IpNet::from))
        .map_err(|_| format!("{text:?} is not an IP address or CIDR range"))
}

#[derive(Debug, Args, Clone)]
pub struct CreateAdminArgs {
    /// The new admin's email address.
    #[arg(long)]
    pub email: String,
    /// The name shown in the app (defaults to the part of the email before the @).
    #[arg(long)]
    pub name: Option<String>,
}

#[derive(Debug, Args, Clone)]
pub struct SeedArgs {
    /// How many projects to generate (accounts scale with it).
    #[arg(long, default_value_t = 1000)]
    pub projects: usize,
    /// The random seed: the same projects, seed and today give the same data.
    #[arg(long, default_value_t = 42)]
    pub seed: u64,
    /// The day the history ends (YYYY-MM-DD); defaults to today in UTC.
    #[arg(long, env = "TOLLGATE_FAKE_TODAY")]
    pub today: Option<chrono::NaiveDate>,
}

impl ServeArgs {
    pub fn auth_settings(&self) -> app::state::AuthSettings {
        app::state::AuthSettings {
            idle_timeout: chrono::Duration::minutes(self.session_idle_minutes.max(1)),
            absolute_timeout: chrono::Duration::hours(self.session_max_hours.max(1)),
            secure_cookies: self.secure_cookies,
            trusted_proxies: self.trusted_proxies.clone(),
            public_origin: self.public_url.clone(),
        }
    }
}

impl ServeArgs {
    /// How notifications are emailed: links point at the public URL, or the address served.
    pub fn mail_settings(
        &self,
        served: &std::net::SocketAddr,
    ) -> anyhow::Result<app::notify::mail::MailSettings> {
        let mailer = self
            .smtp_url
            .as_deref()
            .map(|url| app::notify::mail::Mailer::new(url, &self.smtp_from))
            .transpose()
            .map_err(anyhow::Error::msg)?;
        Ok(app::notify::mail::MailSettings {
            mailer,
            public_url: self
                .public_url
                .clone()
                .unwrap_or_else(|| format!("http://{served}")),
            escalation_address: self.escalation_email.clone(),
            digest_weekday: self.digest_day.unwrap_or(chrono::Weekday::Mon),
            digest_hour: self.digest_hour,
        })
    }

    /// Where "today" comes from: the real date, unless pinned.
    pub fn clock(&self) -> app::clock::Clock {
        self.fake_today
            .map_or(app::clock::Clock::System, app::clock::Clock::Fixed)
    }
}

impl ServeArgs {
    /// The serve settings from the environment alone, for when no subcommand is given.
    pub fn parse_from_env() -> Self {
        #[derive(Parser)]
        struct Only {
            #[command(flatten)]
            serve: ServeArgs,
        }
        Only::parse_from(["server"]).serve
    }
}
