//! Tests generated from the route table (`web::routes()`, built by the router registration
//! itself), so a route added tomorrow is covered without touching this file:
//! - every state-changing page route refuses a form without the session's CSRF token, and
//!   changes nothing;
//! - every route that needs a session refuses anonymous callers (login page or 401), and the
//!   ones declared public do not;
//! - a malformed id in any path is the 404 page, or 400 problem+json naming the parameter.

use crate::on_both_backends;
use crate::sessions::{CHROME_UA, Device, sign_in};
use crate::support::app::{ADMIN_EMAIL, TestApp};
use crate::support::org::Org;
use reqwest::StatusCode;
use reqwest::header::{CONTENT_TYPE, LOCATION};
use serde_json::Value;
use web::{Access, Route};

/// A client that shows redirects instead of following them, like the tests' browsers do not.
pub(crate) fn client() -> reqwest::Client {
    reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().expect("client")
}

/// Ids that exist, for every kind of path parameter, so that a missing check would act on
/// something real.
pub(crate) struct Ids {
    user: String,
    group: String,
    role: String,
    /// A live session of the signed-in caller (`/me/sessions/{sid}`) and of ann (admin paths).
    own_session: String,
    ann_session: String,
}

impl Ids {
    /// `path` with each `{param}` replaced by an id of its kind (`bad` in the first one, when given).
    pub(crate) fn fill(&self, path: &str, bad: Option<&str>) -> String {
        let mut out = Vec::new();
        let mut first = true;
        let mut previous = "";
        for segment in path.split('/') {
            let Some(name) = segment.strip_prefix('{').and_then(|s| s.strip_suffix('}')) else {
                out.push(segment.to_owned());
                previous = segment;
                continue;
            };
            let id = match (previous, name) {
                _ if first && bad.is_some() => bad.unwrap_or_default().to_owned(),
                ("groups", _) => self.group.clone(),
                ("roles" | "admin-roles", _) => self.role.clone(),
                ("bots", _) | (_, "bot_id") => uuid::Uuid::now_v7().to_string(),
                (_, "sid" | "session_id") if path.starts_with("/me/") || path.starts_with("/api/v1/me/") => {
                    self.own_session.clone()
                }
                (_, "sid" | "session_id") => self.ann_session.clone(),
                _ => self.user.clone(),
            };
            first = false;
            out.push(id);
            previous = segment;
        }
        out.join("/")
    }
}

pub(crate) async fn ids(app: &TestApp, org: &Org, root: &Device) -> Ids {
    let ann = sign_in(app, "ann.archer@example.com", CHROME_UA).await;
    Ids {
        user: org.ann.to_string(),
        group: org.alpha_team.to_string(),
        role: org.alpha_admin_role.to_string(),
        own_session: root.session_id.clone(),
        ann_session: ann.session_id,
    }
}

/// The id of the newest audit event: every change is audited, so it moves when anything did.
async fn newest_event(app: &TestApp, root: &Device) -> Value {
    let res = client()
        .get(app.url("/api/v1/audit?limit=1"))
        .header("cookie", &root.cookie)
        .send()
        .await
        .expect("audit request");
    assert_eq!(res.status(), StatusCode::OK);
    res.json::<Value>().await.expect("json")["items"][0]["id"].clone()
}

fn page_routes(access: Access) -> impl Iterator<Item = Route> {
    web::routes().into_iter().filter(move |r| !r.is_api() && r.access == access)
}

on_both_backends!(every_state_changing_page_refuses_a_form_without_the_session_token, |app| async move {
    let org = app.seed_org().await;
    let root = sign_in(&app, ADMIN_EMAIL, CHROME_UA).await;
    let ids = ids(&app, &org, &root).await;
    let before = newest_event(&app, &root).await;
    let forms: Vec<Route> = page_routes(Access::Session).filter(Route::changes_state).collect();
    assert!(forms.len() > 30, "the table lists the page forms: {forms:?}");
    for route in &forms {
        let path = ids.fill(&route.path, None);
        for token in ["", "not-the-token"] {
            let res = client()
                .request(route.method.clone(), app.url(&path))
                .header("cookie", &root.cookie)
                .form(&[("csrf", token), ("confirm", "on"), ("name", "Forged"), ("version", "1")])
                .send()
                .await
                .expect("request");
            let status = res.status();
            let html = res.text().await.unwrap_or_default();
            assert_eq!(status, StatusCode::FORBIDDEN, "{} {path} with token {token:?}: {html}", route.method);
            assert!(html.contains("This form has expired"), "{} {path}: {html}", route.method);
        }
    }
    assert_eq!(newest_event(&app, &root).await, before, "a refused form changed something");
    let res = client().get(app.url("/api/v1/me")).header("cookie", &root.cookie).send().await.expect("me");
    assert_eq!(res.status(), StatusCode::OK, "the session is still live");
});

