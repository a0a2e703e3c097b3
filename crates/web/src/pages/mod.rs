//! Server-rendered pages: one module per page family, each with its own router.
//! Pages work without JavaScript; forms POST, then redirect (303) to a GET.

mod accept;
mod assets;
mod audit;
mod bots;
mod bulk;
mod deleted_users;
mod groups;
mod invite;
mod login;
mod me;
mod my_profile;
mod password;
mod roles;
mod sessions;
mod settings;
mod setup;
mod user_actions;
mod user_bots;
mod user_profile;
mod user_settings;
mod users;

use crate::error::status_of;
use crate::extract::PageUser;
use crate::state::AppState;
use app::authz::Principal;
use app::{AppCtx, AppError};
use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use domain::permission::Permission;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/", get(home))
        .merge(accept::router())
        .merge(assets::router())
        .merge(audit::router())
        .merge(bots::router())
        .merge(bulk::router())
        .merge(deleted_users::router())
        .merge(groups::router())
        .merge(invite::router())
        .merge(login::router())
        .merge(me::router())
        .merge(my_profile::router())
        .merge(password::router())
        .merge(roles::router())
        .merge(sessions::router())
        .merge(settings::router())
        .merge(setup::router())
        .merge(user_actions::router())
        .merge(user_bots::router())
        .merge(users::router())
        .merge(user_profile::router())
        .merge(user_settings::router())
        .fallback(|| async {
            message(StatusCode::NOT_FOUND, None, "Page not found", "There is nothing at this address.")
        })
}

/// One entry of the workspace switcher.
pub struct WorkspaceChoice {
    pub id: String,
    pub name: String,
    pub selected: bool,
}

/// The signed-in bar at the top of every page.
#[allow(clippy::struct_excessive_bools)] // one flag per nav link, read by the template
pub struct Nav {
    pub name: String,
    pub email: String,
    pub role: String,
    pub csrf: String,
    pub can_users: bool,
    pub can_audit: bool,
    pub can_settings: bool,
    pub can_groups: bool,
    pub can_roles: bool,
    pub can_bots: bool,
    pub section: &'static str,
    /// The switcher's choices (empty: no switcher).
    pub workspaces: Vec<WorkspaceChoice>,
    /// Where the switcher returns to (a local path).
    pub back: String,
}

impl Nav {
    /// The bar without the workspace switcher (no database needed).
    pub fn of(p: &Principal, section: &'static str) -> Self {
        Self {
            name: p.display_name.clone(),
            email: p.email.clone(),
            role: p.role.label().to_owned(),
            csrf: p.csrf_token.clone(),
            can_users: p.role.allows(Permission::UsersView),
            can_audit: p.role.allows(Permission::AuditView),
            can_settings: p.role.allows(Permission::SettingsManage),
            can_groups: p.role.allows(Permission::GroupsManage),
            can_roles: p.role.allows(Permission::RolesManage),
            can_bots: p.role.allows(Permission::BotsView),
            section,
            workspaces: Vec::new(),
            back: "/".to_owned(),
        }
    }

    /// The full bar, with the workspace switcher returning to `here`. The one place that
    /// loads the switcher's workspaces; if that fails the bar shows without it.
    pub async fn load(ctx: &AppCtx, p: &Principal, section: &'static str, here: &str) -> Self {
        let mut nav = Self::of(p, section);
        nav.back = local_path(Some(here)).to_owned();
        match app::sessions::my_workspaces(ctx, p).await {
            Ok(ws) => {
                nav.workspaces = ws
                    .into_iter()
                    .map(|w| WorkspaceChoice {
                        selected: p.workspace.is_some_and(|c| c.0 == w.id),
                        id: w.id.to_string(),
                        name: w.name,
                    })
                    .collect();
            }
            Err(e) => tracing::warn!(error = %e, "the workspace switcher could not load"),
        }
        nav
    }
}

/// `path` if it is a local path (no open redirect), otherwise `/`.
pub fn local_path(path: Option<&str>) -> &str {
    match path {
        Some(p) if p.starts_with('/') && !p.starts_with("//") && !p.contains('\\') && !p.contains(['\r', '\n']) => p,
        _ => "/",
    }
}

/// `?token=…` of a single-use link page (setup, invitation, password reset).
#[derive(serde::Deserialize, Default)]
pub struct TokenQuery {
    #[serde(default)]
    pub token: String,
}

/// The page for a link that is used, expired or unknown (410, saying why); other errors as usual.
pub fn link_refused(e: &AppError, heading: &str) -> Response {
    match e {
        AppError::Gone(why) => message(StatusCode::GONE, None, heading, why),
        other => error_page(other, None),
    }
}

/// The page for a form whose CSRF token does not match the session's.
pub fn expired_form(nav: Nav) -> Response {
    message(StatusCode::FORBIDDEN, Some(nav), "Forbidden", "This form has expired. Reload the page and try again.")
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

/// The HTML face of an error, with the same status as the API would give. `nav` keeps the
/// signed-in bar when there is a viewer.
pub fn error_page(e: &AppError, nav: Option<Nav>) -> Response {
    let status = status_of(e);
    let text = match e {
        AppError::Store(_) | AppError::Internal(_) => {
            tracing::error!(error = %e, "page failed");
            "Something went wrong on our side. The details are in the server log.".to_owned()
        }
        AppError::NotFound => "There is no such user, or they are outside your workspaces.".to_owned(),
        other => other.to_string(),
    };
    message(status, nav, status.canonical_reason().unwrap_or("Error"), &text)
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
/// an active member…"): the app's messages follow a field name, which becomes its label; a
/// 403 of the profile rules starts with "key: ".
pub fn refusal_sentence(e: &AppError) -> String {
    let text = match e {
        AppError::Invalid { field, message } => format!("{} {message}", field_label(field)),
        AppError::Forbidden(m) => match m.split_once(": ") {
            Some((k, rest)) if k.parse::<domain::profile::ProfileField>().is_ok() => {
                format!("{}: {rest}", field_label(k))
            }
            _ => m.clone(),
        },
        other => other.to_string(),
    };
    let mut chars = text.chars();
    let capitalised: String = chars.next().map_or_else(String::new, |c| c.to_uppercase().chain(chars).collect());
    if capitalised.ends_with('.') { capitalised } else { capitalised + "." }
}

/// Admins land on the users list; everyone else on their own page.
async fn home(PageUser(me): PageUser) -> Redirect {
    Redirect::to(if me.is_admin() { "/admin/users" } else { "/me" })
}
