//! The server under slow and oversized clients, while it starts and while it drains:
//! header read timeout, connection cap, 413 problem+json for every oversized body,
//! `/readyz` during migrations and during the drain, and the drain deadline.

use crate::support::app::{ADMIN_EMAIL, PASSWORD, spawn_app_with, test_config};
use reqwest::StatusCode;
use roster::startup::{Application, Starting};
use std::time::Duration;
use store::Backend;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::time::{sleep, timeout};

/// Waits (at most `limit`) until the server closes `s`: EOF or a reset. Keeps writing a
/// header line every 200 ms meanwhile when `trickle` is set, like a slowloris client.
async fn closed_by_server(s: &mut TcpStream, trickle: bool, limit: Duration) -> bool {
    let mut buf = [0u8; 1024];
    timeout(limit, async {
        loop {
            tokio::select! {
                r = s.read(&mut buf) => match r {
                    Ok(0) | Err(_) => return,
                    Ok(_) => {}
                },
                () = sleep(Duration::from_millis(200)) => {
                    if trickle {
                        let _ = s.write_all(b"X-Trickle: still here\r\n").await;
                    }
                }
            }
        }
    })
    .await
    .is_ok()
}

async fn connect(port: u16) -> TcpStream {
    TcpStream::connect(("127.0.0.1", port)).await.expect("connect")
}

/// Sends `head` and `body`, then reads the whole response (the server closes it: `Connection:
/// close`). Returns the status, the lower-cased head and the body.
async fn raw(port: u16, head: &str, body: &[u8]) -> (u16, String, String) {
    let mut s = connect(port).await;
    s.write_all(head.as_bytes()).await.unwrap();
    // The server may answer and close before it has read everything; that is fine.
    let _ = s.write_all(body).await;
    let mut out = Vec::new();
    let _ = timeout(Duration::from_secs(20), s.read_to_end(&mut out)).await.expect("the server answers");
    let text = String::from_utf8_lossy(&out).into_owned();
    let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
    let status = head.split(' ').nth(1).and_then(|s| s.parse().ok()).unwrap_or(0);
    (status, head.to_ascii_lowercase(), body.to_owned())
}

#[tokio::test]
async fn a_client_trickling_its_headers_is_cut_off_at_the_header_read_timeout() {
    let app = spawn_app_with(Backend::Sqlite, |c| c.header_read_timeout_seconds = 1).await.unwrap();
    let mut s = connect(app.port).await;
    s.write_all(b"GET /healthz HTTP/1.1\r\nHost: roster\r\n").await.unwrap();
    assert!(closed_by_server(&mut s, true, Duration::from_secs(15)).await, "a trickling client is never cut off");
    // An idle keep-alive connection is closed the same way, after its first answer.
    let mut s = connect(app.port).await;
    s.write_all(b"GET /healthz HTTP/1.1\r\nHost: roster\r\n\r\n").await.unwrap();
    let mut buf = [0u8; 512];
    let n = s.read(&mut buf).await.unwrap();
    assert!(String::from_utf8_lossy(&buf[..n]).starts_with("HTTP/1.1 200"));
    assert!(closed_by_server(&mut s, false, Duration::from_secs(15)).await, "idle keep-alive is never closed");
}

#[tokio::test]
async fn the_connection_cap_holds_until_slow_clients_are_cut_off() {
    let app = spawn_app_with(Backend::Sqlite, |c| {
        c.max_connections = 2;
        c.header_read_timeout_seconds = 2;
    })
    .await
    .unwrap();
    // Two slow clients take both places (connections are accepted in order).
    let mut slow = Vec::new();
    for _ in 0..2 {
        let mut s = connect(app.port).await;
        s.write_all(b"GET /healthz HTTP/1.1\r\nHost: roster\r\n").await.unwrap();
        slow.push(s);
    }
    // A third, complete request waits in the backlog until one of them is cut off.
    let (status, _, body) =
        raw(app.port, "GET /healthz HTTP/1.1\r\nHost: roster\r\nConnection: close\r\n\r\n", b"").await;
    assert_eq!((status, body.as_str()), (200, "ok"));
    let mut any_closed = false;
    for s in &mut slow {
        any_closed |= closed_by_server(s, false, Duration::from_millis(500)).await;
    }
    assert!(any_closed, "the third connection was served while both slow ones still held their places");
}

