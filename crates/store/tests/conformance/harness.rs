//! Runs one test body on a fresh SQLite file and on a fresh PostgreSQL database.
//!
//! SQLite files live under `CARGO_TARGET_TMPDIR` and are removed after a passing test (kept,
//! with their path printed, after a failing one). PostgreSQL databases are created on the
//! server named by `ROSTER_TEST_PG_URL` and always dropped, even when the test panics. When
//! that server cannot be reached the PostgreSQL half is skipped with a message, unless
//! `CI=true`, where it fails.

use sqlx::{AssertSqlSafe, Connection, PgConnection};
use std::future::Future;
use std::path::PathBuf;
use std::time::Duration;
use store::Db;
use uuid::Uuid;

/// Server used when `ROSTER_TEST_PG_URL` is unset.
const DEFAULT_PG_URL: &str = "postgres://postgres@127.0.0.1:5432/postgres";

/// Generates, for every listed `async fn name(db: Db)` of the current module, a module
/// `name` with two tests, `name::sqlite` and `name::postgres`.
macro_rules! on_both_backends {
    ($($name:ident),+ $(,)?) => {$(
        mod $name {
            #[tokio::test]
            async fn sqlite() {
                $crate::harness::run_sqlite(module_path!(), super::$name).await;
            }

            #[tokio::test]
            async fn postgres() {
                $crate::harness::run_postgres(super::$name).await;
            }
        }
    )+};
}

/// Runs `test` on a new, migrated SQLite database file.
pub async fn run_sqlite<F, Fut>(name: &str, test: F)
where
    F: FnOnce(Db) -> Fut,
    Fut: Future<Output = ()>,
{
    let file = SqliteFile::new(name);
    let db = Db::connect(&file.url()).await.expect("open SQLite database");
    db.migrate().await.expect("migrate SQLite database");
    test(db.clone()).await;
    db.close().await;
}

/// Runs `test` on a new, migrated PostgreSQL database, or skips it (see the module docs).
pub async fn run_postgres<F, Fut>(test: F)
where
    F: FnOnce(Db) -> Fut,
    Fut: Future<Output = ()>,
{
    let server = std::env::var("ROSTER_TEST_PG_URL").unwrap_or_else(|_| DEFAULT_PG_URL.to_owned());
    let Some(database) = PgDatabase::create(&server).await else {
        return;
    };
    let db = Db::connect(&database.url).await.expect("connect to the test database");
    db.migrate().await.expect("migrate PostgreSQL database");
    test(db.clone()).await;
    db.close().await;
    drop(database);
}

/// A database file, removed when the test passes.
struct SqliteFile {
    path: PathBuf,
}

impl SqliteFile {
    fn new(test: &str) -> Self {
        let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("store-conformance");
        std::fs::create_dir_all(&dir).expect("create the SQLite test directory");
        let stem: String = test.chars().map(|c| if c.is_ascii_alphanumeric() { c } else { '_' }).collect();
        let path = dir.join(format!("{stem}-{}.sqlite", Uuid::now_v7().simple()));
        Self { path }
    }

    fn url(&self) -> String {
        format!("sqlite://{}", self.path.display())
    }
}

impl Drop for SqliteFile {
    fn drop(&mut self) {
        if std::thread::panicking() {
            eprintln!("kept the failing test's database: {}", self.path.display());
            return;
        }
        for suffix in ["", "-wal", "-shm"] {
            let mut p = self.path.clone().into_os_string();
            p.push(suffix);
            let _ = std::fs::remove_file(p);
        }
    }
}

/// A uniquely named PostgreSQL database, dropped (`WITH (FORCE)`) on drop.
struct PgDatabase {
    server: String,
    name: String,
    url: String,
}

impl PgDatabase {
    /// Creates the database, or returns `None` after explaining why PostgreSQL is skipped.
    async fn create(server: &str) -> Option<Self> {
        let connect = tokio::time::timeout(Duration::from_secs(5), PgConnection::connect(server)).await;
        let mut admin = match connect {
            Ok(Ok(conn)) => conn,
            Ok(Err(e)) => return skip(server, &e.to_string()),
            Err(_) => return skip(server, "connection timed out"),
        };
        let name = format!("roster_store_{}", Uuid::now_v7().simple());
        sqlx::raw_sql(AssertSqlSafe(format!("CREATE DATABASE {name}")))
            .execute(&mut admin)
            .await
            .expect("create the test database");
        let _ = admin.close().await;
        let url = with_database(server, &name);
        Some(Self { server: server.to_owned(), name, url })
    }
}

impl Drop for PgDatabase {
    fn drop(&mut self) {
        // A fresh thread with its own runtime: this may run inside the test's runtime, or
        // while it unwinds from a panic, where blocking on a future is not allowed.
        let server = self.server.clone();
        let name = self.name.clone();
        let dropped = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
            rt.block_on(async {
                let mut admin = PgConnection::connect(&server).await?;
                sqlx::raw_sql(AssertSqlSafe(format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)")))
                    .execute(&mut admin)
                    .await?;
                admin.close().await
            })
            .map_err(std::io::Error::other)
        })
        .join();
        match dropped {
            Ok(Ok(())) => {}
            Ok(Err(e)) => eprintln!("could not drop test database {}: {e}", self.name),
            Err(_) => eprintln!("could not drop test database {}: the dropping thread panicked", self.name),
        }
    }
}

fn skip(server: &str, reason: &str) -> Option<PgDatabase> {
    assert!(
        std::env::var("CI").as_deref() != Ok("true"),
        "PostgreSQL at {server} is unreachable ({reason}) and CI=true"
    );
    eprintln!("skipping the PostgreSQL test: {server} is unreachable ({reason}); set ROSTER_TEST_PG_URL");
    None
}

/// `server` with its database path replaced by `/name` (query parameters kept).
fn with_database(server: &str, name: &str) -> String {
    let (base, query) = server.split_once('?').map_or((server, None), |(b, q)| (b, Some(q)));
    let authority_start = base.find("://").map_or(0, |i| i + 3);
    let base = match base[authority_start..].find('/') {
        Some(slash) => &base[..authority_start + slash],
        None => base,
    };
    match query {
        Some(q) => format!("{base}/{name}?{q}"),
        None => format!("{base}/{name}"),
    }
}

#[test]
fn database_urls_swap_only_the_path() {
    assert_eq!(with_database("postgres://u@h:5432/postgres", "d"), "postgres://u@h:5432/d");
    assert_eq!(with_database("postgres://u:p@h/x?sslmode=disable", "d"), "postgres://u:p@h/d?sslmode=disable");
    assert_eq!(with_database("postgresql://h", "d"), "postgresql://h/d");
    assert_eq!(with_database("postgres://h?application_name=t", "d"), "postgres://h/d?application_name=t");
}
