//! Bots (PRODUCT.md §3.3, §3.4, §6): creating one with its Owner, lists limited to the
//! admin's scope, Developer/Tester roles (the Owner row is fixed), Transfer Ownership (the
//! Primary Master Admin only, to an active member of the bot's workspace) and the guided
//! delete of an owner.

use crate::on_both_backends;
use crate::support::app::{PASSWORD, TestApp};
use crate::support::org::{Org, Person};
use crate::support::roles::CustomAdmin;
use domain::bot::BotRole;
use domain::ids::{BotId, UserId, WorkspaceId};
use domain::permission::Permission;
use domain::user::UserStatus;
use reqwest::{Client, Method, StatusCode};
use serde_json::{Value, json};

async fn bot(app: &TestApp, ws: WorkspaceId, name: &str, members: &[(UserId, BotRole)]) -> BotId {
    let id = BotId::new();
    store::bots::create(&app.db, id, ws, name, members, app::clock::now()).await.expect("create bot");
    id
}

/// The user's bots as `c` sees them: (bot name, role).
async fn bots_of(app: &TestApp, c: &Client, user: UserId) -> Vec<(String, String)> {
    let (status, body) = app.get_json(c, &format!("/api/v1/users/{user}/bots")).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| (b["name"].as_str().unwrap().to_owned(), b["role"].as_str().unwrap().to_owned()))
        .collect()
}

/// The bot's Owner id, straight from the store.
async fn owner_of(app: &TestApp, org: &Org, bot: BotId) -> Option<uuid::Uuid> {
    store::bots::find(&app.db, org.account, bot).await.unwrap().unwrap().owner_id
}

async fn audit(app: &TestApp, c: &Client, action: &str) -> Vec<Value> {
    let (status, body) = app.get_json(c, &format!("/api/v1/audit?action={action}")).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body["items"].as_array().unwrap().clone()
}

fn names(items: &Value) -> Vec<String> {
    items["items"].as_array().unwrap().iter().map(|b| b["name"].as_str().unwrap().to_owned()).collect()
}

