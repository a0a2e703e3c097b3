//! The bot pages of the admin console over HTTP without JavaScript: the Manage Bots tab
//! (roles listed, the Owner row fixed, change / remove / assign, scope, who sees Transfer
//! Ownership, a transfer from the tab), the guided delete of a bot owner, and the Bots page
//! (list, filter, create). Every change is checked through the JSON API afterwards.

use crate::on_both_backends;
use crate::support::app::{PASSWORD, TestApp};
use crate::support::roles::CustomAdmin;
use domain::bot::BotRole;
use domain::ids::{BotId, UserId, WorkspaceId};
use domain::permission::Permission;
use reqwest::header::LOCATION;
use reqwest::{Client, Response, StatusCode};
use serde_json::Value;
use std::collections::BTreeMap;

fn csrf_of(html: &str) -> String {
    let marker = "name=\"csrf\" value=\"";
    let start = html.find(marker).expect("a CSRF field") + marker.len();
    html[start..].split('"').next().expect("a closing quote").to_owned()
}

async fn page(app: &TestApp, c: &Client, path: &str) -> String {
    let res = app.get(c, path).await;
    assert_eq!(res.status(), StatusCode::OK, "{path}");
    res.text().await.expect("html")
}

async fn post(app: &TestApp, c: &Client, path: &str, fields: &[(&str, &str)]) -> Response {
    c.post(app.url(path)).form(fields).send().await.expect("post")
}

fn location(res: &Response) -> &str {
    res.headers()[LOCATION].to_str().expect("ascii")
}

/// The `<tr>` of `bot` on the Manage Bots tab.
fn row(html: &str, bot: BotId) -> &str {
    let start = html.find(&format!("id=\"bot-row-{bot}\"")).unwrap_or_else(|| panic!("no row for {bot}: {html}"));
    let end = html[start..].find("</tr>").expect("end of row");
    &html[start..start + end]
}

/// bot id → role of `user`, from the JSON API.
async fn roles_of(app: &TestApp, c: &Client, user: UserId) -> BTreeMap<String, String> {
    let (status, body) = app.get_json(c, &format!("/api/v1/users/{user}/bots")).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let items = body["items"].as_array().expect("items");
    items.iter().map(|b| (b["bot_id"].as_str().unwrap().to_owned(), b["role"].as_str().unwrap().to_owned())).collect()
}

/// The owner's email of every bot, by bot id, from the JSON API.
async fn owners(app: &TestApp, c: &Client) -> BTreeMap<String, String> {
    let (status, body) = app.get_json(c, "/api/v1/bots").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let items = body["items"].as_array().expect("items");
    items
        .iter()
        .map(|b| (b["id"].as_str().unwrap().to_owned(), b["owner"]["email"].as_str().unwrap_or("").to_owned()))
        .collect()
}

async fn bot(app: &TestApp, ws: WorkspaceId, name: &str, members: &[(UserId, BotRole)]) -> BotId {
    let id = BotId::new();
    store::bots::create(&app.db, id, ws, name, members, app::clock::now()).await.expect("bot");
    id
}

