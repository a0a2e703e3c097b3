//! The rest of the authority rule (issue 10, the breaker's second round), through the API and
//! the pages on both backends: a workspace-scoped role is held only by members of each of
//! its workspaces; every permission on every current workspace is Master Admin under another
//! name; Bot Builder access rises only to the editor's own level; groups outside the
//! editor's scope show disabled and no submit changes them.

use crate::on_both_backends;
use crate::support::app::{PASSWORD, TestApp, csrf_of};
use crate::support::org::{Org, Person};
use crate::support::roles::CustomAdmin;
use domain::ids::{GroupId, UserId};
use domain::permission::Permission;
use domain::user::UserStatus;
use reqwest::{Client, Method, StatusCode};
use serde_json::{Value, json};

async fn user(app: &TestApp, c: &Client, id: UserId) -> Value {
    let (status, body) = app.get_json(c, &format!("/api/v1/users/{id}")).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body
}

pub(crate) async fn patch(app: &TestApp, c: &Client, id: UserId, body: &Value) -> (StatusCode, Value) {
    let version = user(app, c, id).await["version"].as_i64().expect("version");
    let res = c
        .patch(app.url(&format!("/api/v1/users/{id}")))
        .header("If-Match", format!("\"v{version}\""))
        .json(body)
        .send()
        .await
        .expect("patch");
    let status = res.status();
    (status, res.json().await.unwrap_or(Value::Null))
}

fn hidden(html: &str, name: &str) -> String {
    let marker = format!("name=\"{name}\" value=\"");
    let start = html.find(&marker).unwrap_or_else(|| panic!("{name} in the page")) + marker.len();
    html[start..].split('"').next().unwrap().to_owned()
}

/// Posts the Edit form of `id`'s Profile tab as `c`, with the page's version and token and
/// the names kept: `extra` are the other fields (groups, role, Bot Builder access).
async fn post_edit(app: &TestApp, c: &Client, id: UserId, extra: &[(String, String)]) -> (StatusCode, String) {
    let page = app.get(c, &format!("/admin/users/{id}")).await.text().await.unwrap();
    let mut form = vec![
        ("csrf".to_owned(), csrf_of(&page)),
        ("version".to_owned(), hidden(&page, "version")),
        ("first_name".to_owned(), hidden(&page, "first_name")),
        ("last_name".to_owned(), hidden(&page, "last_name")),
    ];
    form.extend(extra.iter().cloned());
    let res = c.post(app.url(&format!("/admin/users/{id}/edit"))).form(&form).send().await.unwrap();
    (res.status(), res.text().await.unwrap_or_default())
}

fn group_field(g: GroupId) -> (String, String) {
    (format!("group_{g}"), "on".to_owned())
}

async fn updates_of(app: &TestApp, root: &Client, id: UserId) -> usize {
    let (_, log) = app.get_json(root, &format!("/api/v1/audit?action=user.updated&target={id}")).await;
    log["items"].as_array().map_or(0, Vec::len)
}

/// A user in every workspace of the seeded account.
async fn everywhere(app: &TestApp, org: &Org) -> UserId {
    let person = Person {
        email: "wendy@example.com",
        first: "Wendy",
        last: "Wide",
        status: UserStatus::Active,
        workspaces: vec![org.default_ws, org.alpha, org.beta],
        role: None,
    };
    app.add_user(org.account, person).await
}

