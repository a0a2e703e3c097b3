//! Server-rendered pages: one module per page family, each with its own router.
//! Pages work without JavaScript; forms POST, then redirect (303) to a GET.

mod accept;
mod api_access;
mod assets;
mod audit;
mod bots;
mod bulk;
mod confirm;
mod deleted_users;
mod format;
mod groups;
mod invite;
mod login;
mod me;
mod my_profile;
mod notice;
mod password;
mod refusals;
mod roles;
mod scim_settings;
mod sessions;
mod settings;
mod setup;
mod sso;
mod sso_mapping;
mod sso_settings;
mod upload;
mod user_actions;
mod user_bots;
mod user_head;
mod user_profile;
mod user_settings;
mod users;

use crate::error::{PageError, PageFailure};
use crate::extract::{PageUser, ViewerSlot};
use crate::redirect::same_origin_path_or_home;
use crate::routes::{Routes, get};
use app::authz::Principal;
use app::{AppError, What};
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::Request;
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};

pub fn routes() -> Routes {
    Routes::new()
        .route("/", get(home))
        .merge(accept::routes())
        .merge(api_access::routes())
        .merge(assets::routes())
        .merge(audit::routes())
        .merge(bots::routes())
        .merge(bulk::routes())
        .merge(deleted_users::routes())
        .merge(groups::routes())
        .merge(invite::routes())
        .merge(login::routes())
        .merge(me::routes())
        .merge(my_profile::routes())
        .merge(password::routes())
        .merge(roles::routes())
        .merge(scim_settings::routes())
        .merge(sessions::routes())
        .merge(settings::routes())
        .merge(setup::routes())
        .merge(sso::routes())
        .merge(sso_settings::routes())
        .merge(user_actions::routes())
        .merge(user_bots::routes())
        .merge(users::routes())
        .merge(user_profile::routes())
        .merge(user_settings::routes())
        .fallback(|| async {
            message(StatusCode::NOT_FOUND, None, "Page not found", "There is nothing at this address.")
        })
}

/// The pages layer: renders a [`PageError`] (travelling in the response's extensions) as the
/// error page with the viewer's navigation, whatever handler or extractor refused.
pub async fn render_failures(mut req: Request, next: Next) -> Response {
    let slot = ViewerSlot::default();
    req.extensions_mut().insert(slot.clone());
    let here = page_of(&req);
    let res = next.run(req).await;
    let Some(PageFailure(failure)) = res.extensions().get::<PageFailure>().cloned() else { return res };
    let nav = slot.get().map(|me| Nav::load(me, &here));
    failure_page(&failure, nav)
}

/// The message of the refused `field` among a form's `(field, message)` errors, shown
/// beside that field.
pub(crate) fn message_for<'a>(errors: &'a [(String, String)], field: &str) -> Option<&'a str> {
    errors.iter().find(|(f, _)| f == field).map(|(_, m)| m.as_str())
}

/// One entry of the workspace switcher.
pub struct WorkspaceChoice {
    pub id: String,
    pub name: String,
    pub selected: bool,
}

/// The signed-in frame of every page: the sidebar's sections and the user menu.
pub struct Nav {
    pub name: String,
    pub email: String,
    pub role: String,
    pub csrf: String,
    /// The sections `authz` lets the viewer open (a link each).
    pub may: app::authz::Console,
    /// Whether the page has a sidebar: some section to open, or workspaces to switch between.
    pub sidebar: bool,
    pub section: &'static str,
    /// The switcher's choices (empty: no switcher), "All workspaces" first when `authz`
    /// offers it.
    pub workspaces: Vec<WorkspaceChoice>,
    /// Where the switcher returns to (a local path).
    pub back: String,
}