on_both_backends!(the_tab_lists_roles_keeps_the_owner_fixed_and_changes_and_removes_roles, |app| async move {
    let org = app.seed_org().await;
    let root = app.login_admin().await;
    let helpdesk =
        bot(&app, org.alpha, "Helpdesk Bot", &[(org.ann, BotRole::Owner), (org.cat, BotRole::Developer)]).await;
    let sales = bot(&app, org.alpha, "Sales Bot", &[(org.cat, BotRole::Owner)]).await;
    let billing = bot(&app, org.beta, "Billing Bot", &[(org.bob, BotRole::Owner), (org.cat, BotRole::Tester)]).await;
    let tab = format!("/admin/users/{}/bots", org.cat);
    let html = page(&app, &root, &tab).await;
    assert!(html.contains("id=\"tab-bots\"") && html.contains("Cat Cooper"), "{html}");
    assert!(row(&html, helpdesk).contains("Developer") && row(&html, helpdesk).contains("Alpha"));
    assert!(row(&html, billing).contains("Tester") && row(&html, billing).contains("Beta"));
    // The Owner row: no change or remove control, but the primary's transfer form.
    let owner_row = row(&html, sales);
    assert!(
        owner_row.contains("Owner") && !owner_row.contains("/role\"") && !owner_row.contains("/remove\""),
        "{owner_row}"
    );
    assert!(owner_row.contains(&format!("id=\"transfer-{sales}\"")), "{owner_row}");
    assert!(html.contains("The Owner role moves only by Transfer Ownership"), "{html}");
    assert!(row(&html, helpdesk).contains(&format!("action=\"{tab}/{helpdesk}/role\"")));
    let csrf = csrf_of(&html);

    let res = post(&app, &root, &format!("{tab}/{helpdesk}/role"), &[("csrf", &csrf), ("role", "tester")]).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&res), format!("{tab}?notice=changed"));
    assert_eq!(roles_of(&app, &root, org.cat).await[&helpdesk.to_string()], "tester");
    assert!(page(&app, &root, &format!("{tab}?notice=changed")).await.contains("Role changed."));

    // Remove asks first, naming the user and the bot; nothing changes until confirmed.
    let res = post(&app, &root, &format!("{tab}/{billing}/remove"), &[("csrf", &csrf)]).await;
    assert_eq!(res.status(), StatusCode::OK);
    let ask = res.text().await.expect("html");
    assert!(ask.contains("Remove Cat Cooper&#39;s role on Billing Bot?"), "{ask}");
    assert!(roles_of(&app, &root, org.cat).await.contains_key(&billing.to_string()), "asking changes nothing");
    let res = post(&app, &root, &format!("{tab}/{billing}/remove"), &[("csrf", &csrf), ("confirmed", "yes")]).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&res), format!("{tab}?notice=removed"));
    let roles = roles_of(&app, &root, org.cat).await;
    assert!(!roles.contains_key(&billing.to_string()) && roles[&sales.to_string()] == "owner", "{roles:?}");

    // Forged requests against the Owner row are refused beside the row; nothing changes.
    for action in ["role", "remove"] {
        let res =
            post(&app, &root, &format!("{tab}/{sales}/{action}"), &[("csrf", &csrf), ("role", "developer")]).await;
        assert_eq!(res.status(), StatusCode::CONFLICT, "{action}");
        let html = res.text().await.expect("html");
        assert!(html.contains(&format!("id=\"error-{sales}\"")) && html.contains("Transfer Ownership"), "{html}");
    }
    assert_eq!(roles_of(&app, &root, org.cat).await[&sales.to_string()], "owner");
    // A forged form token changes nothing.
    let res = post(&app, &root, &format!("{tab}/{helpdesk}/remove"), &[("csrf", "forged")]).await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    assert!(roles_of(&app, &root, org.cat).await.contains_key(&helpdesk.to_string()));
});

on_both_backends!(assigning_works_and_is_refused_for_a_bot_outside_the_users_workspaces, |app| async move {
    let org = app.seed_org().await;
    let root = app.login_admin().await;
    let helpdesk = bot(&app, org.alpha, "Helpdesk Bot", &[(org.cat, BotRole::Owner)]).await;
    let billing = bot(&app, org.beta, "Billing Bot", &[(org.bob, BotRole::Owner)]).await;
    let tab = format!("/admin/users/{}/bots", org.ann);
    let html = page(&app, &root, &tab).await;
    assert!(html.contains("id=\"assign-bot\"") && html.contains("id=\"assign-role\""), "{html}");
    assert!(html.contains(&format!("<option value=\"{helpdesk}\">")), "{html}");
    assert!(!html.contains(&format!("<option value=\"{billing}\">")), "Ann is not in Beta: {html}");
    let csrf = csrf_of(&html);

    let fields = [("csrf", csrf.as_str()), ("bot_id", &helpdesk.to_string()), ("role", "tester")];
    let res = post(&app, &root, &format!("{tab}/assign"), &fields).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&res), format!("{tab}?notice=assigned"));
    assert_eq!(roles_of(&app, &root, org.ann).await[&helpdesk.to_string()], "tester");
    let html = page(&app, &root, &format!("{tab}?notice=assigned")).await;
    assert!(html.contains("Bot assigned.") && row(&html, helpdesk).contains("Tester"), "{html}");

    // A bot of a workspace Ann is not in: refused beside the assign form, nothing assigned.
    let fields = [("csrf", csrf.as_str()), ("bot_id", &billing.to_string()), ("role", "developer")];
    let res = post(&app, &root, &format!("{tab}/assign"), &fields).await;
    assert_eq!(res.status(), StatusCode::CONFLICT);
    let html = res.text().await.expect("html");
    assert!(html.contains("id=\"assign-error\"") && html.contains("not a member of workspace"), "{html}");
    assert!(!roles_of(&app, &root, org.ann).await.contains_key(&billing.to_string()));
    // The Owner role cannot be assigned.
    let fields = [("csrf", csrf.as_str()), ("bot_id", &helpdesk.to_string()), ("role", "owner")];
    let res = post(&app, &root, &format!("{tab}/assign"), &fields).await;
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    assert_eq!(roles_of(&app, &root, org.ann).await[&helpdesk.to_string()], "tester");
});