on_both_backends!(routes_that_need_a_session_refuse_anonymous_callers_and_public_ones_do_not, |app| async move {
    let org = app.seed_org().await;
    let root = sign_in(&app, ADMIN_EMAIL, CHROME_UA).await;
    let ids = ids(&app, &org, &root).await;
    let routes = web::routes();
    assert!(routes.iter().any(|r| r.access == Access::Public) && routes.iter().any(Route::is_api));
    for route in routes {
        let path = ids.fill(&route.path, None);
        let mut req = client().request(route.method.clone(), app.url(&path));
        if route.changes_state() {
            req = req.form(&[("csrf", "")]);
        }
        let res = req.send().await.expect("request");
        let status = res.status();
        let to_login =
            res.headers().get(LOCATION).is_some_and(|l| l.to_str().unwrap_or_default().starts_with("/login"));
        let body = res.text().await.unwrap_or_default();
        let what = format!("{} {path}: {status} {body}", route.method);
        let refused = if route.is_api() {
            status == StatusCode::UNAUTHORIZED && body.contains("sign in first")
        } else {
            status == StatusCode::SEE_OTHER && to_login
        };
        match route.access {
            Access::Session => assert!(refused, "anonymous callers must be refused: {what}"),
            Access::Public => assert!(!refused, "a public route asked for a session: {what}"),
        }
    }
});

on_both_backends!(a_malformed_id_in_any_path_is_the_404_page_or_400_naming_it, |app| async move {
    let org = app.seed_org().await;
    let root = sign_in(&app, ADMIN_EMAIL, CHROME_UA).await;
    let ids = ids(&app, &org, &root).await;
    // A catch-all (`{*file}`, Swagger UI's files) names a file, not an id.
    let with_ids = web::routes().into_iter().filter(|r| r.path.contains('{') && !r.path.contains("{*"));
    for route in with_ids {
        let path = ids.fill(&route.path, Some("not-an-id"));
        let param = route.path.split('{').nth(1).and_then(|s| s.split('}').next()).unwrap_or_default().to_owned();
        let res = client()
            .request(route.method.clone(), app.url(&path))
            .header("cookie", &root.cookie)
            .form(&[("csrf", "")])
            .send()
            .await
            .expect("request");
        let status = res.status();
        let content_type = res.headers().get(CONTENT_TYPE).map(|v| v.to_str().unwrap_or_default().to_owned());
        let body = res.text().await.unwrap_or_default();
        let what = format!("{} {path}: {status} {body}", route.method);
        if route.is_scim() {
            // SCIM is spoken with a token: a session is refused before the id is read; a
            // malformed id names no resource (404). Either way a SCIM error.
            assert!([StatusCode::FORBIDDEN, StatusCode::NOT_FOUND].contains(&status), "{what}");
            assert_eq!(content_type.as_deref(), Some("application/scim+json"), "{what}");
        } else if route.is_api() {
            assert_eq!(status, StatusCode::BAD_REQUEST, "{what}");
            assert_eq!(content_type.as_deref(), Some("application/problem+json"), "{what}");
            let problem: Value = serde_json::from_str(&body).expect("problem+json");
            assert_eq!(problem["invalid_params"][0]["name"], param.as_str(), "{what}");
        } else {
            assert_eq!(status, StatusCode::NOT_FOUND, "{what}");
            assert!(body.contains("<nav") && body.contains("Not Found"), "the 404 page with the bar: {what}");
        }
    }
});

on_both_backends!(every_page_form_answers_an_oversized_body_413_even_with_the_session_token, |app| async move {
    let org = app.seed_org().await;
    let root = sign_in(&app, ADMIN_EMAIL, CHROME_UA).await;
    let ids = ids(&app, &org, &root).await;
    let before = newest_event(&app, &root).await;
    let page = client().get(app.url("/admin/users")).header("cookie", &root.cookie).send().await.expect("page");
    let token = crate::support::app::csrf_of(&page.text().await.expect("html"));
    // 3.6 MB: over the 2 MB every form accepts, under what the middleware refuses unread,
    // so the route's own extractor meets the limit, after the valid token.
    let filler = "x".repeat(3_600_000);
    let forms: Vec<Route> = page_routes(Access::Session)
        .filter(Route::changes_state)
        // The invite page takes a 5 MB CSV file.
        .filter(|r| r.path != "/admin/users/invite")
        .collect();
    assert!(forms.len() > 30, "the table lists the page forms: {forms:?}");
    for route in &forms {
        let path = ids.fill(&route.path, None);
        let res = client()
            .request(route.method.clone(), app.url(&path))
            .header("cookie", &root.cookie)
            .header("accept", "text/html")
            .form(&[("csrf", token.as_str()), ("name", "Big"), ("filler", &filler)])
            .send()
            .await
            .expect("request");
        let status = res.status();
        let html = res.text().await.unwrap_or_default();
        assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE, "{} {path}: {html}", route.method);
        assert!(html.contains("Too large"), "{} {path}: {html}", route.method);
    }
    assert_eq!(newest_event(&app, &root).await, before, "an oversized form changed something");
});
