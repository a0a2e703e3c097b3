//! Sessions: what they record, who may see and kill them (across workspaces), kills that
//! hold on every instance, history, self-service and idle timeout (PRODUCT.md §3.2, §5, §7).

use crate::on_both_backends;
use crate::support::app::{ADMIN_EMAIL, PASSWORD, TestApp};
use crate::support::roles::CustomAdmin;
use domain::ids::{AccountId, UserId, WorkspaceId};
use domain::permission::Permission;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

pub const CHROME_UA: &str =
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0.0.0 Safari/537.36";
pub const IPHONE_UA: &str = "Mozilla/5.0 (iPhone; CPU iPhone OS 18_0 like Mac OS X) AppleWebKit/605.1.15 \
     (KHTML, like Gecko) Version/18.0 Mobile/15E148 Safari/604.1";

/// One signed-in device: the raw cookie (so it can be replayed anywhere) and the public id.
#[derive(Debug, Clone)]
pub struct Device {
    pub cookie: String,
    pub session_id: String,
}

/// Signs in through the API with `user_agent`; panics unless it succeeds.
pub async fn sign_in(app: &TestApp, email: &str, user_agent: &str) -> Device {
    let res = reqwest::Client::new()
        .post(app.url("/api/v1/auth/login"))
        .header("user-agent", user_agent)
        .json(&json!({"email": email, "password": PASSWORD}))
        .send()
        .await
        .expect("request");
    assert_eq!(res.status(), StatusCode::OK, "login of {email}");
    let cookie = res.headers()["set-cookie"].to_str().unwrap().split(';').next().unwrap().to_owned();
    let body: Value = res.json().await.unwrap();
    Device { cookie, session_id: body["session_id"].as_str().expect("session id").to_owned() }
}

/// A request from `device` (its cookie, no Origin: like a script).
pub fn request(app: &TestApp, device: &Device, method: Method, path: &str) -> reqwest::RequestBuilder {
    reqwest::Client::new().request(method, app.url(path)).header("cookie", device.cookie.clone())
}

/// Sends and returns (status, JSON body or `Null`).
pub async fn send(req: reqwest::RequestBuilder) -> (StatusCode, Value) {
    let res = req.send().await.expect("request");
    let status = res.status();
    (status, res.json().await.unwrap_or(Value::Null))
}

/// Whether `device`'s session still signs its requests in (200 on `/me`) or not (401).
pub async fn me_status(app: &TestApp, device: &Device) -> StatusCode {
    request(app, device, Method::GET, "/api/v1/me").send().await.expect("request").status()
}

/// The name of the first refused field of a 400 problem.
pub fn invalid_name(body: &Value) -> &str {
    body["invalid_params"][0]["name"].as_str().unwrap_or_default()
}

/// Audit events of one action (newest first), as the root admin sees them.
pub async fn audit_events(app: &TestApp, query: &str) -> Vec<Value> {
    let root = sign_in(app, ADMIN_EMAIL, "curl/8").await;
    let (status, body) = send(request(app, &root, Method::GET, &format!("/api/v1/audit?limit=1000&{query}"))).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert!(body["next_cursor"].is_null(), "fewer than 1000 events in a test");
    body["items"].as_array().unwrap().clone()
}

/// Mails delivered to the outbox directory once nothing is due: (To, whole text).
pub async fn outbox(app: &TestApp) -> Vec<(String, String)> {
    app.settle_mail().await;
    let Ok(dir) = std::fs::read_dir(app.outbox()) else { return Vec::new() };
    let mut mails: Vec<(String, String)> = dir
        .map(|e| {
            let text = std::fs::read_to_string(e.unwrap().path()).unwrap();
            let to = text.lines().find_map(|l| l.strip_prefix("To: ")).unwrap_or_default().trim().to_owned();
            (to, text)
        })
        .collect();
    mails.sort();
    mails
}

/// An admin of Beta only, with sessions.view and sessions.kill.
async fn beta_session_admin(app: &TestApp, account: AccountId, beta: WorkspaceId) -> UserId {
    let admin = CustomAdmin {
        email: "beta.sessions@example.com",
        role_name: "Beta Sessions",
        permissions: &[Permission::SessionsView, Permission::SessionsKill],
        scope: Some(vec![beta]),
        workspaces: vec![beta],
    };
    app.add_custom_admin(account, admin).await
}