/// The page a request belongs to, for the bar of its error page: the address itself for a
/// GET; for a form's POST, the page the form was on (its same-origin `Referer`), since the
/// POST's own address is no page to return to.
fn page_of(req: &Request) -> String {
    let own = req.uri().path_and_query().map_or("/", |p| p.as_str());
    if req.method() == axum::http::Method::GET {
        return own.to_owned();
    }
    let host = req.headers().get(axum::http::header::HOST).and_then(|h| h.to_str().ok()).unwrap_or_default();
    let referer = req.headers().get(axum::http::header::REFERER).and_then(|h| h.to_str().ok()).unwrap_or_default();
    let from_here =
        referer.split_once("://").and_then(|(_, rest)| rest.strip_prefix(host)).filter(|_| !host.is_empty());
    same_origin_path_or_home(from_here.or(Some(own)))
}

/// Which link of the bar a page belongs to, from its path.
fn section_of(path: &str) -> &'static str {
    let path = path.split('?').next().unwrap_or_default();
    let under = |prefix: &str| path == prefix || path.starts_with(&format!("{prefix}/"));
    [
        ("/admin/users/deleted", "deleted-users"),
        ("/admin/users", "users"),
        ("/admin/groups", "groups"),
        ("/admin/bots", "bots"),
        ("/admin/roles", "roles"),
        ("/admin/audit", "audit"),
        ("/admin/settings/security", "settings"),
        ("/admin/settings/sso", "sso"),
        ("/admin/settings/scim", "scim"),
        ("/admin/settings/api-access", "api-access"),
        ("/admin/settings/user-profile", "user-settings"),
        ("/me/profile", "my-profile"),
        ("/me/password", "my-profile"),
        ("/me", "me"),
    ]
    .into_iter()
    .find(|(prefix, _)| under(prefix))
    .map_or("", |(_, section)| section)
}

impl Nav {
    /// The bar without the workspace switcher (no database needed).
    pub fn of(p: &Principal, section: &'static str) -> Self {
        Self {
            name: p.display_name.clone(),
            email: p.email.clone(),
            role: p.role.label().to_owned(),
            csrf: p.csrf_token.clone(),
            may: app::authz::console(p),
            sidebar: false,
            section,
            workspaces: Vec::new(),
            back: "/".to_owned(),
        }
    }

    /// The full bar of the page at `here` (a local path, which also picks the current
    /// link), with the workspace switcher returning there (its workspaces came with the
    /// session check).
    pub fn load(p: &Principal, here: &str) -> Self {
        let mut nav = Self::of(p, section_of(here));
        nav.back = same_origin_path_or_home(Some(here));
        let all = nav.may.all_workspaces.then(|| WorkspaceChoice {
            selected: p.workspace.is_none(),
            id: me::ALL_WORKSPACES.to_owned(),
            name: "All workspaces".to_owned(),
        });
        nav.workspaces = all
            .into_iter()
            .chain(app::sessions::my_workspaces(p).iter().map(|w| WorkspaceChoice {
                selected: p.workspace.is_some_and(|c| c.0 == w.id),
                id: w.id.to_string(),
                name: w.name.clone(),
            }))
            .collect();
        nav.sidebar = nav.may.any() || nav.workspaces.len() > 1;
        nav
    }
}

/// `?token=…` of a single-use link page (setup, invitation, password reset), read
/// leniently: a missing or malformed one is empty, which the link check refuses as dead.
#[derive(serde::Deserialize, Default)]
pub struct TokenQuery {
    #[serde(default)]
    pub token: String,
}

impl<S: Send + Sync> axum::extract::FromRequestParts<S> for TokenQuery {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut axum::http::request::Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(crate::extract::parse_query(parts.uri.query().unwrap_or("")).unwrap_or_default())
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "message.html")]
struct MessagePage {
    nav: Option<Nav>,
    heading: String,
    message: String,
    link: Option<(String, String)>,
}