on_both_backends!(a_workspace_scoped_role_is_held_only_by_members_of_each_of_its_workspaces, |app| async move {
    let org = app.seed_org().await;
    let root = app.login_admin().await;
    let ops = app
        .add_role(org.account, "Alpha Ops", &[Permission::UsersView, Permission::UsersManage], Some(vec![org.alpha]))
        .await;

    // Granting it to Bob (Beta only) would reach Alpha, where he is not: 400 naming the field.
    let (status, body) = patch(&app, &root, org.bob, &json!({"admin_role_id": ops})).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert_eq!(body["invalid_params"][0]["name"], "admin_role_id", "{body}");
    assert!(body["detail"].as_str().is_some_and(|d| d.contains("Alpha") && d.contains("Bob Baker")), "{body}");
    assert_eq!(user(&app, &root, org.bob).await["account_role"], "Member");
    assert_eq!(updates_of(&app, &root, org.bob).await, 0, "a refusal writes nothing");
    // The page offers the role only to members of Alpha, and a forged form is refused
    // with the message beside the field.
    let bob_page = app.get(&root, &format!("/admin/users/{}", org.bob)).await.text().await.unwrap();
    assert!(!bob_page.contains(&format!("value=\"{ops}\"")), "not offered to Bob");
    let ann_page = app.get(&root, &format!("/admin/users/{}", org.ann)).await.text().await.unwrap();
    assert!(ann_page.contains(&format!("value=\"{ops}\"")), "offered to Ann (in Alpha)");
    let (status, page) = post_edit(&app, &root, org.bob, &[("admin_role_id".into(), ops.0.to_string())]).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(page.contains("id=\"admin_role_id-error\""), "{page}");
    assert_eq!(user(&app, &root, org.bob).await["account_role"], "Member");

    // Ann is in Alpha: she may hold it.
    let (status, body) = patch(&app, &root, org.ann, &json!({"admin_role_id": ops})).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(user(&app, &root, org.ann).await["account_role"], "Alpha Ops");

    // Removing her from Alpha while her role is scoped to it is refused (never a silent
    // narrowing), through the API, the bulk action and the page.
    let lead = CustomAdmin {
        email: "lead@example.com",
        role_name: "Alpha Lead",
        permissions: &[Permission::UsersView, Permission::UsersManage, Permission::UsersDelete],
        scope: Some(vec![org.alpha]),
        workspaces: vec![org.alpha],
    };
    app.add_custom_admin(org.account, lead).await;
    let lead = app.login("lead@example.com", PASSWORD).await;
    let page = app.get(&lead, &format!("/admin/users/{}", org.ann)).await.text().await.unwrap();
    assert!(!page.contains("id=\"action-delete\""), "the page does not offer what would be refused");
    let page = app.get(&lead, &format!("/admin/users/{}", org.cat)).await.text().await.unwrap();
    assert!(page.contains("id=\"action-delete\""), "a user without a scoped role can be removed");
    let (status, body) = app.send(&lead, Method::DELETE, &format!("/api/v1/users/{}", org.ann), None).await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    assert!(
        body["detail"].as_str().is_some_and(|d| d.contains("Alpha Ops") && d.contains("scoped to Alpha")),
        "{body}"
    );
    let bulk = json!({"action": "delete", "ids": [org.ann]});
    let (status, body) = app.send(&lead, Method::POST, "/api/v1/users/bulk", Some(bulk)).await;
    assert!(status.is_success(), "{body}");
    assert!(body.to_string().contains("scoped to Alpha"), "{body}");
    let page = app.get(&lead, &format!("/admin/users/{}/delete", org.ann)).await.text().await.unwrap();
    let res = lead
        .post(app.url(&format!("/admin/users/{}/delete", org.ann)))
        .form(&[("csrf", csrf_of(&page))])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::CONFLICT);
    assert!(res.text().await.unwrap().contains("scoped to Alpha"));
    let ann = user(&app, &root, org.ann).await;
    assert_eq!(ann["workspaces"][0]["name"], "Alpha", "{ann}");
    // Cat holds no role: she is removed from Alpha as before.
    let (status, body) = app.send(&lead, Method::DELETE, &format!("/api/v1/users/{}", org.cat), None).await;
    assert_eq!(status, StatusCode::OK, "{body}");

    // Widening the role's scope to Beta would leave Ann outside it: 400 naming the field
    // and the holder count; the role is unchanged.
    let widen = json!({"scope": [org.alpha, org.beta]});
    let (status, body) =
        app.send(&root, Method::PATCH, &format!("/api/v1/admin-roles/{ops}"), Some(widen.clone())).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert_eq!(body["invalid_params"][0]["name"], "scope", "{body}");
    assert!(body["detail"].as_str().is_some_and(|d| d.contains("1 holder")), "{body}");
    let (_, role) = app.get_json(&root, &format!("/api/v1/admin-roles/{ops}")).await;
    assert_eq!(role["scope"], json!([org.alpha]), "{role}");
    // To all workspaces is fine (no membership needed).
    let all = json!({"scope": "all"});
    let (status, body) = app.send(&root, Method::PATCH, &format!("/api/v1/admin-roles/{ops}"), Some(all)).await;
    assert_eq!(status, StatusCode::OK, "{body}");
});

