//! Deactivating people who never accepted (issue 16): Okta without SSO deactivates invited
//! users. `active: false` suspends an invited user and revokes the invitation (its link
//! stops working); `active: true` gives back the state they can use — Invited with a fresh
//! invitation when they have no password and the account no SSO, Active under SSO. Audited
//! as the console's suspend and activate. On both backends.

use crate::invitations::invitation_token;
use crate::on_both_backends;
use crate::scim::{PROVISIONING, USER, audit, console_user, patch_op, scim, token};
use crate::support::app::{TestApp, client};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

/// Okta's deactivation and reactivation, a PATCH of `active` only: 200 showing `active`.
async fn okta_sets_active(app: &TestApp, secret: &str, id: &str, active: bool) {
    let body = patch_op(json!([{"op": "replace", "value": {"active": active}}]));
    let res = scim(app, secret, Method::PATCH, &format!("/Users/{id}"), Some(body)).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    assert_eq!(res.body["active"], active, "{}", res.body);
}

async fn link_status(app: &TestApp, token: &str) -> StatusCode {
    app.get(&client(), &format!("/invitations/accept?token={token}")).await.status()
}

/// Creates `email` over SCIM with the settings' `new_users: invited`: its id.
async fn invited_over_scim(app: &TestApp, root: &reqwest::Client, secret: &str, email: &str) -> String {
    let (status, body) =
        app.send(root, Method::PUT, "/api/v1/settings/scim", Some(json!({"new_users": "invited"}))).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let created = scim(app, secret, Method::POST, "/Users", Some(json!({"schemas": [USER], "userName": email}))).await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    let id = created.body["id"].as_str().expect("id").to_owned();
    assert_eq!(console_user(app, root, &id).await["status"], "invited");
    id
}

/// The newest status change of `id` in the audit log: `(action, from, to, via)`; the token
/// is named as in every SCIM event.
async fn last_status_event(app: &TestApp, root: &reqwest::Client, id: &str) -> (String, String, String, String) {
    let events = audit(app, root, 50).await;
    let e = events
        .iter()
        .find(|e| e["target"]["id"] == id && matches!(e["action"].as_str(), Some("user.suspended" | "user.activated")))
        .unwrap_or_else(|| panic!("a status event of {id}: {events:?}"));
    assert_eq!(e["details"]["api_token"]["name"], "Okta provisioning", "{e}");
    let s = |v: &Value| v.as_str().unwrap_or_default().to_owned();
    (s(&e["action"]), s(&e["details"]["from"]), s(&e["details"]["to"]), s(&e["details"]["via"]))
}

on_both_backends!(
    okta_deactivates_an_invited_user_revoking_the_link_and_reactivation_invites_again,
    |app| async move {
        app.seed_org().await;
        let root = app.login_admin().await;
        let secret = token(&app, &root, PROVISIONING).await;
        let id = invited_over_scim(&app, &root, &secret, "ivy.invited@example.com").await;
        let first = invitation_token(&app, "ivy.invited@example.com").await;
        assert_eq!(link_status(&app, &first).await, StatusCode::OK);

        okta_sets_active(&app, &secret, &id, false).await;
        assert_eq!(console_user(&app, &root, &id).await["status"], "suspended");
        assert_eq!(link_status(&app, &first).await, StatusCode::GONE, "the invitation is revoked");
        assert_eq!(
            last_status_event(&app, &root, &id).await,
            ("user.suspended".into(), "invited".into(), "suspended".into(), "scim".into())
        );

        okta_sets_active(&app, &secret, &id, true).await;
        assert_eq!(console_user(&app, &root, &id).await["status"], "invited", "no password, no SSO: invited again");
        let second = invitation_token(&app, "ivy.invited@example.com").await;
        assert_ne!(second, first, "a fresh invitation");
        assert_eq!(link_status(&app, &second).await, StatusCode::OK);
        assert_eq!(link_status(&app, &first).await, StatusCode::GONE, "the revoked link stays dead");
        assert_eq!(
            last_status_event(&app, &root, &id).await,
            ("user.activated".into(), "suspended".into(), "invited".into(), "scim".into())
        );
        // Deactivated again, the new link dies too.
        okta_sets_active(&app, &secret, &id, false).await;
        assert_eq!(link_status(&app, &second).await, StatusCode::GONE);
    }
);

on_both_backends!(under_sso_a_deactivated_invited_user_comes_back_active, |app| async move {
    app.seed_org().await;
    let root = app.login_admin().await;
    let secret = token(&app, &root, PROVISIONING).await;
    let id = invited_over_scim(&app, &root, &secret, "sam.sso@example.com").await;
    crate::support::oidc::force_sso_on(&app).await;
    okta_sets_active(&app, &secret, &id, false).await;
    assert_eq!(console_user(&app, &root, &id).await["status"], "suspended");
    okta_sets_active(&app, &secret, &id, true).await;
    assert_eq!(console_user(&app, &root, &id).await["status"], "active", "they sign in through SSO");
    assert_eq!(
        last_status_event(&app, &root, &id).await,
        ("user.activated".into(), "suspended".into(), "active".into(), "scim".into())
    );
});
