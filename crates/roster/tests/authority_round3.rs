//! The breaker's third round on the authority rule (issue 10), on both backends: a role
//! grant racing a scope change of the same role never leaves a holder outside its role's
//! scope.

use crate::on_both_backends;
use crate::support::app::TestApp;
use domain::ids::UserId;
use domain::permission::Permission;
use reqwest::{Client, Method, StatusCode};
use serde_json::{Value, json};

async fn user(app: &TestApp, c: &Client, id: UserId) -> Value {
    let (status, body) = app.get_json(c, &format!("/api/v1/users/{id}")).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body
}

on_both_backends!(a_grant_racing_a_scope_change_of_the_role_never_strands_its_holder, |app| async move {
    let org = app.seed_org().await;
    let root = app.login_admin().await;
    let role = app.add_role(org.account, "Race Ops", &[Permission::UsersView], Some(vec![org.alpha])).await;
    let role_path = format!("/api/v1/admin-roles/{role}");
    let user_path = format!("/api/v1/users/{}", org.ann);
    let (mut granted, mut rescoped) = (0, 0);
    for round in 0..20 {
        // Ann (Alpha only) holds no role; the role is scoped to Alpha.
        let version = user(&app, &root, org.ann).await["version"].as_i64().expect("version");
        let grant = root
            .patch(app.url(&user_path))
            .header("If-Match", format!("\"v{version}\""))
            .json(&json!({"admin_role_id": role}))
            .send();
        let rescope = app.send(&root, Method::PATCH, &role_path, Some(json!({"scope": [org.beta]})));
        let (grant, (rescope_status, rescope_body)) = tokio::join!(grant, rescope);
        let grant_status = grant.expect("grant").status();
        granted += usize::from(grant_status == StatusCode::OK);
        rescoped += usize::from(rescope_status == StatusCode::OK);
        assert!(
            !(grant_status == StatusCode::OK && rescope_status == StatusCode::OK),
            "round {round}: both the grant and the scope change succeeded ({rescope_body})"
        );
        // The invariant, whatever won: a holder is a member of each workspace of its role.
        let ann = user(&app, &root, org.ann).await;
        let (_, r) = app.get_json(&root, &role_path).await;
        if ann["account_role"] == "Race Ops" {
            assert_eq!(r["scope"], json!([org.alpha]), "round {round}: {ann} holds {r}");
        }
        // Back to the start.
        let version = ann["version"].as_i64().expect("version");
        let reset = root
            .patch(app.url(&user_path))
            .header("If-Match", format!("\"v{version}\""))
            .json(&json!({"admin_role_id": null}))
            .send()
            .await
            .expect("reset");
        assert!(reset.status().is_success(), "{}", reset.status());
        let (status, body) = app.send(&root, Method::PATCH, &role_path, Some(json!({"scope": [org.alpha]}))).await;
        assert_eq!(status, StatusCode::OK, "{body}");
    }
    assert!(
        granted + rescoped >= 20,
        "each round one of the two succeeds ({granted} grants, {rescoped} scope changes)"
    );
});
