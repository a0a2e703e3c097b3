//! Upgrades: a database made by the first release's migrations (kept byte for byte under
//! `tests/fixtures/first_release`) and holding rows written the way that release wrote them
//! is migrated by today's binary and served — its admin signs in, its users are listed, its
//! live session still works. And PostgreSQL instances starting together migrate once.

use crate::support::app::{PASSWORD, client, spawn_app, test_config};
use app::clock;
use reqwest::StatusCode;
use roster::startup::Application;
use sqlx::migrate::Migrator;
use std::path::Path;
use store::{Backend, Db};
use uuid::Uuid;

const ADMIN: &str = "first.admin@example.com";

/// Inserts one account as release 0.1.0 did: workspace, Master Admin role, its Primary
/// Master Admin (password [`PASSWORD`]), two members, a live session whose token is
/// returned, and an audit event. Keys are computed as that release computed them
/// (lower-cased email; "first last"; "first last email").
async fn seed_first_release(db: &Db, password_hash: &str) -> String {
    let now = clock::now();
    let (account, workspace, role) = (Uuid::now_v7(), Uuid::now_v7(), Uuid::now_v7());
    let token = app::tokens::generate();
    let admin = Uuid::now_v7();
    let users = [
        (admin, ADMIN, "First", "Admin", true, Some(role)),
        (Uuid::now_v7(), "Mia.Member@Example.com", "Mia", "Member", false, None),
        (Uuid::now_v7(), "noah.north@example.com", "Noah", "North", false, None),
    ];
    macro_rules! seed {
        ($pool:expr) => {{
            let pool = $pool;
            sqlx::query("INSERT INTO accounts (id, name, slug, created_at) VALUES ($1, 'Default', 'default', $2)")
                .bind(account)
                .bind(now)
                .execute(pool)
                .await
                .unwrap();
            sqlx::query("INSERT INTO workspaces (id, account_id, name, created_at) VALUES ($1, $2, 'Default', $3)")
                .bind(workspace)
                .bind(account)
                .bind(now)
                .execute(pool)
                .await
                .unwrap();
            sqlx::query(
                "INSERT INTO admin_roles (id, account_id, name, kind, all_workspaces, created_at) \
                 VALUES ($1, $2, 'Master Admin', 'master', TRUE, $3)",
            )
            .bind(role)
            .bind(account)
            .bind(now)
            .execute(pool)
            .await
            .unwrap();
            for (id, email, first, last, primary, _role) in &users {
                sqlx::query(
                    "INSERT INTO users (id, account_id, email, email_key, first_name, last_name, name_key, \
                     search_text, status, is_primary_admin, password_hash, created_at, updated_at) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'active', $9, $10, $11, $11)",
                )
                .bind(id)
                .bind(account)
                .bind(email)
                .bind(email.to_lowercase())
                .bind(first)
                .bind(last)
                .bind(format!("{first} {last}").to_lowercase())
                .bind(format!("{first} {last} {email}").to_lowercase())
                .bind(primary)
                .bind(password_hash)
                .bind(now)
                .execute(pool)
                .await
                .unwrap();
                sqlx::query("INSERT INTO memberships (user_id, workspace_id, joined_at) VALUES ($1, $2, $3)")
                    .bind(id)
                    .bind(workspace)
                    .bind(now)
                    .execute(pool)
                    .await
                    .unwrap();
            }
            sqlx::query(
                "INSERT INTO sessions (id, token_hash, user_id, workspace_id, current_workspace_id, csrf_token, \
                 device_type, browser, os, ip, user_agent, created_at, last_activity_at, expires_at) \
                 VALUES ($1, $2, $3, $4, $4, 'csrf', 'Desktop', 'Firefox', 'Linux', '192.0.2.1', 'Mozilla/5.0', \
                 $5, $5, $6)",
            )
            .bind(Uuid::now_v7())
            .bind(app::tokens::hash(&token))
            .bind(admin)
            .bind(workspace)
            .bind(now)
            .bind(now + 12 * clock::HOUR)
            .execute(pool)
            .await
            .unwrap();
            sqlx::query(
                "INSERT INTO audit_events (id, account_id, at, actor_user_id, action, target_user_id, ip, details) \
                 VALUES ($1, $2, $3, $4, 'login.succeeded', $4, '192.0.2.1', '{}')",
            )
            .bind(Uuid::now_v7())
            .bind(account)
            .bind(now)
            .bind(admin)
            .execute(pool)
            .await
            .unwrap();
        }};
    }
    match db {
        Db::Sqlite(pool) => seed!(pool),
        Db::Pg(pool) => seed!(pool),
    }
    token
}

/// Applies only the first release's migrations.
async fn migrate_first_release(db: &Db, backend: Backend) {
    let dir = match backend {
        Backend::Sqlite => "sqlite",
        Backend::Postgres => "postgres",
    };
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/first_release").join(dir);
    let old = Migrator::new(path).await.expect("the fixture migrations load");
    assert_eq!(old.iter().count(), 4, "release 0.1.0 had migrations 0001-0004");
    match db {
        Db::Sqlite(pool) => old.run(pool).await.expect("the first release's migrations run"),
        Db::Pg(pool) => old.run(pool).await.expect("the first release's migrations run"),
    }
}

