//! The authorization matrix, generated from the router (issue 10.1): every route of
//! `web::routes()` × eight callers, each answered with the status class [`ROUTES`] and
//! [`expected`] say, on both backends. A route the table does not list fails the test, so
//! a new route cannot be forgotten.
//!
//! Each (route, caller) acts on a user of its own, made for it (so a suspend or delete by one
//! caller cannot change what the next one sees): a member of Alpha, a Master Admin in Alpha
//! (for the scoped admin's second column) or a member of Beta (outside the scoped admin's
//! scope). Self-service routes run on a fresh session of the caller, since some end it.

use crate::on_both_backends;
use crate::sessions::{CHROME_UA, sign_in};
use crate::support::app::{ADMIN_EMAIL, PASSWORD, TestApp};
use crate::support::org::Org;
use domain::bot::BotRole;
use domain::ids::{AdminRoleId, BotId, UserId, WorkspaceId};
use domain::permission::Permission;
use domain::user::{BuilderAccess, Email, PersonName, UserStatus};
use reqwest::StatusCode;
use reqwest::header::LOCATION;
use serde_json::json;
use store::users::NewUser;
use web::Route;

/// The status class of an answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Expect {
    /// Past authorization: anything but 401, 403, 404, a sign-in redirect or a 5xx (an empty
    /// body's 400 or a state's 409 count: the request reached the use case).
    In,
    /// 403: signed in, not allowed.
    Deny,
    /// 404: the target is outside the caller's scope, exactly like a user that does not exist.
    Hide,
    /// 401 (API) or the redirect to the login page.
    SignIn,
}
use Expect::{Deny, Hide, In, SignIn};

/// The callers, in the order of the table's columns.
const CALLERS: [&str; 8] = [
    "anonymous",
    "member",
    "scoped admin on an in-scope member",
    "scoped admin on an in-scope Master Admin",
    "scoped admin on an out-of-scope user",
    "account-wide custom role lacking the permission",
    "Master Admin",
    "Primary Master Admin",
];

/// What a route does, as far as who may call it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// Anyone (sign-in, link pages, probes, static files).
    Public,
    /// The caller's own account (self-service): any signed-in user.
    Own,
    /// An admin section within the caller's scope (users list, groups, bots, roles, invitations).
    Console,
    /// The audit log (the lacking role holds only audit.view, so it may).
    Audit,
    /// Reaches the whole account: needs the permission on all workspaces (User Settings, deleted users).
    AccountWide,
    /// Reads one user.
    ViewUser,
    /// Changes one user: their authority must lie within the caller's.
    ActOnUser,
    /// Hands the primary role over: the Primary Master Admin only (after the scope check).
    HandOver,
    /// Transfers bot ownership: the Primary Master Admin only (decided first).
    Transfer,
    /// The operator's (a bearer token or its own address); not served to sessions, so 404.
    Operator,
    /// Signing out: every caller ends at the login page.
    SignOut,
    /// A bulk action: answered 200 with each user's own outcome (a refusal per user), so every
    /// signed-in caller gets past the request's authorization.
    PerUser,
    /// Creating a bot: builders (members included) and admins holding bots.assign; the use
    /// case decides, so every signed-in caller gets past authorization.
    Builders,
}

/// The table: what each kind of route answers each caller (columns as in [`CALLERS`]).
#[rustfmt::skip]
#[allow(clippy::match_same_arms)] // one row per kind keeps the table readable
fn expected(kind: Kind) -> [Expect; 8] {
    match kind {
        //                  anon    member  sc→mem  sc→MA   sc→out  lacking MA      PMA
        Kind::Public      => [In,     In,     In,     In,     In,     In,     In,     In],
        Kind::Own         => [SignIn, In,     In,     In,     In,     In,     In,     In],
        Kind::Console     => [SignIn, Deny,   In,     In,     In,     Deny,   In,     In],
        Kind::Audit       => [SignIn, Deny,   In,     In,     In,     In,     In,     In],
        Kind::AccountWide => [SignIn, Deny,   Deny,   Deny,   Deny,   Deny,   In,     In],
        Kind::ViewUser    => [SignIn, Deny,   In,     In,     Hide,   Deny,   In,     In],
        Kind::ActOnUser   => [SignIn, Deny,   In,     Deny,   Hide,   Deny,   In,     In],
        Kind::HandOver    => [SignIn, Deny,   Deny,   Deny,   Hide,   Deny,   Deny,   In],
        Kind::Transfer    => [SignIn, Deny,   Deny,   Deny,   Deny,   Deny,   Deny,   In],
        Kind::Operator    => [Hide,   Hide,   Hide,   Hide,   Hide,   Hide,   Hide,   Hide],
        Kind::SignOut     => [SignIn, SignIn, SignIn, SignIn, SignIn, SignIn, SignIn, SignIn],
        Kind::Builders    => [SignIn, In,     In,     In,     In,     In,     In,     In],
        Kind::PerUser     => [SignIn, In,     In,     In,     In,     In,     In,     In],
    }
}

