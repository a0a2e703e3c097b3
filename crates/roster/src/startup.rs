//! Building and running the application: connect, listen (probes answer at once), migrate,
//! first-start setup, ready; serve until SIGTERM or Ctrl-C, then drain. Tests start the app
//! exactly this way.

use crate::config::Config;
use crate::serve::{self, Stopper};
use crate::serving_lock::{self, DatabaseLock};
use anyhow::{Context, bail};
use app::bootstrap::FirstStart;
use app::demo::DemoCredentials;
use app::{AppCtx, Db};
use std::time::Duration;
use tokio::net::TcpListener;

/// Connects to the configured database, creating the data directory for SQLite.
pub async fn connect(config: &Config) -> anyhow::Result<Db> {
    let url = config.database_url();
    if url.starts_with("sqlite:") {
        std::fs::create_dir_all(&config.data_dir)
            .with_context(|| format!("cannot create data directory {}", config.data_dir.display()))?;
    }
    Db::connect(&url).await.with_context(|| format!("cannot open database {}", config.database_url_redacted()))
}

/// Opens the configured database for a command that works on what is already there
/// (`roster backup`, `roster user import`): never creates one. Errors, naming the file or URL
/// and what to check, when the SQLite file is missing or the database has no Roster schema
/// (a wrong `--data-dir` or `ROSTER_DATABASE_URL`, an empty PostgreSQL database).
pub async fn connect_existing(config: &Config) -> anyhow::Result<Db> {
    let url = config.database_url();
    let shown = config.database_url_redacted();
    if url.starts_with("sqlite:") {
        let file = store::backup::sqlite_file(&url)?;
        if !file.is_file() {
            bail!(
                "there is no Roster database at {}; check --data-dir (ROSTER_DATA_DIR) or \
                 --database-url (ROSTER_DATABASE_URL) — `roster serve` or `roster migrate` creates one",
                file.display()
            );
        }
    }
    let db = Db::connect_existing(&url).await.with_context(|| format!("cannot open database {shown}"))?;
    if !db.is_roster().await.with_context(|| format!("cannot read database {shown}"))? {
        db.close().await;
        bail!(
            "{shown} has no Roster schema (wrong database?); check --database-url (ROSTER_DATABASE_URL) \
             or --data-dir — `roster serve` or `roster migrate` sets one up"
        );
    }
    Ok(db)
}

/// The server loop, running on its own task; dropping this aborts it (and with it every
/// connection), so a test that drops its app leaves nothing behind.
struct Serving {
    port: u16,
    /// The separate metrics address, when configured.
    metrics_port: Option<u16>,
    stopper: Stopper,
    task: Option<tokio::task::JoinHandle<usize>>,
    metrics_task: Option<tokio::task::JoinHandle<usize>>,
}

impl Drop for Serving {
    fn drop(&mut self) {
        for task in [&self.task, &self.metrics_task].into_iter().flatten() {
            task.abort();
        }
    }
}

/// Connected and listening, before migrations: `/healthz` answers 200, `/readyz` 503
/// ("starting"), every other route 503. [`Starting::finish`] migrates and makes it ready.
pub struct Starting {
    config: Config,
    /// Keeps `roster restore` from replacing the SQLite file under us (see `serving_lock`).
    database_lock: Option<DatabaseLock>,
    ctx: AppCtx,
    lifecycle: web::Lifecycle,
    serving: Serving,
    public_url: String,
}

