//! The users list's total, Previous/Next and Clear filters, over the API and the page, and
//! which workspace invitees join (issue 13): the total is exact up to 10,000 and "10,000+"
//! beyond; paging backwards visits the same pages as paging forwards, also where the page
//! boundary falls among users of the same name; a refused workspace invites nobody.

use crate::on_both_backends;
use crate::support::app::{PASSWORD, TestApp, emails};
use crate::support::org::Org;
use crate::support::roles::CustomAdmin;
use app::clock;
use domain::ids::{UserId, WorkspaceId};
use domain::permission::Permission;
use domain::user::{BuilderAccess, Email, PersonName, UserStatus};
use reqwest::StatusCode;
use serde_json::{Value, json};
use store::users::NewUser;

/// `n` active users all named "Sam Same" (ties on the name sort), in `workspace`.
async fn namesakes(app: &TestApp, org: &Org, n: usize, workspace: WorkspaceId) {
    let now = clock::now();
    let users = (0..n)
        .map(|i| NewUser {
            id: UserId::new(),
            account_id: org.account,
            email: Email::try_from(format!("sam.same.{i}@example.com").as_str()).expect("email"),
            first_name: PersonName::parse("first_name", "Sam").expect("first"),
            last_name: PersonName::parse("last_name", "Same").expect("last"),
            status: UserStatus::Active,
            builder_access: BuilderAccess::None,
            is_primary_admin: false,
            admin_role_id: None,
            password_hash: None,
            invited_at: None,
            last_login_at: None,
            created_at: now,
            workspaces: vec![workspace],
        })
        .collect();
    let batch = store::seed::Batch { users, ..Default::default() };
    store::seed::insert(&app.db, &batch).await.expect("insert namesakes");
}

/// The pages of `query` from the first, following `next_cursor`; each page's JSON.
async fn pages_forward(app: &TestApp, c: &reqwest::Client, query: &str) -> Vec<Value> {
    let mut pages = Vec::new();
    let mut path = format!("/api/v1/users?{query}");
    loop {
        let (status, page) = app.get_json(c, &path).await;
        assert_eq!(status, StatusCode::OK, "{path}: {page}");
        let next = page["next_cursor"].as_str().map(|n| format!("/api/v1/users?{query}&cursor={n}"));
        pages.push(page);
        match next {
            Some(p) => path = p,
            None => return pages,
        }
        assert!(pages.len() < 100, "paging ends");
    }
}

fn items(page: &Value) -> Vec<String> {
    emails(page["items"].as_array().expect("items"))
}

on_both_backends!(the_api_counts_the_matches_and_pages_back_the_way_it_came_across_ties, |app| async move {
    let org = app.seed_org().await;
    namesakes(&app, &org, 7, org.default_ws).await;
    let c = app.login_admin().await;
    // 9 seeded users of the account + 7 namesakes; limit 3 puts page ends among the ties.
    for order in ["asc", "desc"] {
        let query = format!("sort=name&order={order}&limit=3");
        let forward = pages_forward(&app, &c, &query).await;
        assert_eq!(forward.len(), 6, "16 users in pages of 3");
        for page in &forward {
            assert_eq!((page["total"].as_u64(), page["total_is_lower_bound"].as_bool()), (Some(16), Some(false)));
        }
        assert!(forward[0]["prev_cursor"].is_null(), "the first page has no previous page");
        assert!(forward.iter().skip(1).all(|p| p["prev_cursor"].is_string()), "every later page has one");
        let all: Vec<String> = forward.iter().flat_map(items).collect();
        let mut unique = all.clone();
        unique.sort();
        unique.dedup();
        assert_eq!(unique.len(), 16, "each user once: {all:?}");
        // Back from the last page, one page at a time: the same pages, in reverse.
        let mut back = vec![forward.last().unwrap().clone()];
        while let Some(prev) = back.last().unwrap()["prev_cursor"].as_str().map(str::to_owned) {
            let (status, page) = app.get_json(&c, &format!("/api/v1/users?{query}&cursor={prev}")).await;
            assert_eq!(status, StatusCode::OK, "{page}");
            back.push(page);
            assert!(back.len() <= forward.len(), "back went further than forward");
        }
        back.reverse();
        assert_eq!(
            back.iter().map(items).collect::<Vec<_>>(),
            forward.iter().map(items).collect::<Vec<_>>(),
            "{order}"
        );
        assert!(back[0]["prev_cursor"].is_null() && back[0]["next_cursor"].is_string());
    }
    // The total follows the filters; a previous cursor of another sort is refused by name.
    let (_, sams) = app.get_json(&c, "/api/v1/users?q=sam.same&limit=2").await;
    assert_eq!((sams["total"].as_u64(), sams["items"].as_array().unwrap().len()), (Some(7), 2));
    let (_, second) = app
        .get_json(&c, &format!("/api/v1/users?q=sam.same&limit=2&cursor={}", sams["next_cursor"].as_str().unwrap()))
        .await;
    let prev = second["prev_cursor"].as_str().unwrap();
    let (status, refused) =
        app.get_json(&c, &format!("/api/v1/users?q=sam.same&limit=2&sort=email&cursor={prev}")).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(refused["invalid_params"][0]["name"], "cursor", "{refused}");
});

