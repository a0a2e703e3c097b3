//! The self-service area of every signed-in user: `/me`, `/me/sessions` (sign out other
//! sessions, report a suspicious one) and the workspace switcher (`POST /me/workspace`).

use crate::csrf::CsrfForm;
use crate::error::PageError;
use crate::extract::{AppPath, Mine, Page, PageUser};
use crate::pages::Nav;
use crate::pages::confirm::{Confirmation, Question, ask};
use crate::pages::notice::Notice;
use crate::pages::sessions::SessionView;
use crate::redirect::same_origin_path_or_home;
use crate::routes::{Routes, get, post};
use app::AppError;
use askama::Template;
use askama_web::WebTemplate;
use axum::response::{IntoResponse, Redirect, Response};
use domain::ids::{SessionId, WorkspaceId};
use serde::Deserialize;

pub fn routes() -> Routes {
    Routes::new()
        .route("/me", get(me))
        .route("/me/sessions", get(my_sessions))
        .route("/me/sessions/end-others", post(end_others))
        .route("/me/sessions/{sid}/end", post(end_one))
        .route("/me/sessions/{sid}/report", post(report))
        .route("/me/workspace", post(switch_workspace))
}

#[derive(Template, WebTemplate)]
#[template(path = "me.html")]
struct MePage {
    nav: Option<Nav>,
    name: String,
    email: String,
    role: String,
    is_admin: bool,
}

async fn me(PageUser(me): PageUser) -> MePage {
    MePage {
        nav: Some(Nav::load(&me, "/me")),
        name: me.display_name.clone(),
        email: me.email.clone(),
        role: me.role.label().to_owned(),
        is_admin: me.is_admin(),
    }
}

/// One of my sessions, marked when it is the one in use.
struct MySession {
    s: SessionView,
    current: bool,
}

#[derive(Template, WebTemplate)]
#[template(path = "my_sessions.html")]
struct MySessionsPage {
    nav: Option<Nav>,
    csrf: String,
    notice: Option<String>,
    workspaces: Vec<String>,
    live: Vec<MySession>,
    ended: Vec<SessionView>,
}

async fn my_sessions(Page { state, me, .. }: Mine, notice: Notice) -> Result<MySessionsPage, PageError> {
    let nav = Nav::load(&me, "/me/sessions");
    let notice = match notice
        .pick(&[("reported", "The session was ended and your admins were alerted. Consider changing your password.")])
    {
        Some(text) => Some(text.to_owned()),
        None => notice.ended_text(),
    };
    let (live, ended) = app::sessions::mine(&state.ctx, &me).await?;
    let workspaces = nav.workspaces.iter().map(|w| w.name.clone()).collect();
    let mut live: Vec<MySession> =
        live.iter().map(|s| MySession { s: SessionView::of(s), current: s.id == me.session_id.0 }).collect();
    // This device first.
    live.sort_by_key(|m| !m.current);
    Ok(MySessionsPage {
        nav: Some(nav),
        csrf: me.csrf_token.clone(),
        notice,
        workspaces,
        live,
        ended: ended.iter().map(SessionView::of).collect(),
    })
}

fn ended(n: usize) -> Redirect {
    Redirect::to(&format!("/me/sessions?notice=ended&n={n}"))
}

async fn end_one(
    Page { state, me, .. }: Mine,
    AppPath(session): AppPath<SessionId>,
    _: CsrfForm,
) -> Result<Redirect, PageError> {
    Ok(ended(app::sessions::end_mine(&state.ctx, &me, Some(session)).await?))
}

async fn end_others(Page { state, me, .. }: Mine, _: CsrfForm) -> Result<Redirect, PageError> {
    Ok(ended(app::sessions::end_mine(&state.ctx, &me, None).await?))
}

async fn report(
    Page { state, me, .. }: Mine,
    AppPath(session): AppPath<SessionId>,
    CsrfForm(confirmation): CsrfForm<Confirmation>,
) -> Result<Response, PageError> {
    if !confirmation.given() {
        let q = Question {
            heading: "Report this session as not yours?".into(),
            detail: "It ends at once, and your admins are alerted by email. Consider changing your password next."
                .into(),
            button: "Report and end it",
            action: format!("/me/sessions/{session}/report"),
            back: "/me/sessions".into(),
            fields: Vec::new(),
            items: Vec::new(),
            warning: None,
        };
        return Ok(ask(Nav::load(&me, "/me/sessions"), q));
    }
    app::sessions::report(&state.ctx, &me, session).await?;
    Ok(Redirect::to("/me/sessions?notice=reported").into_response())
}

#[derive(Deserialize)]
struct SwitchForm {
    #[serde(default)]
    workspace: String,
    back: Option<String>,
}

/// The switcher's value for "All workspaces".
pub(crate) const ALL_WORKSPACES: &str = "all";

/// The workspace switcher: acts for another of my workspaces (or all of them), then back to
/// the page I was on.
async fn switch_workspace(
    Page { state, me, .. }: Mine,
    CsrfForm(form): CsrfForm<SwitchForm>,
) -> Result<Redirect, PageError> {
    let workspace = match form.workspace.as_str() {
        ALL_WORKSPACES => None,
        w => Some(
            w.parse::<WorkspaceId>().map_err(|_| AppError::invalid("workspace", "is not one of your workspaces"))?,
        ),
    };
    app::sessions::switch_workspace(&state.ctx, &me, workspace).await?;
    Ok(Redirect::to(&same_origin_path_or_home(form.back.as_deref())))
}
