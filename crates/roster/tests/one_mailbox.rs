//! One mailbox is one user (issue 11): the canonical email key decides uniqueness and
//! sign-in; mail goes to the ASCII form of an internationalized domain; "exists" names the
//! user holding the address, also when that user is deleted (with Restore on the page);
//! look-alike addresses and invisible characters are refused, naming the field.

use crate::invitations::invitation_token;
use crate::on_both_backends;
use crate::support::app::{PASSWORD, TestApp, client};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

async fn invite(app: &TestApp, c: &reqwest::Client, emails: &[&str]) -> Vec<Value> {
    let res = app.post_json(c, "/api/v1/invitations", &json!({ "emails": emails })).await;
    assert_eq!(res.status(), StatusCode::OK);
    let body: Value = res.json().await.unwrap();
    body["results"].as_array().unwrap().clone()
}

on_both_backends!(every_spelling_of_one_mailbox_is_one_user_and_signs_in, |app| async move {
    app.seed_org().await;
    let admin = app.login_admin().await;
    let first = invite(&app, &admin, &["lena@müller.example"]).await;
    assert_eq!(first[0]["status"], "invited", "{first:?}");
    let lena = first[0]["user_id"].clone();
    for spelling in ["lena@xn--mller-kva.example", "LENA@MÜLLER.example", "lena@m\u{fc}ller.EXAMPLE"] {
        let again = invite(&app, &admin, &[spelling]).await;
        assert_eq!(again[0]["status"], "exists", "{spelling}: {again:?}");
        assert_eq!(again[0]["user_id"], lena, "exists names the user holding the address");
        assert!(again[0]["reason"].as_str().unwrap().contains(lena.as_str().unwrap()), "{again:?}");
    }
    // Precomposed ë and e + combining diaeresis are one letter.
    let zoe = invite(&app, &admin, &["zo\u{eb}@example.com"]).await;
    let combining = invite(&app, &admin, &["zoe\u{308}@example.com"]).await;
    assert_eq!(combining[0]["status"], "exists");
    assert_eq!(combining[0]["user_id"], zoe[0]["user_id"]);

    // The invitation went to the ASCII form of the domain.
    app.settle_mail().await;
    let outbox: Vec<String> = std::fs::read_dir(app.outbox())
        .unwrap()
        .map(|e| std::fs::read_to_string(e.unwrap().path()).unwrap())
        .filter(|m| m.contains("mller"))
        .collect();
    assert_eq!(outbox.len(), 1);
    assert!(outbox[0].contains("To: lena@xn--mller-kva.example\r\n"), "{}", outbox[0]);

    // Lena accepts, then signs in with the Punycode spelling.
    let token = invitation_token(&app, "lena@xn--mller-kva.example").await;
    let res = client()
        .post(app.url("/invitations/accept"))
        .form(&[("token", token.as_str()), ("password", PASSWORD), ("confirm", PASSWORD)])
        .send()
        .await
        .unwrap();
    assert!(res.status().is_success() || res.status().is_redirection(), "{}", res.status());
    app.login("lena@xn--mller-kva.example", PASSWORD).await;
    app.login("Lena@MÜLLER.example", PASSWORD).await;

    // Search finds her by either spelling.
    let found = app.list_all(&admin, "q=xn--mller").await;
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0]["email"], "lena@müller.example");
});

on_both_backends!(look_alike_and_invisible_addresses_are_refused_with_the_reason, |app| async move {
    app.seed_org().await;
    let admin = app.login_admin().await;
    let rows = invite(&app, &admin, &["\u{430}dmin@example.com", "\u{ff41}nn@example.com"]).await;
    for row in &rows {
        assert_eq!(row["status"], "invalid", "{row}");
        assert!(row["reason"].as_str().unwrap().contains("UTS #39"), "{row}");
    }
    // Invisible characters never reach a use case: the gate names the field.
    let res = app.post_json(&admin, "/api/v1/invitations", &json!({"emails": ["ann\u{200b}@example.com"]})).await;
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["invalid_params"][0]["name"], "emails[0]", "{body}");
    // A name made only of invisible characters is no name: the email's local part is used.
    let body = json!({"invitations": [{"email": "hidden.name@example.com", "first_name": "\u{3164}", "last_name": "\u{3164}"}]});
    let res = app.post_json(&admin, "/api/v1/invitations", &body).await;
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["results"][0]["status"], "invited", "{body}");
    let listed = app.list_all(&admin, "q=hidden.name").await;
    assert_eq!(listed[0]["first_name"], "Hidden", "{listed:?}");
});