/// What a refusal of an oversized body must look like.
fn assert_problem_413(what: &str, (status, head, body): &(u16, String, String)) {
    assert_eq!(*status, 413, "{what}: {head}\n{body}");
    assert!(head.contains("content-type: application/problem+json"), "{what}: {head}");
    let p: serde_json::Value = serde_json::from_str(body).unwrap_or_else(|e| panic!("{what}: {e}: {body}"));
    assert_eq!(p["status"], 413, "{what}: {p}");
    assert!(p["detail"].as_str().unwrap_or_default().contains("larger than"), "{what}: {p}");
}

#[tokio::test]
async fn every_oversized_body_gets_413_problem_json() {
    let app = spawn_app_with(Backend::Sqlite, |_| {}).await.unwrap();
    let port = app.port;
    let c = app.login_admin().await;
    let res = c.get(app.url("/api/v1/me")).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    // The session cookie, for raw requests.
    let login = reqwest::Client::new()
        .post(app.url("/api/v1/auth/login"))
        .json(&serde_json::json!({"email": ADMIN_EMAIL, "password": PASSWORD}))
        .send()
        .await
        .unwrap();
    let cookie = login.headers()["set-cookie"].to_str().unwrap().split(';').next().unwrap().to_owned();
    let head = |method: &str, path: &str, ctype: &str, len: usize| {
        format!(
            "{method} {path} HTTP/1.1\r\nHost: roster\r\nCookie: {cookie}\r\nContent-Type: {ctype}\r\n\
             Content-Length: {len}\r\nConnection: close\r\n\r\n"
        )
    };
    let mb = 1024 * 1024;
    // Declared larger than anything Roster takes: refused before a byte is read.
    let ten_mb_json = raw(port, &head("POST", "/api/v1/auth/login", "application/json", 10 * mb), b"{").await;
    assert_problem_413("a 10 MB JSON body", &ten_mb_json);
    let picture = raw(port, &head("PUT", "/api/v1/me/profile/picture", "image/png", 20 * mb), b"\x89PNG").await;
    assert_problem_413("a 20 MB picture", &picture);
    let csv = raw(port, &head("POST", "/admin/users/invite", "multipart/form-data; boundary=x", 6 * mb), b"--x").await;
    assert_problem_413("a 6 MB CSV upload", &csv);
    // Within the largest limit but over the route's own: refused by the route, same answer.
    let json = vec![b' '; 3 * mb];
    let three_mb_json = raw(port, &head("POST", "/api/v1/auth/login", "application/json", json.len()), &json).await;
    assert_problem_413("a 3 MB JSON body", &three_mb_json);
    let patch = raw(port, &head("PATCH", "/api/v1/me/profile", "application/json", json.len()), &json).await;
    assert_problem_413("a 3 MB profile patch", &patch);
    let form = vec![b'a'; 3 * mb];
    let login_form = raw(port, &head("POST", "/login", "application/x-www-form-urlencoded", form.len()), &form).await;
    assert_problem_413("a 3 MB sign-in form", &login_form);
    let png = raw(port, &head("PUT", "/api/v1/me/profile/picture", "image/png", 3 * mb), &form).await;
    assert_problem_413("a 3 MB picture", &png);
    // Without a declared length (chunked), the limit holds while reading.
    let chunked = format!(
        "POST /api/v1/auth/login HTTP/1.1\r\nHost: roster\r\nContent-Type: application/json\r\n\
         Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n{:x}\r\n",
        json.len()
    );
    let mut body = json.clone();
    body.extend_from_slice(b"\r\n0\r\n\r\n");
    assert_problem_413("a chunked 3 MB JSON body", &raw(port, &chunked, &body).await);
    // A browser gets a page saying the same.
    let browser = format!(
        "POST /login HTTP/1.1\r\nHost: roster\r\nAccept: text/html,*/*\r\n\
         Content-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        10 * mb
    );
    let (status, head, body) = raw(port, &browser, b"email=").await;
    assert_eq!(status, 413);
    assert!(head.contains("content-type: text/html") && body.contains("larger than"), "{head}\n{body}");
}