impl Starting {
    /// Connects to the database and starts serving on the configured address.
    pub async fn begin(config: Config) -> anyhow::Result<Self> {
        let database_lock = serving_lock::for_server(&config)?;
        let db = connect(&config).await?;
        let ctx = AppCtx::new(db, config.auth_settings(), config.mailer());
        let listener =
            TcpListener::bind(&config.bind).await.with_context(|| format!("cannot listen on {}", config.bind))?;
        let addr = listener.local_addr()?;
        let public_url = if config.public_url.is_empty() {
            format!("http://{addr}")
        } else {
            config.public_url.trim_end_matches('/').to_owned()
        };
        if let Some(warning) = config.unreachable_links() {
            tracing::warn!("{warning}");
        }
        let lifecycle = web::Lifecycle::default();
        let metrics = config.metrics_on().then(web::install_metrics);
        let token = Some(config.metrics_token.as_str()).filter(|t| !t.is_empty());
        let state = web::AppState {
            ctx: ctx.clone(),
            secure: public_url.starts_with("https://"),
            login_limiter: web::RateLimiter::new(config.login_rate_per_minute),
            public_url: public_url.clone(),
            lifecycle: lifecycle.clone(),
            trusted_proxies: config.trusted_proxies()?,
            scrape: metrics.clone().zip(token).map(|(handle, token)| web::Scrape::new(handle, Some(token))),
            http_metrics: metrics.is_some().then(web::HttpMetrics::new),
            request_timeout: Duration::from_secs(config.request_timeout_seconds.into()),
        };
        let (stopper, stop) = Stopper::new();
        let (metrics_port, metrics_task) = match metrics.filter(|_| !config.metrics_bind.is_empty()) {
            Some(handle) => {
                let bind = &config.metrics_bind;
                let listener =
                    TcpListener::bind(bind).await.with_context(|| format!("cannot listen for metrics on {bind}"))?;
                let port = listener.local_addr()?.port();
                let state = web::AppState { scrape: Some(web::Scrape::new(handle, None)), ..state.clone() };
                let router = web::metrics_router(state);
                tracing::info!(address = %listener.local_addr()?, "serving /metrics");
                (Some(port), Some(tokio::spawn(serve::serve(listener, router, config.server_limits(), stop.clone()))))
            }
            None => (None, None),
        };
        let task = tokio::spawn(serve::serve(listener, web::router(state), config.server_limits(), stop));
        tracing::info!(%addr, "listening on {public_url}; migrating the database");
        let serving = Serving { port: addr.port(), metrics_port, stopper, task: Some(task), metrics_task };
        Ok(Self { config, database_lock, ctx, lifecycle, serving, public_url })
    }

    pub fn port(&self) -> u16 {
        self.serving.port
    }

    /// Migrates (on PostgreSQL under an advisory lock, so instances starting together
    /// migrate once), seeds (first start or `--demo`), and turns ready.
    pub async fn finish(self, demo: bool) -> anyhow::Result<Application> {
        let Self { config, database_lock, ctx, lifecycle, serving, public_url } = self;
        ctx.db.migrate().await.context("database migration failed")?;
        let demo = if demo { seed_demo(&ctx).await? } else { None };
        let first_start = app::bootstrap::first_start(&ctx, config.bootstrap_admin()).await?;
        match &first_start {
            FirstStart::AlreadySetUp => {}
            FirstStart::AdminCreated { email } => println!("Created the Primary Master Admin {email}."),
            FirstStart::SetupLink { token } => println!(
                "No admin exists yet. Open this link within 24 hours to create the first admin:\n  {public_url}/setup?token={token}"
            ),
        }
        spawn_purge(ctx.clone());
        let mail_worker = app::mail::outbox::spawn_worker(ctx.clone());
        app::auth::activity::spawn_flusher(ctx.clone());
        lifecycle.set_ready();
        tracing::info!(database = %config.database_url_redacted(), "Roster is ready on {public_url}");
        Ok(Application {
            serving,
            mail_worker: Some(mail_worker),
            ctx,
            lifecycle,
            shutdown_delay: Duration::from_secs(config.shutdown_delay_seconds.into()),
            first_start,
            demo,
            _database_lock: database_lock,
        })
    }
}

/// A running application: migrated, ready, serving.
pub struct Application {
    serving: Serving,
    /// Delivers the mail outbox; stopped at shutdown, before the pool closes.
    mail_worker: Option<app::mail::outbox::Worker>,
    ctx: AppCtx,
    lifecycle: web::Lifecycle,
    shutdown_delay: Duration,
    first_start: FirstStart,
    demo: Option<DemoCredentials>,
    /// Released when the application is dropped, after the pool has closed.
    _database_lock: Option<DatabaseLock>,
}

impl Application {
    /// Connects, starts listening, migrates, seeds (first start or `--demo`): ready to serve.
    pub async fn build(config: Config, demo: bool) -> anyhow::Result<Self> {
        Starting::begin(config).await?.finish(demo).await
    }

    /// What first start did (the setup token, when one was printed).
    pub fn first_start(&self) -> &FirstStart {
        &self.first_start
    }

    /// The demo sign-in, when `--demo` seeded the database just now.
    pub fn demo_credentials(&self) -> Option<&DemoCredentials> {
        self.demo.as_ref()
    }

