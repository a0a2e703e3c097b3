//! Groups API: create, rename, delete only when empty, members, scope, audit.

use crate::on_both_backends;
use crate::support::app::PASSWORD;
use crate::support::roles::CustomAdmin;
use domain::permission::Permission;
use reqwest::StatusCode;
use serde_json::json;

on_both_backends!(groups_are_created_renamed_and_deleted_only_when_empty, |app| async move {
    let org = app.seed_org().await;
    let root = app.login_admin().await;
    let (status, list) = app.get_json(&root, "/api/v1/groups").await;
    assert_eq!(status, StatusCode::OK);
    let team = list["items"].as_array().unwrap().iter().find(|g| g["name"] == "Alpha Team").unwrap().clone();
    assert_eq!(team["member_count"], 2);
    assert_eq!(team["workspace"]["name"], "Alpha");

    let body = json!({"name": "Night Shift", "workspace_id": org.alpha.to_string()});
    let (status, g) = app.send(&root, reqwest::Method::POST, "/api/v1/groups", Some(body.clone())).await;
    assert_eq!(status, StatusCode::CREATED, "{g}");
    let id = g["id"].as_str().unwrap().to_owned();
    let (status, _) = app
        .send(
            &root,
            reqwest::Method::POST,
            "/api/v1/groups",
            Some(json!({"name": "night shift", "workspace_id": org.alpha.to_string()})),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "names are unique per workspace");
    let (status, _) = app
        .send(
            &root,
            reqwest::Method::POST,
            "/api/v1/groups",
            Some(json!({"name": "Night Shift", "workspace_id": org.beta.to_string()})),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "another workspace may reuse the name");
    let (status, body) = app
        .send(
            &root,
            reqwest::Method::POST,
            "/api/v1/groups",
            Some(json!({"name": " ", "workspace_id": org.alpha.to_string()})),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["invalid_params"][0]["name"], "name");

    let (status, g) = app
        .send(&root, reqwest::Method::PATCH, &format!("/api/v1/groups/{id}"), Some(json!({"name": "Day Shift"})))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(g["name"], "Day Shift");
    let (status, _) = app
        .send(&root, reqwest::Method::PATCH, &format!("/api/v1/groups/{id}"), Some(json!({"name": "Alpha Team"})))
        .await;
    assert_eq!(status, StatusCode::CONFLICT);

    let (status, _) =
        app.send(&root, reqwest::Method::PUT, &format!("/api/v1/groups/{id}/members/{}", org.ann), None).await;
    assert_eq!(status, StatusCode::CREATED);
    let (status, _) =
        app.send(&root, reqwest::Method::PUT, &format!("/api/v1/groups/{id}/members/{}", org.ann), None).await;
    assert_eq!(status, StatusCode::NO_CONTENT, "adding twice is harmless");
    let (status, body) =
        app.send(&root, reqwest::Method::PUT, &format!("/api/v1/groups/{id}/members/{}", org.bob), None).await;
    assert_eq!(status, StatusCode::CONFLICT, "bob is not in Alpha: {body}");
    let (_, members) = app.get_json(&root, &format!("/api/v1/groups/{id}/members")).await;
    assert_eq!(members["items"][0]["email"], "ann.archer@example.com");
    assert_eq!(members["next_cursor"], serde_json::Value::Null);
    let (_, g) = app.get_json(&root, &format!("/api/v1/groups/{id}")).await;
    assert_eq!(g["member_count"], 1, "the count the triggers keep");

    let (status, body) = app.send(&root, reqwest::Method::DELETE, &format!("/api/v1/groups/{id}"), None).await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert!(body["detail"].as_str().unwrap().contains("still has 1 member"), "{body}");
    let (status, body) =
        app.send(&root, reqwest::Method::DELETE, &format!("/api/v1/groups/{}", org.alpha_team), None).await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert!(body["detail"].as_str().unwrap().contains("still has 2 members"), "{body}");

    let (status, _) =
        app.send(&root, reqwest::Method::DELETE, &format!("/api/v1/groups/{id}/members/{}", org.ann), None).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, _) = app.send(&root, reqwest::Method::DELETE, &format!("/api/v1/groups/{id}"), None).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, _) = app.get_json(&root, &format!("/api/v1/groups/{id}")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    let (_, audit) = app.get_json(&root, "/api/v1/audit?limit=100").await;
    let actions: Vec<&str> = audit["items"].as_array().unwrap().iter().filter_map(|e| e["action"].as_str()).collect();
    for a in ["group.created", "group.renamed", "group.member_added", "group.member_removed", "group.deleted"] {
        assert!(actions.contains(&a), "{a} in {actions:?}");
    }
});

on_both_backends!(groups_outside_the_scope_look_absent, |app| async move {
    let org = app.seed_org().await;
    let admin = CustomAdmin {
        email: "beta.groups@example.com",
        role_name: "Beta Groups",
        permissions: &[Permission::GroupsManage],
        scope: Some(vec![org.beta]),
        workspaces: vec![org.beta],
    };
    app.add_custom_admin(org.account, admin).await;
    let c = app.login("beta.groups@example.com", PASSWORD).await;
    let (_, list) = app.get_json(&c, "/api/v1/groups").await;
    assert!(list["items"].as_array().unwrap().is_empty(), "{list}");
    let (status, _) = app.get_json(&c, &format!("/api/v1/groups/{}", org.alpha_team)).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = app
        .send(&c, reqwest::Method::DELETE, &format!("/api/v1/groups/{}/members/{}", org.alpha_team, org.ann), None)
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, body) = app
        .send(
            &c,
            reqwest::Method::POST,
            "/api/v1/groups",
            Some(json!({"name": "X", "workspace_id": org.alpha.to_string()})),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["invalid_params"][0]["name"], "workspace_id");
    let (status, _) = app
        .send(
            &c,
            reqwest::Method::POST,
            "/api/v1/groups",
            Some(json!({"name": "X", "workspace_id": org.beta.to_string()})),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);
    // Without groups.manage: 403.
    let viewer = app.login("alpha.admin@example.com", PASSWORD).await;
    let (status, body) = app.get_json(&viewer, "/api/v1/groups").await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert!(body["detail"].as_str().unwrap().contains("groups.manage"));
});

