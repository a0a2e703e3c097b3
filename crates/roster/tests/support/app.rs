//! `spawn_app`: the real application, built like `roster serve` builds it, on 127.0.0.1:0
//! with its own database (a SQLite file in its own directory, or a uniquely named
//! PostgreSQL database that is dropped afterwards).

use reqwest::StatusCode;
use roster::config::Config;
use roster::startup::Application;
use serde_json::Value;
use std::path::PathBuf;
use std::time::Duration;
use store::{Backend, Db};

pub const ADMIN_EMAIL: &str = "root@example.com";
pub const PASSWORD: &str = "Correct-Horse-7";

/// A running Roster with its database.
pub struct TestApp {
    pub base: String,
    pub port: u16,
    /// The separate metrics address's port, when the configuration asked for one.
    pub metrics_port: Option<u16>,
    /// A second pool on the same database, for seeding and checking.
    pub db: Db,
    pub ctx: app::AppCtx,
    pub backend: Backend,
    pub setup_token: Option<String>,
    /// The demo sign-in `--demo` printed, for apps started with it.
    pub demo: Option<app::demo::DemoCredentials>,
    dir: PathBuf,
    database_url: String,
    pg_database: Option<String>,
    /// Databases made by [`TestApp::fresh_database`], dropped with this app.
    extra_pg_databases: std::sync::Mutex<Vec<String>>,
    server: tokio::task::JoinHandle<()>,
}

fn pg_admin_url() -> String {
    std::env::var("ROSTER_TEST_PG_URL").unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into())
}

fn in_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| v == "true")
}

/// The URL of a fresh PostgreSQL database, or `None` (with a reason) when there is no server.
async fn create_pg_database() -> Option<(String, String)> {
    let admin = pg_admin_url();
    let conn = tokio::time::timeout(Duration::from_secs(5), sqlx::PgPool::connect(&admin)).await;
    let pool = match conn {
        Ok(Ok(p)) => p,
        other => {
            let why = match other {
                Ok(Err(e)) => e.to_string(),
                _ => "timed out".into(),
            };
            assert!(!in_ci(), "PostgreSQL is required under CI=true but {admin} failed: {why}");
            eprintln!("skipping the PostgreSQL case: cannot reach {admin}: {why}");
            return None;
        }
    };
    let name = format!("roster_test_{}", uuid::Uuid::now_v7().simple());
    sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
        .execute(&pool)
        .await
        .expect("create test database");
    pool.close().await;
    let base = admin.rsplit_once('/').map_or(admin.as_str(), |(b, _)| b).to_owned();
    Some((format!("{base}/{name}"), name))
}

fn drop_pg_database(name: &str) {
    let admin = pg_admin_url();
    let sql = format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)");
    // Drop runs outside any runtime, or inside one that may be shutting down.
    std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime");
        rt.block_on(async {
            if let Ok(pool) = sqlx::PgPool::connect(&admin).await {
                let _ = sqlx::query(sqlx::AssertSqlSafe(sql)).execute(&pool).await;
                pool.close().await;
            }
        });
    })
    .join()
    .ok();
}

/// Test configuration: random port, private data directory, cheap argon2.
pub fn test_config(dir: &std::path::Path, database_url: String) -> Config {
    Config {
        bind: "127.0.0.1:0".into(),
        data_dir: dir.to_path_buf(),
        database_url,
        bootstrap_admin_email: ADMIN_EMAIL.into(),
        bootstrap_admin_password: PASSWORD.into(),
        argon2_memory_kib: 1024,
        argon2_iterations: 1,
        // Tests sign in many times from one address; the limit has its own test.
        login_rate_per_minute: 0,
        // The SSO tests' OpenID provider (tests/oidc) is plain http on 127.0.0.1; that the
        // default refuses it has its own test (sso_keys).
        sso_allow_insecure_issuer: true,
        ..Config::default()
    }
}

/// Starts the app on `backend` with the Primary Master Admin `ADMIN_EMAIL` / `PASSWORD`.
pub async fn spawn_app(backend: Backend) -> Option<TestApp> {
    spawn_app_with(backend, |_| {}).await
}

/// Like [`spawn_app`], with a chance to change the configuration first.
pub async fn spawn_app_with(backend: Backend, adjust: impl FnOnce(&mut Config)) -> Option<TestApp> {
    spawn(backend, adjust, false).await
}

/// Starts the app as `roster serve --demo` does, on an empty database.
pub async fn spawn_demo_app(backend: Backend) -> Option<TestApp> {
    spawn(
        backend,
        |c| {
            c.bootstrap_admin_email.clear();
            c.bootstrap_admin_password.clear();
        },
        true,
    )
    .await
}

