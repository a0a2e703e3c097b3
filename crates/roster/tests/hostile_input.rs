//! A corpus of hostile strings sent to every route of the router (`web::routes()`, so a
//! route added tomorrow is covered without touching this file), in every place a text can
//! travel: the query, a JSON body and a form body, under every field name the API and the
//! pages read. Issue: real-world reports where NUL, invisible characters, lone surrogates,
//! huge strings or SQL/FTS/LIKE syntax reached the database and answered 500.
//!
//! What must hold, on both backends:
//! - never a 5xx, whatever the value;
//! - a value the text rule refuses (NUL, controls, Cf, over-long, lone surrogates, bad
//!   UTF-8) is a 400 that names a field — problem+json under `/api`, the error page elsewhere;
//! - search terms full of query syntax are matched literally (a person whose name holds the
//!   syntax is found; nobody else is).

use crate::on_both_backends;
use crate::route_table::{Ids, client, ids};
use crate::sessions::{CHROME_UA, Device, sign_in};
use crate::support::app::{ADMIN_EMAIL, TestApp};
use reqwest::StatusCode;
use reqwest::header::CONTENT_TYPE;
use serde_json::{Map, Value, json};

/// Every field name a route reads from a query or a body (handlers' `Deserialize` types);
/// routes ignore the names they do not read.
const FIELDS: &[&str] = &[
    "q",
    "cursor",
    "limit",
    "sort",
    "order",
    "status",
    "role",
    "workspace",
    "workspace_id",
    "group",
    "group_id",
    "builder_access",
    "email",
    "emails",
    "first_name",
    "last_name",
    "display_name",
    "name",
    "reason",
    "owner",
    "new_owner",
    "successor",
    "successor_all",
    "action",
    "actor",
    "target",
    "from",
    "to",
    "next",
    "back",
    "confirm",
    "typed",
    "password",
    "current_password",
    "new_password",
    "token",
    "admin_role_id",
    "admin_email",
    "permissions",
    "scope",
    "workspaces",
    "groups",
    "ids",
    "notify",
    "restore",
    "value",
    "field",
    "text",
    "message",
    "bot_id",
    "cause",
    "csv",
    "filter",
    "s",
    "t",
    "n",
    "at",
    "version",
    "other",
];

/// A hostile value and what the text rule makes of it.
struct Hostile {
    what: &'static str,
    value: String,
    /// The one text gate refuses it wherever it appears (a 400 naming a field).
    refused: bool,
}

fn corpus() -> Vec<Hostile> {
    let refused = |what, value: &str| Hostile { what, value: value.to_owned(), refused: true };
    let literal = |what, value: &str| Hostile { what, value: value.to_owned(), refused: false };
    vec![
        refused("NUL", "ab\u{0}cd"),
        refused("bell", "ring\u{7}"),
        refused("escape", "\u{1b}[31mred"),
        refused("DEL", "a\u{7f}b"),
        refused("zero-width space", "\u{200b}"),
        refused("right-to-left override", "moc.\u{202e}evil"),
        refused("byte order mark", "\u{feff}ann"),
        refused("over-long", &"x".repeat(10_000)),
        literal("SQL quote", "'; DROP TABLE users; --"),
        literal("SQL or", "\" OR 1=1 --"),
        literal("FTS syntax", "\"ann* NEAR(a b) OR -x:y^"),
        literal("FTS parentheses", "((("),
        literal("LIKE wildcards", "%_\\%"),
        literal("backslashes", "\\\\\\"),
        literal("astral", "𝔘𝔫𝔦 😀"),
        literal("empty", ""),
    ]
}

/// `value` under every name of [`FIELDS`], as a query string.
fn query_of(value: &str) -> String {
    let encoded: String = url_encode(value);
    FIELDS.iter().map(|f| format!("{f}={encoded}")).collect::<Vec<_>>().join("&")
}

fn url_encode(value: &str) -> String {
    value
        .bytes()
        .map(|b| if b.is_ascii_alphanumeric() { (b as char).to_string() } else { format!("%{b:02X}") })
        .collect()
}

