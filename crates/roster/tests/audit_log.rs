//! The audit log (PRODUCT.md §8): security events with who, what, to whom, where, from
//! where; filters, keyset paging, CSV export, access and account isolation.

use crate::on_both_backends;
use crate::sessions::{CHROME_UA, Device, invalid_name, request, send, sign_in};
use crate::support::app::{ADMIN_EMAIL, TestApp, client};
use crate::support::org::Org;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

/// A day relative to today (UTC), as `YYYY-MM-DD`.
fn day(offset: i64) -> String {
    app::clock::rfc3339(app::clock::now() + offset * 86_400_000_000)[..10].to_owned()
}

async fn list(app: &TestApp, who: &Device, query: &str) -> (StatusCode, Value) {
    send(request(app, who, Method::GET, &format!("/api/v1/audit?{query}"))).await
}

async fn items(app: &TestApp, who: &Device, query: &str) -> Vec<Value> {
    let (status, body) = list(app, who, &format!("limit=1000&{query}")).await;
    assert_eq!(status, StatusCode::OK, "{query}: {body}");
    body["items"].as_array().unwrap().clone()
}

fn actions(items: &[Value]) -> Vec<&str> {
    items.iter().map(|e| e["action"].as_str().unwrap()).collect()
}

/// Failed and good sign-ins, a kill with a reason, a lockout and an unlock.
async fn security_story(app: &TestApp, org: &Org) -> Device {
    let root = sign_in(app, ADMIN_EMAIL, CHROME_UA).await;
    let bad = json!({"email": "ann.archer@example.com", "password": "Wrong-Password-1"});
    assert_eq!(app.post_json(&client(), "/api/v1/auth/login", &bad).await.status(), StatusCode::UNAUTHORIZED);
    let ann = sign_in(app, "ann.archer@example.com", CHROME_UA).await;
    let kill = format!("/api/v1/users/{}/sessions/{}", org.ann, ann.session_id);
    let (status, _) = send(request(app, &root, Method::DELETE, &kill).json(&json!({"reason": "shared laptop"}))).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let bad = json!({"email": "bob.baker@example.com", "password": "Wrong-Password-1"});
    for _ in 0..5 {
        app.post_json(&client(), "/api/v1/auth/login", &bad).await;
    }
    let unlock = format!("/api/v1/users/{}/unlock", org.bob);
    assert_eq!(send(request(app, &root, Method::POST, &unlock)).await.0, StatusCode::NO_CONTENT);
    root
}

fn one<'a>(items: &'a [Value], action: &str, target: &str) -> &'a Value {
    let found: Vec<&Value> = items.iter().filter(|e| e["action"] == action && e["target"]["email"] == target).collect();
    assert_eq!(found.len(), 1, "one {action} on {target}: {items:?}");
    found[0]
}

on_both_backends!(security_events_are_recorded_newest_first_with_who_what_where, |app| async move {
    let org = app.seed_org().await;
    let root = security_story(&app, &org).await;
    let all = items(&app, &root, "").await;
    let times: Vec<&str> = all.iter().map(|e| e["at"].as_str().unwrap()).collect();
    assert!(times.windows(2).all(|w| w[0] >= w[1]), "newest first: {times:?}");
    assert_eq!(all[0]["action"], "user.unlocked", "the last thing done comes first");

    let failed = all.iter().find(|e| e["action"] == "login.failed" && e["target"]["email"] == "ann.archer@example.com");
    let failed = failed.expect("ann's failed sign-in");
    assert!(failed["actor"].is_null(), "{failed}");
    assert_eq!(failed["ip"], "127.0.0.1");
    assert_eq!(failed["details"]["reason"], "wrong password");
    let ok = one(&all, "login.succeeded", "ann.archer@example.com");
    assert_eq!(ok["ip"], "127.0.0.1");
    let killed = one(&all, "session.killed", "ann.archer@example.com");
    assert_eq!(killed["actor"]["email"], ADMIN_EMAIL);
    assert_eq!(killed["actor"]["id"], org.admin.to_string());
    assert_eq!(killed["target"]["id"], org.ann.to_string());
    assert_eq!(killed["workspace"]["name"], "Default", "the workspace the admin acts for");
    assert_eq!(killed["ip"], "127.0.0.1");
    assert_eq!(killed["details"]["reason"], "shared laptop");
    let locked = one(&all, "user.locked", "bob.baker@example.com");
    assert_eq!(locked["details"]["failed_logins"], 5);
    let unlocked = one(&all, "user.unlocked", "bob.baker@example.com");
    assert_eq!(unlocked["actor"]["email"], ADMIN_EMAIL);
    let bob_failures =
        all.iter().filter(|e| e["action"] == "login.failed" && e["target"]["email"] == "bob.baker@example.com");
    assert_eq!(bob_failures.count(), 5);
});

