//! The self-service area of every signed-in user: `/me`, `/me/sessions` (sign out other
//! sessions, report a suspicious one) and the workspace switcher (`POST /me/workspace`).

use crate::csrf::check_form_token;
use crate::extract::PageUser;
use crate::pages::sessions::{NoticeQuery, SessionView};
use crate::pages::{Nav, error_page, expired_form, local_path};
use crate::state::AppState;
use app::AppError;
use app::authz::Principal;
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, RawQuery, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use domain::ids::{SessionId, WorkspaceId};
use serde::Deserialize;

pub fn router() -> Router<AppState> {
    Router::new()
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

async fn me(State(state): State<AppState>, PageUser(me): PageUser) -> MePage {
    MePage {
        nav: Some(Nav::load(&state.ctx, &me, "me", "/me").await),
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

async fn my_sessions(State(state): State<AppState>, PageUser(me): PageUser, RawQuery(raw): RawQuery) -> Response {
    let nav = Nav::load(&state.ctx, &me, "me", "/me/sessions").await;
    let q = NoticeQuery::from_raw(raw.as_deref());
    let notice = match q.notice.as_deref() {
        Some("reported") => {
            Some("The session was ended and your admins were alerted. Consider changing your password.".to_owned())
        }
        _ => q.ended_text(),
    };
    let (live, ended) = match app::sessions::mine(&state.ctx, &me).await {
        Ok(x) => x,
        Err(e) => return error_page(&e, Some(nav)),
    };
    let workspaces = nav.workspaces.iter().map(|w| w.name.clone()).collect();
    let mut live: Vec<MySession> =
        live.iter().map(|s| MySession { s: SessionView::of(s), current: s.id == me.session_id.0 }).collect();
    // This device first.
    live.sort_by_key(|m| !m.current);
    MySessionsPage {
        nav: Some(nav),
        csrf: me.csrf_token.clone(),
        notice,
        workspaces,
        live,
        ended: ended.iter().map(SessionView::of).collect(),
    }
    .into_response()
}

#[derive(Deserialize)]
struct CsrfForm {
    #[serde(default)]
    csrf: String,
}

/// Runs a sign-out action after the CSRF check and answers 303 with its notice.
async fn act(state: &AppState, me: &Principal, csrf: &str, action: Action<'_>) -> Response {
    let nav = async || Nav::load(&state.ctx, me, "me", "/me/sessions").await;
    if !check_form_token(&me.csrf_token, csrf) {
        return expired_form(nav().await);
    }
    let session = |raw: &str| raw.parse::<SessionId>().map_err(|_| AppError::NotFound);
    let result = match action {
        Action::End(sid) => match session(sid) {
            Ok(s) => app::sessions::end_mine(&state.ctx, me, Some(s)).await.map(|n| format!("notice=ended&n={n}")),
            Err(e) => Err(e),
        },
        Action::EndOthers => app::sessions::end_mine(&state.ctx, me, None).await.map(|n| format!("notice=ended&n={n}")),
        Action::Report(sid) => match session(sid) {
            Ok(s) => app::sessions::report(&state.ctx, me, s).await.map(|()| "notice=reported".to_owned()),
            Err(e) => Err(e),
        },
    };
    match result {
        Ok(query) => Redirect::to(&format!("/me/sessions?{query}")).into_response(),
        Err(e) => error_page(&e, Some(nav().await)),
    }
}

enum Action<'a> {
    End(&'a str),
    EndOthers,
    Report(&'a str),
}

async fn end_one(
    State(state): State<AppState>,
    PageUser(me): PageUser,
    Path(sid): Path<String>,
    Form(form): Form<CsrfForm>,
) -> Response {
    act(&state, &me, &form.csrf, Action::End(&sid)).await
}

async fn end_others(State(state): State<AppState>, PageUser(me): PageUser, Form(form): Form<CsrfForm>) -> Response {
    act(&state, &me, &form.csrf, Action::EndOthers).await
}

async fn report(
    State(state): State<AppState>,
    PageUser(me): PageUser,
    Path(sid): Path<String>,
    Form(form): Form<CsrfForm>,
) -> Response {
    act(&state, &me, &form.csrf, Action::Report(&sid)).await
}

#[derive(Deserialize)]
struct SwitchForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    workspace: String,
    back: Option<String>,
}

/// The workspace switcher: acts for another of my workspaces, then back to the page I was on.
async fn switch_workspace(
    State(state): State<AppState>,
    PageUser(me): PageUser,
    Form(form): Form<SwitchForm>,
) -> Response {
    let back = local_path(form.back.as_deref()).to_owned();
    let nav = async || Nav::load(&state.ctx, &me, "me", &back).await;
    if !check_form_token(&me.csrf_token, &form.csrf) {
        return expired_form(nav().await);
    }
    let result = match form.workspace.parse::<WorkspaceId>() {
        Ok(w) => app::sessions::switch_workspace(&state.ctx, &me, w).await,
        Err(_) => Err(AppError::invalid("workspace", "is not one of your workspaces")),
    };
    match result {
        Ok(()) => Redirect::to(&back).into_response(),
        Err(e) => error_page(&e, Some(nav().await)),
    }
}
