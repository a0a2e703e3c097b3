//! Lockout after consecutive failed sign-ins (PRODUCT.md §5): what it ends, what the
//! profile shows, unlocking by an admin or by time, and exact counting under concurrency.

use crate::on_both_backends;
use crate::sessions::{CHROME_UA, Device, audit_events, exec, me_status, request, send, sign_in};
use crate::support::app::{ADMIN_EMAIL, PASSWORD, TestApp, client};
use domain::ids::UserId;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

const ANN: &str = "ann.archer@example.com";

/// One sign-in attempt: (status, body text).
async fn attempt(app: &TestApp, email: &str, password: &str) -> (StatusCode, String) {
    let res = app.post_json(&client(), "/api/v1/auth/login", &json!({"email": email, "password": password})).await;
    (res.status(), res.text().await.unwrap())
}

async fn fail(app: &TestApp, email: &str, times: usize) {
    for _ in 0..times {
        assert_eq!(attempt(app, email, "Wrong-Password-9").await.0, StatusCode::UNAUTHORIZED);
    }
}

/// The user's details as the root admin sees them.
async fn details(app: &TestApp, root: &Device, user: UserId) -> Value {
    let (status, body) = send(request(app, root, Method::GET, &format!("/api/v1/users/{user}"))).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body
}

fn unlock_path(user: UserId) -> String {
    format!("/api/v1/users/{user}/unlock")
}

on_both_backends!(consecutive_failures_lock_the_user_end_their_sessions_until_an_admin_unlocks, |app| async move {
    let org = app.seed_org().await;
    let root = sign_in(&app, ADMIN_EMAIL, CHROME_UA).await;
    let ann = sign_in(&app, ANN, CHROME_UA).await;
    let (_, unknown_body) = attempt(&app, "nobody@example.com", PASSWORD).await;
    let (_, wrong_body) = attempt(&app, ANN, "Wrong-Password-9").await;
    assert_eq!(unknown_body, wrong_body, "no user enumeration");
    fail(&app, ANN, 3).await;
    let d = details(&app, &root, org.ann).await;
    assert_eq!((d["status"].as_str(), d["lockout"]["failed_logins"].as_i64()), (Some("active"), Some(4)), "{d}");
    assert_eq!(me_status(&app, &ann).await, StatusCode::OK, "four failures end nothing");

    let (status, fifth) = attempt(&app, ANN, "Wrong-Password-9").await;
    assert_eq!((status, fifth.as_str()), (StatusCode::UNAUTHORIZED, unknown_body.as_str()));
    let d = details(&app, &root, org.ann).await;
    assert_eq!(d["status"], "locked", "{d}");
    let l = &d["lockout"];
    assert_eq!(l["failed_logins"], 5, "{d}");
    let failures = l["recent_failures"].as_array().unwrap();
    assert_eq!(failures.len(), 5, "{d}");
    assert!(failures.iter().all(|f| f["ip"] == "127.0.0.1" && f["at"].is_string()), "{d}");
    assert!(l["locked_at"].is_string() && l["unlocks_at"].is_string(), "{d}");
    assert!(l["unlocks_at"].as_str() > l["locked_at"].as_str(), "unlocks in the future: {d}");
    assert_eq!(me_status(&app, &ann).await, StatusCode::UNAUTHORIZED, "a lockout ends every session");
    let (_, sessions) = send(request(&app, &root, Method::GET, &format!("/api/v1/users/{}/sessions", org.ann))).await;
    assert_eq!(sessions["items"], json!([]), "{sessions}");
    assert_eq!(sessions["ended"][0]["end_cause"], "locked", "{sessions}");

    let (status, body) = attempt(&app, ANN, PASSWORD).await;
    assert_eq!(
        (status, body.as_str()),
        (StatusCode::UNAUTHORIZED, unknown_body.as_str()),
        "locked: even the right password"
    );
    let locked = audit_events(&app, &format!("action=user.locked&target={}", org.ann)).await;
    assert_eq!(locked.len(), 1, "{locked:?}");
    assert_eq!(locked[0]["details"]["failed_logins"], 5);
    assert_eq!(locked[0]["ip"], "127.0.0.1");

    let alpha = sign_in(&app, "alpha.admin@example.com", CHROME_UA).await;
    let (status, body) = send(request(&app, &alpha, Method::POST, &unlock_path(org.ann))).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "unlocking needs users.manage: {body}");
    assert!(body["detail"].as_str().unwrap().contains("users.manage"), "{body}");
    let outsider = sign_in(&app, "outsider@other.example", CHROME_UA).await;
    assert_eq!(send(request(&app, &outsider, Method::POST, &unlock_path(org.ann))).await.0, StatusCode::NOT_FOUND);
    assert_eq!(details(&app, &root, org.ann).await["status"], "locked", "refusals unlock nothing");

    assert_eq!(send(request(&app, &root, Method::POST, &unlock_path(org.ann))).await.0, StatusCode::NO_CONTENT);
    let d = details(&app, &root, org.ann).await;
    assert_eq!((d["status"].as_str(), d["lockout"]["failed_logins"].as_i64()), (Some("active"), Some(0)), "{d}");
    assert!(d["lockout"]["unlocks_at"].is_null(), "{d}");
    let back = sign_in(&app, ANN, CHROME_UA).await;
    assert_eq!(me_status(&app, &back).await, StatusCode::OK);
    let (status, body) = send(request(&app, &root, Method::POST, &unlock_path(org.ann))).await;
    assert_eq!(status, StatusCode::CONFLICT, "not locked: {body}");
    let unlocked = audit_events(&app, &format!("action=user.unlocked&target={}", org.ann)).await;
    assert_eq!(unlocked.len(), 1, "{unlocked:?}");
    assert_eq!(unlocked[0]["actor"]["email"], ADMIN_EMAIL);
    assert_eq!(unlocked[0]["details"]["by"], "admin");
    // Counting starts again from zero.
    fail(&app, ANN, 4).await;
    assert_eq!(details(&app, &root, org.ann).await["status"], "active");
});