fn json_of(value: &str) -> Value {
    let mut body = Map::new();
    for f in FIELDS {
        body.insert((*f).to_owned(), Value::String(value.to_owned()));
    }
    Value::Object(body)
}

fn form_of(value: &str, csrf: &str) -> Vec<(String, String)> {
    let mut form: Vec<(String, String)> = FIELDS.iter().map(|f| ((*f).to_owned(), value.to_owned())).collect();
    form.push(("csrf".into(), csrf.to_owned()));
    form
}

/// The signed-in caller; signs in again when a route (sign out, kill session) ended it.
struct Caller {
    device: Device,
    csrf: String,
}

impl Caller {
    async fn new(app: &TestApp) -> Self {
        let device = sign_in(app, ADMIN_EMAIL, CHROME_UA).await;
        let html = client()
            .get(app.url("/admin/users"))
            .header("cookie", &device.cookie)
            .send()
            .await
            .expect("users page")
            .text()
            .await
            .expect("html");
        let marker = "name=\"csrf\" value=\"";
        let start = html.find(marker).expect("a CSRF field") + marker.len();
        let csrf = html[start..].split('"').next().expect("a closing quote").to_owned();
        Self { device, csrf }
    }

    async fn alive(&self, app: &TestApp) -> bool {
        let res = client().get(app.url("/api/v1/me")).header("cookie", &self.device.cookie).send().await;
        res.is_ok_and(|r| r.status() == StatusCode::OK)
    }
}

/// One answer, checked against what the value calls for.
async fn check(res: reqwest::Response, hostile: &Hostile, api: bool, what: &str) {
    let status = res.status();
    let content_type = res.headers().get(CONTENT_TYPE).map(|v| v.to_str().unwrap_or_default().to_owned());
    let body = res.text().await.unwrap_or_default();
    let shown = body.chars().take(300).collect::<String>();
    assert!(!status.is_server_error(), "{what} with {}: {status} {shown}", hostile.what);
    if !hostile.refused {
        return;
    }
    assert_eq!(status, StatusCode::BAD_REQUEST, "{what} with {} must be refused: {shown}", hostile.what);
    if api {
        let name = if content_type.as_deref() == Some("application/scim+json") {
            // SCIM's error body (RFC 7644 §3.12) names the field at the start of `detail`.
            let error: Value = serde_json::from_str(&body).expect("a SCIM error");
            assert_eq!(error["status"], "400", "{what}: {shown}");
            error["detail"].as_str().unwrap_or_default().split(':').next().unwrap_or_default().to_owned()
        } else {
            assert_eq!(content_type.as_deref(), Some("application/problem+json"), "{what}: {shown}");
            let problem: Value = serde_json::from_str(&body).expect("problem+json");
            problem["invalid_params"][0]["name"].as_str().unwrap_or_default().to_owned()
        };
        let known = FIELDS.iter().any(|f| name == *f || name.starts_with(&format!("{f}[")))
            || ["body", "query", "path"].contains(&name.as_str());
        assert!(known, "{what} with {}: the refusal names a field, not {name:?}: {shown}", hostile.what);
    } else {
        let names_field = FIELDS.iter().chain(&["body", "query", "path"]).any(|f| body.contains(&format!("{f}: ")));
        assert!(body.contains("Bad Request") && names_field, "{what}: the error page names the field: {shown}");
    }
}

async fn send_everywhere(app: &TestApp, ids: &Ids, caller: &Caller, route: &web::Route, hostile: &Hostile) {
    let path = ids.fill(&route.path, None);
    let api = route.is_api();
    let cookie = &caller.device.cookie;
    // In the query: the long value under one name (a query of 60 of them is refused as a whole).
    let query =
        if hostile.value.len() > 1000 { format!("q={}", url_encode(&hostile.value)) } else { query_of(&hostile.value) };
    let url = app.url(&format!("{path}?{query}"));
    let res = client().request(route.method.clone(), url).header("cookie", cookie).send().await.expect("request");
    check(res, hostile, api, &format!("{} {path}?…", route.method)).await;
    if !route.changes_state() {
        return;
    }
    let req = client().request(route.method.clone(), app.url(&path)).header("cookie", cookie);
    let req = if api { req.json(&json_of(&hostile.value)) } else { req.form(&form_of(&hostile.value, &caller.csrf)) };
    let res = req.send().await.expect("request");
    check(res, hostile, api, &format!("{} {path} (body)", route.method)).await;
}

