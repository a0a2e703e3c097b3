//! A real OpenID provider for the SSO tests: npm `oidc-provider` (pinned with a lockfile in
//! `tests/oidc/`, installed by `.ci/run` with `npm ci`) run by `tests/oidc/provider.mjs` on a
//! random port, with the clients and users each test defines. Without node or the
//! installed packages the test is skipped with the reason — except under `CI=true`, where
//! it fails.

use super::app::{TestApp, client};
use reqwest::StatusCode;
use serde_json::{Value, json};
use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};

pub const CLIENT_ID: &str = "roster";
pub const CLIENT_SECRET: &str = "roster-test-secret";
const INSTALL_HINT: &str = "npm ci --prefix crates/roster/tests/oidc";

/// The running provider; killed when dropped.
pub struct Oidc {
    pub issuer: String,
    child: Child,
    http: reqwest::Client,
}

fn dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/oidc")
}

impl Oidc {
    /// Starts the provider with one client (redirecting to `app`'s callback) and `users`
    /// (`{"login": {claims}}`).
    pub async fn start(app: &TestApp, users: Value) -> Option<Self> {
        let installed = dir().join("node_modules/oidc-provider/package.json").exists();
        let node = Command::new("node").arg("--version").output().is_ok_and(|o| o.status.success());
        if !installed || !node {
            let why = if node { format!("run `{INSTALL_HINT}`") } else { "node is not installed".to_owned() };
            assert!(std::env::var("CI").as_deref() != Ok("true"), "the OpenID test provider is missing: {why}");
            eprintln!("skipping SSO test: the OpenID test provider is missing: {why}");
            return None;
        }
        let config = json!({
            "clients": [{
                "client_id": CLIENT_ID,
                "client_secret": CLIENT_SECRET,
                "redirect_uris": [app.url("/sso/callback")],
            }],
            "users": users,
        });
        let mut child = Command::new("node")
            .arg(dir().join("provider.mjs"))
            .arg(config.to_string())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("start node");
        let stdout = child.stdout.take().expect("stdout");
        let (tx, rx) = tokio::sync::oneshot::channel();
        // The provider logs notices to stdout all along: keep reading it to the end, or its
        // writes into a closed pipe would kill it mid-test.
        std::thread::spawn(move || {
            let mut lines = BufReader::new(stdout).lines();
            let port = lines.by_ref().find_map(|l| l.ok()?.strip_prefix("LISTENING ").map(str::to_owned));
            let _ = tx.send(port);
            lines.for_each(drop);
        });
        let port = rx.await.expect("read provider output").expect("the provider printed LISTENING <port>");
        Some(Self { issuer: format!("http://127.0.0.1:{port}"), child, http: client() })
    }

    async fn control(&self, path: &str, body: &Value) -> Value {
        let res = self.http.post(format!("{}{path}", self.issuer)).json(body).send().await.expect("provider control");
        assert_eq!(res.status(), StatusCode::OK, "{path}");
        res.json().await.expect("json")
    }

    /// Adds or replaces users.
    pub async fn set_users(&self, users: Value) {
        self.control("/__test/users", &users).await;
    }

    /// Publishes a new signing key; forged tokens are signed with it from now on. Its kid.
    pub async fn rotate(&self) -> String {
        self.control("/__test/rotate", &json!({})).await["kid"].as_str().expect("kid").to_owned()
    }

    /// The next token request answers with an ID token of `order` (see provider.mjs); with
    /// `"code"` in `order`, the token request for that authorization code does.
    pub async fn forge(&self, order: Value) {
        self.control("/__test/forge", &order).await;
    }

    /// How many times the provider's key set (`/jwks`) was fetched so far.
    pub async fn key_fetches(&self) -> u64 {
        let res = self.http.get(format!("{}/__test/stats", self.issuer)).send().await.expect("provider stats");
        let stats: Value = res.json().await.expect("json");
        stats["jwks_fetches"].as_u64().expect("jwks_fetches")
    }