on_both_backends!(a_successful_sign_in_resets_the_count, |app| async move {
    let org = app.seed_org().await;
    let root = sign_in(&app, ADMIN_EMAIL, CHROME_UA).await;
    fail(&app, ANN, 4).await;
    sign_in(&app, ANN, CHROME_UA).await;
    fail(&app, ANN, 4).await;
    let d = details(&app, &root, org.ann).await;
    assert_eq!((d["status"].as_str(), d["lockout"]["failed_logins"].as_i64()), (Some("active"), Some(4)), "{d}");
    sign_in(&app, ANN, CHROME_UA).await;
    assert!(audit_events(&app, "action=user.locked").await.is_empty());
});

on_both_backends!(the_configured_attempt_limit_applies, |app| async move {
    let org = app.seed_org().await;
    let root = sign_in(&app, ADMIN_EMAIL, CHROME_UA).await;
    let put = request(&app, &root, Method::PATCH, "/api/v1/settings/security").json(&json!({"max_login_attempts": 3}));
    assert_eq!(send(put).await.0, StatusCode::OK);
    fail(&app, ANN, 2).await;
    assert_eq!(details(&app, &root, org.ann).await["status"], "active");
    fail(&app, ANN, 1).await;
    let d = details(&app, &root, org.ann).await;
    assert_eq!((d["status"].as_str(), d["lockout"]["failed_logins"].as_i64()), (Some("locked"), Some(3)), "{d}");
});

on_both_backends!(a_lock_lifts_by_itself_when_its_time_is_up, |app| async move {
    let org = app.seed_org().await;
    let root = sign_in(&app, ADMIN_EMAIL, CHROME_UA).await;
    fail(&app, ANN, 5).await;
    assert_eq!(attempt(&app, ANN, PASSWORD).await.0, StatusCode::UNAUTHORIZED, "still locked");
    let past = app::clock::now() - app::clock::MINUTE;
    exec(&app, "UPDATE users SET lock_until = $1 WHERE id = $2", past, org.ann.0).await;
    let back = sign_in(&app, ANN, CHROME_UA).await;
    assert_eq!(me_status(&app, &back).await, StatusCode::OK);
    let d = details(&app, &root, org.ann).await;
    assert_eq!((d["status"].as_str(), d["lockout"]["failed_logins"].as_i64()), (Some("active"), Some(0)), "{d}");
    let unlocked = audit_events(&app, &format!("action=user.unlocked&target={}", org.ann)).await;
    assert_eq!(unlocked.len(), 1, "{unlocked:?}");
    assert_eq!(unlocked[0]["details"]["by"], "timer");
    assert!(unlocked[0]["actor"].is_null());
});

on_both_backends!(an_expired_lock_does_not_let_a_wrong_password_in, |app| async move {
    let org = app.seed_org().await;
    let root = sign_in(&app, ADMIN_EMAIL, CHROME_UA).await;
    fail(&app, ANN, 5).await;
    let past = app::clock::now() - app::clock::MINUTE;
    exec(&app, "UPDATE users SET lock_until = $1 WHERE id = $2", past, org.ann.0).await;
    fail(&app, ANN, 1).await;
    let d = details(&app, &root, org.ann).await;
    assert_eq!((d["status"].as_str(), d["lockout"]["failed_logins"].as_i64()), (Some("active"), Some(1)), "{d}");
});