/// A page that only says something, with `status`.
pub fn message(status: StatusCode, nav: Option<Nav>, heading: &str, text: &str) -> Response {
    let link = Some(("/".to_owned(), "Go to the start page".to_owned()));
    (status, MessagePage { nav, heading: heading.into(), message: text.into(), link }).into_response()
}

/// The HTML face of a page error, with the same status as the API would give. `nav` keeps
/// the signed-in bar when there is a viewer.
pub fn failure_page(f: &PageError, nav: Option<Nav>) -> Response {
    let status = f.status();
    let text = match &f.error {
        AppError::Store(_) | AppError::Internal(_) => {
            "Something went wrong on our side. The details are in the server log.".to_owned()
        }
        AppError::NotFound(What::User) => "There is no such user, or they are outside your workspaces.".to_owned(),
        AppError::NotFound(What::Role) => "There is no such admin role.".to_owned(),
        AppError::NotFound(What::Session) => "There is no such session, or it has ended.".to_owned(),
        AppError::NotFound(what) => format!("There is no such {}, or it is outside your workspaces.", what.noun()),
        other => other.to_string(),
    };
    let heading = match (&f.error, f.link_heading) {
        (AppError::Gone(_), Some(heading)) => heading,
        _ => status.canonical_reason().unwrap_or("Error"),
    };
    message(status, nav, heading, &text)
}

/// How a page names the field an error is about: a profile field by its label, the bot
/// forms' fields by theirs, anything else by its key.
pub fn field_label(key: &str) -> String {
    if let Ok(f) = key.parse::<domain::profile::ProfileField>() {
        return f.label().to_owned();
    }
    match key {
        "new_owner" => "New owner",
        "owner" => "Owner",
        "bot_id" => "Bot",
        "role" => "Role",
        "name" => "Name",
        "workspace_id" => "Workspace",
        other => other,
    }
    .to_owned()
}

/// A refusal as a sentence for the page ("Mobile Number has 2 digits…", "New owner … is not
/// an active member…"): the field an invalid or forbidden value names (as data) becomes its
/// label.
pub fn refusal_sentence(e: &AppError) -> String {
    let text = match e {
        AppError::Invalid { field, message } => format!("{} {message}", field_label(field)),
        // Every refused field, each by its label.
        AppError::InvalidFields(all) => all
            .iter()
            .map(|(field, message)| format!("{} {message}", field_label(field)))
            .collect::<Vec<_>>()
            .join("; "),
        AppError::FieldForbidden { field, reason } => format!("{}: {reason}", field_label(field)),
        other => other.to_string(),
    };
    let mut chars = text.chars();
    let capitalised: String = chars.next().map_or_else(String::new, |c| c.to_uppercase().chain(chars).collect());
    if capitalised.ends_with('.') { capitalised } else { capitalised + "." }
}

/// `params` — a flat struct of optional text parameters, such as a list's filters — as a
/// query string: its non-blank fields but `cursor` and those `extra` sets, by name, then
/// `extra`. For the links of a filtered, paged list (next page, first page, export), so a
/// new parameter is never left out of them.
pub fn query_of(params: &impl serde::Serialize, extra: &[(&str, &str)]) -> String {
    let fields = match serde_json::to_value(params) {
        Ok(serde_json::Value::Object(fields)) => fields,
        _ => serde_json::Map::new(),
    };
    let own = fields.into_iter().filter_map(|(k, v)| match v {
        serde_json::Value::String(v) if !v.trim().is_empty() => Some((k, v)),
        _ => None,
    });
    own.filter(|(k, _)| k != "cursor" && !extra.iter().any(|(e, _)| e == k))
        .chain(extra.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())))
        .map(|(k, v)| format!("{k}={}", crate::extract::encode_component(&v)))
        .collect::<Vec<_>>()
        .join("&")
}

/// Admins land on the users list; everyone else on their own page.
async fn home(PageUser(me): PageUser) -> Redirect {
    Redirect::to(if me.is_admin() { "/admin/users" } else { "/me" })
}