on_both_backends!(hostile_strings_in_every_field_of_every_route_never_cause_a_5xx, |app| async move {
    let org = app.seed_org().await;
    // Wrong current passwords in the corpus count towards the lockout: allow them all.
    let admin = app.login_admin().await;
    let (_, mut security) = app.get_json(&admin, "/api/v1/settings/security").await;
    security["max_login_attempts"] = json!(100);
    let (status, body) = app.send(&admin, reqwest::Method::PUT, "/api/v1/settings/security", Some(security)).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let mut caller = Caller::new(&app).await;
    let ids = ids(&app, &org, &caller.device).await;
    let routes = web::routes();
    let corpus = corpus();
    let mut requests = 0;
    for route in &routes {
        for hostile in &corpus {
            if !caller.alive(&app).await {
                caller = Caller::new(&app).await;
            }
            send_everywhere(&app, &ids, &caller, route, hostile).await;
            requests += if route.changes_state() { 2 } else { 1 };
        }
    }
    // A JSON lone surrogate cannot be built with serde_json: write the body by hand.
    for route in routes.iter().filter(|r| r.is_api() && r.changes_state()) {
        if !caller.alive(&app).await {
            caller = Caller::new(&app).await;
        }
        let path = ids.fill(&route.path, None);
        let res = client()
            .request(route.method.clone(), app.url(&path))
            .header("cookie", &caller.device.cookie)
            .header(CONTENT_TYPE, "application/json")
            .body(r#"{"name":"\ud800","email":"a\udfff@example.com","q":"\ud83d"}"#)
            .send()
            .await
            .expect("request");
        let lone = Hostile { what: "lone surrogate", value: String::new(), refused: true };
        check(res, &lone, true, &format!("{} {path}", route.method)).await;
        requests += 1;
    }
    assert!(requests > 1000, "{requests} requests: the corpus reached the routes");
    println!("{} routes, {} values, {requests} requests", routes.len(), corpus.len());
});

// A person whose name is made of query syntax is found by it, literally, and nobody else is.
on_both_backends!(search_terms_full_of_query_syntax_match_literally, |app| async move {
    app.seed_org().await;
    let admin = app.login_admin().await;
    let names = ["O'Brien", "100%_sure", "back\\slash", "\"quoted*\"", "NEAR(x)"];
    for (i, last) in names.iter().enumerate() {
        let email = format!("syntax{i}@example.com");
        let res = app
            .post_json(
                &admin,
                "/api/v1/invitations",
                &json!({"invitations": [{"email": email, "first_name": "Syn", "last_name": last}]}),
            )
            .await;
        assert!(res.status().is_success(), "invite {last}: {}", res.text().await.unwrap_or_default());
    }
    for (i, last) in names.iter().enumerate() {
        let items = app.list_all(&admin, &format!("q={}", url_encode(last))).await;
        let found = crate::support::app::emails(&items);
        assert_eq!(found, vec![format!("syntax{i}@example.com")], "q={last:?} matches literally");
    }
    for term in ["%", "_", "\\", "\"", "*", "'"] {
        let items = app.list_all(&admin, &format!("q={}", url_encode(term))).await;
        for email in crate::support::app::emails(&items) {
            let i: usize = email.trim_start_matches("syntax").trim_end_matches("@example.com").parse().unwrap_or(99);
            assert!(names.get(i).is_some_and(|n| n.contains(term)), "q={term:?} found {email}, which lacks it");
        }
    }
});
