//! Redirect targets taken from input (sign-in's `next`, the workspace switcher's and the
//! bulk actions' `back`) lead only to paths on this site (issue 10.3): the browser-dropped
//! tab of `/%09/evil.example` and its raw and doubly encoded forms land on a local page.
//! The full corpus of bypasses is `web::redirect`'s unit test; this drives the real server.

use crate::on_both_backends;
use crate::support::app::{ADMIN_EMAIL, PASSWORD, TestApp, client, csrf_of};
use reqwest::StatusCode;
use reqwest::header::LOCATION;

/// Targets a browser would follow off-site (the tab is dropped, `\` read as `/`).
const OFF_SITE: &[&str] = &["/%09/evil.example", "/\t/evil.example", "/%2509/evil.example", "/%5c/evil.example"];

async fn location(res: reqwest::Response) -> String {
    assert_eq!(res.status(), StatusCode::SEE_OTHER, "{}", res.text().await.unwrap_or_default());
    res.headers()[LOCATION].to_str().unwrap().to_owned()
}

async fn sign_in_to(app: &TestApp, c: &reqwest::Client, next: &str) -> String {
    let form = [("email", ADMIN_EMAIL), ("password", PASSWORD), ("next", next)];
    location(c.post(app.url("/login")).form(&form).send().await.unwrap()).await
}

on_both_backends!(sign_in_next_goes_only_to_local_pages, |app| async move {
    for next in OFF_SITE {
        assert_eq!(sign_in_to(&app, &client(), next).await, "/", "next={next:?}");
    }
    let page = app.get(&client(), "/login?next=%2F%2509%2Fevil.example").await.text().await.unwrap();
    assert!(page.contains("name=\"next\" value=\"/\""), "the form carries the start page: {page}");
    let local = "/admin/users?q=ann+archer&status=active";
    assert_eq!(sign_in_to(&app, &client(), local).await, local, "a local page with its filters");
});

on_both_backends!(the_switcher_and_bulk_actions_go_back_only_to_local_pages, |app| async move {
    let org = app.seed_org().await;
    let admin = client();
    sign_in_to(&app, &admin, "/").await;
    let html = app.get(&admin, "/admin/users").await.text().await.unwrap();
    let csrf = csrf_of(&html);
    let ws = org.default_ws.to_string();
    for back in OFF_SITE {
        let form = [("csrf", csrf.as_str()), ("workspace", ws.as_str()), ("back", back)];
        let to = location(admin.post(app.url("/me/workspace")).form(&form).send().await.unwrap()).await;
        assert_eq!(to, "/", "switcher back={back:?}");
        let form = [("csrf", csrf.as_str()), ("back", back), ("action", "suspend")];
        let to = location(admin.post(app.url("/admin/users/bulk")).form(&form).send().await.unwrap()).await;
        assert_eq!(to, "/admin/users?notice=none_selected", "bulk back={back:?}");
    }
    let form = [("csrf", csrf.as_str()), ("workspace", ws.as_str()), ("back", "/admin/groups")];
    let to = location(admin.post(app.url("/me/workspace")).form(&form).send().await.unwrap()).await;
    assert_eq!(to, "/admin/groups");
});
