//! Bulk actions (each id on its own: one refusal never aborts the rest) and the streamed
//! CSV export of the filtered list.

use crate::on_both_backends;
use crate::support::app::PASSWORD;
use crate::support::roles::CustomAdmin;
use domain::permission::Permission;
use reqwest::StatusCode;
use serde_json::{Value, json};

on_both_backends!(bulk_suspend_reports_every_user_and_one_refusal_aborts_nothing, |app| async move {
    let org = app.seed_org().await;
    let admin = app.login_admin().await;
    let ids = json!([org.ann, org.dan, org.admin, org.bob, org.outsider]);
    let res = app.post_json(&admin, "/api/v1/users/bulk", &json!({"action": "suspend", "ids": ids})).await;
    assert_eq!(res.status(), StatusCode::OK);
    let body: Value = res.json().await.unwrap();
    let results = body["results"].as_array().unwrap();
    assert_eq!(results.len(), 5, "{body}");
    let by = |i: usize| &results[i];
    assert_eq!(by(0), &json!({"id": org.ann, "ok": true}));
    assert_eq!((by(1)["ok"].clone(), by(1)["status"].clone()), (json!(false), json!(409)), "already suspended: {body}");
    assert!(by(2)["reason"].as_str().unwrap().contains("Primary Master Admin"), "{body}");
    assert_eq!(by(3), &json!({"id": org.bob, "ok": true}), "after two refusals");
    assert_eq!(by(4)["status"], 404, "another account's user is not found: {body}");
    for u in [org.ann, org.bob] {
        assert_eq!(app.get_json(&admin, &format!("/api/v1/users/{u}")).await.1["status"], "suspended");
    }
    let res =
        app.post_json(&admin, "/api/v1/users/bulk", &json!({"action": "activate", "ids": [org.ann, org.cat]})).await;
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["results"][0]["ok"], true);
    assert_eq!(body["results"][1]["status"], 409, "cat is already active: {body}");
});

on_both_backends!(bulk_delete_and_scope_are_checked_per_user, |app| async move {
    let org = app.seed_org().await;
    let perms = [Permission::UsersView, Permission::UsersManage];
    let manager = CustomAdmin {
        email: "alpha.manager@example.com",
        role_name: "Alpha Manager",
        permissions: &perms,
        scope: Some(vec![org.alpha]),
        workspaces: vec![org.alpha],
    };
    app.add_custom_admin(org.account, manager).await;
    let scoped = app.login("alpha.manager@example.com", PASSWORD).await;
    let res =
        app.post_json(&scoped, "/api/v1/users/bulk", &json!({"action": "suspend", "ids": [org.ann, org.bob]})).await;
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["results"][0]["ok"], true, "{body}");
    assert_eq!(body["results"][1]["status"], 404, "bob is outside Alpha: {body}");
    let res = app.post_json(&scoped, "/api/v1/users/bulk", &json!({"action": "delete", "ids": [org.cat]})).await;
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["results"][0]["status"], 403, "no users.delete: {body}");

    let admin = app.login_admin().await;
    let res =
        app.post_json(&admin, "/api/v1/users/bulk", &json!({"action": "delete", "ids": [org.cat, org.admin]})).await;
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["results"][0]["ok"], true, "{body}");
    assert_eq!(body["results"][1]["status"], 409, "{body}");
    assert_eq!(app.get_json(&admin, &format!("/api/v1/users/{}", org.cat)).await.0, StatusCode::NOT_FOUND);
});

on_both_backends!(bulk_input_is_checked_before_anything_changes, |app| async move {
    let org = app.seed_org().await;
    let admin = app.login_admin().await;
    let too_many: Vec<String> = (0..1001).map(|_| uuid::Uuid::now_v7().to_string()).collect();
    for body in [
        json!({"action": "suspend", "ids": too_many}),
        json!({"action": "suspend", "ids": []}),
        json!({"action": "explode", "ids": [org.ann]}),
        json!({"action": "suspend", "ids": [org.ann, "not-a-uuid"]}),
    ] {
        let res = app.post_json(&admin, "/api/v1/users/bulk", &body).await;
        assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    }
    assert_eq!(app.get_json(&admin, &format!("/api/v1/users/{}", org.ann)).await.1["status"], "active");
});

on_both_backends!(export_streams_the_filtered_list_as_csv, |app| async move {
    let org = app.seed_org().await;
    let admin = app.login_admin().await;
    let res = app.get(&admin, &format!("/api/v1/users/export?workspace={}&sort=email", org.alpha)).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert!(res.headers()["content-type"].to_str().unwrap().starts_with("text/csv"));
    let text = res.text().await.unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines[0], "email,first_name,last_name,status,account_role,last_login,created");
    let emails: Vec<&str> = lines[1..].iter().map(|l| l.split(',').next().unwrap()).collect();
    assert_eq!(
        emails,
        ["alpha.admin@example.com", "ann.archer@example.com", "cat.cooper@example.com", "dan.dunn@example.com"]
    );
    assert!(lines[2].starts_with("ann.archer@example.com,Ann,Archer,active,Member,,"), "{text}");
    assert!(lines[1].contains(",Alpha Admin,"), "{text}");

    let res = app.get(&admin, "/api/v1/users/export?status=suspended").await;
    let text = res.text().await.unwrap();
    assert_eq!(text.lines().count(), 2, "{text}");
    assert!(text.contains("dan.dunn@example.com"));
    let res = app.get(&admin, "/api/v1/users/export?status=bogus").await;
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);

    let scoped = app.login("alpha.admin@example.com", PASSWORD).await;
    let text = app.get(&scoped, "/api/v1/users/export").await.text().await.unwrap();
    assert!(!text.contains("bob.baker@example.com"), "scope applies: {text}");
    assert!(text.contains("ann.archer@example.com"));
});

on_both_backends!(bulk_add_to_group_and_resend_invitation_report_per_user, |app| async move {
    let org = app.seed_org().await;
    let admin = app.login_admin().await;
    let add = json!({"action": "add_to_group", "ids": [org.dan, org.bob], "group_id": org.alpha_team});
    let res = app.post_json(&admin, "/api/v1/users/bulk", &add).await;
    assert_eq!(res.status(), StatusCode::OK);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["results"][0], json!({"id": org.dan, "ok": true}), "{body}");
    assert_eq!(body["results"][1]["status"], 409, "bob is not in Alpha: {body}");
    let (_, dan) = app.get_json(&admin, &format!("/api/v1/users/{}", org.dan)).await;
    assert_eq!(dan["groups"][0]["name"], "Alpha Team", "{dan}");
    let res = app.post_json(&admin, "/api/v1/users/bulk", &json!({"action": "add_to_group", "ids": [org.dan]})).await;
    assert_eq!(res.status(), StatusCode::BAD_REQUEST, "group_id is required");
    let unknown = json!({"action": "add_to_group", "ids": [org.dan], "group_id": uuid::Uuid::now_v7()});
    assert_eq!(app.post_json(&admin, "/api/v1/users/bulk", &unknown).await.status(), StatusCode::NOT_FOUND);

    let resend = json!({"action": "resend_invitation", "ids": [org.eve, org.ann]});
    let body: Value = app.post_json(&admin, "/api/v1/users/bulk", &resend).await.json().await.unwrap();
    assert_eq!(body["results"][0], json!({"id": org.eve, "ok": true}), "{body}");
    assert_eq!(body["results"][1]["status"], 409, "ann is not invited: {body}");
});
