//! The More menu of the User Details page, over HTTP without JavaScript: suspend and
//! activate through the page forms, a refused delete of a bot owner shows the reason with
//! 409, the delete confirmation page then the delete, and a forged form token changes nothing.

use crate::on_both_backends;
use crate::support::app::TestApp;
use domain::bot::BotRole;
use domain::ids::{BotId, UserId};
use reqwest::StatusCode;
use reqwest::header::LOCATION;

/// The CSRF token of the first form on `html`.
fn csrf_of(html: &str) -> String {
    let marker = "name=\"csrf\" value=\"";
    let start = html.find(marker).expect("a CSRF field") + marker.len();
    html[start..].split('"').next().expect("a closing quote").to_owned()
}

async fn page(app: &TestApp, c: &reqwest::Client, path: &str) -> String {
    let res = app.get(c, path).await;
    assert_eq!(res.status(), StatusCode::OK, "{path}");
    res.text().await.expect("html")
}

async fn post(app: &TestApp, c: &reqwest::Client, path: &str, csrf: &str) -> reqwest::Response {
    c.post(app.url(path)).form(&[("csrf", csrf)]).send().await.expect("post")
}

/// A confirmed POST: the form's second sending, from the confirm page or dialog.
async fn confirmed(app: &TestApp, c: &reqwest::Client, path: &str, csrf: &str) -> reqwest::Response {
    c.post(app.url(path)).form(&[("csrf", csrf), ("confirmed", "yes")]).send().await.expect("post")
}

async fn status_of(app: &TestApp, c: &reqwest::Client, user: UserId) -> String {
    let (status, body) = app.get_json(c, &format!("/api/v1/users/{user}")).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body["status"].as_str().expect("a status").to_owned()
}

on_both_backends!(the_more_menu_suspends_and_activates_a_user, |app| async move {
    let org = app.seed_org().await;
    let root = app.login_admin().await;
    let profile = format!("/admin/users/{}", org.ann);
    let html = page(&app, &root, &profile).await;
    assert!(html.contains("<details class=\"more-menu\""), "{html}");
    assert!(html.contains("id=\"action-suspend\"") && !html.contains("id=\"action-activate\""), "{html}");
    assert!(!html.contains("id=\"action-resend-invitation\""), "Ann is not invited: {html}");
    assert!(html.contains("id=\"action-reset-password\"") && html.contains("id=\"action-kill-all-sessions\""));
    assert!(html.contains(&format!("href=\"{profile}/delete\"")), "{html}");
    // Only the Primary Master Admin is offered Transfer Ownership (on the Manage Bots tab).
    assert!(html.contains(&format!("href=\"{profile}/bots\" class=\"button secondary\" id=\"action-transfer\"")));
    let csrf = csrf_of(&html);

    // Suspend asks first (the confirm page without JS; a dialog with it): nothing changes yet.
    let res = post(&app, &root, &format!("{profile}/suspend"), &csrf).await;
    assert_eq!(res.status(), StatusCode::OK);
    let ask = res.text().await.expect("html");
    assert!(ask.contains("Suspend Ann Archer?") && ask.contains("name=\"confirmed\" value=\"yes\""), "{ask}");
    assert!(ask.contains(&format!("action=\"{profile}/suspend\"")) && ask.contains("id=\"confirm-cancel\""), "{ask}");
    assert_eq!(status_of(&app, &root, org.ann).await, "active", "asking changes nothing");
    let res = confirmed(&app, &root, &format!("{profile}/suspend"), &csrf).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(res.headers()[LOCATION], format!("{profile}?notice=suspended").as_str());
    assert_eq!(status_of(&app, &root, org.ann).await, "suspended");
    let html = page(&app, &root, &format!("{profile}?notice=suspended")).await;
    assert!(html.contains("User suspended."), "{html}");
    assert!(html.contains("id=\"action-activate\"") && !html.contains("id=\"action-suspend\""), "{html}");

    let res = post(&app, &root, &format!("{profile}/activate"), &csrf).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(res.headers()[LOCATION], format!("{profile}?notice=activated").as_str());
    assert_eq!(status_of(&app, &root, org.ann).await, "active");
    assert!(page(&app, &root, &format!("{profile}?notice=activated")).await.contains("User activated."));

    let res = post(&app, &root, &format!("{profile}/reset-password"), &csrf).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert!(res.text().await.expect("html").contains("Reset Ann Archer&#39;s password?"));
    let res = confirmed(&app, &root, &format!("{profile}/reset-password"), &csrf).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(res.headers()[LOCATION], format!("{profile}?notice=reset_sent").as_str());
    let res = post(&app, &root, &format!("{profile}/sessions/kill-all"), &csrf).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert!(res.headers()[LOCATION].to_str().expect("ascii").starts_with(&format!("{profile}/sessions?notice=ended")));

    // An invited user cannot be activated: the refusal shows with its status.
    let eve = format!("/admin/users/{}", org.eve);
    let html = page(&app, &root, &eve).await;
    assert!(html.contains("id=\"action-resend-invitation\"") && !html.contains("id=\"action-reset-password\""));
    let res = post(&app, &root, &format!("{eve}/activate"), &csrf).await;
    assert_eq!(res.status(), StatusCode::CONFLICT);
    assert!(res.text().await.expect("html").contains("invited"));
    let res = post(&app, &root, &format!("{eve}/resend-invitation"), &csrf).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(res.headers()[LOCATION], format!("{eve}?notice=invitation_resent").as_str());
    assert_eq!(status_of(&app, &root, org.eve).await, "invited");
    // Suspended before accepting, she comes back invited (no password, no SSO), told so.
    let res = confirmed(&app, &root, &format!("{eve}/suspend"), &csrf).await;
    assert_eq!(res.headers()[LOCATION], format!("{eve}?notice=suspended").as_str());
    assert_eq!(status_of(&app, &root, org.eve).await, "suspended");
    let res = post(&app, &root, &format!("{eve}/activate"), &csrf).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(res.headers()[LOCATION], format!("{eve}?notice=reinvited").as_str());
    assert!(page(&app, &root, &format!("{eve}?notice=reinvited")).await.contains("they are invited again"));
    assert_eq!(status_of(&app, &root, org.eve).await, "invited");
});