use Kind::{
    AccountWide, ActOnUser, Audit, Builders, Console, HandOver, Operator, Own, PerUser, Public, SignOut, Transfer,
    ViewUser,
};

/// Every route of the router with its kind.
#[rustfmt::skip]
const ROUTES: &[(&str, &str, Kind)] = &[
    // Operations and public pages.
    ("GET", "/healthz", Public), ("GET", "/readyz", Public), ("GET", "/metrics", Operator),
    ("GET", "/static/style.css", Public), ("GET", "/static/app.js", Public), ("GET", "/static/bots.js", Public),
    ("GET", "/login", Public), ("POST", "/login", Public), ("GET", "/setup", Public), ("POST", "/setup", Public),
    ("GET", "/password/forgot", Public), ("POST", "/password/forgot", Public),
    ("GET", "/password/reset", Public), ("POST", "/password/reset", Public),
    ("GET", "/invitations/accept", Public), ("POST", "/invitations/accept", Public),
    ("POST", "/api/v1/auth/login", Public), ("POST", "/api/v1/auth/forgot-password", Public),
    ("POST", "/api/v1/auth/reset-password", Public),
    // Self-service.
    ("GET", "/", Own), ("POST", "/logout", SignOut), ("POST", "/api/v1/auth/logout", Own),
    ("GET", "/me", Own), ("GET", "/me/sessions", Own), ("POST", "/me/sessions/end-others", Own),
    ("POST", "/me/sessions/{sid}/end", Own), ("POST", "/me/sessions/{sid}/report", Own),
    ("POST", "/me/workspace", Own), ("GET", "/me/profile", Own), ("POST", "/me/profile", Own),
    ("POST", "/me/profile/picture", Own), ("POST", "/me/profile/picture/remove", Own), ("POST", "/me/password", Own),
    ("GET", "/api/v1/me", Own), ("GET", "/api/v1/me/sessions", Own), ("DELETE", "/api/v1/me/sessions", Own),
    ("DELETE", "/api/v1/me/sessions/{session_id}", Own), ("POST", "/api/v1/me/sessions/{session_id}/report", Own),
    ("PUT", "/api/v1/me/workspace", Own), ("GET", "/api/v1/me/profile", Own), ("PATCH", "/api/v1/me/profile", Own),
    ("GET", "/api/v1/me/profile/picture", Own), ("PUT", "/api/v1/me/profile/picture", Own),
    ("DELETE", "/api/v1/me/profile/picture", Own), ("POST", "/api/v1/me/password", Own),
    // Admin sections.
    ("GET", "/admin/users", Console), ("POST", "/admin/users/bulk", Console),
    ("GET", "/admin/users/invite", Console), ("POST", "/admin/users/invite", Console),
    ("GET", "/admin/groups", Console), ("POST", "/admin/groups", Console),
    ("POST", "/admin/groups/{id}/rename", Console), ("POST", "/admin/groups/{id}/delete", Console),
    ("POST", "/admin/groups/{id}/members", Console), ("POST", "/admin/groups/{id}/members/remove", Console),
    ("GET", "/admin/bots", Console), ("POST", "/admin/bots", Console),
    ("GET", "/admin/roles", Console), ("POST", "/admin/roles", Console),
    ("POST", "/admin/roles/{id}/rename", Console), ("POST", "/admin/roles/{id}/delete", Console),
    ("GET", "/admin/settings/security", Console), ("POST", "/admin/settings/security", Console),
    ("GET", "/api/v1/users", Console), ("POST", "/api/v1/users/bulk", PerUser), ("GET", "/api/v1/users/export", Console),
    ("POST", "/api/v1/invitations", Console),
    ("GET", "/api/v1/groups", Console), ("POST", "/api/v1/groups", Console), ("GET", "/api/v1/groups/{id}", Console),
    ("PATCH", "/api/v1/groups/{id}", Console), ("DELETE", "/api/v1/groups/{id}", Console),
    ("GET", "/api/v1/groups/{id}/members", Console),
    ("GET", "/api/v1/bots", Console), ("POST", "/api/v1/bots", Builders),
    ("GET", "/api/v1/bots/{bot_id}/owner-candidates", Console),
    ("GET", "/api/v1/admin-roles", Console), ("POST", "/api/v1/admin-roles", Console),
    ("GET", "/api/v1/admin-roles/{id}", Console), ("PATCH", "/api/v1/admin-roles/{id}", Console),
    ("DELETE", "/api/v1/admin-roles/{id}", Console),
    ("GET", "/api/v1/settings/security", Console), ("PUT", "/api/v1/settings/security", Console),
    ("GET", "/api/v1/settings/sso", Console), ("PUT", "/api/v1/settings/sso", Console),
    ("GET", "/admin/audit", Audit), ("GET", "/api/v1/audit", Audit), ("GET", "/api/v1/audit/export", Audit),
    ("GET", "/admin/settings/user-profile", AccountWide), ("POST", "/admin/settings/user-profile", AccountWide),
    ("POST", "/admin/settings/user-profile/preview", AccountWide),
    ("GET", "/api/v1/settings/user-profile", AccountWide), ("PUT", "/api/v1/settings/user-profile", AccountWide),
    ("POST", "/api/v1/settings/user-profile/preview", AccountWide),
    ("GET", "/admin/users/deleted", AccountWide), ("POST", "/admin/users/deleted/{id}/restore", AccountWide),
    ("GET", "/api/v1/users/deleted", AccountWide), ("POST", "/api/v1/users/{id}/restore", AccountWide),
    // One user.
    ("GET", "/admin/users/{id}", ViewUser), ("GET", "/admin/users/{id}/sessions", ViewUser),
    ("GET", "/admin/users/{id}/bots", ViewUser), ("GET", "/admin/users/{id}/delete", ActOnUser),
    ("GET", "/api/v1/users/{id}", ViewUser), ("GET", "/api/v1/users/{id}/sessions", ViewUser),
    ("GET", "/api/v1/users/{id}/bots", ViewUser), ("GET", "/api/v1/users/{id}/picture", ViewUser),
    ("POST", "/admin/users/{id}/unlock", ActOnUser), ("POST", "/admin/users/{id}/edit", ActOnUser),
    ("POST", "/admin/users/{id}/picture", ActOnUser), ("POST", "/admin/users/{id}/picture/remove", ActOnUser),
    ("POST", "/admin/users/{id}/suspend", ActOnUser), ("POST", "/admin/users/{id}/activate", ActOnUser),
    ("POST", "/admin/users/{id}/delete", ActOnUser), ("POST", "/admin/users/{id}/resend-invitation", ActOnUser),
    ("POST", "/admin/users/{id}/reset-password", ActOnUser), ("POST", "/admin/users/{id}/sessions/kill-all", ActOnUser),
    ("POST", "/admin/users/{id}/sessions/{sid}/kill", ActOnUser), ("POST", "/admin/users/{id}/bots/assign", ActOnUser),
    ("POST", "/admin/users/{id}/bots/{bot_id}/role", ActOnUser),
    ("POST", "/admin/users/{id}/bots/{bot_id}/remove", ActOnUser),
    ("POST", "/admin/groups/{id}/members/{user}/remove", ActOnUser),
    ("DELETE", "/api/v1/users/{id}", ActOnUser), ("PATCH", "/api/v1/users/{id}", ActOnUser),
    ("POST", "/api/v1/users/{id}/unlock", ActOnUser), ("POST", "/api/v1/users/{id}/suspend", ActOnUser),
    ("POST", "/api/v1/users/{id}/activate", ActOnUser), ("POST", "/api/v1/users/{id}/reset-password", ActOnUser),
    ("POST", "/api/v1/users/{id}/resend-invitation", ActOnUser),
    ("DELETE", "/api/v1/users/{id}/sessions", ActOnUser), ("DELETE", "/api/v1/users/{id}/sessions/{session_id}", ActOnUser),
    ("PUT", "/api/v1/users/{id}/bots/{bot_id}", ActOnUser), ("DELETE", "/api/v1/users/{id}/bots/{bot_id}", ActOnUser),
    ("PUT", "/api/v1/users/{id}/picture", ActOnUser), ("DELETE", "/api/v1/users/{id}/picture", ActOnUser),
    ("PUT", "/api/v1/groups/{id}/members/{user_id}", ActOnUser),
    ("DELETE", "/api/v1/groups/{id}/members/{user_id}", ActOnUser),
    ("POST", "/api/v1/users/{id}/make-primary", HandOver),
    ("POST", "/admin/users/{id}/bots/{bot_id}/transfer", Transfer), ("POST", "/admin/users/{id}/transfer-and-delete", Transfer),
    ("POST", "/api/v1/users/{id}/bots/{bot_id}/transfer", Transfer), ("POST", "/api/v1/users/{id}/transfer-and-delete", Transfer),
];