/// Blocks the migration of a fresh database the way a concurrent migration would: on
/// SQLite by holding the write lock, on PostgreSQL by holding the advisory lock that
/// sqlx's migrator takes (`0x3d32ad9e * crc32(database name)`, sqlx-postgres `migrate.rs`).
/// Dropping the returned connection releases it.
async fn hold_migration_lock(backend: Backend, url: &str) -> Box<dyn std::any::Any + Send> {
    use sqlx::Connection;
    match backend {
        Backend::Sqlite => {
            let opts: sqlx::sqlite::SqliteConnectOptions = url.parse().unwrap();
            let opts = opts.create_if_missing(true).journal_mode(sqlx::sqlite::SqliteJournalMode::Wal);
            let mut conn = sqlx::SqliteConnection::connect_with(&opts).await.unwrap();
            sqlx::query("BEGIN IMMEDIATE").execute(&mut conn).await.unwrap();
            Box::new(conn)
        }
        Backend::Postgres => {
            let mut conn = sqlx::PgConnection::connect(url).await.unwrap();
            let name = url.rsplit('/').next().unwrap();
            let crc = crc::Crc::<u32>::new(&crc::CRC_32_ISO_HDLC).checksum(name.as_bytes());
            let lock_id = 0x3d32_ad9e_i64 * i64::from(crc);
            sqlx::query("SELECT pg_advisory_lock($1)").bind(lock_id).execute(&mut conn).await.unwrap();
            Box::new(conn)
        }
    }
}