on_both_backends!(owner_suggestions_and_names_refuse_hostile_text_on_every_backend, |app| async move {
    let org = app.seed_org().await;
    let admin = app.login_admin().await;
    let body = json!({"workspace_id": org.alpha.to_string(), "name": "Helpdesk", "owner": "ann.archer@example.com"});
    let (status, bot) = app.send(&admin, Method::POST, "/api/v1/bots", Some(body)).await;
    assert_eq!(status, StatusCode::CREATED, "{bot}");
    let bot_id = bot["id"].as_str().unwrap();
    for q in ["ab%00cd", "a%0Ab", "%E2%80%AEann"] {
        let (status, body) = app.get_json(&admin, &format!("/api/v1/bots/{bot_id}/owner-candidates?q={q}")).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{q}: {body}");
        assert_eq!(body["invalid_params"][0]["name"], "q", "{body}");
    }
    // SQL, FTS and LIKE syntax is searched for literally.
    for q in ["%22%22", "a%25_b", "%27%29%20OR%201%3D1", "NEAR(a b)"] {
        let (status, body) = app.get_json(&admin, &format!("/api/v1/bots/{bot_id}/owner-candidates?q={q}")).await;
        assert_eq!(status, StatusCode::OK, "{q}: {body}");
        assert_eq!(body["items"], json!([]), "{q}");
    }
    let long = "x".repeat(10_000);
    let bodies = [
        ("/api/v1/groups", json!({"workspace_id": org.alpha.to_string(), "name": "a\u{0}b"}), "name"),
        ("/api/v1/groups", json!({"workspace_id": org.alpha.to_string(), "name": long}), "name"),
        ("/api/v1/bots", json!({"workspace_id": org.alpha.to_string(), "name": "\u{202e}toB"}), "name"),
        ("/api/v1/bots", json!({"workspace_id": org.alpha.to_string(), "name": "\u{3164}"}), "name"),
    ];
    for (path, body, field) in bodies {
        let (status, answer) = app.send(&admin, Method::POST, path, Some(body.clone())).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{path} {body}: {answer}");
        assert_eq!(answer["invalid_params"][0]["name"], field, "{answer}");
    }
});

on_both_backends!(inviting_a_deleted_users_address_says_so_and_offers_restore, |app| async move {
    let org = app.seed_org().await;
    let admin = app.login_admin().await;
    let (status, _) = app.send(&admin, Method::DELETE, &format!("/api/v1/users/{}", org.bob), None).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (_, bob) = app.get_json(&admin, "/api/v1/users/deleted").await;
    let email = bob["items"][0]["email"].as_str().unwrap().to_owned();
    let rows = invite(&app, &admin, &[&email]).await;
    assert_eq!(rows[0]["status"], "exists", "{rows:?}");
    assert_eq!(rows[0]["user_id"], org.bob.to_string());
    assert_eq!(rows[0]["deleted"], true);
    assert_eq!(rows[0]["restorable_until"], bob["items"][0]["restorable_until"]);
    assert!(rows[0]["reason"].as_str().unwrap().contains("deleted user"), "{rows:?}");

    // The page says the same and offers Restore to an admin who may restore.
    let page = admin.get(app.url("/admin/users/invite")).send().await.unwrap().text().await.unwrap();
    let csrf = page.split("name=\"csrf\" value=\"").nth(1).unwrap().split('"').next().unwrap().to_owned();
    let html = admin
        .post(app.url("/admin/users/invite"))
        .form(&[("csrf", csrf.as_str()), ("emails", email.as_str()), ("csv", "")])
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(html.contains("belongs to a deleted user"), "{html}");
    assert!(html.contains(&org.bob.to_string()), "the page names the user");
    assert!(html.contains(&format!("/admin/users/deleted/{}/restore", org.bob)), "a Restore button");
});

/// With a retention window of zero days, a deleted user's address is free at once: the
/// invitation purges the old user (audited) and invites anew.
mod a_deleted_users_address_is_free_after_the_retention_window {
    use super::*;
    use crate::support::Backend;
    use crate::support::app::spawn_app_with;

    async fn body(app: TestApp) {
        let org = app.seed_org().await;
        let admin = app.login_admin().await;
        let (status, _) = app.send(&admin, Method::DELETE, &format!("/api/v1/users/{}", org.bob), None).await;
        assert_eq!(status, StatusCode::NO_CONTENT);
        let (_, deleted) = app.get_json(&admin, "/api/v1/users/deleted").await;
        let email = deleted["items"][0]["email"].as_str().unwrap().to_owned();
        let rows = invite(&app, &admin, &[&email]).await;
        assert_eq!(rows[0]["status"], "invited", "{rows:?}");
        assert_ne!(rows[0]["user_id"], org.bob.to_string(), "a new user");
        let (_, audit) = app.get_json(&admin, "/api/v1/audit?action=user.purged").await;
        assert_eq!(audit["items"].as_array().map(Vec::len), Some(1), "{audit}");
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn sqlite() {
        body(spawn_app_with(Backend::Sqlite, |c| c.deletion_retention_days = 0).await.expect("SQLite")).await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn postgres() {
        let Some(app) = spawn_app_with(Backend::Postgres, |c| c.deletion_retention_days = 0).await else { return };
        body(app).await;
    }
}