crate::on_both_backends!(a_database_of_the_first_release_upgrades_and_serves, |app| async move {
    let (dir, url) = app.fresh_database().await;
    let old = Db::connect(&url).await.unwrap();
    migrate_first_release(&old, app.backend).await;
    let hash = app.ctx.hasher.hash(PASSWORD).await.unwrap();
    let token = seed_first_release(&old, &hash).await;
    old.close().await;

    let mut config = test_config(&dir, url.clone());
    config.bootstrap_admin_email.clear();
    config.bootstrap_admin_password.clear();
    let upgraded = Application::build(config, false).await.expect("today's binary migrates and starts");
    assert_eq!(*upgraded.first_start(), app::bootstrap::FirstStart::AlreadySetUp);
    let base = format!("http://127.0.0.1:{}", upgraded.port());
    let server = tokio::spawn(upgraded.run_until(std::future::pending()));

    // The session the old release opened still works.
    let res = client()
        .get(format!("{base}/api/v1/me"))
        .header("Cookie", format!("roster_session={token}"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    // Its admin signs in by password and sees every user (the mixed-case email too).
    let c = client();
    let res = c
        .post(format!("{base}/api/v1/auth/login"))
        .json(&serde_json::json!({"email": ADMIN, "password": PASSWORD}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK, "{}", res.text().await.unwrap());
    let users: serde_json::Value =
        c.get(format!("{base}/api/v1/users?sort=email")).send().await.unwrap().json().await.unwrap();
    let emails: Vec<&str> = users["items"].as_array().unwrap().iter().map(|u| u["email"].as_str().unwrap()).collect();
    assert_eq!(emails, ["first.admin@example.com", "Mia.Member@Example.com", "noah.north@example.com"]);
    let found: serde_json::Value =
        c.get(format!("{base}/api/v1/users?q=noah")).send().await.unwrap().json().await.unwrap();
    assert_eq!(found["items"].as_array().unwrap().len(), 1, "search works on old rows: {found}");
    let audit: serde_json::Value = c.get(format!("{base}/api/v1/audit")).send().await.unwrap().json().await.unwrap();
    assert!(audit["items"].as_array().unwrap().iter().any(|e| e["ip"] == "192.0.2.1"), "old events are kept: {audit}");
    // The old session was counted when the session tallies were added; the new one since.
    let db = Db::connect(&url).await.unwrap();
    let tallies = store::session_tallies::read(&db).await.unwrap();
    assert_eq!((tallies.created, tallies.live()), (2, 2), "{tallies:?}");
    db.close().await;
    server.abort();
});

/// sqlx's PostgreSQL migrator holds an advisory lock while it migrates: instances started
/// together on an empty database all come up, and each migration is applied once.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_instances_starting_together_migrate_once() {
    let Some(app) = spawn_app(Backend::Postgres).await else { return };
    let (dir, url) = app.fresh_database().await;
    let configs: Vec<_> = (0..3)
        .map(|i| {
            let d = dir.join(format!("instance-{i}"));
            std::fs::create_dir_all(&d).unwrap();
            test_config(&d, url.clone())
        })
        .collect();
    let [a, b, c] = <[_; 3]>::try_from(configs).unwrap();
    let started =
        tokio::join!(Application::build(a, false), Application::build(b, false), Application::build(c, false));
    for s in [&started.0, &started.1, &started.2] {
        assert!(s.is_ok(), "every instance starts: {:?}", s.as_ref().err());
    }
    let db = Db::connect(&url).await.unwrap();
    let Db::Pg(pool) = &db else { unreachable!() };
    let (applied, distinct): (i64, i64) =
        sqlx::query_as("SELECT count(*), count(DISTINCT version) FROM _sqlx_migrations WHERE success")
            .fetch_one(pool)
            .await
            .unwrap();
    assert_eq!(applied, distinct);
    let accounts: i64 = sqlx::query_scalar("SELECT count(*) FROM accounts").fetch_one(pool).await.unwrap();
    assert_eq!(accounts, 1, "first-start setup ran once");
    db.close().await;
}

// A database with a migration this binary does not know (written by a newer Roster): start
// and `roster migrate` refuse, saying what to do, and change nothing.
crate::on_both_backends!(a_database_from_a_newer_roster_is_refused_with_what_to_do, |app| async move {
    let (dir, url) = app.fresh_database().await;
    let db = Db::connect(&url).await.unwrap();
    db.migrate().await.unwrap();
    let future = "INSERT INTO _sqlx_migrations (version, description, success, checksum, execution_time) \
                  VALUES (99990001, 'from the future', TRUE, X'00', 1)";
    let future_pg = "INSERT INTO _sqlx_migrations (version, description, success, checksum, execution_time) \
                     VALUES (99990001, 'from the future', TRUE, '\\x00', 1)";
    match &db {
        Db::Sqlite(p) => sqlx::query(future).execute(p).await.map(|_| ()),
        Db::Pg(p) => sqlx::query(future_pg).execute(p).await.map(|_| ()),
    }
    .expect("a future migration recorded");
    let err = db.migrate().await.expect_err("a newer database");
    assert!(err.to_string().contains("written by a newer Roster") && err.to_string().contains("99990001"), "{err}");
    db.close().await;
    let err = Application::build(test_config(&dir, url), false).await.err().expect("refuses to start");
    assert!(format!("{err:#}").contains("use that version or restore a backup"), "{err:#}");
});