on_both_backends!(a_scoped_admin_sees_only_their_scope_and_only_the_primary_may_transfer, |app| async move {
    let org = app.seed_org().await;
    let root = app.login_admin().await;
    let helpdesk = bot(&app, org.alpha, "Helpdesk Bot", &[(org.cat, BotRole::Owner)]).await;
    let billing = bot(&app, org.beta, "Billing Bot", &[(org.bob, BotRole::Owner), (org.cat, BotRole::Developer)]).await;
    let scoped = CustomAdmin {
        email: "alpha.bots@example.com",
        role_name: "Alpha Bots",
        permissions: &[Permission::UsersView, Permission::BotsView, Permission::BotsAssign],
        scope: Some(vec![org.alpha]),
        workspaces: vec![org.alpha],
    };
    app.add_custom_admin(org.account, scoped).await;
    let alpha = app.login("alpha.bots@example.com", PASSWORD).await;
    let tab = format!("/admin/users/{}/bots", org.cat);

    let html = page(&app, &alpha, &tab).await;
    assert!(html.contains(&format!("id=\"bot-row-{helpdesk}\"")), "{html}");
    assert!(!html.contains(&billing.to_string()) && !html.contains("Billing Bot"), "outside the scope: {html}");
    assert!(!html.contains("id=\"transfer-") && html.contains("Only the Primary Master Admin may transfer"), "{html}");
    let bots = page(&app, &alpha, "/admin/bots").await;
    assert!(bots.contains("Helpdesk Bot") && !bots.contains("Billing Bot"), "{bots}");
    // Acting on the out-of-scope bot looks like it does not exist.
    let res = post(&app, &alpha, &format!("{tab}/{billing}/remove"), &[("csrf", &csrf_of(&html))]).await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    assert!(roles_of(&app, &root, org.cat).await.contains_key(&billing.to_string()));

    // A Master Admin sees the Owner row without a transfer form; the primary sees one.
    let master = app.login_master_admin(&org).await;
    let html = page(&app, &master, &tab).await;
    assert!(!html.contains(&format!("id=\"transfer-{helpdesk}\"")), "{html}");
    assert!(row(&html, helpdesk).contains("only the Primary Master Admin may transfer"), "{html}");
    let profile = page(&app, &master, tab.trim_end_matches("/bots")).await;
    assert!(!profile.contains("id=\"action-transfer\""), "no Transfer Ownership in a Master Admin's More menu");
    let res = post(
        &app,
        &master,
        &format!("{tab}/{helpdesk}/transfer"),
        &[("csrf", &csrf_of(&html)), ("new_owner", "ann.archer@example.com"), ("confirmed", "yes")],
    )
    .await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    assert_eq!(roles_of(&app, &root, org.cat).await[&helpdesk.to_string()], "owner");
    let html = page(&app, &root, &tab).await;
    assert!(html.contains(&format!("id=\"transfer-{helpdesk}\"")), "{html}");
});