async fn spawn(backend: Backend, adjust: impl FnOnce(&mut Config), demo: bool) -> Option<TestApp> {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("apps").join(uuid::Uuid::now_v7().simple().to_string());
    std::fs::create_dir_all(&dir).expect("create app dir");
    let (url, pg_database) = match backend {
        Backend::Sqlite => (format!("sqlite://{}", dir.join("roster.db").display()), None),
        Backend::Postgres => {
            let (url, name) = create_pg_database().await?;
            (url, Some(name))
        }
    };
    let mut config = test_config(&dir, url.clone());
    adjust(&mut config);
    let mut layers: Vec<Box<dyn tracing_subscriber::Layer<tracing_subscriber::Registry> + Send + Sync>> =
        vec![Box::new(super::statements::layer())];
    // `ROSTER_TEST_LOG=app=info` (an `EnvFilter`) shows the apps' logs on stderr, which the
    // test harness does not capture: e.g. why a fuzzed API token was refused.
    if let Ok(filter) = std::env::var("ROSTER_TEST_LOG") {
        use tracing_subscriber::Layer as _;
        let filter = tracing_subscriber::EnvFilter::new(filter);
        layers.push(tracing_subscriber::fmt::layer().with_writer(std::io::stderr).with_filter(filter).boxed());
    }
    roster::telemetry::init_metrics_only_with(layers);
    let auth = config.auth_settings();
    let mailer = config.mailer();
    let app = Application::build(config, demo).await.expect("the app builds");
    let demo = app.demo_credentials().cloned();
    let setup_token = match app.first_start() {
        app::bootstrap::FirstStart::SetupLink { token } => Some(token.clone()),
        _ => None,
    };
    let port = app.port();
    let metrics_port = app.metrics_port();
    let server = tokio::spawn(async move {
        app.run_until_stopped().await.expect("the app runs");
    });
    let db = Db::connect(&url).await.expect("second pool");
    let ctx = app::AppCtx::new(db.clone(), auth, mailer);
    Some(TestApp {
        base: format!("http://127.0.0.1:{port}"),
        port,
        metrics_port,
        db,
        ctx,
        backend,
        setup_token,
        demo,
        dir,
        database_url: url,
        pg_database,
        extra_pg_databases: std::sync::Mutex::default(),
        server,
    })
}