    pub fn port(&self) -> u16 {
        self.serving.port
    }

    /// The port of the separate metrics address, when one is configured.
    pub fn metrics_port(&self) -> Option<u16> {
        self.serving.metrics_port
    }

    /// Serves until SIGTERM or Ctrl-C, then drains (see [`Application::run_until`]).
    pub async fn run_until_stopped(self) -> anyhow::Result<()> {
        self.run_until(shutdown_signal()).await
    }

    /// Serves until `stop` resolves, then shuts down gracefully: `/readyz` fails at once,
    /// requests are still served for the configured delay, then the listener closes and
    /// in-flight requests get the configured deadline to finish. Stops the mail worker (releasing what it claimed), saves the session activity
    /// noted since the last batch, and closes the pool last.
    pub async fn run_until(mut self, stop: impl Future<Output = ()>) -> anyhow::Result<()> {
        stop.await;
        self.lifecycle.set_draining();
        if !self.shutdown_delay.is_zero() {
            tracing::info!(seconds = self.shutdown_delay.as_secs(), "readiness fails; still serving before the drain");
            tokio::time::sleep(self.shutdown_delay).await;
        }
        self.serving.stopper.stop();
        if let Some(task) = self.serving.task.take() {
            let cut = task.await?;
            if cut > 0 {
                tracing::warn!(connections = cut, "stopped with requests still running");
            }
        }
        if let Some(task) = self.serving.metrics_task.take() {
            task.await?;
        }
        if let Some(worker) = self.mail_worker.take() {
            worker.stop().await;
        }
        if let Err(e) = self.ctx.activity.flush(&self.ctx).await {
            tracing::error!(error = %e, "saving the last session activity failed");
        }
        self.ctx.db.close().await;
        tracing::info!("Roster stopped");
        Ok(())
    }
}

async fn seed_demo(ctx: &AppCtx) -> anyhow::Result<Option<DemoCredentials>> {
    let seeded = app::demo::seed_sample(ctx).await?;
    match &seeded {
        Some(c) => println!(
            "Demo data seeded: 3 workspaces, ~250 users, groups, roles and bots.\n\
             Sign in as {} (Primary Master Admin) or {} (admin of the Support workspace only)\n\
             with the password {}",
            c.admin_email, c.scoped_admin_email, c.password
        ),
        None => println!(
            "--demo: the database already has data, so nothing was seeded. Sign in with the demo password printed \
             at the first run, or remove the data directory to start over."
        ),
    }
    Ok(seeded)
}

/// Every minute, ends sessions past their absolute lifetime (so the live-session gauge does
/// not count them); every hour, hard-deletes users whose soft-delete retention window has
/// passed.
fn spawn_purge(ctx: AppCtx) {
    let sweep = ctx.clone();
    tokio::spawn(async move {
        let mut every_minute = tokio::time::interval(std::time::Duration::from_mins(1));
        loop {
            every_minute.tick().await;
            if let Err(e) = app::sessions::end_expired(&sweep, app::clock::now()).await {
                tracing::error!(error = %e, "ending expired sessions failed");
            }
        }
    });
    tokio::spawn(async move {
        let mut every_hour = tokio::time::interval(std::time::Duration::from_hours(1));
        loop {
            every_hour.tick().await;
            match app::deletion::purge_expired(&ctx, app::clock::now()).await {
                Ok(0) => {}
                Ok(n) => tracing::info!(purged = n, "purged users past the retention window"),
                Err(e) => tracing::error!(error = %e, "purging deleted users failed"),
            }
        }
    });
}

/// Resolves on SIGTERM or Ctrl-C. The handlers are installed when this is called, not when
/// it is first polled, so a signal that arrives right after start-up is not lost.
pub fn shutdown_signal() -> impl Future<Output = ()> {
    use tokio::signal::unix::{SignalKind, signal};
    let term = signal(SignalKind::terminate());
    let int = signal(SignalKind::interrupt());
    async move {
        let (Ok(mut term), Ok(mut int)) = (term, int) else {
            tracing::warn!("cannot listen for shutdown signals");
            return std::future::pending().await;
        };
        tokio::select! {
            _ = term.recv() => {},
            _ = int.recv() => {},
        }
        tracing::info!("shutdown signal received; finishing in-flight requests");
    }
}