/// The JSON body an API route gets: `{}` unless the route's extractor needs fields before
/// authorization can even run (then a well-formed request that changes nothing).
fn body_of(route: &Route) -> serde_json::Value {
    match route.path.as_str() {
        "/api/v1/users/bulk" => json!({"action": "unlock", "ids": [uuid::Uuid::now_v7().to_string()]}),
        "/api/v1/settings/sso" => json!({"enabled": false}),
        _ => json!({}),
    }
}

fn kind_of(route: &Route) -> Option<Kind> {
    ROUTES.iter().find(|(m, p, _)| *m == route.method.as_str() && *p == route.path).map(|(_, _, k)| *k)
}

/// The deleted-user routes act on a deleted user; the others on a live one.
fn wants_deleted_target(path: &str) -> bool {
    path.ends_with("/restore")
}

/// A client that shows redirects instead of following them.
fn client() -> reqwest::Client {
    reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().expect("client")
}

/// A signed-in session: its cookie, id and CSRF token (read from a page's form).
#[derive(Clone)]
struct Session {
    cookie: String,
    id: String,
    csrf: String,
}

async fn session(app: &TestApp, email: &str) -> Session {
    let d = sign_in(app, email, CHROME_UA).await;
    let html = client().get(app.url("/me")).header("cookie", &d.cookie).send().await.expect("me").text().await.unwrap();
    let marker = "name=\"csrf\" value=\"";
    let start = html.find(marker).expect("a CSRF field") + marker.len();
    let csrf = html[start..].split('"').next().unwrap_or_default().to_owned();
    Session { cookie: d.cookie, id: d.session_id, csrf }
}

