//! Server-rendered pages: one module per page family, each with its own router.
//! Pages work without JavaScript; forms POST, then redirect (303) to a GET.

mod assets;
mod login;
mod setup;
mod users;

use crate::error::status_of;
use crate::extract::PageUser;
use crate::state::AppState;
use app::AppError;
use app::authz::Principal;
use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/", get(home))
        .route("/me", get(me))
        .merge(assets::router())
        .merge(login::router())
        .merge(setup::router())
        .merge(users::router())
        .fallback(|| async {
            message(StatusCode::NOT_FOUND, None, "Page not found", "There is nothing at this address.")
        })
}

/// The signed-in bar at the top of every page.
pub struct Nav {
    pub name: String,
    pub email: String,
    pub role: String,
    pub csrf: String,
    pub is_admin: bool,
    pub section: &'static str,
}

impl Nav {
    pub fn of(p: &Principal, section: &'static str) -> Self {
        Self {
            name: p.display_name.clone(),
            email: p.email.clone(),
            role: p.role.label().to_owned(),
            csrf: p.csrf_token.clone(),
            is_admin: p.is_admin(),
            section,
        }
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

/// Admins land on the users list; everyone else on their own page.
async fn home(PageUser(me): PageUser) -> Redirect {
    Redirect::to(if me.is_admin() { "/admin/users" } else { "/me" })
}

async fn me(PageUser(me): PageUser) -> Response {
    let text = format!(
        "You are signed in as {} ({}). Your account has no admin role, so there is nothing to administer here yet.",
        me.display_name, me.email
    );
    message(StatusCode::OK, Some(Nav::of(&me, "me")), "Your account", &text)
}
