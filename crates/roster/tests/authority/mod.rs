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

mod table;

use table::{CALLERS, Deny, Expect, Hide, In, Kind, ROUTES, SignIn, body_of, expected, kind_of};

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
        action: domain::closed::AuditAction::PictureChanged,
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

/// A live API token of the Primary Master Admin holding users.view on Alpha: within the
/// authority of every admin column, so revoking it (again) is past authorization for each.
async fn seed_token(app: &TestApp, org: &Org) -> domain::ids::ApiTokenId {
    let now = app::clock::now();
    let t = store::api_tokens::NewApiToken {
        id: domain::ids::ApiTokenId::new(),
        account: org.account,
        creator: org.admin,
        name: "matrix".into(),
        secret_hash: app::tokens::hash(&app::tokens::generate()),
        permissions: [Permission::UsersView].into_iter().collect(),
        scope: domain::permission::Scope::Workspaces([org.alpha].into_iter().collect()),
        created_at: now,
        expires_at: now + app::clock::DAY,
    };
    let event = app::audit::unattended(org.account, domain::closed::AuditAction::ApiTokenCreated, None, "", json!({}));
    store::api_tokens::create(&app.db, &t, &event).await.expect("token");
    t.id
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
                ("api-tokens" | "api-access", _) => ids.token.clone(),
                (_, "bot_id") => ids.bot.clone(),
                // A catch-all names a file (Swagger UI's).
                (_, "*file") => "swagger-initializer.js".to_owned(),
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
    /// An API token every admin column reaches: users.view on Alpha, made by the PMA.
    token: String,
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
    let token = seed_token(&app, &org).await;
    let ids = Ids {
        group: org.alpha_team.to_string(),
        role: org.alpha_admin_role.to_string(),
        bot: bot.to_string(),
        token: token.to_string(),
    };
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