/// A session for each caller (none for anonymous).
async fn signed_in_callers(app: &TestApp) -> Vec<Option<Session>> {
    let mut sessions = Vec::new();
    for column in 0..CALLERS.len() {
        sessions.push(match caller_email(column) {
            Some(email) => Some(session(app, email).await),
            None => None,
        });
    }
    sessions
}

/// Gives `user` a picture (so that reading it answers 200 where allowed).
async fn give_picture(app: &TestApp, org: &Org, user: UserId) {
    let picture = store::pictures::Picture { content_type: "image/png".into(), data: vec![1, 2, 3], updated_at: 1 };
    let event = store::audit::NewAuditEvent {
        id: uuid::Uuid::now_v7(),
        account_id: org.account,
        at: app::clock::now(),
        actor_user_id: None,
        action: "user.picture_changed".into(),
        target_user_id: Some(user.0),
        workspace_id: None,
        ip: None,
        details: "{}".into(),
    };
    store::pictures::put(&app.db, user, &picture, &event).await.expect("picture");
}

/// The callers' emails (anonymous has none).
struct Callers {
    member: &'static str,
    scoped: &'static str,
    lacking: &'static str,
    master: &'static str,
}

const WHO: Callers = Callers {
    member: "member@example.com",
    scoped: "alpha.ops@example.com",
    lacking: "auditor@example.com",
    master: "matrix.master@example.com",
};

fn caller_email(column: usize) -> Option<&'static str> {
    match column {
        0 => None,
        1 => Some(WHO.member),
        2..=4 => Some(WHO.scoped),
        5 => Some(WHO.lacking),
        6 => Some(WHO.master),
        _ => Some(ADMIN_EMAIL),
    }
}

/// The user a (route, caller) acts on.
struct Target {
    id: UserId,
    email: String,
}

fn new_user(org: &Org, email: &str, ws: WorkspaceId, role: Option<AdminRoleId>, hash: &str, invited: bool) -> NewUser {
    let now = app::clock::now();
    NewUser {
        id: UserId::new(),
        account_id: org.account,
        email: Email::try_from(email).expect("email"),
        first_name: PersonName::parse("first_name", "Tess").expect("name"),
        last_name: PersonName::parse("last_name", "Target").expect("name"),
        status: if invited { UserStatus::Invited } else { UserStatus::Active },
        builder_access: BuilderAccess::None,
        is_primary_admin: false,
        admin_role_id: role,
        password_hash: (!invited).then(|| hash.to_owned()),
        invited_at: invited.then_some(now),
        last_login_at: None,
        created_at: now,
        workspaces: vec![ws],
    }
}

