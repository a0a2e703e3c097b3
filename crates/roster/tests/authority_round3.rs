//! The breaker's third round on the authority rule (issue 10), on both backends: a role
//! grant racing a scope change of the same role never leaves a holder outside its role's
//! scope; making someone a bot's Owner needs authority over them; a workspace outside the
//! caller's reach answers as one that does not exist.

use crate::on_both_backends;
use crate::support::app::{PASSWORD, TestApp, csrf_of};
use crate::support::roles::CustomAdmin;
use domain::bot::BotRole;
use domain::ids::{BotId, UserId};
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

/// Ann's admin: bots.assign (and what it takes to see users and bots) on Alpha, in Alpha.
async fn alpha_bots_admin(app: &TestApp, org: &crate::support::org::Org) -> Client {
    let admin = CustomAdmin {
        email: "bots.lead@example.com",
        role_name: "Alpha Bots",
        permissions: &[Permission::UsersView, Permission::BotsView, Permission::BotsAssign],
        scope: Some(vec![org.alpha]),
        workspaces: vec![org.alpha],
    };
    app.add_custom_admin(org.account, admin).await;
    app.login("bots.lead@example.com", PASSWORD).await
}

on_both_backends!(a_bots_owner_is_only_someone_within_the_creators_authority, |app| async move {
    let org = app.seed_org().await;
    let root = app.login_admin().await;
    let ma2 = app.add_master_admin(org.account, "ma2@example.com", ("Mia", "Master"), vec![org.alpha]).await;
    let lead = alpha_bots_admin(&app, &org).await;

    // Giving a Master Admin a role on a bot is refused (the Manage Bots tab) ...
    let bot = BotId::new();
    store::bots::create(&app.db, bot, org.alpha, "Helper", &[(org.ann, BotRole::Owner)], app::clock::now())
        .await
        .unwrap();
    let (status, put) = app
        .send(&lead, Method::PUT, &format!("/api/v1/users/{ma2}/bots/{bot}"), Some(json!({"role": "developer"})))
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{put}");
    // ... and so is making them a new bot's Owner, with the same words.
    let create = json!({"workspace_id": org.alpha, "name": "Above Bot", "owner": "ma2@example.com"});
    let (status, body) = app.send(&lead, Method::POST, "/api/v1/bots", Some(create)).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    assert_eq!(body["detail"], put["detail"], "{body}");
    let by_id = json!({"workspace_id": org.alpha, "name": "Above Bot", "owner": ma2});
    let (status, _) = app.send(&lead, Method::POST, "/api/v1/bots", Some(by_id)).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    // The page form too.
    let html = app.get(&lead, "/admin/bots").await.text().await.unwrap();
    let alpha = org.alpha.to_string();
    let res = lead
        .post(app.url("/admin/bots"))
        .form(&[
            ("csrf", csrf_of(&html).as_str()),
            ("name", "Above Bot"),
            ("workspace_id", &alpha),
            ("owner", "ma2@example.com"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    let (_, bots) = app.get_json(&root, "/api/v1/bots").await;
    assert!(!bots.to_string().contains("Above Bot"), "{bots}");
    // A member within the lead's authority can be made an Owner.
    let ok = json!({"workspace_id": org.alpha, "name": "Ann Bot", "owner": "ann.archer@example.com"});
    let (status, body) = app.send(&lead, Method::POST, "/api/v1/bots", Some(ok)).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
});

on_both_backends!(a_workspace_outside_the_callers_reach_answers_as_a_nonexistent_one, |app| async move {
    let org = app.seed_org().await;
    let lead = alpha_bots_admin(&app, &org).await;
    let mut bodies = Vec::new();
    for ws in [org.beta.to_string(), uuid::Uuid::new_v4().to_string()] {
        for owner in [None, Some("bob.baker@example.com")] {
            let body = json!({"workspace_id": ws, "name": "Probe", "owner": owner});
            let res = lead.post(app.url("/api/v1/bots")).json(&body).send().await.unwrap();
            bodies.push((res.status(), res.text().await.unwrap()));
        }
    }
    assert_eq!(bodies[0].0, StatusCode::BAD_REQUEST, "{bodies:?}");
    assert!(bodies.iter().all(|b| *b == bodies[0]), "{bodies:#?}");
});

on_both_backends!(a_group_outside_the_editors_scope_answers_as_a_nonexistent_one, |app| async move {
    let org = app.seed_org().await;
    let beta_team = domain::ids::GroupId::new();
    store::groups::create(&app.db, beta_team, org.beta, "Beta Team", app::clock::now()).await.unwrap();
    let admin = CustomAdmin {
        email: "alpha.lead@example.com",
        role_name: "Alpha Lead",
        permissions: &[Permission::UsersView, Permission::UsersManage],
        scope: Some(vec![org.alpha]),
        workspaces: vec![org.alpha],
    };
    app.add_custom_admin(org.account, admin).await;
    let lead = app.login("alpha.lead@example.com", PASSWORD).await;
    // Ann is in Alpha only: her editor (scoped to Alpha) may not learn Beta Team exists.
    // (Cat, in Beta too, sees it on her Edit form, disabled: authority_holes.)
    let target = org.ann;
    let mut answers = Vec::new();
    for group in [beta_team.0, uuid::Uuid::new_v4()] {
        let version = user(&app, &lead, target).await["version"].as_i64().expect("version");
        let res = lead
            .patch(app.url(&format!("/api/v1/users/{target}")))
            .header("If-Match", format!("\"v{version}\""))
            .json(&json!({"groups": [org.alpha_team, group]}))
            .send()
            .await
            .unwrap();
        let status = res.status();
        // The id asked about is named back: the same body but for it.
        answers.push((status, res.text().await.unwrap().replace(&group.to_string(), "<id>")));
    }
    assert_eq!(answers[0].0, StatusCode::BAD_REQUEST, "{answers:?}");
    assert_eq!(answers[0], answers[1], "{target}");
    assert!(!answers[0].1.contains("Beta"), "{answers:?}");
    // The Edit form answers the same.
    let mut pages = Vec::new();
    for group in [beta_team.0, uuid::Uuid::new_v4()] {
        let html = app.get(&lead, &format!("/admin/users/{}", org.ann)).await.text().await.unwrap();
        let form = [
            ("csrf".to_owned(), csrf_of(&html)),
            ("version".to_owned(), hidden(&html, "version")),
            ("first_name".to_owned(), "Ann".to_owned()),
            ("last_name".to_owned(), "Archer".to_owned()),
            (format!("group_{group}"), "on".to_owned()),
        ];
        let res = lead.post(app.url(&format!("/admin/users/{}/edit", org.ann))).form(&form).send().await.unwrap();
        let status = res.status();
        let html = res.text().await.unwrap();
        assert!(html.contains(&format!("there is no group {group}")), "{html}");
        pages.push(status);
    }
    assert_eq!(pages[0], StatusCode::BAD_REQUEST);
    assert_eq!(pages[0], pages[1]);
    let ann = user(&app, &lead, org.ann).await;
    assert!(!ann.to_string().contains("Beta Team"), "{ann}");
});

fn hidden(html: &str, name: &str) -> String {
    let marker = format!("name=\"{name}\" value=\"");
    let start = html.find(&marker).unwrap_or_else(|| panic!("{name} in the page")) + marker.len();
    html[start..].split('"').next().unwrap().to_owned()
}

on_both_backends!(a_removal_racing_a_widening_of_the_holders_role_never_strands_them, |app| async move {
    let org = app.seed_org().await;
    let root = app.login_admin().await;
    let role = app.add_role(org.account, "Race Ops", &[Permission::UsersView], Some(vec![org.alpha])).await;
    let admin = CustomAdmin {
        email: "beta.lead@example.com",
        role_name: "Beta Lead",
        permissions: &[Permission::UsersView, Permission::UsersDelete],
        scope: Some(vec![org.beta]),
        workspaces: vec![org.beta],
    };
    app.add_custom_admin(org.account, admin).await;
    let lead = app.login("beta.lead@example.com", PASSWORD).await;
    // Cat (Alpha and Beta) holds the role scoped to Alpha.
    let version = user(&app, &root, org.cat).await["version"].as_i64().expect("version");
    let res = root
        .patch(app.url(&format!("/api/v1/users/{}", org.cat)))
        .header("If-Match", format!("\"v{version}\""))
        .json(&json!({"admin_role_id": role}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let role_path = format!("/api/v1/admin-roles/{role}");
    let user_path = format!("/api/v1/users/{}", org.cat);
    for round in 0..20 {
        let remove = app.send(&lead, Method::DELETE, &user_path, None);
        let widen = app.send(&root, Method::PATCH, &role_path, Some(json!({"scope": [org.alpha, org.beta]})));
        let ((removed, body), (widened, wbody)) = tokio::join!(remove, widen);
        assert!(
            !(removed == StatusCode::OK && widened == StatusCode::OK),
            "round {round}: both the removal and the widening succeeded ({body}, {wbody})"
        );
        let cat = user(&app, &root, org.cat).await;
        let (_, r) = app.get_json(&root, &role_path).await;
        let in_beta = cat["workspaces"].as_array().unwrap().iter().any(|w| w["id"] == org.beta.to_string());
        if r["scope"].as_array().is_some_and(|s| s.len() == 2) {
            assert!(in_beta, "round {round}: {cat} holds {r}");
        }
        // Back to the start: Cat in Beta, the role scoped to Alpha.
        let back = "INSERT INTO memberships (user_id, workspace_id, joined_at) \
                    SELECT $2, w.id, $1 FROM workspaces w WHERE w.name = 'Beta' AND NOT EXISTS \
                    (SELECT 1 FROM memberships m WHERE m.user_id = $2 AND m.workspace_id = w.id)";
        crate::sessions::exec(&app, back, app::clock::now(), org.cat.0).await;
        let (status, body) = app.send(&root, Method::PATCH, &role_path, Some(json!({"scope": [org.alpha]}))).await;
        assert_eq!(status, StatusCode::OK, "{body}");
    }
});
