//! The mail outbox: a message is queued with the change that causes it and delivered by a
//! worker that retries with backoff and survives a `kill -9`; admins see where each
//! delivery stands (API and user page); a re-invitation re-sends only what never left.
//! Both backends, through a real SMTP server.

use crate::support::app::{ADMIN_EMAIL, PASSWORD, TestApp, client, spawn_app, spawn_app_with};
use crate::support::smtp::SmtpServer;
use reqwest::StatusCode;
use serde_json::{Value, json};
use std::process::{Child, Command, Stdio};
use std::time::Duration;
use store::Backend;

/// A port nothing listens on: connections to it are refused.
fn closed_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

/// Invites `email` through the API; returns the row's result.
async fn invite(app: &TestApp, admin: &reqwest::Client, email: &str) -> Value {
    let (status, body) =
        app.send(admin, reqwest::Method::POST, "/api/v1/invitations", Some(json!({"emails": [email]}))).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body["results"][0].clone()
}

/// The user's invitation email as `GET /users/{id}` shows it, once `done` holds (10 s at most).
async fn invitation_email(base: &str, admin: &reqwest::Client, user: &str, done: impl Fn(&Value) -> bool) -> Value {
    let mut last = Value::Null;
    for _ in 0..200 {
        let res = admin.get(format!("{base}/api/v1/users/{user}")).send().await.expect("request");
        assert_eq!(res.status(), StatusCode::OK);
        let body: Value = res.json().await.expect("json");
        last = body["emails"].as_array().and_then(|e| e.iter().find(|m| m["kind"] == "invitation")).cloned().into();
        if done(&last) {
            return last;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("the invitation email never got there: {last}");
}

/// Messages the server accepted for `to`, waiting up to 10 s for `n` of them.
async fn received(smtp: &SmtpServer, to: &str, n: usize) -> usize {
    let count = || smtp.inbox.lock().unwrap().iter().filter(|m| m.to.iter().any(|t| t == to)).count();
    for _ in 0..100 {
        if count() >= n {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    count()
}

async fn a_refused_message_is_retried_until_the_server_takes_it(backend: Backend) {
    // The server answers 451 (try again later) twice, then accepts.
    let smtp = SmtpServer::refusing_first(2);
    let url = smtp.url();
    let Some(app) = spawn_app_with(backend, |c| {
        c.smtp_url = url;
        c.mail_retry_seconds = 1;
    })
    .await
    else {
        return;
    };
    let admin = app.login_admin().await;
    let row = invite(&app, &admin, "kim.retry@example.com").await;
    assert_eq!(row["status"], "invited", "committed and queued: {row}");
    let user = row["user_id"].as_str().unwrap().to_owned();

    // After a refusal: pending, with the reason and the next try.
    let failing = invitation_email(&app.base, &admin, &user, |m| m["attempts"].as_i64() >= Some(1)).await;
    assert_eq!(failing["status"], "pending", "{failing}");
    assert!(failing["last_error"].as_str().unwrap().contains("451"), "{failing}");
    assert!(failing["next_attempt_at"].is_string(), "{failing}");
    let page = app.get(&admin, &format!("/admin/users/{user}")).await.text().await.unwrap();
    assert!(page.contains("Invitation email") && page.contains("failed, retrying (attempt "), "{page}");

    // Then the retries (1 s, 2 s later) get through: one message, marked sent.
    let sent = invitation_email(&app.base, &admin, &user, |m| m["status"] == "sent").await;
    assert_eq!(sent["attempts"], 2, "two refusals before it went: {sent}");
    assert!(sent["sent_at"].is_string() && sent["next_attempt_at"].is_null(), "{sent}");
    assert_eq!(received(&smtp, "kim.retry@example.com", 1).await, 1);
    let page = app.get(&admin, &format!("/admin/users/{user}")).await.text().await.unwrap();
    assert!(page.contains("Invitation email</dt><dd class=\"mail-state\">sent "), "{page}");
}

mod a_refused_message_is_retried_until_the_server_takes_it {
    use super::*;

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn sqlite() {
        a_refused_message_is_retried_until_the_server_takes_it(Backend::Sqlite).await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn postgres() {
        a_refused_message_is_retried_until_the_server_takes_it(Backend::Postgres).await;
    }
}

/// `roster serve` as a child process on `database_url`; killed (SIGKILL) when dropped.
struct Server {
    child: Child,
    base: String,
}

impl Server {
    async fn start(dir: &std::path::Path, database_url: &str, smtp_url: &str) -> Self {
        let port = closed_port();
        let child = Command::new(env!("CARGO_BIN_EXE_roster"))
            .arg("serve")
            .env("ROSTER_BIND", format!("127.0.0.1:{port}"))
            .env("ROSTER_DATA_DIR", dir)
            .env("ROSTER_DATABASE_URL", database_url)
            .env("ROSTER_SMTP_URL", smtp_url)
            .env("ROSTER_MAIL_RETRY_SECONDS", "1")
            .env("ROSTER_BOOTSTRAP_ADMIN_EMAIL", ADMIN_EMAIL)
            .env("ROSTER_BOOTSTRAP_ADMIN_PASSWORD", PASSWORD)
            .env("ROSTER_ARGON2_MEMORY_KIB", "1024")
            .env("ROSTER_ARGON2_ITERATIONS", "1")
            .env("ROSTER_LOGIN_RATE_PER_MINUTE", "0")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start roster");
        let server = Self { child, base: format!("http://127.0.0.1:{port}") };
        for _ in 0..300 {
            if let Ok(res) = client().get(format!("{}/readyz", server.base)).send().await
                && res.status() == StatusCode::OK
            {
                return server;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("roster serve never became ready");
    }

    async fn login(&self) -> reqwest::Client {
        let c = client();
        let res = c
            .post(format!("{}/api/v1/auth/login", self.base))
            .json(&json!({"email": ADMIN_EMAIL, "password": PASSWORD}))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::OK);
        c
    }

    /// `kill -9`: no shutdown, no drain, nothing released.
    fn kill(mut self) {
        self.child.kill().expect("SIGKILL");
        self.child.wait().expect("reaped");
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

async fn mail_survives_kill_9_between_commit_and_delivery(backend: Backend) {
    let Some(app) = spawn_app(backend).await else { return };
    let (dir, url) = app.fresh_database().await;
    // First life: the mail server cannot be reached.
    let server = Server::start(&dir, &url, &format!("smtp://127.0.0.1:{}", closed_port())).await;
    let admin = server.login().await;
    let res = admin
        .post(format!("{}/api/v1/invitations", server.base))
        .json(&json!({"emails": ["kim.crash@example.com"]}))
        .send()
        .await
        .unwrap();
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["results"][0]["status"], "invited", "{body}");
    let user = body["results"][0]["user_id"].as_str().unwrap().to_owned();
    let failing = invitation_email(&server.base, &admin, &user, |m| m["attempts"].as_i64() >= Some(1)).await;
    assert_eq!(failing["status"], "pending", "committed, not delivered: {failing}");
    server.kill();

    // Second life, with a working mail server: the queued invitation goes out, once.
    let smtp = SmtpServer::start();
    let server = Server::start(&dir, &url, &smtp.url()).await;
    let admin = server.login().await;
    let sent = invitation_email(&server.base, &admin, &user, |m| m["status"] == "sent").await;
    assert!(sent["attempts"].as_i64() >= Some(1), "{sent}");
    assert_eq!(received(&smtp, "kim.crash@example.com", 1).await, 1);
    let text = String::from_utf8(smtp.inbox.lock().unwrap()[0].data.clone()).unwrap();
    assert!(text.replace("=\r\n", "").contains("/invitations/accept?token="), "the link survived: {text}");
    drop(server);
}

mod mail_survives_kill_9_between_commit_and_delivery {
    use super::*;

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn sqlite() {
        mail_survives_kill_9_between_commit_and_delivery(Backend::Sqlite).await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn postgres() {
        mail_survives_kill_9_between_commit_and_delivery(Backend::Postgres).await;
    }
}

async fn inviting_again_resends_only_what_never_left(backend: Backend) {
    // One attempt per message, and the server refuses the first: that invitation is given up.
    let smtp = SmtpServer::refusing_first(1);
    let url = smtp.url();
    let Some(app) = spawn_app_with(backend, |c| {
        c.smtp_url = url;
        c.mail_attempts = 1;
    })
    .await
    else {
        return;
    };
    let admin = app.login_admin().await;
    let first = invite(&app, &admin, "kim.again@example.com").await;
    assert_eq!(first["status"], "invited", "{first}");
    let user = first["user_id"].as_str().unwrap().to_owned();
    let failed = invitation_email(&app.base, &admin, &user, |m| m["status"] == "failed").await;
    assert_eq!(failed["attempts"], 1, "{failed}");
    let page = app.get(&admin, &format!("/admin/users/{user}")).await.text().await.unwrap();
    assert!(page.contains("failed after 1 attempts, given up"), "{page}");

    // Still invited, never emailed: inviting again queues a new link for the same user.
    let again = invite(&app, &admin, "Kim.Again@example.com").await;
    assert_eq!(again["status"], "resent", "{again}");
    assert_eq!(again["user_id"], first["user_id"]);
    invitation_email(&app.base, &admin, &user, |m| m["status"] == "sent").await;
    // It left: a third invitation sends nothing.
    let third = invite(&app, &admin, "kim.again@example.com").await;
    assert_eq!(third["status"], "exists", "{third}");
    assert_eq!(third["user_id"], first["user_id"]);
    app.settle_mail().await;
    assert_eq!(received(&smtp, "kim.again@example.com", 2).await, 1, "exactly one invitation arrived");
}

mod inviting_again_resends_only_what_never_left {
    use super::*;

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn sqlite() {
        inviting_again_resends_only_what_never_left(Backend::Sqlite).await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn postgres() {
        inviting_again_resends_only_what_never_left(Backend::Postgres).await;
    }
}