/// `path` with its parameters filled: users by `target`, groups, roles and bots by the
/// seeded ones, sessions by the caller's own (`/me`) or the target's.
fn fill(path: &str, target: &str, own_session: &str, target_session: &str, ids: &Ids) -> String {
    let mut previous = "";
    let mut out = Vec::new();
    for segment in path.split('/') {
        let value = match segment.strip_prefix('{').and_then(|s| s.strip_suffix('}')) {
            None => segment.to_owned(),
            Some(name) => match (previous, name) {
                ("groups", _) => ids.group.clone(),
                ("roles" | "admin-roles", _) => ids.role.clone(),
                (_, "bot_id") => ids.bot.clone(),
                (_, "sid" | "session_id") if path.contains("/me/") => own_session.to_owned(),
                (_, "sid" | "session_id") => target_session.to_owned(),
                _ => target.to_owned(),
            },
        };
        previous = segment;
        out.push(value);
    }
    out.join("/")
}

struct Ids {
    group: String,
    role: String,
    bot: String,
}

fn class_of(route: &Route, status: StatusCode, location: Option<&str>) -> Option<Expect> {
    Some(match status.as_u16() {
        401 if route.is_api() => SignIn,
        303 if location.is_some_and(|l| l.starts_with("/login")) => SignIn,
        403 => Deny,
        404 => Hide,
        500.. => return None,
        _ => In,
    })
}