fn sessions_path(user: UserId) -> String {
    format!("/api/v1/users/{user}/sessions")
}

fn find<'a>(items: &'a Value, id: &str) -> &'a Value {
    items.as_array().unwrap().iter().find(|s| s["id"] == id).unwrap_or_else(|| panic!("session {id} in {items}"))
}

fn time(v: &Value) -> i64 {
    let t = v.as_str().unwrap_or_else(|| panic!("a time: {v}"));
    let parsed = time_of(t);
    assert!(parsed > 0, "{t}");
    parsed
}

/// Seconds since the epoch of an RFC 3339 time like `2026-01-02T03:04:05.123456Z`.
fn time_of(t: &str) -> i64 {
    let (date, rest) = t.split_once('T').expect("RFC 3339");
    let mut d = date.split('-').map(|x| x.parse::<i64>().unwrap());
    let (y, m, day) = (d.next().unwrap(), d.next().unwrap(), d.next().unwrap());
    let hms: Vec<i64> = rest[..8].split(':').map(|x| x.parse().unwrap()).collect();
    // Days from civil (Howard Hinnant).
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let doy = (153 * (m + if m > 2 { -3 } else { 9 }) + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    days * 86_400 + hms[0] * 3600 + hms[1] * 60 + hms[2]
}

on_both_backends!(sessions_record_device_browser_os_ip_and_starting_workspace, |app| async move {
    let org = app.seed_org().await;
    let desktop = sign_in(&app, "cat.cooper@example.com", CHROME_UA).await;
    let phone = sign_in(&app, "cat.cooper@example.com", IPHONE_UA).await;
    let root = sign_in(&app, ADMIN_EMAIL, "curl/8.5.0").await;
    let (status, body) = send(request(&app, &root, Method::GET, &sessions_path(org.cat))).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["items"].as_array().unwrap().len(), 2, "{body}");
    let d = find(&body["items"], &desktop.session_id);
    assert_eq!((d["device_type"].as_str(), d["browser"].as_str()), (Some("Desktop"), Some("Chrome")), "{d}");
    assert!(d["os"].as_str().unwrap().starts_with("Windows"), "{d}");
    let p = find(&body["items"], &phone.session_id);
    assert_eq!((p["device_type"].as_str(), p["os"].as_str()), (Some("Mobile"), Some("iPhone")), "{p}");
    assert_eq!(p["browser"], "Safari", "{p}");
    for s in [d, p] {
        assert_eq!(s["ip"], "127.0.0.1", "{s}");
        assert_eq!(s["workspace"], "Alpha", "sessions start in the user's first workspace: {s}");
        let (created, active, expires) = (time(&s["created_at"]), time(&s["last_activity_at"]), time(&s["expires_at"]));
        assert!(active >= created, "{s}");
        assert_eq!(expires - created, 12 * 3600, "the default absolute lifetime is 12 hours: {s}");
        assert!(s.get("ended_at").is_none() && s.get("end_cause").is_none(), "{s}");
        let text = s.to_string();
        let secret = desktop.cookie.split('=').nth(1).unwrap();
        assert!(!text.contains(secret), "the secret token never shows");
    }
    let mut names: Vec<&str> =
        body["workspaces"].as_array().unwrap().iter().map(|w| w["name"].as_str().unwrap()).collect();
    names.sort_unstable();
    assert_eq!(names, ["Alpha", "Beta"], "the tab names every workspace of the user");
    assert_eq!(body["ended"], json!([]));
});