on_both_backends!(a_transfer_from_the_tab_leaves_the_old_owner_as_developer, |app| async move {
    let org = app.seed_org().await;
    let root = app.login_admin().await;
    let helpdesk = bot(&app, org.alpha, "Helpdesk Bot", &[(org.ann, BotRole::Owner)]).await;
    let tab = format!("/admin/users/{}/bots", org.ann);
    let csrf = csrf_of(&page(&app, &root, &tab).await);
    let path = format!("{tab}/{helpdesk}/transfer");

    // Bob is not in Alpha: refused beside the row, with what was typed kept.
    let res =
        post(&app, &root, &path, &[("csrf", &csrf), ("new_owner", "bob.baker@example.com"), ("confirmed", "yes")])
            .await;
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    let html = res.text().await.expect("html");
    assert!(html.contains(&format!("id=\"error-{helpdesk}\"")) && html.contains("not an active member"), "{html}");
    assert!(row(&html, helpdesk).contains("value=\"bob.baker@example.com\""), "{html}");
    assert_eq!(roles_of(&app, &root, org.ann).await[&helpdesk.to_string()], "owner");

    // Asked first, naming the new Owner and the bot; nothing moves until confirmed.
    let res = post(&app, &root, &path, &[("csrf", &csrf), ("new_owner", "Cat Cooper")]).await;
    assert_eq!(res.status(), StatusCode::OK);
    let ask = res.text().await.expect("html");
    assert!(ask.contains("Make Cat Cooper the Owner of Helpdesk Bot?"), "{ask}");
    assert!(ask.contains("name=\"new_owner\" value=\"Cat Cooper\""), "the confirm page sends it again: {ask}");
    assert_eq!(roles_of(&app, &root, org.ann).await[&helpdesk.to_string()], "owner");

    // By full name, which only Cat has.
    let res = post(&app, &root, &path, &[("csrf", &csrf), ("new_owner", "Cat Cooper"), ("confirmed", "yes")]).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&res), format!("{tab}?notice=transferred"));
    assert_eq!(roles_of(&app, &root, org.ann).await[&helpdesk.to_string()], "developer");
    assert_eq!(roles_of(&app, &root, org.cat).await[&helpdesk.to_string()], "owner");
    let html = page(&app, &root, &format!("{tab}?notice=transferred")).await;
    assert!(html.contains("Ownership transferred.") && row(&html, helpdesk).contains("Developer"), "{html}");
});

on_both_backends!(the_guided_delete_transfers_and_deletes_in_one_step, |app| async move {
    let org = app.seed_org().await;
    let root = app.login_admin().await;
    let helpdesk = bot(&app, org.alpha, "Helpdesk Bot", &[(org.ann, BotRole::Owner)]).await;
    let sales = bot(&app, org.alpha, "Sales Bot", &[(org.ann, BotRole::Owner)]).await;
    let confirm = format!("/admin/users/{}/delete", org.ann);
    let action = format!("/admin/users/{}/transfer-and-delete", org.ann);

    // A Master Admin sees the bots and why there is no button.
    let master = app.login_master_admin(&org).await;
    let html = page(&app, &master, &confirm).await;
    assert!(
        html.contains("Helpdesk Bot") && html.contains("Sales Bot") && html.contains("id=\"transfer-needed\""),
        "{html}"
    );
    assert!(!html.contains("id=\"transfer-and-delete\"") && !html.contains("id=\"confirm-delete\""), "{html}");

    let html = page(&app, &root, &confirm).await;
    assert!(html.contains(&format!("action=\"{action}\"")) && html.contains("id=\"successor-all\""), "{html}");
    assert!(
        html.contains(&format!("name=\"successor_{helpdesk}\""))
            && html.contains(&format!("name=\"successor_{sales}\""))
    );
    let csrf = csrf_of(&html);
    let helpdesk_field = format!("successor_{helpdesk}");

    // A successor outside Alpha: nothing changes, the page comes back with the typed values.
    let bad = [
        ("csrf", csrf.as_str()),
        ("successor_all", "bob.baker@example.com"),
        (&helpdesk_field, "cat.cooper@example.com"),
        ("confirm", "on"),
    ];
    let res = post(&app, &root, &action, &bad).await;
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    let html = res.text().await.expect("html");
    assert!(
        html.contains("id=\"guided-error\"") && html.contains("Sales Bot") && html.contains("not an active member"),
        "{html}"
    );
    assert!(
        html.contains("value=\"bob.baker@example.com\"") && html.contains("value=\"cat.cooper@example.com\""),
        "{html}"
    );
    let (status, _) = app.get_json(&root, &format!("/api/v1/users/{}", org.ann)).await;
    assert_eq!(status, StatusCode::OK);
    let before = owners(&app, &root).await;
    assert_eq!(before[&helpdesk.to_string()], "ann.archer@example.com");
    assert_eq!(before[&sales.to_string()], "ann.archer@example.com");

    // Without the confirmation box: refused too.
    let good =
        [("csrf", csrf.as_str()), ("successor_all", "Alma Alvarez"), (&helpdesk_field, "cat.cooper@example.com")];
    let res = post(&app, &root, &action, &good).await;
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    assert!(res.text().await.expect("html").contains("confirm"));

    let mut confirmed = good.to_vec();
    confirmed.push(("confirm", "on"));
    let res = post(&app, &root, &action, &confirmed).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&res), "/admin/users?notice=deleted");
    let (status, _) = app.get_json(&root, &format!("/api/v1/users/{}", org.ann)).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let after = owners(&app, &root).await;
    assert_eq!(after[&helpdesk.to_string()], "cat.cooper@example.com");
    assert_eq!(after[&sales.to_string()], "alpha.admin@example.com");
});

