//! The audit log read by people (issue 13): one readable line per event, in the API's
//! `summary` and on the page, with the details folded per row; the action filter offers
//! the whole catalogue, grouped; Actor and Target take an email or a name, with
//! suggestions, clear refusals, and deleted and purged users still found.

use crate::on_both_backends;
use crate::sessions::{CHROME_UA, Device, request, send, sign_in};
use crate::support::app::{ADMIN_EMAIL, TestApp};
use crate::support::org::Person;
use domain::closed::{AuditAction, ClosedSet};
use domain::user::UserStatus;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

async fn items(app: &TestApp, who: &Device, query: &str) -> Vec<Value> {
    let (status, body) = send(request(app, who, Method::GET, &format!("/api/v1/audit?limit=1000&{query}"))).await;
    assert_eq!(status, StatusCode::OK, "{query}: {body}");
    body["items"].as_array().unwrap().clone()
}

async fn page(app: &TestApp, who: &Device, query: &str) -> (StatusCode, String) {
    let res = request(app, who, Method::GET, &format!("/admin/audit?{query}")).send().await.unwrap();
    (res.status(), res.text().await.unwrap())
}

fn summaries(items: &[Value], action: &str) -> Vec<String> {
    items.iter().filter(|e| e["action"] == action).map(|e| e["summary"].as_str().unwrap().to_owned()).collect()
}

/// Suspends Ann, ends Cat's sessions with a reason and makes Cat a Master Admin.
async fn admin_story(app: &TestApp, root: &Device, org: &crate::support::org::Org) {
    let path = format!("/api/v1/users/{}/suspend", org.ann);
    assert_eq!(send(request(app, root, Method::POST, &path)).await.0, StatusCode::NO_CONTENT);
    sign_in(app, "cat.cooper@example.com", CHROME_UA).await;
    let kill = format!("/api/v1/users/{}/sessions", org.cat);
    let (status, body) = send(request(app, root, Method::DELETE, &kill).json(&json!({"reason": "lost phone"}))).await;
    assert!(status.is_success(), "{status} {body}");
    let res = request(app, root, Method::GET, &format!("/api/v1/users/{}", org.cat)).send().await.unwrap();
    let tag = res.headers()["etag"].to_str().unwrap().to_owned();
    let master = store::roles::master_role(&app.db, org.account).await.unwrap().unwrap();
    let edit = request(app, root, Method::PATCH, &format!("/api/v1/users/{}", org.cat))
        .header("If-Match", tag)
        .json(&json!({"admin_role_id": master.to_string()}));
    let (status, body) = send(edit).await;
    assert_eq!(status, StatusCode::OK, "{body}");
}

on_both_backends!(each_event_reads_as_one_line_in_the_api_and_on_the_page, |app| async move {
    let org = app.seed_org().await;
    let root = sign_in(&app, ADMIN_EMAIL, CHROME_UA).await;
    admin_story(&app, &root, &org).await;
    let all = items(&app, &root, "").await;
    assert_eq!(summaries(&all, "user.suspended"), ["Root Admin suspended Ann Archer for Default"]);
    assert_eq!(
        summaries(&all, "session.killed_all"),
        ["Root Admin ended all of Cat Cooper's sessions for Default (reason: lost phone)"]
    );
    assert_eq!(
        summaries(&all, "user.updated"),
        ["Root Admin changed Cat Cooper's admin role to Master Admin for Default"]
    );
    assert_eq!(summaries(&all, "login.succeeded"), ["Cat Cooper signed in", "Root Admin signed in"]);
    for e in &all {
        let s = e["summary"].as_str().unwrap();
        assert!(!s.is_empty() && !s.contains('{') && !s.contains(e["action"].as_str().unwrap()), "{e}");
    }

    let (status, html) = page(&app, &root, "").await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("<td class=\"summary\">Root Admin suspended Ann Archer for Default</td>"), "{html}");
    let rows = html.matches("<td class=\"summary\">").count();
    assert_eq!(rows, all.len(), "one line per event");
    assert_eq!(html.matches("<details><summary>Details").count(), rows, "details fold under each row");
    for cell in html.split("<td class=\"summary\">").skip(1) {
        let line = &cell[..cell.find("</td>").unwrap()];
        assert!(!line.contains('{') && !line.contains("&quot;reason"), "no raw JSON in the line: {line}");
    }
    assert!(html.contains("<dt>reason</dt><dd>lost phone</dd>"), "the details hold the values");
    assert!(html.contains("<dt>action</dt><dd>session.killed_all</dd>"));
});