/// Gives `user` "builder access + new bot creation" through the API.
async fn make_builder(app: &TestApp, root: &Client, user: UserId) {
    let res = app.get(root, &format!("/api/v1/users/{user}")).await;
    let tag = res.headers()["etag"].to_str().unwrap().to_owned();
    let res = root
        .patch(app.url(&format!("/api/v1/users/{user}")))
        .header("If-Match", tag)
        .json(&json!({"builder_access": "builder_and_create"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
}

on_both_backends!(admins_create_bots_for_an_owner_and_builders_for_themselves, |app| async move {
    let org = app.seed_org().await;
    let root = app.login_admin().await;
    let body = json!({"workspace_id": org.alpha.to_string(), "name": "Helpdesk", "owner": "ann.archer@example.com"});
    let (status, created) = app.send(&root, Method::POST, "/api/v1/bots", Some(body.clone())).await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    assert_eq!(created["owner"]["id"], org.ann.to_string());
    assert_eq!(created["workspace"]["id"], org.alpha.to_string());
    assert_eq!(bots_of(&app, &root, org.ann).await, vec![("Helpdesk".to_owned(), "owner".to_owned())]);
    // The same name in the same workspace.
    let (status, err) = app.send(&root, Method::POST, "/api/v1/bots", Some(body)).await;
    assert_eq!(status, StatusCode::CONFLICT, "{err}");
    let body = json!({"workspace_id": org.alpha.to_string(), "name": "HELPDESK", "owner": "cat.cooper@example.com"});
    let (status, err) = app.send(&root, Method::POST, "/api/v1/bots", Some(body)).await;
    assert_eq!(status, StatusCode::CONFLICT, "names are unique regardless of case: {err}");
    // The same name in another workspace is fine.
    let body = json!({"workspace_id": org.beta.to_string(), "name": "Helpdesk", "owner": org.bob.to_string()});
    let (status, err) = app.send(&root, Method::POST, "/api/v1/bots", Some(body)).await;
    assert_eq!(status, StatusCode::CREATED, "{err}");
    // The Owner must be an active member of the bot's workspace (Bob is in Beta only, Dan
    // is suspended): the field is refused, naming it.
    for owner in ["bob.baker@example.com", "dan.dunn@example.com", "outsider@other.example"] {
        let body = json!({"workspace_id": org.alpha.to_string(), "name": "Other", "owner": owner});
        let (status, err) = app.send(&root, Method::POST, "/api/v1/bots", Some(body)).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{owner}: {err}");
        assert_eq!(err["invalid_params"][0]["name"], "owner", "{err}");
    }
    // Bad workspaces: not an id, and an id of no workspace of this account.
    for ws in ["nope".to_owned(), WorkspaceId::new().to_string()] {
        let body = json!({"workspace_id": ws, "name": "X", "owner": "ann.archer@example.com"});
        let (status, err) = app.send(&root, Method::POST, "/api/v1/bots", Some(body)).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{err}");
        assert_eq!(err["invalid_params"][0]["name"], "workspace_id", "{err}");
    }
    let body = json!({"workspace_id": org.alpha.to_string(), "name": " "});
    let (status, err) = app.send(&root, Method::POST, "/api/v1/bots", Some(body)).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(err["invalid_params"][0]["name"], "name", "{err}");

    // A plain member may not create bots.
    let cat = app.login("cat.cooper@example.com", PASSWORD).await;
    let body = json!({"workspace_id": org.beta.to_string(), "name": "Cat Bot"});
    let (status, err) = app.send(&cat, Method::POST, "/api/v1/bots", Some(body.clone())).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{err}");
    // With builder access + new bot creation, for themselves in a workspace of theirs.
    make_builder(&app, &root, org.cat).await;
    let (status, created) = app.send(&cat, Method::POST, "/api/v1/bots", Some(body)).await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    assert_eq!(created["owner"]["id"], org.cat.to_string());
    // Not for someone else, and not in a workspace they do not belong to.
    let body = json!({"workspace_id": org.beta.to_string(), "name": "For Bob", "owner": "bob.baker@example.com"});
    let (status, err) = app.send(&cat, Method::POST, "/api/v1/bots", Some(body)).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{err}");
    // A workspace she is not in answers as one that does not exist (the same 400).
    let body = json!({"workspace_id": org.default_ws.to_string(), "name": "Elsewhere"});
    let (status, err) = app.send(&cat, Method::POST, "/api/v1/bots", Some(body)).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{err}");
    let body = json!({"workspace_id": uuid::Uuid::new_v4().to_string(), "name": "Elsewhere"});
    let (_, nowhere) = app.send(&cat, Method::POST, "/api/v1/bots", Some(body)).await;
    assert_eq!(err, nowhere);
    let created = audit(&app, &root, "bot.created").await;
    assert_eq!(created.len(), 3, "{created:?}");
});

on_both_backends!(bot_lists_are_limited_to_the_admins_scope, |app| async move {
    let org = app.seed_org().await;
    let a = bot(&app, org.alpha, "Alpha Bot", &[(org.ann, BotRole::Owner), (org.cat, BotRole::Developer)]).await;
    bot(&app, org.beta, "Beta Bot", &[(org.bob, BotRole::Owner), (org.cat, BotRole::Tester)]).await;
    let root = app.login_admin().await;
    let (status, all) = app.get_json(&root, "/api/v1/bots").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(names(&all), ["Alpha Bot", "Beta Bot"]);
    let (_, alpha) = app.get_json(&root, &format!("/api/v1/bots?workspace_id={}", org.alpha)).await;
    assert_eq!(names(&alpha), ["Alpha Bot"]);
    assert_eq!(alpha["items"][0]["owner"]["id"], org.ann.to_string());
    assert_eq!(alpha["items"][0]["member_count"], 2);

    let perms = [Permission::UsersView, Permission::BotsView];
    let scope = CustomAdmin {
        email: "alpha.bots@example.com",
        role_name: "Alpha Bots",
        permissions: &perms,
        scope: Some(vec![org.alpha]),
        workspaces: vec![org.alpha],
    };
    app.add_custom_admin(org.account, scope).await;
    let scoped = app.login("alpha.bots@example.com", PASSWORD).await;
    let (_, mine) = app.get_json(&scoped, "/api/v1/bots").await;
    assert_eq!(names(&mine), ["Alpha Bot"]);
    let (_, beta) = app.get_json(&scoped, &format!("/api/v1/bots?workspace_id={}", org.beta)).await;
    assert_eq!(names(&beta), Vec::<String>::new());
    // Cat is in both workspaces: the scoped admin sees only her Alpha role.
    assert_eq!(bots_of(&app, &scoped, org.cat).await, vec![("Alpha Bot".to_owned(), "developer".to_owned())]);
    assert_eq!(bots_of(&app, &root, org.cat).await.len(), 2);
    // Bob shares no workspace with the scope: he does not exist for this admin.
    assert_eq!(app.get_json(&scoped, &format!("/api/v1/users/{}/bots", org.bob)).await.0, StatusCode::NOT_FOUND);
    let (status, _) = app.get_json(&scoped, &format!("/api/v1/bots/{a}/owner-candidates?q=")).await;
    assert_eq!(status, StatusCode::OK);
    // Without bots.view: 403.
    let alpha_admin = app.login("alpha.admin@example.com", PASSWORD).await;
    assert_eq!(app.get_json(&alpha_admin, "/api/v1/bots").await.0, StatusCode::FORBIDDEN);
    assert_eq!(app.get_json(&alpha_admin, &format!("/api/v1/users/{}/bots", org.ann)).await.0, StatusCode::FORBIDDEN);
    // Another account sees nothing of ours.
    let outsider = app.login("outsider@other.example", PASSWORD).await;
    let (status, theirs) = app.get_json(&outsider, "/api/v1/bots").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(names(&theirs), Vec::<String>::new());
    assert_eq!(app.get_json(&outsider, &format!("/api/v1/users/{}/bots", org.ann)).await.0, StatusCode::NOT_FOUND);
    let (status, _) = app.get_json(&outsider, &format!("/api/v1/bots/{a}/owner-candidates?q=")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
});

on_both_backends!(developer_and_tester_roles_change_and_go_but_the_owner_row_is_fixed, |app| async move {
    let org = app.seed_org().await;
    let a = bot(&app, org.alpha, "Alpha Bot", &[(org.ann, BotRole::Owner)]).await;
    let b = bot(&app, org.beta, "Beta Bot", &[(org.bob, BotRole::Owner)]).await;
    let root = app.login_admin().await;
    let path = |u: UserId, bot: BotId| format!("/api/v1/users/{u}/bots/{bot}");
    // Assign, change, remove.
    let (status, body) = app.send(&root, Method::PUT, &path(org.cat, a), Some(json!({"role": "developer"}))).await;
    assert_eq!(status, StatusCode::NO_CONTENT, "{body}");
    assert_eq!(bots_of(&app, &root, org.cat).await, vec![("Alpha Bot".to_owned(), "developer".to_owned())]);
    let (status, _) = app.send(&root, Method::PUT, &path(org.cat, a), Some(json!({"role": "tester"}))).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    assert_eq!(bots_of(&app, &root, org.cat).await, vec![("Alpha Bot".to_owned(), "tester".to_owned())]);
    let (status, _) = app.send(&root, Method::PUT, &path(org.cat, a), Some(json!({"role": "developer"}))).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, _) = app.send(&root, Method::DELETE, &path(org.cat, a), None).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    assert!(bots_of(&app, &root, org.cat).await.is_empty());
    let (status, _) = app.send(&root, Method::DELETE, &path(org.cat, a), None).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "no role left to remove");

    // The Owner row: neither changed nor removed here.
    for method in [Method::PUT, Method::DELETE] {
        let body = (method == Method::PUT).then(|| json!({"role": "developer"}));
        let (status, err) = app.send(&root, method, &path(org.ann, a), body).await;
        assert_eq!(status, StatusCode::CONFLICT, "{err}");
        assert!(err["detail"].as_str().unwrap().contains("Transfer Ownership"), "{err}");
    }
    assert_eq!(bots_of(&app, &root, org.ann).await, vec![("Alpha Bot".to_owned(), "owner".to_owned())]);
    // "owner" is not assignable, nor is anything unknown.
    for role in ["owner", "admin"] {
        let (status, err) = app.send(&root, Method::PUT, &path(org.cat, a), Some(json!({"role": role}))).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{err}");
        assert_eq!(err["invalid_params"][0]["name"], "role", "{err}");
    }
    // Bob is not a member of Alpha.
    let (status, err) = app.send(&root, Method::PUT, &path(org.bob, a), Some(json!({"role": "tester"}))).await;
    assert_eq!(status, StatusCode::CONFLICT, "{err}");
    assert!(err["detail"].as_str().unwrap().contains("Alpha"), "{err}");
    assert!(bots_of(&app, &root, org.bob).await.iter().all(|(n, _)| n != "Alpha Bot"));
    // An unknown bot.
    let (status, _) = app.send(&root, Method::PUT, &path(org.cat, BotId::new()), Some(json!({"role": "tester"}))).await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    // Audit: three role sets and one removal of Cat.
    let set = audit(&app, &root, "bot.role_set").await;
    assert_eq!(set.len(), 3, "{set:?}");
    assert!(set.iter().all(|e| e["target"]["id"] == org.cat.to_string()), "{set:?}");
    let removed = audit(&app, &root, "bot.role_removed").await;
    assert_eq!(removed.len(), 1);
    assert_eq!(removed[0]["details"]["bot"], "Alpha Bot");

    // A bots.view-only admin may look but not assign.
    let view = [Permission::UsersView, Permission::BotsView];
    let viewer = CustomAdmin {
        email: "bot.viewer@example.com",
        role_name: "Bot Viewer",
        permissions: &view,
        scope: None,
        workspaces: vec![org.default_ws],
    };
    app.add_custom_admin(org.account, viewer).await;
    let viewer = app.login("bot.viewer@example.com", PASSWORD).await;
    assert_eq!(bots_of(&app, &viewer, org.ann).await.len(), 1);
    let (status, _) = app.send(&viewer, Method::PUT, &path(org.cat, a), Some(json!({"role": "tester"}))).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _) = app.send(&viewer, Method::DELETE, &path(org.cat, a), None).await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    // A bots.assign admin scoped to Alpha: Bob (Beta only) is 404, and so is a Beta bot.
    let assign = [Permission::UsersView, Permission::BotsView, Permission::BotsAssign];
    let scoped = CustomAdmin {
        email: "alpha.assigner@example.com",
        role_name: "Alpha Assigner",
        permissions: &assign,
        scope: Some(vec![org.alpha]),
        workspaces: vec![org.alpha],
    };
    app.add_custom_admin(org.account, scoped).await;
    let scoped = app.login("alpha.assigner@example.com", PASSWORD).await;
    let (status, _) = app.send(&scoped, Method::PUT, &path(org.bob, b), Some(json!({"role": "tester"}))).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = app.send(&scoped, Method::PUT, &path(org.cat, b), Some(json!({"role": "tester"}))).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "a bot outside the scope looks absent");
    let (status, body) = app.send(&scoped, Method::PUT, &path(org.cat, a), Some(json!({"role": "tester"}))).await;
    assert_eq!(status, StatusCode::NO_CONTENT, "{body}");
    assert!(bots_of(&app, &root, org.cat).await.iter().all(|(n, _)| n != "Beta Bot"));
    // Another account: 404.
    let outsider = app.login("outsider@other.example", PASSWORD).await;
    let (status, _) = app.send(&outsider, Method::PUT, &path(org.cat, a), Some(json!({"role": "developer"}))).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = app.send(&outsider, Method::DELETE, &path(org.cat, a), None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(bots_of(&app, &root, org.cat).await, vec![("Alpha Bot".to_owned(), "tester".to_owned())]);
});

on_both_backends!(only_the_primary_transfers_ownership_to_an_active_member, |app| async move {
    let org = app.seed_org().await;
    let a = bot(&app, org.alpha, "Alpha Bot", &[(org.ann, BotRole::Owner)]).await;
    let a2 = bot(&app, org.alpha, "Alpha Two", &[(org.ann, BotRole::Owner)]).await;
    let b = bot(&app, org.beta, "Beta Bot", &[(org.bob, BotRole::Owner)]).await;
    let root = app.login_admin().await;
    let transfer = |from: UserId, bot: BotId| format!("/api/v1/users/{from}/bots/{bot}/transfer");

    // Suggestions: active members of the bot's workspace only (not suspended Dan).
    let (status, found) = app.get_json(&root, &format!("/api/v1/bots/{a}/owner-candidates?q=")).await;
    assert_eq!(status, StatusCode::OK, "{found}");
    let emails: Vec<&str> = found["items"].as_array().unwrap().iter().map(|c| c["email"].as_str().unwrap()).collect();
    assert!(emails.contains(&"cat.cooper@example.com") && emails.contains(&"ann.archer@example.com"), "{emails:?}");
    assert!(!emails.contains(&"dan.dunn@example.com"), "suspended: {emails:?}");
    assert!(!emails.contains(&"bob.baker@example.com"), "not a member: {emails:?}");
    let (_, found) = app.get_json(&root, &format!("/api/v1/bots/{b}/owner-candidates?q=ev")).await;
    assert_eq!(found["items"], json!([]), "invited Eve is no candidate");
    let (_, found) = app.get_json(&root, &format!("/api/v1/bots/{a}/owner-candidates?q=COOP")).await;
    assert_eq!(found["items"].as_array().unwrap().len(), 1);
    assert_eq!(found["items"][0]["name"], "Cat Cooper");
    for wild in ["%25", "_", "\\"] {
        let (status, found) = app.get_json(&root, &format!("/api/v1/bots/{a}/owner-candidates?q={wild}")).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(found["items"], json!([]), "{wild} is no wildcard");
    }

    // Nobody but the primary: neither a Master Admin nor a custom admin with every permission.
    let master = app.login_master_admin(&org).await;
    let (status, err) = app
        .send(&master, Method::POST, &transfer(org.ann, a), Some(json!({"new_owner": "cat.cooper@example.com"})))
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{err}");
    assert!(err["detail"].as_str().unwrap().contains("Primary Master Admin"), "{err}");
    let all = [
        Permission::UsersView,
        Permission::UsersManage,
        Permission::UsersDelete,
        Permission::BotsView,
        Permission::BotsAssign,
    ];
    let custom = CustomAdmin {
        email: "custom.all@example.com",
        role_name: "Almost Everything",
        permissions: &all,
        scope: None,
        workspaces: vec![org.default_ws],
    };
    app.add_custom_admin(org.account, custom).await;
    let custom = app.login("custom.all@example.com", PASSWORD).await;
    let (status, _) = app
        .send(&custom, Method::POST, &transfer(org.ann, a), Some(json!({"new_owner": "cat.cooper@example.com"})))
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(owner_of(&app, &org, a).await, Some(org.ann.0));

    // Refused new owners: suspended, non-member, other account, unknown; nothing changes.
    for who in ["dan.dunn@example.com", "bob.baker@example.com", "outsider@other.example", "Nobody Known"] {
        let (status, err) = app.send(&root, Method::POST, &transfer(org.ann, a), Some(json!({"new_owner": who}))).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{who}: {err}");
        assert_eq!(err["invalid_params"][0]["name"], "new_owner", "{err}");
        assert_eq!(owner_of(&app, &org, a).await, Some(org.ann.0), "{who}");
    }
    let (status, _) = app.send(&root, Method::POST, &transfer(org.ann, a), Some(json!({"new_owner": org.dan}))).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "by id, suspended");
    // Invited Eve is in Beta.
    let (status, _) =
        app.send(&root, Method::POST, &transfer(org.bob, b), Some(json!({"new_owner": "eve.evans@example.com"}))).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(owner_of(&app, &org, b).await, Some(org.bob.0));
    // Cat does not own the bot.
    let (status, _) = app
        .send(&root, Method::POST, &transfer(org.cat, a), Some(json!({"new_owner": "ann.archer@example.com"})))
        .await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert!(audit(&app, &root, "bot.ownership_transferred").await.is_empty());

    // By email.
    let (status, err) = app
        .send(&root, Method::POST, &transfer(org.ann, a), Some(json!({"new_owner": "Cat.Cooper@example.com"})))
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT, "{err}");
    assert_eq!(owner_of(&app, &org, a).await, Some(org.cat.0));
    let ann_bots = bots_of(&app, &root, org.ann).await;
    assert!(ann_bots.contains(&("Alpha Bot".to_owned(), "developer".to_owned())), "the old owner stays: {ann_bots:?}");
    // A name two active members share is ambiguous: the answer lists their emails.
    let twin = Person {
        email: "cat.twin@example.com",
        first: "Cat",
        last: "Cooper",
        status: UserStatus::Active,
        workspaces: vec![org.alpha],
        role: None,
    };
    let twin = app.add_user(org.account, twin).await;
    let (status, err) =
        app.send(&root, Method::POST, &transfer(org.ann, a2), Some(json!({"new_owner": "Cat Cooper"}))).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{err}");
    assert!(err["detail"].as_str().unwrap().contains("cat.twin@example.com"), "{err}");
    assert_eq!(owner_of(&app, &org, a2).await, Some(org.ann.0));
    let (status, _) = app.send(&root, Method::DELETE, &format!("/api/v1/users/{twin}"), None).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    // By unique name.
    let (status, err) =
        app.send(&root, Method::POST, &transfer(org.ann, a2), Some(json!({"new_owner": "cat cooper"}))).await;
    assert_eq!(status, StatusCode::NO_CONTENT, "{err}");
    assert_eq!(owner_of(&app, &org, a2).await, Some(org.cat.0));
    assert_eq!(
        bots_of(&app, &root, org.cat).await,
        vec![("Alpha Bot".to_owned(), "owner".to_owned()), ("Alpha Two".to_owned(), "owner".to_owned())]
    );
    let events = audit(&app, &root, "bot.ownership_transferred").await;
    assert_eq!(events.len(), 2, "{events:?}");
    for e in &events {
        assert_eq!(e["target"]["id"], org.ann.to_string(), "{e}");
        assert_eq!(e["details"]["from"], org.ann.to_string(), "{e}");
        assert_eq!(e["details"]["to"], org.cat.to_string(), "{e}");
        assert_eq!(e["actor"]["id"], org.admin.to_string(), "{e}");
    }
    // The new owner has their own event, so the log filtered by either user shows it.
    let received = audit(&app, &root, "bot.ownership_received").await;
    assert_eq!(received.len(), 2, "{received:?}");
    assert!(received.iter().all(|e| e["target"]["id"] == org.cat.to_string()), "{received:?}");
});