    /// Saves `settings` (over working defaults for this provider) with the root admin,
    /// passes the connection test and switches SSO on.
    pub async fn configure(&self, app: &TestApp, root: &reqwest::Client, settings: Value) {
        let mut body = json!({
            "enabled": false,
            "issuer": self.issuer,
            "client_id": CLIENT_ID,
            "client_secret": CLIENT_SECRET,
            "scopes": ["email", "profile", "groups"],
            "email_claim": "email",
            "require_email_verified": true,
            "provider_name": "Test IdP",
            "create_users": false,
            "mapping": {"mode": "inclusion_only", "claim": "groups", "groups": {}, "admin_roles": {}, "builder_access": {}},
        });
        for (k, v) in settings.as_object().expect("settings are an object") {
            body[k] = v.clone();
        }
        let (status, saved) = app.send(root, reqwest::Method::PUT, "/api/v1/settings/sso", Some(body)).await;
        assert_eq!(status, StatusCode::OK, "{saved}");
        let (status, tested) = app.send(root, reqwest::Method::POST, "/api/v1/settings/sso/test", None).await;
        assert_eq!((status, &tested["ok"]), (StatusCode::OK, &json!(true)), "{tested}");
        let on = json!({"enabled": true});
        let (status, saved) = app.send(root, reqwest::Method::PATCH, "/api/v1/settings/sso", Some(on)).await;
        assert_eq!(status, StatusCode::OK, "{saved}");
    }
}

/// Switches SSO on for the bootstrap account straight in the store, as if a provider were
/// configured and tested: for tests of what SSO turns off (resets, password changes), which
/// need no provider.
pub async fn force_sso_on(app: &TestApp) {
    let account = domain::ids::AccountId(store::accounts::first(&app.db).await.unwrap().expect("an account").id);
    let changed = domain::closed::AuditAction::SsoSettingsChanged;
    let event = app::audit::unattended(account, changed, None, "", json!({"new": {"enabled": true}}));
    store::password_reset::set_sso_enabled(&app.db, account, true, &event).await.expect("switch SSO on");
}

impl Drop for Oidc {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Where a redirect points, absolute.
pub fn location(res: &reqwest::Response) -> String {
    let loc = res.headers().get("location").expect("a Location").to_str().expect("ascii").to_owned();
    res.url().join(&loc).expect("a URL").to_string()
}

/// Starts an SSO sign-in at `app` with the cookie client `c`: the provider's authorization
/// URL Roster redirects to.
pub async fn start(app: &TestApp, c: &reqwest::Client) -> String {
    let res = c.get(app.url("/sso/start")).send().await.expect("start");
    assert_eq!(res.status(), StatusCode::SEE_OTHER, "{}", res.text().await.unwrap_or_default());
    location(&res)
}

/// A query parameter of `url`.
pub fn param(url: &str, name: &str) -> String {
    let url = reqwest::Url::parse(url).expect("url");
    url.query_pairs().find(|(k, _)| k == name).map(|(_, v)| v.into_owned()).unwrap_or_default()
}

/// Signs in through the provider's real login page as `login`: the cookie client and
/// Roster's answer to the callback (not followed).
pub async fn sign_in(app: &TestApp, login: &str) -> (reqwest::Client, reqwest::Response) {
    let (c, url) = to_callback(app, login).await;
    let res = c.get(&url).send().await.expect("callback");
    (c, res)
}

/// Signs in at the provider's real login page as `login`, stopping before Roster's callback:
/// the cookie client that started the sign-in and the callback URL the provider sent it to.
pub async fn to_callback(app: &TestApp, login: &str) -> (reqwest::Client, String) {
    let c = client();
    let mut url = start(app, &c).await;
    let callback = app.url("/sso/callback");
    for _ in 0..10 {
        if url.starts_with(&callback) {
            return (c, url);
        }
        let res = c.get(&url).send().await.expect("provider");
        if res.status().is_redirection() {
            url = location(&res);
            continue;
        }
        assert_eq!(res.status(), StatusCode::OK, "{url}");
        assert!(url.contains("/interaction/"), "expected the provider's login page at {url}");
        let form = [("prompt", "login"), ("login", login), ("password", "anything")];
        let res = c.post(&url).form(&form).send().await.expect("login form");
        assert!(res.status().is_redirection(), "login form: {}", res.status());
        url = location(&res);
    }
    panic!("the sign-in did not reach the callback");
}
