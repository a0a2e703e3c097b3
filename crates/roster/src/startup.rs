//! Building and running the application: connect, migrate, first-start setup, bind, serve
//! until SIGTERM or Ctrl-C. Tests start the app exactly this way.

use crate::config::Config;
use anyhow::Context;
use app::bootstrap::FirstStart;
use app::demo::DemoCredentials;
use app::{AppCtx, Db};
use std::net::SocketAddr;
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

/// A built application, bound to its port and ready to serve.
pub struct Application {
    listener: TcpListener,
    router: axum::Router,
    db: Db,
    public_url: String,
    first_start: FirstStart,
    demo: Option<DemoCredentials>,
}

impl Application {
    /// Connects, migrates, seeds (first start or `--demo`) and binds.
    pub async fn build(config: Config, demo: bool) -> anyhow::Result<Self> {
        let db = connect(&config).await?;
        db.migrate().await.context("database migration failed")?;
        let ctx = AppCtx::new(db.clone(), config.auth_settings(), config.mailer());
        let listener =
            TcpListener::bind(&config.bind).await.with_context(|| format!("cannot listen on {}", config.bind))?;
        let addr = listener.local_addr()?;
        let public_url = if config.public_url.is_empty() {
            format!("http://{addr}")
        } else {
            config.public_url.trim_end_matches('/').to_owned()
        };
        let demo = if demo { seed_demo(&ctx).await? } else { None };
        let first_start = app::bootstrap::first_start(&ctx, config.bootstrap_admin()).await?;
        match &first_start {
            FirstStart::AlreadySetUp => {}
            FirstStart::AdminCreated { email } => println!("Created the Primary Master Admin {email}."),
            FirstStart::SetupLink { token } => println!(
                "No admin exists yet. Open this link within 24 hours to create the first admin:\n  {public_url}/setup?token={token}"
            ),
        }
        let state = web::AppState {
            ctx,
            secure: public_url.starts_with("https://"),
            login_limiter: web::RateLimiter::new(config.login_rate_per_minute),
            public_url: public_url.clone(),
        };
        spawn_purge(state.ctx.clone());
        tracing::info!(database = %config.database_url_redacted(), "database ready");
        Ok(Self { public_url, listener, router: web::router(state), db, first_start, demo })
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
        self.listener.local_addr().map_or(0, |a| a.port())
    }

    /// Serves until SIGTERM or Ctrl-C, then finishes in-flight requests and closes the pool.
    pub async fn run_until_stopped(self) -> anyhow::Result<()> {
        let service = self.router.into_make_service_with_connect_info::<SocketAddr>();
        let shutdown = shutdown_signal();
        let addr = self.listener.local_addr()?;
        tracing::info!(%addr, "Roster is listening on {}", self.public_url);
        axum::serve(self.listener, service).with_graceful_shutdown(shutdown).await?;
        self.db.close().await;
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

/// Every hour, hard-deletes users whose soft-delete retention window has passed.
fn spawn_purge(ctx: AppCtx) {
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
fn shutdown_signal() -> impl Future<Output = ()> {
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