on_both_backends!(the_groups_page_creates_and_shows_why_a_delete_is_refused, |app| async move {
    let org = app.seed_org().await;
    let root = app.login_admin().await;
    let page = app.get(&root, "/admin/groups").await.text().await.unwrap();
    assert!(page.contains("Alpha Team"));
    assert!(
        page.contains(&format!("/admin/users?group={}&amp;sort=email", org.alpha_team)),
        "members are listed by the paged users list, not inline"
    );
    let marker = "name=\"csrf\" value=\"";
    let start = page.find(marker).unwrap() + marker.len();
    let csrf = page[start..].split('"').next().unwrap().to_owned();
    let res = root
        .post(app.url("/admin/groups"))
        .form(&[("csrf", csrf.as_str()), ("name", "Page Group"), ("workspace_id", &org.beta.to_string())])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert!(app.get(&root, "/admin/groups").await.text().await.unwrap().contains("Page Group"));
    let res = root
        .post(app.url(&format!("/admin/groups/{}/delete", org.alpha_team)))
        .form(&[("csrf", csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::CONFLICT);
    assert!(res.text().await.unwrap().contains("still has 2 members"));
    let res = root
        .post(app.url(&format!("/admin/groups/{}/members", org.alpha_team)))
        .form(&[("csrf", csrf.as_str()), ("email", "dan.dunn@example.com")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let (_, members) = app.get_json(&root, &format!("/api/v1/groups/{}/members", org.alpha_team)).await;
    assert_eq!(members["items"].as_array().unwrap().len(), 3, "dan joined by email");
    // Keyset pages by email: two members, then the third.
    let path = format!("/api/v1/groups/{}/members?limit=2", org.alpha_team);
    let (_, first) = app.get_json(&root, &path).await;
    let cursor = first["next_cursor"].as_str().expect("a second page");
    let (_, second) = app.get_json(&root, &format!("{path}&cursor={cursor}")).await;
    let emails = |page: &serde_json::Value| -> Vec<String> {
        page["items"].as_array().unwrap().iter().map(|u| u["email"].as_str().unwrap().to_owned()).collect()
    };
    let mut all = emails(&first);
    all.extend(emails(&second));
    assert_eq!(all, emails(&members), "the pages follow one another in email order");
    assert_eq!(second["next_cursor"], serde_json::Value::Null);
    let res = root
        .post(app.url(&format!("/admin/groups/{}/members/remove", org.alpha_team)))
        .form(&[("csrf", csrf.as_str()), ("email", "dan.dunn@example.com")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let (_, members) = app.get_json(&root, &format!("/api/v1/groups/{}/members", org.alpha_team)).await;
    assert_eq!(members["items"].as_array().unwrap().len(), 2, "dan left by email");
    let roles = app.get(&root, "/admin/roles").await;
    assert_eq!(roles.status(), StatusCode::OK);
    assert!(roles.text().await.unwrap().contains("Alpha Admin"));
});

on_both_backends!(a_group_takes_only_members_of_its_workspace_in_the_same_words_at_every_door, |app| async move {
    let org = app.seed_org().await;
    let root = app.login_admin().await;
    // Bob is only in Beta; Alpha Team and the SCIM workspace are Alpha's.
    let words = "is not a member of workspace \"Alpha\", so cannot join its groups";
    let member = format!("/api/v1/groups/{}/members/{}", org.alpha_team, org.bob);
    let (status, body) = app.send(&root, reqwest::Method::PUT, &member, None).await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    assert_eq!(body["detail"], format!("Bob Baker {words}"), "the console's member list");

    let bob = format!("/api/v1/users/{}", org.bob);
    let tag = app.get(&root, &bob).await.headers()["etag"].to_str().unwrap().to_owned();
    let res = root
        .patch(app.url(&bob))
        .header("If-Match", &tag)
        .json(&json!({"groups": [org.alpha_team.to_string()]}))
        .send()
        .await
        .expect("request");
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    let body: serde_json::Value = res.json().await.expect("problem+json");
    assert_eq!(body["invalid_params"][0]["name"], "groups", "{body}");
    assert_eq!(body["invalid_params"][0]["reason"], format!("\"Alpha Team\": Bob Baker {words}"), "the profile edit");

    let secret = crate::scim::token(&app, &root, crate::scim::PROVISIONING).await;
    let group = json!({"schemas": [crate::scim::GROUP], "displayName": "Night Shift", "members": [{"value": org.bob}]});
    let res = crate::scim::scim(&app, &secret, reqwest::Method::POST, "/Groups", Some(group)).await;
    assert_eq!(res.status, StatusCode::BAD_REQUEST, "{}", res.body);
    assert_eq!(res.body["scimType"], "invalidValue");
    assert_eq!(res.body["detail"], format!("members: user {} {words}", org.bob), "SCIM");

    // Nothing joined anywhere.
    let (_, members) = app.get_json(&root, &format!("/api/v1/groups/{}/members", org.alpha_team)).await;
    assert!(members["items"].as_array().unwrap().iter().all(|m| m["email"] != "bob.baker@example.com"), "{members}");
    let (_, groups) = app.get_json(&root, "/api/v1/groups").await;
    assert!(groups["items"].as_array().unwrap().iter().all(|g| g["name"] != "Night Shift"), "{groups}");
});