on_both_backends!(an_admin_of_any_shared_workspace_kills_sessions_started_in_another, |app| async move {
    let org = app.seed_org().await;
    beta_session_admin(&app, org.account, org.beta).await;
    let cat = sign_in(&app, "cat.cooper@example.com", CHROME_UA).await;
    let (status, _) = send(
        request(&app, &cat, Method::PUT, "/api/v1/me/workspace").json(&json!({"workspace_id": org.alpha.to_string()})),
    )
    .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let other = sign_in(&app, "cat.cooper@example.com", IPHONE_UA).await;
    let admin = sign_in(&app, "beta.sessions@example.com", CHROME_UA).await;

    let (status, body) = send(request(&app, &admin, Method::GET, &sessions_path(org.cat))).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["items"].as_array().unwrap().len(), 2, "all of cat's sessions, not only Beta's: {body}");
    assert_eq!(find(&body["items"], &cat.session_id)["workspace"], "Alpha");

    let reason = "Your laptop was reported stolen";
    let path = format!("{}/{}", sessions_path(org.cat), cat.session_id);
    let (status, body) =
        send(request(&app, &admin, Method::DELETE, &path).json(&json!({"notify": true, "reason": reason}))).await;
    assert_eq!(status, StatusCode::NO_CONTENT, "{body}");
    assert_eq!(me_status(&app, &cat).await, StatusCode::UNAUTHORIZED, "the very next request is refused");
    assert_eq!(me_status(&app, &other).await, StatusCode::OK, "only that session ended");

    let (_, body) = send(request(&app, &admin, Method::GET, &sessions_path(org.cat))).await;
    assert_eq!(body["items"].as_array().unwrap().len(), 1, "{body}");
    let ended = find(&body["ended"], &cat.session_id);
    assert_eq!(ended["end_cause"], "killed", "{ended}");
    assert_eq!(ended["ended_by"], "beta.sessions@example.com", "{ended}");
    assert_eq!(ended["ended_for_workspace"], "Beta", "{ended}");
    assert_eq!(ended["end_reason"], reason, "{ended}");
    assert_eq!(ended["workspace"], "Alpha", "{ended}");
    assert!(ended["ended_at"].is_string(), "{ended}");

    let mails = outbox(&app).await;
    assert_eq!(mails.len(), 1, "{mails:?}");
    let (to, text) = &mails[0];
    assert_eq!(to, "cat.cooper@example.com");
    assert!(text.contains("Beta"), "names the admin's workspace: {text}");
    assert!(text.contains(reason), "{text}");
    assert!(text.contains("beta.sessions@example.com"), "says whom to contact: {text}");

    let events = audit_events(&app, "action=session.killed").await;
    assert_eq!(events.len(), 1, "{events:?}");
    let e = &events[0];
    assert_eq!(e["actor"]["email"], "beta.sessions@example.com", "{e}");
    assert_eq!(e["target"]["email"], "cat.cooper@example.com", "{e}");
    assert_eq!(e["workspace"]["name"], "Beta", "{e}");
    assert_eq!(e["details"]["reason"], reason, "{e}");
    assert_eq!(e["details"]["session_id"], cat.session_id.as_str(), "{e}");

    // Already ended, unknown, malformed.
    let (status, _) = send(request(&app, &admin, Method::DELETE, &path)).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "an ended session cannot be killed again");
    let unknown = format!("{}/{}", sessions_path(org.cat), uuid::Uuid::now_v7());
    assert_eq!(send(request(&app, &admin, Method::DELETE, &unknown)).await.0, StatusCode::NOT_FOUND);
    let (status, body) =
        send(request(&app, &admin, Method::DELETE, &format!("{}/not-a-uuid", sessions_path(org.cat)))).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert_eq!(invalid_name(&body), "session_id", "{body}");
    // Another user's session id through cat's path is unknown too.
    let ann = sign_in(&app, "ann.archer@example.com", CHROME_UA).await;
    let root = sign_in(&app, ADMIN_EMAIL, CHROME_UA).await;
    let cross = format!("{}/{}", sessions_path(org.cat), ann.session_id);
    assert_eq!(send(request(&app, &root, Method::DELETE, &cross)).await.0, StatusCode::NOT_FOUND);
    assert_eq!(me_status(&app, &ann).await, StatusCode::OK);
    assert_eq!(outbox(&app).await.len(), 1, "no notice without notify");
});