on_both_backends!(beyond_ten_thousand_the_total_is_a_lower_bound, |app| async move {
    let org = app.seed_org().await;
    namesakes(&app, &org, 10_000, org.alpha).await;
    let c = app.login_admin().await;
    let (_, page) = app.get_json(&c, "/api/v1/users?limit=25").await;
    assert_eq!((page["total"].as_u64(), page["total_is_lower_bound"].as_bool()), (Some(10_000), Some(true)));
    let (status, beta) = app.get_json(&c, &format!("/api/v1/users?workspace={}", org.beta)).await;
    assert_eq!(status, StatusCode::OK, "{beta}");
    assert_eq!((beta["total"].as_u64(), beta["total_is_lower_bound"].as_bool()), (Some(3), Some(false)));
    let html = app.get(&c, "/admin/users").await.text().await.unwrap();
    assert!(html.contains(">1–25 of 10,000+ users<"), "{}", &html[html.find("user-count").unwrap_or(0)..][..200]);
});

/// The `href` of the element with `id` on `html`, its `&` unescaped.
fn href_of(html: &str, id: &str) -> Option<String> {
    let at = html.find(&format!("id=\"{id}\""))?;
    let tag_start = html[..at].rfind('<')?;
    let tag = &html[tag_start..tag_start + html[tag_start..].find('>')?];
    let href = tag.split("href=\"").nth(1)?.split('"').next()?;
    Some(href.replace("&#38;", "&").replace("&amp;", "&"))
}

fn count_of(html: &str) -> String {
    let start = html.find("id=\"user-count\"").expect("the count");
    let text = &html[start..];
    text[text.find('>').unwrap() + 1..text.find("</p>").unwrap()].to_owned()
}

on_both_backends!(the_page_shows_the_total_previous_next_and_clear_filters, |app| async move {
    let org = app.seed_org().await;
    namesakes(&app, &org, 7, org.default_ws).await;
    let c = app.login_admin().await;
    let page = |path: String| {
        let (app, c) = (&app, c.clone());
        async move {
            let res = app.get(&c, &path).await;
            assert_eq!(res.status(), StatusCode::OK, "{path}");
            res.text().await.unwrap()
        }
    };
    let first = page("/admin/users?limit=5".into()).await;
    assert_eq!(count_of(&first), "1–5 of 16 users");
    assert!(href_of(&first, "prev-page").is_none(), "the first page has no Previous");
    assert!(href_of(&first, "clear-filters").is_none(), "no filter to clear");
    let second = page(href_of(&first, "next-page").expect("Next")).await;
    assert_eq!(count_of(&second), "6–10 of 16 users");
    let fourth = page(href_of(&page(href_of(&second, "next-page").unwrap()).await, "next-page").unwrap()).await;
    assert_eq!(count_of(&fourth), "16 of 16 users");
    assert!(href_of(&fourth, "next-page").is_none(), "the last page has no Next");
    let third = page(href_of(&fourth, "prev-page").expect("Previous")).await;
    assert_eq!(count_of(&third), "11–15 of 16 users");
    let back = page(href_of(&page(href_of(&third, "prev-page").unwrap()).await, "prev-page").unwrap()).await;
    assert_eq!(count_of(&back), "1–5 of 16 users");
    assert!(href_of(&back, "prev-page").is_none(), "back on the first page");
    let rows = |html: &str| html.matches("<tr data-href=").count();
    assert_eq!((rows(&first), rows(&back)), (5, 5));

    // A filter or a search offers Clear filters, which keeps the sort and page size.
    let filtered = page(format!("/admin/users?q=same&workspace={}&sort=email&limit=5", org.default_ws)).await;
    assert_eq!(count_of(&filtered), "1–5 of 7 users");
    let clear = href_of(&filtered, "clear-filters").expect("Clear filters");
    assert!(clear.contains("sort=email") && clear.contains("limit=5"), "{clear}");
    assert!(!clear.contains("q=") && !clear.contains("workspace="), "{clear}");
    assert_eq!(count_of(&page(clear).await), "1–5 of 16 users");

    // An empty result names the filters and offers to clear them.
    let empty = page(format!("/admin/users?q=nobody&status=locked&workspace={}", org.beta)).await;
    assert_eq!(count_of(&empty), "No users");
    let message = &empty[empty.find("id=\"no-users\"").expect("the empty row")..];
    let message = &message[..message.find("</td>").unwrap()];
    for named in ["Search “nobody”", "Status: Locked", "Workspace: Beta"] {
        assert!(message.contains(named), "{named} in {message}");
    }
    assert!(href_of(&empty, "empty-clear-filters").is_some(), "{message}");
});

