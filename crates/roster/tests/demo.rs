//! Sample data (`serve --demo`) and generated data (`roster demo --users N`).

use crate::support::app::{emails, spawn_app_with, spawn_demo_app};
use reqwest::StatusCode;
use store::Backend;

async fn sample_data_is_realistic(backend: Backend) {
    let Some(app) = spawn_demo_app(backend).await else { return };
    let password = app.demo.as_ref().expect("the demo prints its sign-in").password.clone();
    assert_eq!(app.setup_token, None, "the demo admin exists, so no setup link");
    let c = app.login("admin@example.com", &password).await;
    let all = app.list_all(&c, "limit=100").await;
    assert!((240..=260).contains(&all.len()), "about 250 users, got {}", all.len());
    for status in ["active", "invited", "locked", "suspended"] {
        assert!(all.iter().any(|u| u["status"] == status), "some user is {status}");
    }
    let roles: Vec<&str> = all.iter().filter_map(|u| u["account_role"].as_str()).collect();
    for role in ["Primary Master Admin", "Master Admin", "Support Admin", "Auditor", "Member"] {
        assert!(roles.contains(&role), "{role}");
    }
    // Locked users are locked as the rules would have locked them: the default number of
    // failed sign-ins, listed, and a lock that lifts by itself at a stated time.
    let locked: Vec<&serde_json::Value> = all.iter().filter(|u| u["status"] == "locked").collect();
    for u in locked.iter().take(3) {
        let page = app.get(&c, &format!("/admin/users/{}", u["id"].as_str().unwrap())).await.text().await.unwrap();
        assert!(page.contains("<strong id=\"failed-logins\">5</strong>"), "{page}");
        assert_eq!(page.matches("198.51.100.").count(), 5, "five failures listed: {page}");
        assert!(page.contains("Unlocks by itself at"), "{page}");
    }
    // The workspace-scoped admin sees only the Support workspace's people.
    let scoped = app.login("support.admin@example.com", &password).await;
    let theirs = app.list_all(&scoped, "limit=100").await;
    assert!(!theirs.is_empty() && theirs.len() < all.len(), "{} of {}", theirs.len(), all.len());
    let some_outsider =
        all.iter().find(|u| !emails(&theirs).contains(&u["email"].as_str().unwrap().to_owned())).unwrap();
    let (status, _) = app.get_json(&scoped, &format!("/api/v1/users/{}", some_outsider["id"].as_str().unwrap())).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    // Bots with every role, and sessions from several kinds of device.
    let (bots, roles, devices) = demo_counts(&app).await;
    assert!(bots >= 3, "{bots} bots");
    assert_eq!(roles, 3, "owner, developer and tester all appear");
    assert!(devices >= 3, "{devices} device types");
}

async fn demo_counts(app: &crate::support::app::TestApp) -> (i64, i64, i64) {
    macro_rules! count {
        ($pool:expr, $sql:literal) => {
            sqlx::query_scalar::<_, i64>($sql).fetch_one($pool).await.unwrap()
        };
    }
    match &app.db {
        store::Db::Sqlite(p) => (
            count!(p, "SELECT count(*) FROM bots"),
            count!(p, "SELECT count(DISTINCT role) FROM bot_members"),
            count!(p, "SELECT count(DISTINCT device_type) FROM sessions"),
        ),
        store::Db::Pg(p) => (
            count!(p, "SELECT count(*) FROM bots"),
            count!(p, "SELECT count(DISTINCT role) FROM bot_members"),
            count!(p, "SELECT count(DISTINCT device_type) FROM sessions"),
        ),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn serve_demo_seeds_a_realistic_organization_on_sqlite() {
    sample_data_is_realistic(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn serve_demo_seeds_a_realistic_organization_on_postgres() {
    sample_data_is_realistic(Backend::Postgres).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn demo_refuses_a_database_that_already_has_data() {
    let app = spawn_app_with(Backend::Sqlite, |_| {}).await.unwrap();
    let err = app::demo::generate_users(&app.ctx, 10, &mut |_| {}).await.unwrap_err();
    assert!(err.to_string().contains("empty database"), "{err}");
    assert_eq!(app.list_all(&app.login_admin().await, "").await.len(), 1, "nothing was added");
    assert!(app::demo::seed_sample(&app.ctx).await.unwrap().is_none());
}

/// `roster demo --users N` through the real binary, then served and listed.
#[test]
fn the_demo_command_generates_n_users_with_workspaces_groups_and_sessions() {
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("demo-{}", uuid::Uuid::now_v7().simple()));
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_roster"))
        .args(["demo", "--users", "1200", "--data-dir"])
        .arg(&dir)
        .env("ROSTER_ARGON2_MEMORY_KIB", "1024")
        .output()
        .expect("run roster demo");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{stdout}\n{}", String::from_utf8_lossy(&out.stderr));
    assert!(stdout.contains("Generated 1200 users"), "{stdout}");
    let password = stdout.split("with password ").nth(1).expect("password printed").trim().to_owned();
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    rt.block_on(async {
        let db = store::Db::connect(&format!("sqlite://{}", dir.join("roster.db").display())).await.unwrap();
        let store::Db::Sqlite(pool) = &db else { unreachable!() };
        let users: i64 = sqlx::query_scalar("SELECT count(*) FROM users").fetch_one(pool).await.unwrap();
        assert_eq!(users, 1201, "N generated users plus the admin");
        let sessions: i64 = sqlx::query_scalar("SELECT count(*) FROM sessions").fetch_one(pool).await.unwrap();
        assert!((200..=400).contains(&sessions), "about a third of the active users: {sessions}");
        let grouped: i64 =
            sqlx::query_scalar("SELECT count(DISTINCT user_id) FROM group_members").fetch_one(pool).await.unwrap();
        assert!(grouped > 300, "{grouped}");
        let workspaces: i64 = sqlx::query_scalar("SELECT count(*) FROM workspaces").fetch_one(pool).await.unwrap();
        assert_eq!(workspaces, 3);
        let statuses: i64 =
            sqlx::query_scalar("SELECT count(DISTINCT status) FROM users").fetch_one(pool).await.unwrap();
        assert_eq!(statuses, 4);
        db.close().await;
        let app = spawn_app_with(Backend::Sqlite, |c| {
            c.database_url = format!("sqlite://{}", dir.join("roster.db").display());
        })
        .await
        .unwrap();
        let c = app.login("admin@example.com", &password).await;
        let (status, page) = app.get_json(&c, "/api/v1/users?q=lee&sort=last_login&order=desc&limit=50").await;
        assert_eq!(status, StatusCode::OK);
        assert!(!page["items"].as_array().unwrap().is_empty());
    });
    let _ = std::fs::remove_dir_all(&dir);
}
