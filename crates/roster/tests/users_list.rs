//! `GET /api/v1/users`: search, filters, sorts and keyset paging.

use crate::on_both_backends;
use crate::support::app::emails;
use reqwest::StatusCode;

fn sorted(mut v: Vec<String>) -> Vec<String> {
    v.sort();
    v
}

on_both_backends!(the_list_is_sorted_by_name_by_default_and_pages_with_a_cursor, |app| async move {
    app.seed_org().await;
    let c = app.login_admin().await;
    let (status, first) = app.get_json(&c, "/api/v1/users?limit=3").await;
    assert_eq!(status, StatusCode::OK);
    let names: Vec<String> = first["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| format!("{} {}", u["first_name"].as_str().unwrap(), u["last_name"].as_str().unwrap()))
        .collect();
    assert_eq!(names, ["Alma Alvarez", "Ann Archer", "Aud Itor"]);
    assert!(first["next_cursor"].is_string());
    let all = app.list_all(&c, "limit=3").await;
    // 9 users of this account: root admin + 8 seeded; none from the other account.
    assert_eq!(all.len(), 9, "{:?}", emails(&all));
    assert!(!emails(&all).contains(&"outsider@other.example".to_owned()));
    let one_page = app.get_json(&c, "/api/v1/users?limit=100").await.1;
    assert_eq!(emails(one_page["items"].as_array().unwrap()), emails(&all), "paging walks the same order");
    assert!(one_page["next_cursor"].is_null());
});

on_both_backends!(every_sort_orders_correctly_in_both_directions, |app| async move {
    app.seed_org().await;
    let c = app.login_admin().await;
    let asc = emails(&app.list_all(&c, "sort=email&limit=2").await);
    assert_eq!(asc, sorted(asc.clone()));
    let desc = emails(&app.list_all(&c, "sort=email&order=desc&limit=2").await);
    assert_eq!(desc, asc.iter().rev().cloned().collect::<Vec<_>>());
    for sort in ["status", "last_login", "created", "name"] {
        for order in ["asc", "desc"] {
            let paged = app.list_all(&c, &format!("sort={sort}&order={order}&limit=2")).await;
            let whole = app.get_json(&c, &format!("/api/v1/users?sort={sort}&order={order}&limit=100")).await.1;
            assert_eq!(emails(&paged), emails(whole["items"].as_array().unwrap()), "{sort} {order}");
            assert_eq!(sorted(emails(&paged)), sorted(asc.clone()), "{sort} {order}: every user exactly once");
        }
    }
    let statuses: Vec<String> = app
        .list_all(&c, "sort=status&limit=4")
        .await
        .iter()
        .map(|u| u["status"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(statuses, sorted(statuses.clone()));
    // The admin signed in just now, so sorting by last login descending puts them first.
    let recent = app.get_json(&c, "/api/v1/users?sort=last_login&order=desc&limit=1").await.1;
    assert_eq!(recent["items"][0]["email"], crate::support::app::ADMIN_EMAIL);
});

on_both_backends!(search_matches_substrings_of_name_or_email_ignoring_case, |app| async move {
    app.seed_org().await;
    let c = app.login_admin().await;
    let q = |q: &'static str| {
        let c = c.clone();
        let app = &app;
        async move { sorted(emails(&app.list_all(&c, &format!("q={q}")).await)) }
    };
    assert_eq!(q("ARCH").await, ["ann.archer@example.com"], "case-insensitive, middle of a last name");
    assert_eq!(q("cooper%40exa").await, ["cat.cooper@example.com"], "part of an email");
    assert_eq!(q("n+arc").await, ["ann.archer@example.com"], "across first and last name");
    // One or two characters match the start of a first name, last name or email.
    assert_eq!(q("DU").await, ["dan.dunn@example.com"], "two characters: the start of a last name");
    assert_eq!(q("nn").await, Vec::<String>::new(), "two characters inside a name are not a start");
    assert_eq!(q("%25").await, Vec::<String>::new(), "wildcards are literal");
    assert_eq!(q("%22").await, Vec::<String>::new(), "quotes are literal");
    assert_eq!(q("otto").await, Vec::<String>::new(), "never another account");
});

on_both_backends!(filters_narrow_the_list, |app| async move {
    let org = app.seed_org().await;
    let c = app.login_admin().await;
    let get = |query: String| {
        let c = c.clone();
        let app = &app;
        async move { sorted(emails(&app.list_all(&c, &query).await)) }
    };
    assert_eq!(get("status=suspended".into()).await, ["dan.dunn@example.com"]);
    assert_eq!(get("status=invited".into()).await, ["eve.evans@example.com"]);
    assert_eq!(
        get(format!("workspace={}", org.beta)).await,
        ["bob.baker@example.com", "cat.cooper@example.com", "eve.evans@example.com"]
    );
    assert_eq!(get(format!("group={}", org.alpha_team)).await, ["ann.archer@example.com", "cat.cooper@example.com"]);
    assert_eq!(get("role=primary_master_admin".into()).await, [crate::support::app::ADMIN_EMAIL]);
    assert_eq!(get(format!("role={}", org.alpha_admin_role)).await, ["alpha.admin@example.com"]);
    assert_eq!(get("role=master_admin".into()).await, Vec::<String>::new());
    assert_eq!(get("role=member".into()).await.len(), 6);
    assert_eq!(get("builder_access=builder".into()).await, Vec::<String>::new());
    assert_eq!(
        get(format!("status=active&workspace={}&q=coo", org.alpha)).await,
        ["cat.cooper@example.com"],
        "filters combine"
    );
});

on_both_backends!(one_user_shows_profile_status_groups_role_and_workspaces, |app| async move {
    let org = app.seed_org().await;
    let c = app.login_admin().await;
    let (status, cat) = app.get_json(&c, &format!("/api/v1/users/{}", org.cat)).await;
    assert_eq!(status, StatusCode::OK, "{cat}");
    assert_eq!(cat["email"], "cat.cooper@example.com");
    assert_eq!(cat["status"], "active");
    assert_eq!(cat["account_role"], "Member");
    assert_eq!(cat["builder_access"], "none");
    let ws: Vec<&str> = cat["workspaces"].as_array().unwrap().iter().map(|w| w["name"].as_str().unwrap()).collect();
    assert_eq!(ws, ["Alpha", "Beta"]);
    assert_eq!(cat["groups"][0]["name"], "Alpha Team");
    let eve = app.get_json(&c, &format!("/api/v1/users/{}", org.eve)).await.1;
    assert_eq!(eve["status"], "invited");
    assert!(eve["invited_at"].is_string() && eve["last_login_at"].is_null());
    let admin = app.get_json(&c, &format!("/api/v1/users/{}", org.alpha_admin)).await.1;
    assert_eq!(admin["account_role"], "Alpha Admin");
    assert_eq!(admin["role_kind"], "custom");
});

on_both_backends!(the_users_page_lists_searches_and_opens_a_user, |app| async move {
    let org = app.seed_org().await;
    let c = app.login_admin().await;
    let page = app.get(&c, "/admin/users?q=coop").await;
    assert_eq!(page.status(), StatusCode::OK);
    let html = page.text().await.unwrap();
    assert!(html.contains("cat.cooper@example.com") && !html.contains("ann.archer@example.com"));
    for column in ["Name", "Email Id", "Account Role", "Status"] {
        assert!(html.contains(column), "{column}");
    }
    assert!(html.contains(&format!("/admin/users/{}", org.cat)));
    let detail = app.get(&c, &format!("/admin/users/{}", org.cat)).await.text().await.unwrap();
    assert!(detail.contains("Cat Cooper") && detail.contains("Alpha Team") && detail.contains("(read-only)"));
    let bad = app.get(&c, "/admin/users?limit=0").await;
    assert_eq!(bad.status(), StatusCode::BAD_REQUEST);
    // Beside its control, by the control's label.
    assert!(bad.text().await.unwrap().contains("id=\"limit-error\">Per page must be a whole number"));
});