on_both_backends!(filters_narrow_the_log_and_bad_parameters_are_named, |app| async move {
    let org = app.seed_org().await;
    let root = security_story(&app, &org).await;
    let all = items(&app, &root, "").await;

    let by_root = items(&app, &root, &format!("actor={}", org.admin)).await;
    assert!(!by_root.is_empty() && by_root.iter().all(|e| e["actor"]["email"] == ADMIN_EMAIL), "{by_root:?}");
    assert_eq!(by_root.len(), all.iter().filter(|e| e["actor"]["email"] == ADMIN_EMAIL).count());
    let on_ann = items(&app, &root, &format!("target={}", org.ann)).await;
    assert_eq!(actions(&on_ann), ["session.killed", "login.succeeded", "login.failed"]);
    let failed = items(&app, &root, "action=login.failed").await;
    assert_eq!(failed.len(), 6, "one for ann, five for bob");
    let both = items(&app, &root, &format!("action=login.failed&target={}", org.ann)).await;
    assert_eq!(both.len(), 1, "filters combine");
    assert!(items(&app, &root, "action=user.deleted").await.is_empty());

    assert_eq!(items(&app, &root, &format!("from={}", day(0))).await.len(), all.len(), "all happened today");
    assert!(items(&app, &root, &format!("from={}", day(1))).await.is_empty());
    assert_eq!(items(&app, &root, &format!("to={}", day(1))).await.len(), all.len());
    assert_eq!(items(&app, &root, &format!("to={}", day(0))).await.len(), all.len(), "a date includes its whole day");
    assert!(items(&app, &root, &format!("to={}", day(-1))).await.is_empty());
    assert_eq!(items(&app, &root, &format!("from={}&to={}", day(0), day(0))).await.len(), all.len());
    let first_at = all.last().unwrap()["at"].as_str().unwrap().to_owned();
    let rfc = items(&app, &root, &format!("from={}", first_at.replace('+', "%2B"))).await;
    assert_eq!(rfc.len(), all.len(), "an RFC 3339 'from' is inclusive");

    let bad = [
        ("actor=nobody", "actor"),
        ("target=42", "target"),
        ("action=drop%20table", "action"),
        ("from=yesterday", "from"),
        ("to=2026-13-45", "to"),
        ("limit=0", "limit"),
        ("limit=1001", "limit"),
        ("limit=ten", "limit"),
        ("cursor=%25%25", "cursor"),
        ("cursor=bm90LWEtY3Vyc29y", "cursor"),
    ];
    for (query, name) in bad {
        let (status, body) = list(&app, &root, query).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{query}: {body}");
        assert_eq!(invalid_name(&body), name, "{query}: {body}");
        let res = request(&app, &root, Method::GET, &format!("/api/v1/audit/export?{query}")).send().await.unwrap();
        if name != "limit" && name != "cursor" {
            assert_eq!(res.status(), StatusCode::BAD_REQUEST, "export {query}");
        }
    }
});

on_both_backends!(keyset_paging_walks_every_event_exactly_once, |app| async move {
    let org = app.seed_org().await;
    let root = security_story(&app, &org).await;
    let all = items(&app, &root, "").await;
    assert!(all.len() > 10, "{}", all.len());
    let mut walked = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let query = cursor.as_ref().map_or_else(|| "limit=2".to_owned(), |c| format!("limit=2&cursor={c}"));
        let (status, body) = list(&app, &root, &query).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let page = body["items"].as_array().unwrap();
        assert!(!page.is_empty() && page.len() <= 2, "{body}");
        walked.extend(page.iter().map(|e| e["id"].clone()));
        match body["next_cursor"].as_str() {
            Some(c) => cursor = Some(c.to_owned()),
            None => break,
        }
    }
    let expected: Vec<Value> = all.iter().map(|e| e["id"].clone()).collect();
    assert_eq!(walked, expected, "every event once, in order");
    // Paging a filtered list stays within the filter.
    let (_, first) = list(&app, &root, "limit=2&action=login.failed").await;
    let c = first["next_cursor"].as_str().expect("more than two").to_owned();
    let (_, second) = list(&app, &root, &format!("limit=2&action=login.failed&cursor={c}")).await;
    assert!(second["items"].as_array().unwrap().iter().all(|e| e["action"] == "login.failed"));
});