on_both_backends!(zero_lockout_minutes_means_only_an_admin_unlocks, |app| async move {
    let org = app.seed_org().await;
    let root = sign_in(&app, ADMIN_EMAIL, CHROME_UA).await;
    let put = request(&app, &root, Method::PATCH, "/api/v1/settings/security").json(&json!({"lockout_minutes": 0}));
    assert_eq!(send(put).await.0, StatusCode::OK);
    fail(&app, ANN, 5).await;
    let d = details(&app, &root, org.ann).await;
    assert_eq!(d["status"], "locked", "{d}");
    assert!(d["lockout"]["unlocks_at"].is_null(), "{d}");
    let locked = audit_events(&app, "action=user.locked").await;
    assert!(locked[0]["details"]["unlocks_at"].is_null(), "{locked:?}");
});

/// 50 wrong passwords at once for one user, with the per-address sign-in limit off so
/// every attempt reaches the lockout counter.
async fn fifty_parallel_wrong_passwords(app: TestApp) {
    let org = app.seed_org().await;
    let root = sign_in(&app, ADMIN_EMAIL, CHROME_UA).await;
    let url = app.url("/api/v1/auth/login");
    let tasks: Vec<_> = (0..50)
        .map(|i| {
            let url = url.clone();
            tokio::spawn(async move {
                let body = json!({"email": ANN, "password": format!("Wrong-Password-{i}")});
                reqwest::Client::new().post(url).json(&body).send().await.expect("request").status()
            })
        })
        .collect();
    for t in tasks {
        assert_eq!(t.await.unwrap(), StatusCode::UNAUTHORIZED);
    }
    let d = details(&app, &root, org.ann).await;
    assert_eq!(d["status"], "locked", "{d}");
    assert_eq!(d["lockout"]["failed_logins"], 5, "exactly the limit, however many raced: {d}");
    let locked = audit_events(&app, &format!("action=user.locked&target={}", org.ann)).await;
    assert_eq!(locked.len(), 1, "locked exactly once: {locked:?}");
    let failed = audit_events(&app, &format!("action=login.failed&target={}", org.ann)).await;
    assert_eq!(failed.len(), 50, "every attempt is audited, also those that found the user locked");
    assert_eq!(attempt(&app, ANN, PASSWORD).await.0, StatusCode::UNAUTHORIZED);
}

mod fifty_parallel_wrong_passwords_lock_exactly_once {
    use crate::support::app::spawn_app_with;
    use store::Backend;

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn sqlite() {
        let app = spawn_app_with(Backend::Sqlite, |c| c.login_rate_per_minute = 0).await.expect("SQLite");
        super::fifty_parallel_wrong_passwords(app).await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn postgres() {
        let Some(app) = spawn_app_with(Backend::Postgres, |c| c.login_rate_per_minute = 0).await else { return };
        super::fifty_parallel_wrong_passwords(app).await;
    }
}

on_both_backends!(attempts_on_a_locked_account_are_audited_without_counting, |app| async move {
    let org = app.seed_org().await;
    let root = sign_in(&app, ADMIN_EMAIL, CHROME_UA).await;
    fail(&app, ANN, 5).await;
    let query = format!("action=login.failed&target={}", org.ann);
    assert_eq!(audit_events(&app, &query).await.len(), 5);
    fail(&app, ANN, 2).await;
    assert_eq!(attempt(&app, ANN, PASSWORD).await.0, StatusCode::UNAUTHORIZED, "the right password too");
    let events = audit_events(&app, &query).await;
    assert_eq!(events.len(), 8, "all three attempts on the locked account are audited: {events:?}");
    let reasons: Vec<&str> = events.iter().take(3).map(|e| e["details"]["reason"].as_str().unwrap()).collect();
    assert_eq!(reasons, ["locked"; 3], "newest first: {events:?}");
    let d = details(&app, &root, org.ann).await;
    assert_eq!(d["lockout"]["failed_logins"], 5, "the count stays at the limit: {d}");
    assert_eq!(d["lockout"]["recent_failures"].as_array().unwrap().len(), 5, "the latest five attempts: {d}");
    assert_eq!(audit_events(&app, "action=user.locked").await.len(), 1);
});

on_both_backends!(a_lockout_through_one_instance_ends_the_session_on_another, |app| async move {
    let org = app.seed_org().await;
    let second = app.second_instance().await;
    let ann = sign_in(&second, ANN, CHROME_UA).await;
    assert_eq!(me_status(&second, &ann).await, StatusCode::OK);
    fail(&app, ANN, 5).await;
    assert_eq!(me_status(&second, &ann).await, StatusCode::UNAUTHORIZED, "B refuses it at once");
    assert_eq!(attempt(&second, ANN, PASSWORD).await.0, StatusCode::UNAUTHORIZED, "and B refuses the password");
    let root = sign_in(&second, ADMIN_EMAIL, CHROME_UA).await;
    assert_eq!(send(request(&second, &root, Method::POST, &unlock_path(org.ann))).await.0, StatusCode::NO_CONTENT);
    sign_in(&app, ANN, CHROME_UA).await;
});