on_both_backends!(every_route_answers_each_caller_as_the_authority_table_says, |app| async move {
    let org = app.seed_org().await;
    let all_ws = vec![org.default_ws, org.alpha, org.beta];
    let alpha_ops = app.add_role(org.account, "Alpha Ops", &Permission::ALL, Some(vec![org.alpha])).await;
    let master_role = store::roles::master_role(&app.db, org.account).await.expect("query").expect("master role");
    let hash = app.ctx.hasher.hash(PASSWORD).await.expect("hash");
    let mut admins = vec![
        new_user(&org, WHO.scoped, org.alpha, Some(alpha_ops), &hash, false),
        new_user(&org, WHO.master, org.default_ws, Some(master_role), &hash, false),
    ];
    admins[1].workspaces.clone_from(&all_ws);
    store::users::insert(&app.db, &admins).await.expect("admins");

    let routes = web::routes();
    let unlisted: Vec<String> =
        routes.iter().filter(|r| kind_of(r).is_none()).map(|r| format!("{} {}", r.method, r.path)).collect();
    assert!(unlisted.is_empty(), "classify these routes in ROUTES: {unlisted:#?}");
    let stale: Vec<_> =
        ROUTES.iter().filter(|(m, p, _)| !routes.iter().any(|r| r.method.as_str() == *m && r.path == *p)).collect();
    assert!(stale.is_empty(), "ROUTES lists routes the router does not serve: {stale:?}");

    // A target per (route, caller) for the routes about one user.
    let about_a_user =
        |r: &Route| r.path.contains("/users/{id}") || r.path.contains("{user") || r.path.ends_with("/restore");
    let mut targets: Vec<Vec<Option<Target>>> = Vec::new();
    let mut batch = Vec::new();
    for (i, route) in routes.iter().enumerate() {
        let mut row = Vec::new();
        for column in 0..CALLERS.len() {
            if !about_a_user(route) {
                row.push(None);
                continue;
            }
            let email = format!("t{i}.c{column}@example.com");
            let (ws, role) = match column {
                3 => (org.alpha, Some(master_role)),
                4 => (org.beta, None),
                _ => (org.alpha, None),
            };
            let invited = route.path.ends_with("/make-primary") || route.path.ends_with("/resend-invitation");
            let user = new_user(&org, &email, ws, role, &hash, invited);
            row.push(Some(Target { id: user.id, email }));
            batch.push(user);
        }
        targets.push(row);
    }
    store::users::insert(&app.db, &batch).await.expect("targets");
    let in_alpha: Vec<UserId> = batch.iter().filter(|u| u.workspaces == [org.alpha]).map(|u| u.id).collect();
    let bot = BotId::new();
    let developers: Vec<(UserId, BotRole)> = in_alpha.iter().map(|u| (*u, BotRole::Developer)).collect();
    store::bots::create(&app.db, bot, org.alpha, "Matrix Bot", &developers, app::clock::now()).await.expect("bot");
    let members: Vec<_> = in_alpha.iter().map(|u| (org.alpha_team, *u)).collect();
    store::groups::add_members(&app.db, &members).await.expect("group members");
    let ids = Ids { group: org.alpha_team.to_string(), role: org.alpha_admin_role.to_string(), bot: bot.to_string() };
    // Pictures to read: every caller's own, and every target's.
    for email in [WHO.member, WHO.scoped, WHO.lacking, WHO.master, ADMIN_EMAIL] {
        let key = Email::try_from(email).expect("email").key();
        let row = &store::users::find_for_login(&app.db, &key, None).await.expect("caller")[0];
        give_picture(&app, &org, UserId(row.id)).await;
    }
    for user in &batch {
        give_picture(&app, &org, user.id).await;
    }

    let root = session(&app, ADMIN_EMAIL).await;
    for (route, row) in routes.iter().zip(&targets) {
        if wants_deleted_target(&route.path) {
            for t in row.iter().flatten() {
                let res = client()
                    .delete(app.url(&format!("/api/v1/users/{}", t.id)))
                    .header("cookie", &root.cookie)
                    .send()
                    .await
                    .expect("delete");
                assert!(res.status().is_success(), "deleting a target: {}", res.status());
            }
        }
    }

    let mut sessions = signed_in_callers(&app).await;

    let mut checked = 0;
    let mut wrong = Vec::new();
    for (route, row) in routes.iter().zip(&targets) {
        let kind = kind_of(route).expect("classified");
        let expect = expected(kind);
        let needs_target_session = route.path.contains("/users/{id}/sessions/{");
        for (column, caller) in CALLERS.iter().enumerate() {
            // Self-service routes may end the session they run on: give them a fresh one.
            let me = match (kind, caller_email(column)) {
                (Kind::Own | Kind::SignOut, Some(email)) => Some(session(&app, email).await),
                _ => sessions[column].clone(),
            };
            let (target, target_session) = match &row[column] {
                Some(t) if needs_target_session => {
                    (t.id.to_string(), sign_in(&app, &t.email, CHROME_UA).await.session_id)
                }
                Some(t) => (t.id.to_string(), String::new()),
                None => (org.ann.to_string(), String::new()),
            };
            let nobody = uuid::Uuid::now_v7().to_string();
            let own = me.as_ref().map_or(nobody.as_str(), |s| s.id.as_str());
            let path = fill(&route.path, &target, own, &target_session, &ids);
            let mut req = client().request(route.method.clone(), app.url(&path));
            if let Some(s) = &me {
                req = req.header("cookie", &s.cookie);
            }
            if route.changes_state() {
                let csrf = me.as_ref().map_or("", |s| s.csrf.as_str());
                req = if route.is_api() { req.json(&body_of(route)) } else { req.form(&[("csrf", csrf)]) };
            }
            let res = req.send().await.expect("request");
            let status = res.status();
            let location = res.headers().get(LOCATION).and_then(|l| l.to_str().ok()).map(str::to_owned);
            let got = class_of(route, status, location.as_deref());
            checked += 1;
            if got != Some(expect[column]) {
                let body = res.text().await.unwrap_or_default();
                let body: String = body.chars().take(160).collect();
                wrong.push(format!(
                    "{} {} as {caller}: expected {:?}, got {status} {body}",
                    route.method, route.path, expect[column]
                ));
            }
        }
        // "Sign out my other sessions" ends the shared ones too: sign the callers in again.
        if matches!(kind, Kind::Own | Kind::SignOut) && route.changes_state() {
            sessions = signed_in_callers(&app).await;
        }
    }
    println!("authorization matrix: {} routes x {} callers = {checked} requests", routes.len(), CALLERS.len());
    assert_eq!(checked, routes.len() * CALLERS.len());
    assert!(wrong.is_empty(), "{} of {checked} answers differ from the table:\n{}", wrong.len(), wrong.join("\n"));
});

#[test]
fn every_kind_refuses_anonymous_callers_unless_public_and_only_scope_hides() {
    for (_, _, kind) in ROUTES {
        let row = expected(*kind);
        assert_eq!(row[0] == In, *kind == Kind::Public, "{kind:?}");
        // Only the out-of-scope column may answer 404 (the operator's routes are not served).
        assert!(*kind == Kind::Operator || row.iter().enumerate().all(|(i, e)| *e != Hide || i == 4), "{kind:?}");
    }
}