on_both_backends!(the_action_filter_offers_every_action_grouped_by_kind, |app| async move {
    app.seed_org().await;
    let root = sign_in(&app, ADMIN_EMAIL, CHROME_UA).await;
    let (status, html) = page(&app, &root, "action=bot.role_set").await;
    assert_eq!(status, StatusCode::OK);
    let select = &html[html.find("<select id=\"action\"").unwrap()..];
    let select = &select[..select.find("</select>").unwrap()];
    for a in AuditAction::ALL {
        let option = format!("<option value=\"{}\"", a.as_str());
        assert_eq!(select.matches(&option).count(), 1, "{} is offered once", a.as_str());
        assert!(select.contains(&format!(">{}</option>", a.label())), "{} reads {:?}", a.as_str(), a.label());
    }
    for kind in domain::audit::AuditKind::ALL {
        assert!(select.contains(&format!("<optgroup label=\"{}\">", kind.label())), "{kind:?}");
    }
    assert!(select.contains("<option value=\"bot.role_set\" selected>"), "the chosen action stays chosen");
    // Every offered action is one the API filters by.
    for a in AuditAction::ALL {
        items(&app, &root, &format!("action={}", a.as_str())).await;
    }
});

on_both_backends!(actor_and_target_take_an_email_or_a_name_and_refuse_clearly, |app| async move {
    let org = app.seed_org().await;
    let root = sign_in(&app, ADMIN_EMAIL, CHROME_UA).await;
    admin_story(&app, &root, &org).await;
    let by_id = items(&app, &root, &format!("target={}", org.cat)).await;
    assert!(by_id.len() >= 2, "{by_id:?}");
    for who in ["cat.cooper@example.com", "CAT.Cooper@Example.com", "Cat%20Cooper", "%20cat%20%20cooper%20"] {
        assert_eq!(items(&app, &root, &format!("target={who}")).await, by_id, "target={who}");
    }
    let by_root = items(&app, &root, &format!("actor={}", org.admin)).await;
    assert_eq!(items(&app, &root, "actor=Root%20Admin").await, by_root);
    assert_eq!(items(&app, &root, &format!("actor={ADMIN_EMAIL}&target=Ann%20Archer")).await.len(), 1);

    // Two users share a name: the refusal lists them; their emails tell them apart.
    for (email, ws) in [("sam.one@example.com", org.alpha), ("sam.two@example.com", org.beta)] {
        let p =
            Person { email, first: "Sam", last: "Lee", status: UserStatus::Active, workspaces: vec![ws], role: None };
        app.add_user(org.account, p).await;
    }
    let (status, body) =
        send(request(&app, &root, Method::GET, "/api/v1/audit?target=Sam%20Lee&actor=Nobody%20Here")).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    let params = body["invalid_params"].as_array().unwrap();
    let names: Vec<&str> = params.iter().map(|p| p["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["actor", "target"], "both at once: {body}");
    let actor = params[0]["reason"].as_str().unwrap();
    assert!(actor.contains("\"Nobody Here\" names no user"), "{actor}");
    let target = params[1]["reason"].as_str().unwrap();
    assert!(
        target.contains("2 users") && target.contains("sam.one@example.com") && target.contains("sam.two@example.com"),
        "{target}"
    );
    assert!(items(&app, &root, "target=sam.one@example.com").await.is_empty());
    let (status, _) = send(request(&app, &root, Method::GET, "/api/v1/audit?actor=nobody@example.com")).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);

    // The page says so beside each field, and keeps what was typed.
    let (status, html) = page(&app, &root, "target=Sam%20Lee&actor=Nobody%20Here").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let beside = |field: &str| {
        let at = html.find(&format!("id=\"{field}-error\">")).unwrap_or_else(|| panic!("{field}: {html}"));
        html[at..at + html[at..].find("</p>").unwrap()].to_owned()
    };
    let target = beside("target");
    assert!(
        target.contains("Sam Lee")
            && target.contains("is the name of 2 users")
            && target.contains("sam.two@example.com"),
        "{target}"
    );
    assert!(beside("actor").contains("Nobody Here") && beside("actor").contains("names no user"));
    assert!(html.contains("value=\"Sam Lee\"") && html.contains("aria-describedby=\"target-error\""));
});

on_both_backends!(deleted_and_purged_users_are_still_found_by_their_email, |app| async move {
    let org = app.seed_org().await;
    let root = sign_in(&app, ADMIN_EMAIL, CHROME_UA).await;
    let bad = json!({"email": "ann.archer@example.com", "password": "Wrong-Password-1"});
    app.post_json(&crate::support::app::client(), "/api/v1/auth/login", &bad).await;
    for user in [org.ann, org.bob] {
        let (status, body) = send(request(&app, &root, Method::DELETE, &format!("/api/v1/users/{user}"))).await;
        assert!(status.is_success(), "{status} {body}");
    }
    let deleted = items(&app, &root, "target=bob.baker@example.com").await;
    assert_eq!(
        summaries(&deleted, "user.deleted"),
        ["Root Admin deleted Bob Baker for Default"],
        "soft-deleted: still named"
    );
    assert_eq!(items(&app, &root, "target=Bob%20Baker").await, deleted);

    let later = app::clock::now() + app::deletion::RETENTION + app::clock::HOUR;
    assert_eq!(app::deletion::purge_expired(&app.ctx, later).await.unwrap(), 2);
    let ann = items(&app, &root, "target=ann.archer@example.com").await;
    let actions: Vec<&str> = ann.iter().map(|e| e["action"].as_str().unwrap()).collect();
    assert_eq!(actions, ["user.purged", "user.deleted", "login.failed"], "the purge recorded the email");
    assert_eq!(
        ann[1]["summary"], "Root Admin deleted ann.archer@example.com for Default",
        "a purged user is named by the email their purge recorded"
    );
    assert_eq!(ann[2]["summary"], "Sign-in failed for ann.archer@example.com (reason: wrong password)");
    let (status, body) = send(request(&app, &root, Method::GET, "/api/v1/audit?target=Ann%20Archer")).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "a purged user's name is gone: {body}");
});