on_both_backends!(the_guided_delete_transfers_every_bot_and_deletes_or_does_nothing, |app| async move {
    let org = app.seed_org().await;
    let a1 = bot(&app, org.alpha, "Alpha One", &[(org.ann, BotRole::Owner)]).await;
    let a2 = bot(&app, org.alpha, "Alpha Two", &[(org.ann, BotRole::Owner), (org.cat, BotRole::Tester)]).await;
    let root = app.login_admin().await;
    let path = format!("/api/v1/users/{}/transfer-and-delete", org.ann);

    // The plain delete is refused, naming the bots.
    let (status, err) = app.send(&root, Method::DELETE, &format!("/api/v1/users/{}", org.ann), None).await;
    assert_eq!(status, StatusCode::CONFLICT);
    let detail = err["detail"].as_str().unwrap();
    assert!(detail.contains("Alpha One") && detail.contains("Alpha Two"), "{detail}");

    // The Primary Master Admin is never deleted, guided or not.
    let own = format!("/api/v1/users/{}/transfer-and-delete", org.admin);
    let (status, err) = app.send(&root, Method::POST, &own, Some(json!({"successor": "cat cooper"}))).await;
    assert_eq!(status, StatusCode::CONFLICT, "{err}");
    // Not the primary: 403.
    let master = app.login_master_admin(&org).await;
    let (status, _) =
        app.send(&master, Method::POST, &path, Some(json!({"successor": "cat.cooper@example.com"}))).await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    // One bad successor changes nothing at all.
    let body = json!({"successor": "cat.cooper@example.com", "successors": {a2.to_string(): "dan.dunn@example.com"}});
    let (status, err) = app.send(&root, Method::POST, &path, Some(body)).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{err}");
    assert_eq!(err["invalid_params"][0]["name"], "successors", "{err}");
    assert!(err["detail"].as_str().unwrap().contains("Alpha Two"), "{err}");
    // Every bot's problem at once: a bad successor, a missing one, a bot the user does not own.
    let stray = BotId::new();
    let body = json!({"successors": {a1.to_string(): "dan.dunn@example.com", stray.to_string(): "cat cooper"}});
    let (status, err) = app.send(&root, Method::POST, &path, Some(body)).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{err}");
    let reason = err["invalid_params"][0]["reason"].as_str().unwrap_or_default();
    for part in [stray.to_string().as_str(), "bot \"Alpha One\"", "choose a new Owner for bot \"Alpha Two\""] {
        assert!(reason.contains(part), "{part}: {err}");
    }
    // No successor for one bot: also refused.
    let body = json!({"successors": {a1.to_string(): "cat.cooper@example.com"}});
    let (status, _) = app.send(&root, Method::POST, &path, Some(body)).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    // A bot the user does not own.
    let body = json!({"successor": "cat.cooper@example.com", "successors": {BotId::new().to_string(): "cat cooper"}});
    let (status, _) = app.send(&root, Method::POST, &path, Some(body)).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(owner_of(&app, &org, a1).await, Some(org.ann.0));
    assert_eq!(owner_of(&app, &org, a2).await, Some(org.ann.0));
    assert_eq!(app.get_json(&root, &format!("/api/v1/users/{}", org.ann)).await.0, StatusCode::OK);
    assert!(audit(&app, &root, "bot.ownership_transferred").await.is_empty());

    // Per-bot successor and one for the rest.
    let ann = app.login("ann.archer@example.com", PASSWORD).await;
    let body =
        json!({"successor": "cat.cooper@example.com", "successors": {a1.to_string(): "alpha.admin@example.com"}});
    let (status, done) = app.send(&root, Method::POST, &path, Some(body)).await;
    assert_eq!(status, StatusCode::OK, "{done}");
    assert_eq!(done["deleted"], true);
    assert_eq!(owner_of(&app, &org, a1).await, Some(org.alpha_admin.0));
    assert_eq!(owner_of(&app, &org, a2).await, Some(org.cat.0));
    assert_eq!(app.get_json(&root, &format!("/api/v1/users/{}", org.ann)).await.0, StatusCode::NOT_FOUND);
    assert_eq!(app.get_json(&ann, "/api/v1/me").await.0, StatusCode::UNAUTHORIZED, "sessions end");
    let deleted = audit(&app, &root, "user.deleted").await;
    assert_eq!(deleted.len(), 1);
    assert_eq!(deleted[0]["target"]["id"], org.ann.to_string());
    assert_eq!(audit(&app, &root, "bot.ownership_transferred").await.len(), 2);
});