on_both_backends!(every_permission_on_every_current_workspace_is_master_admin_under_another_name, |app| async move {
    let org = app.seed_org().await;
    let root = app.login_admin().await;
    app.add_master_admin(org.account, "mara@example.com", ("Mara", "Master"), vec![org.alpha]).await;
    let mara = app.login("mara@example.com", PASSWORD).await;
    let all: Vec<&str> = Permission::ALL.iter().map(|p| p.as_str()).collect();
    let every = json!([org.default_ws, org.alpha, org.beta]);

    // A Master Admin may not mint it by listing the workspaces instead of "all".
    let boss = json!({"name": "Boss", "permissions": all, "scope": every});
    let (status, body) = app.send(&mara, Method::POST, "/api/v1/admin-roles", Some(boss.clone())).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    assert!(body["detail"].as_str().is_some_and(|d| d.contains("equals Master Admin")), "{body}");
    // Nor widen a smaller role into it.
    let two = json!({"name": "Almost", "permissions": all, "scope": [org.default_ws, org.alpha]});
    let (status, body) = app.send(&mara, Method::POST, "/api/v1/admin-roles", Some(two)).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let almost = body["id"].as_str().unwrap().to_owned();
    let widen = json!({"scope": every});
    let (status, body) =
        app.send(&mara, Method::PATCH, &format!("/api/v1/admin-roles/{almost}"), Some(widen.clone())).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");

    // The Primary Master Admin may, and grants it; a Master Admin then neither grants nor
    // revokes it, and the pages offer it to no one but the Primary Master Admin.
    let (status, body) = app.send(&root, Method::POST, "/api/v1/admin-roles", Some(boss.clone())).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let boss_id = body["id"].as_str().unwrap().to_owned();
    let wendy = everywhere(&app, &org).await;
    let (status, body) = patch(&app, &mara, wendy, &json!({"admin_role_id": boss_id})).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    let page = app.get(&mara, &format!("/admin/users/{wendy}")).await.text().await.unwrap();
    assert!(!page.contains(&format!("value=\"{boss_id}\"")), "not offered to a Master Admin");
    let page = app.get(&root, &format!("/admin/users/{wendy}")).await.text().await.unwrap();
    assert!(page.contains(&format!("value=\"{boss_id}\"")), "offered to the Primary Master Admin");
    let (status, body) = patch(&app, &root, wendy, &json!({"admin_role_id": boss_id})).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (status, body) = patch(&app, &mara, wendy, &json!({"admin_role_id": null})).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    let page = app.get(&mara, &format!("/admin/users/{wendy}")).await.text().await.unwrap();
    assert!(page.contains("equals Master Admin"), "the role control says why it is missing");
    assert!(!page.contains("name=\"admin_role_id\""), "no role control");
    assert_eq!(user(&app, &root, wendy).await["account_role"], "Boss");
});

on_both_backends!(bot_builder_access_rises_only_to_the_editors_own_level, |app| async move {
    let org = app.seed_org().await;
    let root = app.login_admin().await;
    let helpdesk = CustomAdmin {
        email: "helpdesk@example.com",
        role_name: "Helpdesk",
        permissions: &[Permission::UsersView, Permission::UsersManage],
        scope: None,
        workspaces: vec![org.default_ws],
    };
    let helpdesk_id = app.add_custom_admin(org.account, helpdesk).await;
    let (status, body) = patch(&app, &root, helpdesk_id, &json!({"builder_access": "builder"})).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let helpdesk = app.login("helpdesk@example.com", PASSWORD).await;

    // Up to their own level (Builder), not above it.
    let (status, body) = patch(&app, &helpdesk, org.ann, &json!({"builder_access": "builder_and_create"})).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    assert!(body["detail"].as_str().is_some_and(|d| d.contains("only up to your own level")), "{body}");
    assert_eq!(user(&app, &root, org.ann).await["builder_access"], "none");
    let (status, body) = patch(&app, &helpdesk, org.ann, &json!({"builder_access": "builder"})).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    // The page offers exactly those levels, and refuses a forged one.
    let page = app.get(&helpdesk, &format!("/admin/users/{}", org.ann)).await.text().await.unwrap();
    assert!(page.contains("name=\"builder_access\""), "{page}");
    assert!(page.contains("value=\"builder\"") && !page.contains("value=\"builder_and_create\""), "{page}");
    let forged = [("builder_access".to_owned(), "builder_and_create".to_owned())];
    let (status, page) = post_edit(&app, &helpdesk, org.ann, &forged).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert!(page.contains("only up to your own level"), "{page}");
    assert_eq!(user(&app, &root, org.ann).await["builder_access"], "builder");

    // Lowering is never capped.
    let (status, _) = patch(&app, &root, org.cat, &json!({"builder_access": "builder_and_create"})).await;
    assert_eq!(status, StatusCode::OK);
    let (status, body) = patch(&app, &helpdesk, org.cat, &json!({"builder_access": "none"})).await;
    assert_eq!(status, StatusCode::OK, "{body}");

    // bots.assign on all workspaces lifts the ceiling, even with no access of one's own.
    let assigner = CustomAdmin {
        email: "assigner@example.com",
        role_name: "Bot Assigner",
        permissions: &[Permission::UsersView, Permission::UsersManage, Permission::BotsAssign],
        scope: None,
        workspaces: vec![org.default_ws],
    };
    app.add_custom_admin(org.account, assigner).await;
    let assigner = app.login("assigner@example.com", PASSWORD).await;
    let (status, body) = patch(&app, &assigner, org.ann, &json!({"builder_access": "builder_and_create"})).await;
    assert_eq!(status, StatusCode::OK, "{body}");
});