/// The `<select id="workspace-id">` of the invite page: its (value, label, selected) options.
fn workspace_options(html: &str) -> Vec<(String, String, bool)> {
    let start = html.find("id=\"workspace-id\"").expect("the workspace choice");
    let select = &html[start..start + html[start..].find("</select>").unwrap()];
    select
        .split("<option ")
        .skip(1)
        .map(|o| {
            let value = o.split("value=\"").nth(1).unwrap().split('"').next().unwrap().to_owned();
            let label = o[o.find('>').unwrap() + 1..o.find("</option>").unwrap()].to_owned();
            (value, label, o[..o.find('>').unwrap()].contains("selected"))
        })
        .collect()
}

async fn workspaces_of(app: &TestApp, c: &reqwest::Client, email: &str) -> Vec<String> {
    let (_, found) = app.get_json(c, &format!("/api/v1/users?q={email}")).await;
    let id = found["items"][0]["id"].as_str().unwrap_or_else(|| panic!("{email} exists: {found}")).to_owned();
    let (_, user) = app.get_json(c, &format!("/api/v1/users/{id}")).await;
    user["workspaces"].as_array().unwrap().iter().map(|w| w["name"].as_str().unwrap().to_owned()).collect()
}

on_both_backends!(invitees_join_the_workspace_chosen_among_those_the_admin_may_invite_into, |app| async move {
    let org = app.seed_org().await;
    let inviter = CustomAdmin {
        email: "alpha.inviter@example.com",
        role_name: "Alpha Inviter",
        permissions: &[Permission::UsersView, Permission::UsersInvite],
        scope: Some(vec![org.alpha, org.beta]),
        workspaces: vec![org.alpha],
    };
    app.add_custom_admin(org.account, inviter).await;
    let c = app.login("alpha.inviter@example.com", PASSWORD).await;
    let html = app.get(&c, "/admin/users/invite").await.text().await.unwrap();
    let offered = workspace_options(&html);
    let labels: Vec<&str> = offered.iter().map(|(_, l, _)| l.as_str()).collect();
    assert_eq!(labels, ["Alpha", "Beta"], "only the workspaces of the role's scope");
    assert_eq!(offered.iter().filter(|o| o.2).count(), 1, "one preselected");
    let csrf = crate::support::app::csrf_of(&html);
    let post = async |fields: &[(&str, &str)]| {
        let res = c.post(app.url("/admin/users/invite")).form(fields).send().await.unwrap();
        (res.status(), res.text().await.unwrap())
    };
    let beta = org.beta.to_string();
    let (status, html) =
        post(&[("csrf", csrf.as_str()), ("emails", "into.beta@example.com"), ("workspace_id", beta.as_str())]).await;
    assert_eq!(status, StatusCode::OK, "{html}");
    assert!(html.contains("invite-invited"), "{html}");
    assert_eq!(workspaces_of(&app, &c, "into.beta").await, ["Beta"]);
    assert!(workspace_options(&html).iter().any(|(v, _, selected)| *v == beta && *selected), "the choice is kept");

    // The Default workspace is outside this admin's scope: refused beside the choice, nobody invited.
    let outside = org.default_ws.to_string();
    for refused in [outside.as_str(), "not-an-id"] {
        let (status, html) =
            post(&[("csrf", csrf.as_str()), ("emails", "nowhere@example.com"), ("workspace_id", refused)]).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{refused}");
        assert!(html.contains("id=\"workspace-id-error\""), "{html}");
        assert!(html.contains("aria-invalid=\"true\""), "tied to the field: {html}");
        assert!(html.contains("nowhere@example.com"), "the typed addresses are kept");
    }

    // The API takes the same choice, by `workspace_id`.
    let admin = app.login_admin().await;
    let res = app
        .post_json(&c, "/api/v1/invitations", &json!({"emails": ["api.beta@example.com"], "workspace_id": beta}))
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(workspaces_of(&app, &admin, "api.beta").await, ["Beta"]);
    let body = json!({"emails": ["api.nowhere@example.com"], "workspace_id": outside});
    let res = app.post_json(&c, "/api/v1/invitations", &body).await;
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    let problem: Value = res.json().await.unwrap();
    assert_eq!(problem["invalid_params"][0]["name"], "workspace_id", "{problem}");
    for email in ["nowhere", "api.nowhere"] {
        let (_, found) = app.get_json(&admin, &format!("/api/v1/users?q={email}")).await;
        assert_eq!(found["total"], 0, "{email} was not invited");
    }
    // Without a choice, invitees join the admin's current workspace (Alpha, theirs).
    let res = app.post_json(&c, "/api/v1/invitations", &json!({"emails": ["api.default@example.com"]})).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(workspaces_of(&app, &admin, "api.default").await, ["Alpha"]);
});
