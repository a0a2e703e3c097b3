//! `roster backup` while the server takes writes, `roster restore` into a fresh database,
//! and a server that starts on the restored copy. On both backends.

use crate::support::app::{ADMIN_EMAIL, PASSWORD, client, test_config};
use reqwest::StatusCode;
use roster::startup::Application;
use serde_json::json;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};
use store::{Backend, Db};

/// Invited users and their `user.invited` events: written in one transaction, so a
/// consistent copy has as many of one as of the other.
async fn invited(db: &Db) -> (i64, i64) {
    macro_rules! q {
        ($pool:expr) => {{
            let users: i64 = sqlx::query_scalar("SELECT count(*) FROM users WHERE status = 'invited'")
                .fetch_one($pool)
                .await
                .unwrap();
            let events: i64 = sqlx::query_scalar("SELECT count(*) FROM audit_events WHERE action = 'user.invited'")
                .fetch_one($pool)
                .await
                .unwrap();
            (users, events)
        }};
    }
    match db {
        Db::Sqlite(pool) => q!(pool),
        Db::Pg(pool) => q!(pool),
    }
}

crate::on_both_backends!(a_backup_under_write_load_restores_to_a_server_that_starts, |app| async move {
    let admin = app.login_admin().await;
    // Write load: invitations one after another until told to stop.
    let stop = Arc::new(AtomicBool::new(false));
    let done = Arc::new(AtomicU32::new(0));
    let writer = {
        let (stop, done, admin, url) = (stop.clone(), done.clone(), admin.clone(), app.url("/api/v1/invitations"));
        tokio::spawn(async move {
            let mut i = 0;
            while !stop.load(Ordering::Relaxed) {
                i += 1;
                let body = json!({"emails": [format!("load.{i}@example.com")]});
                let res = admin.post(&url).json(&body).send().await.unwrap();
                assert_eq!(res.status(), StatusCode::OK);
                done.fetch_add(1, Ordering::Relaxed);
            }
        })
    };
    while done.load(Ordering::Relaxed) < 10 {
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    let before = done.load(Ordering::Relaxed);
    let (backup_dir, _) = app.fresh_database().await;
    let file = backup_dir.join(if app.backend == Backend::Sqlite { "roster-backup.db" } else { "roster.dump" });
    roster::backup::backup(&app.config(), &file).await.expect("backs up while the server writes");
    let after_backup = done.load(Ordering::Relaxed);
    while done.load(Ordering::Relaxed) < after_backup + 3 {
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    stop.store(true, Ordering::Relaxed);
    writer.await.unwrap();

    let (dir, url) = app.fresh_database().await;
    let config = test_config(&dir, url.clone());
    roster::backup::restore(&config, &file).await.expect("restores");
    let restored = Db::connect(&url).await.unwrap();
    let (users, events) = invited(&restored).await;
    assert_eq!(users, events, "the copy is one consistent snapshot");
    let users = u32::try_from(users).unwrap();
    assert!(users >= before && users <= after_backup + 1, "{before} <= {users} <= {after_backup}");
    let counts = store::backup::row_counts(&restored).await.unwrap();
    if app.backend == Backend::Sqlite {
        let copy = Db::connect(&format!("sqlite://{}", file.display())).await.unwrap();
        assert_eq!(store::backup::row_counts(&copy).await.unwrap(), counts, "identical row counts");
        copy.close().await;
    }
    assert!(counts.iter().any(|(t, n)| t == "users" && *n > 0), "{counts:?}");
    restored.close().await;

    // A server starts on the restored copy and serves what it holds.
    let started = Application::build(config, false).await.expect("starts on the restored database");
    let base = format!("http://127.0.0.1:{}", started.port());
    let server = tokio::spawn(started.run_until(std::future::pending()));
    let c = client();
    let res = c
        .post(format!("{base}/api/v1/auth/login"))
        .json(&json!({"email": ADMIN_EMAIL, "password": PASSWORD}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let list: serde_json::Value =
        c.get(format!("{base}/api/v1/users?q=load.1%40&limit=5")).send().await.unwrap().json().await.unwrap();
    assert!(!list["items"].as_array().unwrap().is_empty(), "{list}");
    server.abort();
});

/// A restore into a SQLite database a server has open is refused and changes nothing (the
/// server would go on writing to the file moved aside, losing every later change); once the
/// server stops, the same restore goes through. No server starts while a restore runs.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_restore_is_refused_while_a_server_has_the_sqlite_file_open() {
    let app = crate::support::spawn_app(Backend::Sqlite).await.expect("SQLite is always available");
    let admin = app.login_admin().await;
    let res =
        admin.post(app.url("/api/v1/invitations")).json(&json!({"emails": ["in.backup@example.com"]})).send().await;
    assert_eq!(res.unwrap().status(), StatusCode::OK);
    let (backup_dir, _) = app.fresh_database().await;
    let file = backup_dir.join("roster-backup.db");
    roster::backup::backup(&app.config(), &file).await.expect("backs up");

    // A server of its own on another database, which the restore targets.
    let (dir, url) = app.fresh_database().await;
    let config = test_config(&dir, url.clone());
    let started = Application::build(config.clone(), false).await.expect("starts");
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(started.run_until(async move {
        let _ = stopped.await;
    }));
    let moved_aside = || {
        std::fs::read_dir(&dir).unwrap().flatten().any(|e| e.file_name().to_string_lossy().contains("before-restore"))
    };
    let refused = roster::backup::restore(&config, &file).await.expect_err("a server has the database open");
    let message = format!("{refused:#}");
    assert!(message.contains("Roster is running on") && message.contains("stop it first"), "{message}");
    assert!(!moved_aside(), "the live database stays where it is");
    let live = Db::connect(&url).await.unwrap();
    assert_eq!(store::users::count_with_email_prefix(&live, "in.backup@").await.unwrap(), 0, "nothing restored");
    live.close().await;

    // Stopped: the same restore goes through.
    stop.send(()).unwrap();
    server.await.unwrap().expect("stops cleanly");
    roster::backup::restore(&config, &file).await.expect("restores into a stopped database");
    assert!(moved_aside(), "the database that was there is kept");
    let restored = Db::connect(&url).await.unwrap();
    assert_eq!(store::users::count_with_email_prefix(&restored, "in.backup@").await.unwrap(), 1);
    restored.close().await;

    // While a restore holds the lock, a server does not start on the database.
    let restoring = std::fs::OpenOptions::new().write(true).open(dir.join("roster.db.lock")).unwrap();
    restoring.lock().unwrap();
    let err = Application::build(config, false).await.err().expect("a restore is under way");
    assert!(format!("{err:#}").contains("a restore into"), "{err:#}");
}

// A wrong data directory or database URL: backup and import refuse, naming it, and create
// nothing — no empty database, no backup file, no directory.
crate::on_both_backends!(backup_and_import_never_create_a_database, |app| async move {
    let (dir, url) = app.fresh_database().await;
    let file = dir.join("backup.out");
    let shown = if app.backend == Backend::Sqlite { dir.join("roster.db").display().to_string() } else { url.clone() };
    let config = test_config(&dir, url.clone());
    let err = roster::backup::backup(&config, &file).await.expect_err("nothing to back up");
    let message = format!("{err:#}");
    let expected =
        if app.backend == Backend::Sqlite { "there is no Roster database at" } else { "has no Roster schema" };
    assert!(message.contains(expected), "{message}");
    if app.backend == Backend::Sqlite {
        assert!(message.contains(&shown), "names the path: {message}");
    }
    assert!(!file.exists(), "no backup file");
    let csv = dir.join("rows.csv");
    std::fs::write(&csv, "email\nsomeone@example.com\n").unwrap();
    let args = roster::import::ImportArgs { file: &csv, workspace: None, account: None, send_email: false };
    let err = roster::import::run(&config, args).await.expect_err("nothing to import into");
    assert!(format!("{err:#}").contains(expected), "{err:#}");
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_roster"))
        .args(["account", "list", "--data-dir"])
        .arg(&dir)
        .args(["--database-url", &url])
        .output()
        .expect("the binary runs");
    assert!(!out.status.success(), "account list on no database");
    assert!(String::from_utf8_lossy(&out.stderr).contains(expected), "{}", String::from_utf8_lossy(&out.stderr));
    if app.backend == Backend::Sqlite {
        assert!(!dir.join("roster.db").exists(), "no SQLite database was created");
        let typo = dir.join("no-such-dir");
        let err = roster::backup::backup(&test_config(&typo, String::new()), &file).await.expect_err("no data dir");
        assert!(format!("{err:#}").contains(&typo.display().to_string()), "{err:#}");
        assert!(!typo.exists(), "the data directory was not created");
    } else {
        let db = Db::connect(&url).await.unwrap();
        assert_eq!(store::backup::row_counts(&db).await.unwrap(), vec![], "no table was created");
        db.close().await;
    }

    // The real database backs up into a file only its owner may read.
    use std::os::unix::fs::PermissionsExt;
    roster::backup::backup(&app.config(), &file).await.expect("backs up");
    assert_eq!(std::fs::metadata(&file).unwrap().permissions().mode() & 0o777, 0o600);
});

/// A SQLite restore whose copy fails leaves the database that was there in place, untouched
/// (it used to be moved aside first, and the next start made a fresh empty installation).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failed_sqlite_restore_leaves_the_old_database_in_place() {
    let app = crate::support::spawn_app(Backend::Sqlite).await.expect("SQLite is always available");
    let (backup_dir, _) = app.fresh_database().await;
    let file = backup_dir.join("roster-backup.db");
    roster::backup::backup(&app.config(), &file).await.expect("backs up");

    // The target: a database of its own with one invited user the backup does not have.
    let (dir, url) = app.fresh_database().await;
    let config = test_config(&dir, url.clone());
    let target = Db::connect(&url).await.unwrap();
    target.migrate().await.unwrap();
    sqlx::query("CREATE TABLE only_here (x INTEGER)")
        .execute(match &target {
            Db::Sqlite(p) => p,
            Db::Pg(_) => unreachable!(),
        })
        .await
        .unwrap();
    target.close().await;
    // The staging file cannot be written: a directory (with something in it) holds its name.
    let staging = dir.join("roster.db.restoring");
    std::fs::create_dir_all(staging.join("occupied")).unwrap();
    let err = roster::backup::restore(&config, &file).await.expect_err("the copy fails");
    assert!(format!("{err:#}").contains("the database there is unchanged"), "{err:#}");
    let names: Vec<String> =
        std::fs::read_dir(&dir).unwrap().flatten().map(|e| e.file_name().to_string_lossy().into_owned()).collect();
    assert!(!names.iter().any(|n| n.contains("before-restore")), "nothing moved aside: {names:?}");
    let kept = Db::connect_existing(&url).await.expect("the old database is still there");
    let tables = store::backup::row_counts(&kept).await.unwrap();
    assert!(tables.iter().any(|(t, _)| t == "only_here"), "it is the old database: {tables:?}");
    kept.close().await;

    // With the way clear, the restore goes through and the old one is kept aside.
    std::fs::remove_dir_all(&staging).unwrap();
    roster::backup::restore(&config, &file).await.expect("restores");
    let restored = Db::connect_existing(&url).await.unwrap();
    let tables = store::backup::row_counts(&restored).await.unwrap();
    assert!(!tables.iter().any(|(t, _)| t == "only_here"), "the backup is in place: {tables:?}");
    restored.close().await;
    assert!(!staging.exists(), "the staged copy was renamed into place");

    // A backup waits for no restore: while one holds the lock, it refuses.
    let restoring = std::fs::OpenOptions::new().write(true).open(dir.join("roster.db.lock")).unwrap();
    restoring.lock().unwrap();
    let err = roster::backup::backup(&config, &backup_dir.join("second.db")).await.expect_err("a restore runs");
    assert!(format!("{err:#}").contains("a restore into"), "{err:#}");
}

/// `pg_restore` into a database that already has tables is refused up front, naming the
/// remedy (it would fail half-way on the first existing table).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_postgres_restore_wants_an_empty_database() {
    let Some(app) = crate::support::spawn_app(Backend::Postgres).await else { return };
    let (dir, _) = app.fresh_database().await;
    let file = dir.join("roster.dump");
    roster::backup::backup(&app.config(), &file).await.expect("backs up");
    let err = roster::backup::restore(&app.config(), &file).await.expect_err("the database has tables");
    assert!(format!("{err:#}").contains("restore into an empty database"), "{err:#}");
}