on_both_backends!(suggestions_come_from_the_account_for_audit_viewers_only, |app| async move {
    let org = app.seed_org().await;
    let auditor = sign_in(&app, "auditor@example.com", CHROME_UA).await;
    let (status, body) = send(request(&app, &auditor, Method::GET, "/api/v1/audit/people?q=arch")).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(
        body["items"],
        json!([{"id": org.ann.to_string(), "email": "ann.archer@example.com", "name": "Ann Archer", "deleted": false}])
    );
    for n in 0..3 {
        let email = format!("extra.{n}@example.com");
        let p = Person {
            email: &email,
            first: "Extra",
            last: "Person",
            status: UserStatus::Active,
            workspaces: vec![org.alpha],
            role: None,
        };
        app.add_user(org.account, p).await;
    }
    let (_, body) = send(request(&app, &auditor, Method::GET, "/api/v1/audit/people?q=example.com")).await;
    assert_eq!(body["items"].as_array().unwrap().len(), 10, "at most ten of twelve");
    let (_, body) = send(request(&app, &auditor, Method::GET, "/api/v1/audit/people?q=other.example")).await;
    assert_eq!(body["items"], json!([]), "never another account's users");
    let (_, body) = send(request(&app, &auditor, Method::GET, "/api/v1/audit/people?q=")).await;
    assert_eq!(body["items"], json!([]));
    let (status, body) =
        send(request(&app, &auditor, Method::GET, &format!("/api/v1/audit/people?q={}", "x".repeat(321)))).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert_eq!(body["invalid_params"][0]["name"], "q");
    let member = sign_in(&app, "member@example.com", CHROME_UA).await;
    let (status, _) = send(request(&app, &member, Method::GET, "/api/v1/audit/people?q=arch")).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "only who may read the log");
    let (_, html) = page(&app, &auditor, "").await;
    assert!(html.contains("list=\"actor-people\" data-suggest=\"/api/v1/audit/people\""), "the page asks for them");
});