on_both_backends!(sessions_outside_scope_are_404_and_without_the_permission_403, |app| async move {
    let org = app.seed_org().await;
    beta_session_admin(&app, org.account, org.beta).await;
    let viewer = CustomAdmin {
        email: "viewer@example.com",
        role_name: "Session Viewer",
        permissions: &[Permission::SessionsView],
        scope: None,
        workspaces: vec![org.default_ws],
    };
    app.add_custom_admin(org.account, viewer).await;
    let ann = sign_in(&app, "ann.archer@example.com", CHROME_UA).await;
    let cat = sign_in(&app, "cat.cooper@example.com", CHROME_UA).await;

    let beta = sign_in(&app, "beta.sessions@example.com", CHROME_UA).await;
    let ann_one = format!("{}/{}", sessions_path(org.ann), ann.session_id);
    for (method, path) in [
        (Method::GET, sessions_path(org.ann)),
        (Method::DELETE, sessions_path(org.ann)),
        (Method::DELETE, ann_one.clone()),
    ] {
        let (status, body) = send(request(&app, &beta, method.clone(), &path)).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "ann shares no workspace with Beta: {method} {path} {body}");
    }

    let cat_one = format!("{}/{}", sessions_path(org.cat), cat.session_id);
    let alpha = sign_in(&app, "alpha.admin@example.com", CHROME_UA).await;
    for (method, path) in [
        (Method::GET, sessions_path(org.cat)),
        (Method::DELETE, sessions_path(org.cat)),
        (Method::DELETE, cat_one.clone()),
    ] {
        let (status, body) = send(request(&app, &alpha, method.clone(), &path)).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "users.view is not enough: {method} {path} {body}");
        assert!(body["detail"].as_str().unwrap().contains("sessions."), "{body}");
    }

    let viewer = sign_in(&app, "viewer@example.com", CHROME_UA).await;
    assert_eq!(send(request(&app, &viewer, Method::GET, &sessions_path(org.cat))).await.0, StatusCode::OK);
    let (status, body) = send(request(&app, &viewer, Method::DELETE, &cat_one)).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "viewing is not killing: {body}");
    assert!(body["detail"].as_str().unwrap().contains("sessions.kill"), "{body}");

    let member = sign_in(&app, "member@example.com", CHROME_UA).await;
    assert_eq!(send(request(&app, &member, Method::DELETE, &cat_one)).await.0, StatusCode::FORBIDDEN);
    let outsider = sign_in(&app, "outsider@other.example", CHROME_UA).await;
    assert_eq!(send(request(&app, &outsider, Method::GET, &sessions_path(org.cat))).await.0, StatusCode::NOT_FOUND);
    assert_eq!(send(request(&app, &outsider, Method::DELETE, &cat_one)).await.0, StatusCode::NOT_FOUND);

    assert_eq!(me_status(&app, &ann).await, StatusCode::OK, "refusals change nothing");
    assert_eq!(me_status(&app, &cat).await, StatusCode::OK, "refusals change nothing");
    assert!(audit_events(&app, "action=session.killed").await.is_empty());
    assert!(audit_events(&app, "action=session.killed_all").await.is_empty());
});

on_both_backends!(kill_all_ends_every_session_of_the_user_and_counts_them, |app| async move {
    let org = app.seed_org().await;
    let cats = [
        sign_in(&app, "cat.cooper@example.com", CHROME_UA).await,
        sign_in(&app, "cat.cooper@example.com", IPHONE_UA).await,
        sign_in(&app, "cat.cooper@example.com", "curl/8.5.0").await,
    ];
    let ann = sign_in(&app, "ann.archer@example.com", CHROME_UA).await;
    let root = sign_in(&app, ADMIN_EMAIL, CHROME_UA).await;
    let (status, body) = send(request(&app, &root, Method::DELETE, &sessions_path(org.cat))).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body, json!({"ended": 3}));
    for c in &cats {
        assert_eq!(me_status(&app, c).await, StatusCode::UNAUTHORIZED);
    }
    assert_eq!(me_status(&app, &ann).await, StatusCode::OK, "other users keep theirs");
    let (_, list) = send(request(&app, &root, Method::GET, &sessions_path(org.cat))).await;
    assert_eq!(list["items"], json!([]));
    assert_eq!(list["ended"].as_array().unwrap().len(), 3);
    for s in list["ended"].as_array().unwrap() {
        assert_eq!((s["end_cause"].as_str(), s["ended_by"].as_str()), (Some("killed"), Some(ADMIN_EMAIL)), "{s}");
    }
    let (status, body) = send(request(&app, &root, Method::DELETE, &sessions_path(org.cat))).await;
    assert_eq!((status, body), (StatusCode::OK, json!({"ended": 0})));
    assert_eq!(audit_events(&app, "action=session.killed_all").await.len(), 1, "nothing to end records nothing");
});