on_both_backends!(the_csv_export_has_a_header_and_one_line_per_matching_event, |app| async move {
    let org = app.seed_org().await;
    let root = security_story(&app, &org).await;
    for query in ["", "action=login.failed", &format!("target={}", org.ann), &format!("from={}", day(1))] {
        let expected = items(&app, &root, query).await;
        let res = request(&app, &root, Method::GET, &format!("/api/v1/audit/export?{query}")).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::OK, "{query}");
        assert!(res.headers()["content-type"].to_str().unwrap().starts_with("text/csv"), "{query}");
        assert!(res.headers()["content-disposition"].to_str().unwrap().contains("attachment"));
        let text = res.text().await.unwrap();
        let lines: Vec<&str> = text.split("\r\n").filter(|l| !l.is_empty()).collect();
        assert_eq!(lines[0], "time,action,actor,target,workspace,ip,details", "{query}");
        assert_eq!(lines.len() - 1, expected.len(), "{query}: {text}");
        for (line, event) in lines[1..].iter().zip(&expected) {
            let action = event["action"].as_str().unwrap();
            assert!(line.contains(&format!("\"{action}\"")), "same order as the list: {line} vs {event}");
        }
    }
    let text = request(&app, &root, Method::GET, "/api/v1/audit/export?action=session.killed")
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let line = text.lines().nth(1).expect("the kill");
    assert!(
        line.contains(ADMIN_EMAIL) && line.contains("ann.archer@example.com") && line.contains("shared laptop"),
        "{line}"
    );
    assert!(line.contains("\"Default\"") && line.contains("\"127.0.0.1\""), "{line}");
});

on_both_backends!(only_audit_viewers_read_the_log_and_never_another_accounts, |app| async move {
    let org = app.seed_org().await;
    security_story(&app, &org).await;
    for email in ["alpha.admin@example.com", "member@example.com"] {
        let c = sign_in(&app, email, CHROME_UA).await;
        let (status, body) = list(&app, &c, "").await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{email}: {body}");
        assert!(body["detail"].as_str().unwrap().contains("audit.view"), "{body}");
        let res = request(&app, &c, Method::GET, "/api/v1/audit/export").send().await.unwrap();
        assert_eq!(res.status(), StatusCode::FORBIDDEN, "{email}");
    }
    let anon = reqwest::Client::new().get(app.url("/api/v1/audit")).send().await.unwrap();
    assert_eq!(anon.status(), StatusCode::UNAUTHORIZED);

    let auditor = sign_in(&app, "auditor@example.com", CHROME_UA).await;
    let seen = items(&app, &auditor, "").await;
    assert!(seen.iter().any(|e| e["action"] == "session.killed"), "audit.view is enough");

    let outsider = sign_in(&app, "outsider@other.example", CHROME_UA).await;
    let bad = json!({"email": "outsider@other.example", "password": "Wrong-Password-1"});
    app.post_json(&client(), "/api/v1/auth/login", &bad).await;
    let theirs = items(&app, &outsider, "").await;
    assert!(!theirs.is_empty());
    for e in &theirs {
        assert_eq!(e["target"]["email"], "outsider@other.example", "only their own account: {e}");
    }
    assert!(items(&app, &outsider, &format!("target={}", org.ann)).await.is_empty());
    let text =
        request(&app, &outsider, Method::GET, "/api/v1/audit/export").send().await.unwrap().text().await.unwrap();
    assert!(!text.contains("example.com\""), "no Default-account emails in their export: {text}");
    let ours = items(&app, &auditor, "").await;
    assert!(ours.iter().all(|e| e["target"]["email"] != "outsider@other.example"), "{ours:?}");
    assert!(items(&app, &auditor, &format!("target={}", org.outsider)).await.is_empty());
});

// The README's promise (issue 11.7): `from` is inclusive, `to` exclusive, and a date is a
// UTC day, whatever the offset of an RFC 3339 bound.
on_both_backends!(an_rfc3339_to_is_exclusive_and_dates_are_utc_days, |app| async move {
    let org = app.seed_org().await;
    let root = sign_in(&app, ADMIN_EMAIL, CHROME_UA).await;
    // 2026-11-27T23:30:00Z: late on the 27th in UTC, already the 28th east of Greenwich.
    let at: i64 = 1_795_822_200 * 1_000_000;
    let event = app::audit::unattended(
        org.account,
        domain::closed::AuditAction::LoginFailed,
        Some(org.cat),
        "",
        json!({"reason": "test"}),
    );
    store::audit::record(&app.db, &store::audit::NewAuditEvent { at, ..event }).await.unwrap();
    let found = |bounds: &'static str| {
        let (app, root) = (&app, &root);
        let query = format!("target={}&{}", org.cat, bounds.replace('+', "%2B"));
        async move { items(app, root, &query).await.len() }
    };
    assert_eq!(found("to=2026-11-27T23:30:00Z").await, 0, "an RFC 3339 to is exclusive");
    assert_eq!(found("to=2026-11-28T00:30:00+01:00").await, 0, "the same instant, another offset");
    assert_eq!(found("to=2026-11-27T23:30:00.000001Z").await, 1);
    assert_eq!(found("from=2026-11-27T23:30:00Z").await, 1, "from is inclusive");
    assert_eq!(found("from=2026-11-27&to=2026-11-27").await, 1, "the UTC day of the 27th");
    assert_eq!(found("to=2026-11-27").await, 1, "a date to includes its whole UTC day");
    assert_eq!(found("from=2026-11-28").await, 0, "the 28th begins at midnight UTC");
    assert_eq!(found("to=2026-11-26").await, 0);
});