on_both_backends!(the_bots_page_lists_filters_and_creates, |app| async move {
    let org = app.seed_org().await;
    let root = app.login_admin().await;
    let helpdesk = bot(&app, org.alpha, "Helpdesk Bot", &[(org.ann, BotRole::Owner), (org.cat, BotRole::Tester)]).await;
    bot(&app, org.beta, "Billing Bot", &[(org.bob, BotRole::Owner)]).await;
    let html = page(&app, &root, "/admin/bots").await;
    assert!(html.contains("aria-current=\"page\">Bots") || html.contains("id=\"nav-bots\" aria-current"), "{html}");
    let start = html.find(&format!("id=\"bot-{helpdesk}\"")).expect("the helpdesk row");
    let helpdesk_row = &html[start..start + html[start..].find("</tr>").unwrap()];
    assert!(
        helpdesk_row.contains("Ann Archer")
            && helpdesk_row.contains("ann.archer@example.com")
            && helpdesk_row.contains("<td>2</td>"),
        "{helpdesk_row}"
    );
    assert!(html.contains("Billing Bot") && html.contains("id=\"create-bot\""), "{html}");
    let alpha = page(&app, &root, &format!("/admin/bots?workspace_id={}", org.alpha)).await;
    assert!(alpha.contains("Helpdesk Bot") && !alpha.contains("Billing Bot"), "{alpha}");
    let csrf = csrf_of(&html);

    let beta = org.beta.to_string();
    let res = post(
        &app,
        &root,
        "/admin/bots",
        &[("csrf", &csrf), ("name", "Ops Bot"), ("workspace_id", &beta), ("owner", "cat.cooper@example.com")],
    )
    .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&res), "/admin/bots?notice=created");
    let created: Vec<Value> = app.get_json(&root, "/api/v1/bots").await.1["items"].as_array().unwrap().clone();
    let ops = created.iter().find(|b| b["name"] == "Ops Bot").expect("Ops Bot");
    assert_eq!(ops["owner"]["email"], "cat.cooper@example.com");
    assert_eq!(ops["workspace"]["name"], "Beta");

    // An owner outside the workspace: refused beside the form, the typed name kept.
    let alpha_id = org.alpha.to_string();
    let res = post(
        &app,
        &root,
        "/admin/bots",
        &[("csrf", &csrf), ("name", "Stray Bot"), ("workspace_id", &alpha_id), ("owner", "bob.baker@example.com")],
    )
    .await;
    assert!(res.status().is_client_error(), "{}", res.status());
    let html = res.text().await.expect("html");
    assert!(html.contains("id=\"create-error\"") && html.contains("value=\"Stray Bot\""), "{html}");
    assert!(!owners(&app, &root).await.is_empty());
    let names: Vec<Value> = app.get_json(&root, "/api/v1/bots").await.1["items"].as_array().unwrap().clone();
    assert!(!names.iter().any(|b| b["name"] == "Stray Bot"));
});