on_both_backends!(groups_outside_the_editors_scope_show_disabled_and_no_submit_changes_them, |app| async move {
    let org = app.seed_org().await;
    let root = app.login_admin().await;
    let now = app::clock::now();
    let (beta_team, beta_two) = (GroupId::new(), GroupId::new());
    store::groups::create(&app.db, beta_team, org.beta, "Beta Team", now).await.expect("group");
    store::groups::create(&app.db, beta_two, org.beta, "Beta Two", now).await.expect("group");
    store::groups::add_members(&app.db, &[(beta_team, org.cat)]).await.expect("member");
    let editor = CustomAdmin {
        email: "alpha.editor@example.com",
        role_name: "Alpha Editor",
        permissions: &[Permission::UsersView, Permission::UsersManage],
        scope: Some(vec![org.alpha]),
        workspaces: vec![org.alpha],
    };
    app.add_custom_admin(org.account, editor).await;
    let editor = app.login("alpha.editor@example.com", PASSWORD).await;
    let groups_of = |v: &Value| {
        let mut names: Vec<String> =
            v["groups"].as_array().unwrap().iter().map(|g| g["name"].as_str().unwrap().to_owned()).collect();
        names.sort();
        names
    };

    // Cat is in Alpha Team (Alpha, editable) and Beta Team (Beta, outside the scope).
    let page = app.get(&editor, &format!("/admin/users/{}", org.cat)).await.text().await.unwrap();
    assert!(page.contains(&format!("name=\"group_{}\" checked", org.alpha_team)), "{page}");
    assert!(page.contains(&format!("id=\"locked_group_{beta_team}\" disabled checked")), "{page}");
    assert!(page.contains(&format!("id=\"locked_group_{beta_two}\" disabled>")), "{page}");
    assert!(page.contains("id=\"groups-locked-note\""), "{page}");

    // The form as the page renders it, with Alpha Team unticked: Alpha Team goes, Beta
    // Team stays.
    let as_rendered = [group_field(beta_team)];
    let (status, body) = post_edit(&app, &editor, org.cat, &as_rendered).await;
    assert_eq!(status, StatusCode::SEE_OTHER, "saved: {body}");
    assert_eq!(groups_of(&user(&app, &root, org.cat).await), ["Beta Team"]);

    // A forged form removing Beta Team, or adding Beta Two, changes nothing and says why.
    let (status, page) = post_edit(&app, &editor, org.cat, &[]).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert!(page.contains("outside your scope"), "{page}");
    let (status, page) = post_edit(&app, &editor, org.cat, &[group_field(beta_team), group_field(beta_two)]).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert!(page.contains("outside your scope"), "{page}");
    assert_eq!(groups_of(&user(&app, &root, org.cat).await), ["Beta Team"]);
    // The API keeps the same rule.
    let (status, body) = patch(&app, &editor, org.cat, &json!({"groups": []})).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    assert_eq!(groups_of(&user(&app, &root, org.cat).await), ["Beta Team"]);
});

on_both_backends!(a_removal_judged_by_a_role_that_changed_meanwhile_changes_nothing, |app| async move {
    let org = app.seed_org().await;
    let root = app.login_admin().await;
    let ops = app.add_role(org.account, "Alpha Ops", &[Permission::UsersView], Some(vec![org.alpha])).await;
    let before = user(&app, &root, org.ann).await["version"].as_i64().unwrap();
    // The removal was judged while Ann held no role; she was granted Alpha Ops since.
    let (status, body) = patch(&app, &root, org.ann, &json!({"admin_role_id": ops})).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let event = app::audit::unattended(
        org.account,
        domain::closed::AuditAction::UserRemovedFromWorkspaces,
        Some(org.ann),
        "",
        json!({}),
    );
    let done = store::deletion::remove_from_workspaces(&app.db, org.ann, None, &[org.alpha], &event).await.unwrap();
    assert_eq!(done, None, "refused: the role it was judged by is gone");
    let ann = user(&app, &root, org.ann).await;
    assert_eq!(ann["workspaces"][0]["name"], "Alpha", "{ann}");
    assert_eq!(ann["version"].as_i64(), Some(before + 1), "only the grant changed her");
    // Judged by the role she holds, a removal goes through and bumps her version, so an
    // edit based on the earlier version (a grant, say) is stale.
    let done = store::deletion::remove_from_workspaces(&app.db, org.ann, Some(ops), &[org.beta], &event).await.unwrap();
    assert_eq!(done, Some(0));
    assert_eq!(user(&app, &root, org.ann).await["version"].as_i64(), Some(before + 2));
});