on_both_backends!(deleting_from_the_page_confirms_first_and_names_owned_bots, |app| async move {
    let org = app.seed_org().await;
    let root = app.login_admin().await;
    let now = app::clock::now();
    store::bots::create(&app.db, BotId::new(), org.alpha, "Helpdesk Bot", &[(org.ann, BotRole::Owner)], now)
        .await
        .expect("bot");
    let ann = format!("/admin/users/{}", org.ann);
    let csrf = csrf_of(&page(&app, &root, &ann).await);

    // The bot owner: refused with 409, naming the bot; Ann stays.
    let res = post(&app, &root, &format!("{ann}/delete"), &csrf).await;
    assert_eq!(res.status(), StatusCode::CONFLICT);
    let html = res.text().await.expect("html");
    assert!(html.contains("Helpdesk Bot"), "{html}");
    assert_eq!(status_of(&app, &root, org.ann).await, "active");

    // Bob: the confirmation page, then the delete; he is gone from the list.
    let bob = format!("/admin/users/{}", org.bob);
    let html = page(&app, &root, &format!("{bob}/delete")).await;
    assert!(html.contains("Delete Bob") && html.contains("restorable for 30 days"), "{html}");
    assert!(html.contains(&format!("action=\"{bob}/delete\"")), "{html}");
    let res = post(&app, &root, &format!("{bob}/delete"), &csrf_of(&html)).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(res.headers()[LOCATION], "/admin/users?notice=deleted");
    let list = page(&app, &root, "/admin/users?notice=deleted").await;
    assert!(list.contains("User deleted."), "{list}");
    assert!(!list.contains("bob.baker@example.com") && list.contains("ann.archer@example.com"), "{list}");
    let (status, _) = app.get_json(&root, &format!("/api/v1/users/{}", org.bob)).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
});

on_both_backends!(a_forged_form_token_changes_nothing, |app| async move {
    let org = app.seed_org().await;
    let root = app.login_admin().await;
    let ann = format!("/admin/users/{}", org.ann);
    for action in ["suspend", "reset-password", "delete"] {
        let res = post(&app, &root, &format!("{ann}/{action}"), "forged").await;
        assert_eq!(res.status(), StatusCode::FORBIDDEN, "{action}");
        assert!(res.text().await.expect("html").contains("This form has expired"), "{action}");
    }
    let res = post(&app, &root, &format!("/admin/users/{}/activate", org.dan), "").await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    assert_eq!(status_of(&app, &root, org.ann).await, "active");
    assert_eq!(status_of(&app, &root, org.dan).await, "suspended");
    let (status, _) = app.get_json(&root, &format!("/api/v1/users/{}", org.ann)).await;
    assert_eq!(status, StatusCode::OK);
});
