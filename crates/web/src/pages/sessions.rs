//! A user's Sessions / Devices tab (`/admin/users/{id}/sessions`): live sessions with
//! "Kill session" and "Kill all sessions", and the history of ended ones. Sessions are
//! account-level, so the tab names every workspace of the user.

use crate::csrf::CsrfForm;
use crate::error::PageError;
use crate::extract::{AppPath, PageOn};
use crate::pages::Nav;
use crate::pages::format::when;
use crate::pages::notice::Notice;
use crate::pages::user_head::UserHead;
use crate::routes::{Routes, get, post};
use app::AppError;
use app::authz::{SessionsKill, SessionsView, Target, UserAction};
use app::sessions::{KillOptions, SessionRow};
use askama::Template;
use askama_web::WebTemplate;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use domain::closed::EndCause;
use domain::ids::{SessionId, UserId};
use serde::Deserialize;

pub fn routes() -> Routes {
    Routes::new()
        .route("/admin/users/{id}/sessions", get(show))
        .route("/admin/users/{id}/sessions/kill-all", post(kill_all))
        .route("/admin/users/{id}/sessions/{sid}/kill", post(kill_one))
}

/// One session, ready for a table row.
pub struct SessionView {
    pub id: String,
    pub short_id: String,
    pub device: String,
    pub client: String,
    pub ip: String,
    pub workspace: String,
    pub created: String,
    pub last_activity: String,
    pub ended: String,
    pub cause: String,
    pub reason: String,
}

fn cause_text(s: &SessionRow) -> String {
    match s.end_cause.unwrap_or(EndCause::Expired) {
        EndCause::SignedOut => "Signed out".to_owned(),
        EndCause::Killed => {
            let by = s.ended_by_email.as_deref().unwrap_or("an admin");
            match &s.ended_by_workspace_name {
                Some(w) => format!("Killed by {by} for {w}"),
                None => format!("Killed by {by}"),
            }
        }
        EndCause::Locked => "Ended: the user was locked".to_owned(),
        EndCause::Reported => "Reported as suspicious".to_owned(),
        EndCause::Expired => "Expired".to_owned(),
        EndCause::PasswordReset => "Password reset".to_owned(),
        EndCause::PasswordChanged => "Password changed".to_owned(),
        EndCause::Deleted => "Deleted".to_owned(),
        EndCause::Suspended => "Suspended".to_owned(),
    }
}

impl SessionView {
    pub fn of(s: &SessionRow) -> Self {
        let id = s.id.to_string();
        Self {
            short_id: id.chars().take(8).collect(),
            id,
            device: s.device_type.clone(),
            client: match (s.browser.is_empty(), s.os.is_empty()) {
                (false, false) => format!("{} on {}", s.browser, s.os),
                (false, true) => s.browser.clone(),
                (true, false) => s.os.clone(),
                (true, true) => "Unknown browser".to_owned(),
            },
            ip: if s.ip.is_empty() { "unknown".to_owned() } else { s.ip.clone() },
            workspace: s.workspace_name.clone().unwrap_or_else(|| "—".to_owned()),
            created: when(s.created_at),
            last_activity: when(s.last_activity_at),
            ended: when(s.ended_at.unwrap_or(s.expires_at)),
            cause: cause_text(s),
            reason: s.end_reason.clone().unwrap_or_default(),
        }
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "user_sessions.html")]
struct SessionsPage {
    nav: Option<Nav>,
    head: UserHead,
    csrf: String,
    notice: Option<String>,
    error: Option<String>,
    may_kill: bool,
    workspaces: Vec<String>,
    live: Vec<SessionView>,
    ended: Vec<SessionView>,
}

/// The tab of the user `may` is about, with `notice` or `error` above it, under `status`.
async fn render(
    PageOn { state, me, may }: &PageOn<SessionsView>,
    notice: Option<String>,
    error: Option<String>,
    status: StatusCode,
) -> Result<Response, PageError> {
    let id = may.user();
    let s = app::sessions::list(&state.ctx, may).await?;
    let page = SessionsPage {
        nav: Some(Nav::load(me, &format!("/admin/users/{id}/sessions"))),
        head: UserHead::of(me, may.target(), "sessions"),
        csrf: me.csrf_token.clone(),
        notice,
        error,
        may_kill: app::authz::may_act(me, UserAction::KillSessions, &Target::from(may.target())).is_ok(),
        workspaces: s.workspaces.iter().map(|w| w.name.clone()).collect(),
        live: s.live.iter().map(SessionView::of).collect(),
        ended: s.ended.iter().map(SessionView::of).collect(),
    };
    Ok((status, page).into_response())
}

async fn show(page: PageOn<SessionsView>, notice: Notice) -> Result<Response, PageError> {
    render(&page, notice.ended_text(), None, StatusCode::OK).await
}

#[derive(Deserialize)]
struct KillForm {
    notify: Option<String>,
    reason: Option<String>,
}

/// Ends one session of the user, or all; a refused reason is shown on the tab (400).
async fn kill(page: PageOn<SessionsKill>, session: Option<SessionId>, form: KillForm) -> Result<Response, PageError> {
    let options = KillOptions { notify: form.notify.is_some(), reason: form.reason };
    let user = page.user();
    match app::sessions::kill(&page.state.ctx, &page.may, session, &options).await {
        Ok(n) => Ok(Redirect::to(&format!("/admin/users/{user}/sessions?notice=ended&n={n}")).into_response()),
        Err(AppError::Invalid { field, message }) => {
            let text = format!("The {field} {message}. No session was ended.");
            let may = app::authz::on_user::<SessionsView>(&page.state.ctx, &page.me, user).await?;
            let view = PageOn { state: page.state, me: page.me, may };
            render(&view, None, Some(text), StatusCode::BAD_REQUEST).await
        }
        Err(e) => Err(e.into()),
    }
}

async fn kill_one(
    page: PageOn<SessionsKill>,
    AppPath((_, session)): AppPath<(UserId, SessionId)>,
    CsrfForm(form): CsrfForm<KillForm>,
) -> Result<Response, PageError> {
    kill(page, Some(session), form).await
}

async fn kill_all(page: PageOn<SessionsKill>, CsrfForm(form): CsrfForm<KillForm>) -> Result<Response, PageError> {
    kill(page, None, form).await
}