crate::on_both_backends!(readiness_fails_while_migrations_run, |app| async move {
    let (dir, url) = app.fresh_database().await;
    let lock = hold_migration_lock(app.backend, &url).await;
    let starting = Starting::begin(test_config(&dir, url)).await.expect("listens before migrating");
    let base = format!("http://127.0.0.1:{}", starting.port());
    let finishing = tokio::spawn(starting.finish(false));
    let c = reqwest::Client::new();
    let get = |path: &'static str| c.get(format!("{base}{path}")).send();
    assert_eq!(get("/healthz").await.unwrap().status(), StatusCode::OK, "alive while migrating");
    let ready = get("/readyz").await.unwrap();
    assert_eq!(ready.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(ready.text().await.unwrap(), "starting");
    let res = get("/api/v1/users").await.unwrap();
    assert_eq!(res.status(), StatusCode::SERVICE_UNAVAILABLE, "nothing else is served on a half-migrated schema");
    assert_eq!(res.headers()["retry-after"], "1");
    assert_eq!(res.headers()["content-type"], "application/problem+json");
    assert!(!finishing.is_finished(), "the migration waits for the lock");
    drop(lock);
    let started = timeout(Duration::from_secs(30), finishing).await.expect("migrates once the lock is free");
    let started = started.unwrap().expect("starts");
    assert_eq!(get("/readyz").await.unwrap().status(), StatusCode::OK);
    drop(started);
});

crate::on_both_backends!(shutdown_fails_readiness_then_drains_in_flight_requests, |app| async move {
    let (dir, url) = app.fresh_database().await;
    let mut config = test_config(&dir, url);
    config.shutdown_delay_seconds = 1;
    let started = Application::build(config, false).await.unwrap();
    let port = started.port();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let running = tokio::spawn(started.run_until(async move {
        let _ = stopped.await;
    }));
    // A sign-in whose body is still arriving when the shutdown begins.
    let body = format!(r#"{{"email":"{ADMIN_EMAIL}","password":"{PASSWORD}"}}"#);
    let mut in_flight = connect(port).await;
    let head = format!(
        "POST /api/v1/auth/login HTTP/1.1\r\nHost: roster\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n",
        body.len()
    );
    in_flight.write_all(head.as_bytes()).await.unwrap();
    in_flight.write_all(&body.as_bytes()[..10]).await.unwrap();
    sleep(Duration::from_millis(100)).await;
    stop.send(()).unwrap();
    // During the delay: still serving, but not ready (as soon as the stop has been seen).
    let draining = timeout(Duration::from_secs(5), async {
        loop {
            let (status, _, text) =
                raw(port, "GET /readyz HTTP/1.1\r\nHost: roster\r\nConnection: close\r\n\r\n", b"").await;
            if (status, text.as_str()) == (503, "draining") {
                return;
            }
            assert_eq!((status, text.as_str()), (200, "ready"), "before the stop is seen");
            sleep(Duration::from_millis(20)).await;
        }
    })
    .await;
    assert!(draining.is_ok(), "/readyz never said draining");
    // Then the listener closes...
    let refused = timeout(Duration::from_secs(15), async {
        while TcpStream::connect(("127.0.0.1", port)).await.is_ok() {
            sleep(Duration::from_millis(50)).await;
        }
    })
    .await;
    assert!(refused.is_ok(), "the listener never closed");
    // ...while the request in flight still completes.
    in_flight.write_all(&body.as_bytes()[10..]).await.unwrap();
    let mut answer = Vec::new();
    timeout(Duration::from_secs(15), in_flight.read_to_end(&mut answer)).await.unwrap().unwrap();
    let answer = String::from_utf8_lossy(&answer);
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    timeout(Duration::from_secs(15), running).await.expect("stops after the drain").unwrap().unwrap();
});

#[tokio::test]
async fn the_drain_deadline_cuts_requests_that_do_not_finish() {
    let app = spawn_app_with(Backend::Sqlite, |_| {}).await.unwrap();
    let (dir, url) = app.fresh_database().await;
    let mut config = test_config(&dir, url);
    config.shutdown_timeout_seconds = 1;
    let started = Application::build(config, false).await.unwrap();
    let port = started.port();
    let mut stuck = connect(port).await;
    stuck
        .write_all(b"POST /api/v1/auth/login HTTP/1.1\r\nHost: roster\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{")
        .await
        .unwrap();
    sleep(Duration::from_millis(100)).await;
    let stopped = timeout(Duration::from_secs(15), started.run_until(async {})).await;
    assert!(stopped.expect("the deadline ends the drain").is_ok());
    assert!(closed_by_server(&mut stuck, false, Duration::from_secs(5)).await);
}

// The real binary, stopped by SIGTERM while its migration waits for the lock: it finishes
// migrating (never leaving a half-migrated schema), then stops cleanly.
crate::on_both_backends!(sigterm_during_migrations_exits_after_they_finish, |app| async move {
    use std::io::{BufRead, BufReader};
    use std::process::{Command, Stdio};
    let (dir, url) = app.fresh_database().await;
    let lock = hold_migration_lock(app.backend, &url).await;
    let mut child = Command::new(env!("CARGO_BIN_EXE_roster"))
        .args(["serve", "--bind", "127.0.0.1:0", "--log-format", "json", "--database-url", &url, "--data-dir"])
        .arg(&dir)
        .env("ROSTER_ARGON2_MEMORY_KIB", "1024")
        .env("ROSTER_BOOTSTRAP_ADMIN_EMAIL", ADMIN_EMAIL)
        .env("ROSTER_BOOTSTRAP_ADMIN_PASSWORD", PASSWORD)
        .env("ROSTER_SHUTDOWN_DELAY_SECONDS", "0")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start roster");
    let (tx, mut logs) = tokio::sync::mpsc::unbounded_channel::<String>();
    let stderr = child.stderr.take().unwrap();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            let _ = tx.send(line);
        }
    });
    let mut seen = Vec::new();
    let migrating = timeout(Duration::from_secs(30), async {
        while let Some(line) = logs.recv().await {
            let now_migrating = line.contains("migrating the database");
            seen.push(line);
            if now_migrating {
                return;
            }
        }
    })
    .await;
    assert!(migrating.is_ok(), "never started migrating: {seen:?}");
    let kill = Command::new("kill").args(["-TERM", &child.id().to_string()]).status().unwrap();
    assert!(kill.success());
    sleep(Duration::from_millis(700)).await;
    assert!(child.try_wait().unwrap().is_none(), "stopped in the middle of the migration: {seen:?}");
    drop(lock);
    let exit = timeout(Duration::from_secs(30), tokio::task::spawn_blocking(move || child.wait().unwrap()))
        .await
        .expect("stops once the migration is done")
        .unwrap();
    // The reader thread forwards the last lines after the process has ended (CI once saw
    // "Roster stopped" missing): read until it hangs up at the end of stderr.
    let _ = timeout(Duration::from_secs(10), async {
        while let Some(line) = logs.recv().await {
            seen.push(line);
        }
    })
    .await;
    assert!(exit.success(), "exit status {exit:?}; logs: {seen:?}");
    let ready = seen.iter().position(|l| l.contains("is ready")).unwrap_or_else(|| panic!("{seen:?}"));
    let stopped = seen.iter().position(|l| l.contains("Roster stopped")).unwrap_or_else(|| panic!("{seen:?}"));
    assert!(ready < stopped, "{seen:?}");
    // Every migration is applied, and the first start completed.
    let migrations = std::fs::read_dir(format!(
        "{}/../store/migrations/{}",
        env!("CARGO_MANIFEST_DIR"),
        if app.backend == Backend::Sqlite { "sqlite" } else { "postgres" }
    ))
    .unwrap()
    .count() as i64;
    let db = store::Db::connect(&url).await.unwrap();
    let count = "SELECT count(*) FROM _sqlx_migrations WHERE success";
    let applied: i64 = match &db {
        store::Db::Sqlite(pool) => sqlx::query_scalar(count).fetch_one(pool).await.unwrap(),
        store::Db::Pg(pool) => sqlx::query_scalar(count).fetch_one(pool).await.unwrap(),
    };
    assert_eq!(applied, migrations);
    assert!(!store::accounts::none_exist(&db).await.unwrap(), "the first start finished too");
    db.close().await;
});