impl Drop for TestApp {
    fn drop(&mut self) {
        self.server.abort();
        if let Some(name) = &self.pg_database {
            drop_pg_database(name);
        }
        for name in self.extra_pg_databases.lock().unwrap_or_else(std::sync::PoisonError::into_inner).iter() {
            drop_pg_database(name);
        }
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// A client that keeps cookies, like a browser, but sends no `Origin` (like a script).
pub fn client() -> reqwest::Client {
    reqwest::Client::builder().cookie_store(true).redirect(reqwest::redirect::Policy::none()).build().expect("client")
}

impl TestApp {
    /// Drops this app's PostgreSQL database under it (no-op on SQLite).
    pub fn drop_database(&self) {
        if let Some(name) = &self.pg_database {
            drop_pg_database(name);
        }
    }

    /// The configuration this app was started with (test defaults on its database).
    pub fn config(&self) -> Config {
        test_config(&self.dir, self.database_url.clone())
    }

    /// Runs the `roster` binary with `args` against this app's database and data directory
    /// (links it prints point at https://roster.example); (success, stdout, stderr).
    pub fn run_cli(&self, args: &[&str]) -> (bool, String, String) {
        let config = self.config();
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_roster"))
            .args(args)
            .args(["--database-url", &config.database_url, "--data-dir"])
            .arg(&config.data_dir)
            .env("ROSTER_PUBLIC_URL", "https://roster.example")
            .output()
            .expect("the binary runs");
        let text = |b: &[u8]| String::from_utf8_lossy(b).into_owned();
        (out.status.success(), text(&out.stdout), text(&out.stderr))
    }

    /// A new, empty database of this app's backend (and a data directory for it), for tests
    /// that start instances of their own. Both go away with this app.
    pub async fn fresh_database(&self) -> (PathBuf, String) {
        let dir = self.dir.join(uuid::Uuid::now_v7().simple().to_string());
        std::fs::create_dir_all(&dir).expect("create data dir");
        match self.backend {
            Backend::Sqlite => {
                let url = format!("sqlite://{}", dir.join("roster.db").display());
                (dir, url)
            }
            Backend::Postgres => {
                let (url, name) = create_pg_database().await.expect("PostgreSQL answered a moment ago");
                self.extra_pg_databases.lock().unwrap_or_else(std::sync::PoisonError::into_inner).push(name);
                (dir, url)
            }
        }
    }

    /// Where this app writes mail when no SMTP server is configured.
    pub fn outbox(&self) -> PathBuf {
        self.dir.join("outbox")
    }

    /// Waits (up to 10 s) until every message queued so far has had its delivery attempt:
    /// none is due and unsent (a failed one may wait for its retry). Mail leaves through
    /// the outbox worker, after the request that queued it answered.
    pub async fn settle_mail(&self) {
        for _ in 0..200 {
            if store::outbox::due_count(&self.db, app::clock::now()).await.expect("outbox") == 0 {
                return;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("mail still due after 10 s");
    }

    /// Another Roster instance (own port and data directory) on this app's database.
    /// Dropping it leaves the database alone.
    pub async fn second_instance(&self) -> TestApp {
        let dir = self.dir.with_file_name(uuid::Uuid::now_v7().simple().to_string());
        std::fs::create_dir_all(&dir).expect("create app dir");
        let config = test_config(&dir, self.database_url.clone());
        let (auth, mailer) = (config.auth_settings(), config.mailer());
        let app = Application::build(config, false).await.expect("the second instance builds");
        let port = app.port();
        let server = tokio::spawn(async move {
            app.run_until_stopped().await.expect("the app runs");
        });
        let db = Db::connect(&self.database_url).await.expect("second pool");
        let ctx = app::AppCtx::new(db.clone(), auth, mailer);
        TestApp {
            base: format!("http://127.0.0.1:{port}"),
            port,
            metrics_port: None,
            db,
            ctx,
            backend: self.backend,
            setup_token: None,
            demo: None,
            dir,
            database_url: self.database_url.clone(),
            pg_database: None,
            extra_pg_databases: std::sync::Mutex::default(),
            server,
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// Signs in through the API and returns the signed-in client.
    pub async fn login(&self, email: &str, password: &str) -> reqwest::Client {
        let c = client();
        let res =
            self.post_json(&c, "/api/v1/auth/login", &serde_json::json!({"email": email, "password": password})).await;
        assert_eq!(res.status(), StatusCode::OK, "login of {email} failed: {}", res.text().await.unwrap_or_default());
        c
    }

    pub async fn login_admin(&self) -> reqwest::Client {
        self.login(ADMIN_EMAIL, PASSWORD).await
    }

    pub async fn post_json(&self, c: &reqwest::Client, path: &str, body: &Value) -> reqwest::Response {
        c.post(self.url(path)).json(body).send().await.expect("request")
    }

    pub async fn get(&self, c: &reqwest::Client, path: &str) -> reqwest::Response {
        c.get(self.url(path)).send().await.expect("request")
    }

    /// GET returning (status, JSON body).
    pub async fn get_json(&self, c: &reqwest::Client, path: &str) -> (StatusCode, Value) {
        let res = self.get(c, path).await;
        let status = res.status();
        let body = res.json().await.unwrap_or(Value::Null);
        (status, body)
    }

    /// Any request with an optional JSON body, returning (status, JSON body or null).
    pub async fn send(
        &self,
        c: &reqwest::Client,
        method: reqwest::Method,
        path: &str,
        body: Option<Value>,
    ) -> (StatusCode, Value) {
        let mut req = c.request(method, self.url(path));
        if let Some(b) = body {
            req = req.json(&b);
        }
        let res = req.send().await.expect("request");
        let status = res.status();
        (status, res.json().await.unwrap_or(Value::Null))
    }

    /// All items of a users-list query, following cursors to the end.
    pub async fn list_all(&self, c: &reqwest::Client, query: &str) -> Vec<Value> {
        let mut items = Vec::new();
        let mut cursor: Option<String> = None;
        loop {
            let sep = if query.is_empty() { "" } else { "&" };
            let path = match &cursor {
                Some(cur) => format!("/api/v1/users?{query}{sep}cursor={cur}"),
                None => format!("/api/v1/users?{query}"),
            };
            let (status, body) = self.get_json(c, &path).await;
            assert_eq!(status, StatusCode::OK, "{path}: {body}");
            items.extend(body["items"].as_array().expect("items").iter().cloned());
            match body["next_cursor"].as_str() {
                Some(next) => cursor = Some(next.to_owned()),
                None => return items,
            }
        }
    }
}

/// Emails of list items, in order.
pub fn emails(items: &[Value]) -> Vec<String> {
    items.iter().map(|u| u["email"].as_str().unwrap_or_default().to_owned()).collect()
}

/// The CSRF token of the (first) form on a page.
pub fn csrf_of(html: &str) -> String {
    let marker = "name=\"csrf\" value=\"";
    let start = html.find(marker).expect("a CSRF field") + marker.len();
    html[start..].split('"').next().expect("a closing quote").to_owned()
}
