//! A capability carries what it proved (issue 9): `OnUser` holds the user it loaded, so a
//! read of one user runs each query once. `GET /api/v1/users/{id}` and the Profile tab are
//! counted statement by statement (the session check included) on both backends.

use crate::on_both_backends;
use crate::sessions::{CHROME_UA, sign_in};
use crate::support::app::ADMIN_EMAIL;
use crate::support::statements;
use reqwest::StatusCode;

/// Most statements `GET /api/v1/users/{id}` may run: the session check (with the caller's
/// role and workspaces), the user (with role, workspaces, groups, picture time and the
/// account's User Settings), the recent failed sign-ins, the delivery of the mail about the
/// user (the outbox).
const API_MOST: usize = 4;

/// Most statements the Profile tab may run, for any admin: the session check (which brings
/// the workspace switcher's choices), the user, the delivery of the mail about the user (the
/// outbox), and the Edit form's choices (the account's workspaces, groups and roles, in one
/// statement — a Master Admin who is not the Primary one needs the workspaces to tell a
/// custom role equal to Master Admin); the failed sign-ins are read only when there are some
/// to show, and then the user has failures, which this user has not.
const PAGE_MOST: usize = 4;

/// Most statements the Sessions and Manage Bots tabs may run: the session check, the user
/// (read once: the tab's head is built from it), and the tab's own rows (live and ended
/// sessions; the user's bots and the bots they could be given).
const TAB_MOST: usize = 4;

on_both_backends!(reading_one_user_runs_each_query_once, |app| async move {
    let org = app.seed_org().await;
    let root = sign_in(&app, ADMIN_EMAIL, CHROME_UA).await;
    app.add_master_admin(org.account, "mara@example.com", ("Mara", "Master"), vec![org.alpha]).await;
    let mara = sign_in(&app, "mara@example.com", CHROME_UA).await;
    let client = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().expect("client");
    for (who, path, most) in [
        (&root, format!("/api/v1/users/{}", org.cat), API_MOST),
        (&root, format!("/admin/users/{}", org.cat), PAGE_MOST),
        (&mara, format!("/api/v1/users/{}", org.cat), API_MOST),
        (&mara, format!("/admin/users/{}", org.cat), PAGE_MOST),
        (&root, format!("/admin/users/{}/sessions", org.cat), TAB_MOST),
        (&root, format!("/admin/users/{}/bots", org.cat), TAB_MOST),
    ] {
        let request_id = uuid::Uuid::now_v7().to_string();
        let res = client
            .get(app.url(&path))
            .header("cookie", &who.cookie)
            .header("x-request-id", &request_id)
            .send()
            .await
            .expect("request");
        assert_eq!(res.status(), StatusCode::OK, "{path}");
        let body = res.text().await.expect("body");
        assert!(body.contains("Cooper"), "{path} shows the user: {body}");
        // A connection the pool opens meanwhile runs its setup (SQLite's PRAGMAs): not the
        // request's queries.
        let ran: Vec<String> = statements::of(&request_id).into_iter().filter(|s| !s.starts_with("PRAGMA")).collect();
        println!("{path}: {} statements", ran.len());
        assert!(!ran.is_empty(), "the counter sees the statements of {path}");
        assert!(ran.len() <= most, "{path} ran {} statements, at most {most} expected:\n{}", ran.len(), ran.join("\n"));
    }
});