on_both_backends!(kill_bodies_are_checked_before_anything_ends, |app| async move {
    let org = app.seed_org().await;
    let cat = sign_in(&app, "cat.cooper@example.com", CHROME_UA).await;
    let root = sign_in(&app, ADMIN_EMAIL, CHROME_UA).await;
    let one = format!("{}/{}", sessions_path(org.cat), cat.session_id);
    let bad_bodies: [(&str, &str); 4] = [
        ("not json", "body"),
        (r#"{"notify": "yes"}"#, "body"),
        (r#"{"notify": true, "reasn": "typo"}"#, "body"),
        (r#"{"reason": "bad\u0007bell"}"#, "reason"),
    ];
    for path in [&one, &sessions_path(org.cat)] {
        for (raw, name) in bad_bodies {
            let req = request(&app, &root, Method::DELETE, path).header("content-type", "application/json").body(raw);
            let (status, body) = send(req).await;
            assert_eq!(status, StatusCode::BAD_REQUEST, "{raw}: {body}");
            assert_eq!(invalid_name(&body), name, "{raw}: {body}");
        }
        let long = "x".repeat(501);
        let (status, body) =
            send(request(&app, &root, Method::DELETE, path).json(&json!({"notify": true, "reason": long}))).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
        assert_eq!(invalid_name(&body), "reason", "{body}");
    }
    assert_eq!(me_status(&app, &cat).await, StatusCode::OK, "nothing ended");
    assert!(outbox(&app).await.is_empty(), "nobody was notified");
    let exactly = "y".repeat(500);
    let (status, body) =
        send(request(&app, &root, Method::DELETE, &one).json(&json!({"notify": false, "reason": exactly}))).await;
    assert_eq!(status, StatusCode::NO_CONTENT, "500 characters are allowed: {body}");
    assert_eq!(me_status(&app, &cat).await, StatusCode::UNAUTHORIZED);
    assert!(outbox(&app).await.is_empty(), "notify false sends nothing");
});

on_both_backends!(a_kill_through_one_instance_holds_on_another_at_once, |app| async move {
    let org = app.seed_org().await;
    let second = app.second_instance().await;
    // Signed in through B, killed through A, refused by B.
    let cat = sign_in(&second, "cat.cooper@example.com", CHROME_UA).await;
    let cat2 = sign_in(&second, "cat.cooper@example.com", IPHONE_UA).await;
    assert_eq!(me_status(&second, &cat).await, StatusCode::OK);
    assert_eq!(me_status(&app, &cat).await, StatusCode::OK, "one database, one session");
    let root = sign_in(&app, ADMIN_EMAIL, CHROME_UA).await;
    let (status, _) =
        send(request(&app, &root, Method::DELETE, &format!("{}/{}", sessions_path(org.cat), cat.session_id))).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    assert_eq!(me_status(&second, &cat).await, StatusCode::UNAUTHORIZED, "B refuses the very next request");
    assert_eq!(me_status(&second, &cat2).await, StatusCode::OK);
    // Kill-all through B holds on A.
    let on_a = sign_in(&app, "cat.cooper@example.com", CHROME_UA).await;
    let root_b = sign_in(&second, ADMIN_EMAIL, CHROME_UA).await;
    let (status, body) = send(request(&second, &root_b, Method::DELETE, &sessions_path(org.cat))).await;
    assert_eq!((status, body), (StatusCode::OK, json!({"ended": 2})));
    assert_eq!(me_status(&app, &on_a).await, StatusCode::UNAUTHORIZED);
    assert_eq!(me_status(&app, &cat2).await, StatusCode::UNAUTHORIZED);
    // A sign-out on A holds on B too.
    let again = sign_in(&app, "cat.cooper@example.com", CHROME_UA).await;
    assert_eq!(me_status(&second, &again).await, StatusCode::OK);
    assert_eq!(send(request(&app, &again, Method::POST, "/api/v1/auth/logout")).await.0, StatusCode::NO_CONTENT);
    assert_eq!(me_status(&second, &again).await, StatusCode::UNAUTHORIZED);
});

on_both_backends!(my_sessions_mark_the_current_one_and_end_one_or_all_others, |app| async move {
    app.seed_org().await;
    let c1 = sign_in(&app, "cat.cooper@example.com", CHROME_UA).await;
    let c2 = sign_in(&app, "cat.cooper@example.com", IPHONE_UA).await;
    let c3 = sign_in(&app, "cat.cooper@example.com", "curl/8.5.0").await;
    let ann = sign_in(&app, "ann.archer@example.com", CHROME_UA).await;
    let (status, body) = send(request(&app, &c1, Method::GET, "/api/v1/me/sessions")).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let items = body["items"].as_array().unwrap();
    assert_eq!(items.len(), 3, "only cat's own: {body}");
    let current: Vec<&Value> = items.iter().filter(|s| s["current"] == true).collect();
    assert_eq!(current.len(), 1, "{body}");
    assert_eq!(current[0]["id"], c1.session_id.as_str());
    assert!(items.iter().all(|s| s["current"].is_boolean() && s["workspace"] == "Alpha"), "{body}");
    let (_, from_phone) = send(request(&app, &c2, Method::GET, "/api/v1/me/sessions")).await;
    assert_eq!(find(&from_phone["items"], &c2.session_id)["current"], true);
    assert_eq!(find(&from_phone["items"], &c1.session_id)["current"], false);

    let one = |s: &Device| format!("/api/v1/me/sessions/{}", s.session_id);
    assert_eq!(send(request(&app, &c1, Method::DELETE, &one(&c2))).await.0, StatusCode::NO_CONTENT);
    assert_eq!(me_status(&app, &c2).await, StatusCode::UNAUTHORIZED);
    assert_eq!(send(request(&app, &c1, Method::DELETE, &one(&c2))).await.0, StatusCode::NOT_FOUND, "already over");
    assert_eq!(send(request(&app, &c1, Method::DELETE, &one(&ann))).await.0, StatusCode::NOT_FOUND, "not hers");
    assert_eq!(me_status(&app, &ann).await, StatusCode::OK);
    let (status, body) = send(request(&app, &c1, Method::DELETE, "/api/v1/me/sessions/nope")).await;
    assert_eq!((status, invalid_name(&body)), (StatusCode::BAD_REQUEST, "session_id"), "{body}");

    let c4 = sign_in(&app, "cat.cooper@example.com", IPHONE_UA).await;
    let (status, body) = send(request(&app, &c1, Method::DELETE, "/api/v1/me/sessions")).await;
    assert_eq!((status, body), (StatusCode::OK, json!({"ended": 2})), "c3 and c4, not this one");
    assert_eq!(me_status(&app, &c1).await, StatusCode::OK, "the current session stays");
    assert_eq!(me_status(&app, &c3).await, StatusCode::UNAUTHORIZED);
    assert_eq!(me_status(&app, &c4).await, StatusCode::UNAUTHORIZED);
    assert_eq!(me_status(&app, &ann).await, StatusCode::OK);
    let (_, body) = send(request(&app, &c1, Method::GET, "/api/v1/me/sessions")).await;
    assert_eq!(body["items"].as_array().unwrap().len(), 1);
    let ended = body["ended"].as_array().unwrap();
    assert_eq!(ended.len(), 3, "{body}");
    assert!(ended.iter().all(|s| s["end_cause"] == "signed_out"), "{body}");
    // Ending one's own current session by id signs this device out.
    assert_eq!(send(request(&app, &c1, Method::DELETE, &one(&c1))).await.0, StatusCode::NO_CONTENT);
    assert_eq!(me_status(&app, &c1).await, StatusCode::UNAUTHORIZED);
});

on_both_backends!(reporting_a_session_ends_it_alerts_the_admins_and_is_audited, |app| async move {
    let org = app.seed_org().await;
    beta_session_admin(&app, org.account, org.beta).await;
    let mine = sign_in(&app, "cat.cooper@example.com", CHROME_UA).await;
    let strange = sign_in(&app, "cat.cooper@example.com", IPHONE_UA).await;
    let ann = sign_in(&app, "ann.archer@example.com", CHROME_UA).await;
    let report = |s: &Device| format!("/api/v1/me/sessions/{}/report", s.session_id);

    let (status, body) = send(request(&app, &mine, Method::POST, &report(&mine))).await;
    assert_eq!(status, StatusCode::CONFLICT, "not the one in use: {body}");
    assert_eq!(me_status(&app, &mine).await, StatusCode::OK);
    assert_eq!(send(request(&app, &mine, Method::POST, &report(&ann))).await.0, StatusCode::NOT_FOUND);
    assert_eq!(me_status(&app, &ann).await, StatusCode::OK);
    assert!(outbox(&app).await.is_empty());

    assert_eq!(send(request(&app, &mine, Method::POST, &report(&strange))).await.0, StatusCode::NO_CONTENT);
    assert_eq!(me_status(&app, &strange).await, StatusCode::UNAUTHORIZED, "reported means ended");
    assert_eq!(me_status(&app, &mine).await, StatusCode::OK);
    assert_eq!(send(request(&app, &mine, Method::POST, &report(&strange))).await.0, StatusCode::NOT_FOUND);

    let events = audit_events(&app, "action=session.reported").await;
    assert_eq!(events.len(), 1, "{events:?}");
    assert_eq!(events[0]["actor"]["email"], "cat.cooper@example.com");
    assert_eq!(events[0]["target"]["email"], "cat.cooper@example.com");
    assert_eq!(events[0]["details"]["session_id"], strange.session_id.as_str());
    assert_eq!(events[0]["details"]["ip"], "127.0.0.1");

    let mails = outbox(&app).await;
    let to: Vec<&str> = mails.iter().map(|(to, _)| to.as_str()).collect();
    assert_eq!(to, ["beta.sessions@example.com", ADMIN_EMAIL], "admins who may kill cat's sessions: {mails:?}");
    for (_, text) in &mails {
        assert!(text.contains("cat.cooper@example.com") && text.contains("127.0.0.1"), "{text}");
        assert!(text.contains("iPhone"), "describes the device: {text}");
    }
    let (_, body) = send(request(&app, &mine, Method::GET, "/api/v1/me/sessions")).await;
    assert_eq!(find(&body["ended"], &strange.session_id)["end_cause"], "reported");
});

/// Runs one statement against the app's database with `(i64, uuid)` bound as `$1, $2`.
pub async fn exec(app: &TestApp, sql: &'static str, at: i64, id: uuid::Uuid) {
    match &app.db {
        store::Db::Sqlite(p) => {
            sqlx::query(sql).bind(at).bind(id).execute(p).await.expect(sql);
        }
        store::Db::Pg(p) => {
            sqlx::query(sql).bind(at).bind(id).execute(p).await.expect(sql);
        }
    }
}

on_both_backends!(an_idle_session_expires_and_stays_in_the_history, |app| async move {
    let org = app.seed_org().await;
    let root = sign_in(&app, ADMIN_EMAIL, CHROME_UA).await;
    let (status, body) =
        send(request(&app, &root, Method::PUT, "/api/v1/settings/security").json(&json!({"idle_timeout_minutes": 1})))
            .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let idle = sign_in(&app, "cat.cooper@example.com", CHROME_UA).await;
    let busy = sign_in(&app, "cat.cooper@example.com", IPHONE_UA).await;
    let two_minutes_ago = app::clock::now() - 2 * app::clock::MINUTE;
    let sid: uuid::Uuid = idle.session_id.parse().unwrap();
    exec(&app, "UPDATE sessions SET last_activity_at = $1 WHERE id = $2", two_minutes_ago, sid).await;
    assert_eq!(me_status(&app, &idle).await, StatusCode::UNAUTHORIZED, "idle for longer than a minute");
    assert_eq!(me_status(&app, &busy).await, StatusCode::OK);
    let (_, body) = send(request(&app, &root, Method::GET, &sessions_path(org.cat))).await;
    assert_eq!(body["items"].as_array().unwrap().len(), 1, "{body}");
    let ended = find(&body["ended"], &idle.session_id);
    assert_eq!(ended["end_cause"], "expired", "{ended}");
    assert_eq!(ended["end_reason"], "idle timeout", "{ended}");
    assert!(ended["ended_by"].is_null(), "{ended}");
    // Once expired, it stays expired even if activity were recorded later.
    exec(&app, "UPDATE sessions SET last_activity_at = $1 WHERE id = $2", app::clock::now(), sid).await;
    assert_eq!(me_status(&app, &idle).await, StatusCode::UNAUTHORIZED);
});