on_both_backends!(the_guided_delete_with_one_successor_for_all, |app| async move {
    let org = app.seed_org().await;
    let a1 = bot(&app, org.alpha, "Alpha One", &[(org.ann, BotRole::Owner)]).await;
    let a2 = bot(&app, org.alpha, "Alpha Two", &[(org.ann, BotRole::Owner)]).await;
    let root = app.login_admin().await;
    let path = format!("/api/v1/users/{}/transfer-and-delete", org.ann);
    let (status, done) = app.send(&root, Method::POST, &path, Some(json!({"successor": "Cat Cooper"}))).await;
    assert_eq!(status, StatusCode::OK, "{done}");
    assert_eq!(done["bots_transferred"].as_array().unwrap().len(), 2);
    assert_eq!(owner_of(&app, &org, a1).await, Some(org.cat.0));
    assert_eq!(owner_of(&app, &org, a2).await, Some(org.cat.0));
    assert_eq!(app.get_json(&root, &format!("/api/v1/users/{}", org.ann)).await.0, StatusCode::NOT_FOUND);
    // A user without bots goes the same way.
    let path = format!("/api/v1/users/{}/transfer-and-delete", org.bob);
    let (status, done) = app.send(&root, Method::POST, &path, Some(json!({}))).await;
    assert_eq!(status, StatusCode::OK, "{done}");
    assert_eq!(app.get_json(&root, &format!("/api/v1/users/{}", org.bob)).await.0, StatusCode::NOT_FOUND);
});
