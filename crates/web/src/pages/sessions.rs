//! A user's Sessions / Devices tab (`/admin/users/{id}/sessions`): live sessions with
//! "Kill session" and "Kill all sessions", and the history of ended ones. Sessions are
//! account-level, so the tab names every workspace of the user.

use crate::csrf::check_form_token;
use crate::extract::{PageUser, parse_query};
use crate::pages::users::when;
use crate::pages::{Nav, error_page, expired_form};
use crate::state::AppState;
use app::authz::{Principal, SessionsKill, SessionsView, UsersView};
use app::sessions::{KillOptions, SessionRow};
use app::{AppCtx, AppError};
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use domain::ids::{SessionId, UserId};
use domain::permission::Permission;
use serde::Deserialize;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/admin/users/{id}/sessions", get(show))
        .route("/admin/users/{id}/sessions/kill-all", post(kill_all))
        .route("/admin/users/{id}/sessions/{sid}/kill", post(kill_one))
}

/// The head of every User Details tab: crumbs, name, status and the tabs the viewer may see.
pub struct UserHead {
    pub id: String,
    pub name: String,
    /// Status label and CSS class, when the viewer may see the profile.
    pub badge: Option<(&'static str, &'static str)>,
    pub show_profile: bool,
    pub show_sessions: bool,
    pub show_bots: bool,
    pub tab: &'static str,
}

impl UserHead {
    pub fn new(me: &Principal, id: UserId, name: String, tab: &'static str) -> Self {
        Self {
            id: id.to_string(),
            name,
            badge: None,
            show_profile: me.role.allows(Permission::UsersView),
            show_sessions: me.role.allows(Permission::SessionsView),
            show_bots: me.role.allows(Permission::BotsView),
            tab,
        }
    }

    /// The head of `tab` with the user's name and status, when the viewer may see the
    /// profile ("User" otherwise: the tab itself decides what else to show).
    pub async fn load(ctx: &AppCtx, me: &Principal, id: UserId, tab: &'static str) -> Self {
        let mut head = Self::new(me, id, "User".to_owned(), tab);
        if let Ok(may) = app::authz::on_user::<UsersView>(ctx, me, id).await
            && let Ok(d) = app::users::get_user(ctx, &may).await
        {
            head.name = format!("{} {}", d.user.first_name, d.user.last_name);
            head.badge = Some((d.status.label(), d.status.as_str()));
        }
        head
    }
}

/// The `notice` (and count) of a redirect, mapped to fixed texts.
#[derive(Deserialize, Default)]
pub struct NoticeQuery {
    pub notice: Option<String>,
    /// How many (parsed as a number; anything else counts as one).
    pub n: Option<String>,
}

impl NoticeQuery {
    pub fn from_raw(raw: Option<&str>) -> Self {
        parse_query(raw.unwrap_or("")).unwrap_or_default()
    }

    /// "Session ended." / "3 sessions ended." for `notice=ended`; `None` for unknown notices.
    pub fn ended_text(&self) -> Option<String> {
        (self.notice.as_deref() == Some("ended")).then(|| {
            match self.n.as_deref().and_then(|n| n.parse::<u32>().ok()).unwrap_or(1) {
                0 => "There were no live sessions to end.".to_owned(),
                1 => "Session ended.".to_owned(),
                n => format!("{n} sessions ended."),
            }
        })
    }
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
    match s.end_cause.as_deref().unwrap_or("expired") {
        "signed_out" => "Signed out".to_owned(),
        "killed" => {
            let by = s.ended_by_email.as_deref().unwrap_or("an admin");
            match &s.ended_by_workspace_name {
                Some(w) => format!("Killed by {by} for {w}"),
                None => format!("Killed by {by}"),
            }
        }
        "locked" => "Ended: the user was locked".to_owned(),
        "reported" => "Reported as suspicious".to_owned(),
        "expired" => "Expired".to_owned(),
        other => {
            let text = other.replace('_', " ");
            let mut chars = text.chars();
            chars.next().map_or_else(String::new, |c| c.to_uppercase().chain(chars).collect())
        }
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

async fn render(
    state: &AppState,
    me: &Principal,
    id: UserId,
    notice: Option<String>,
    error: Option<String>,
    status: StatusCode,
) -> Response {
    let here = format!("/admin/users/{id}/sessions");
    let nav = Nav::load(&state.ctx, me, "users", &here).await;
    let sessions = match app::authz::on_user::<SessionsView>(&state.ctx, me, id).await {
        Ok(may) => app::sessions::list(&state.ctx, &may).await,
        Err(e) => Err(e),
    };
    let s = match sessions {
        Ok(s) => s,
        Err(e) => return error_page(&e, Some(nav)),
    };
    let page = SessionsPage {
        nav: Some(nav),
        head: UserHead::load(&state.ctx, me, id, "sessions").await,
        csrf: me.csrf_token.clone(),
        notice,
        error,
        may_kill: me.role.allows(Permission::SessionsKill),
        workspaces: s.workspaces.iter().map(|w| w.name.clone()).collect(),
        live: s.live.iter().map(SessionView::of).collect(),
        ended: s.ended.iter().map(SessionView::of).collect(),
    };
    (status, page).into_response()
}

async fn show(
    State(state): State<AppState>,
    PageUser(me): PageUser,
    Path(id): Path<String>,
    RawQuery(raw): RawQuery,
) -> Response {
    let Ok(id) = id.parse() else {
        return error_page(&AppError::NotFound, Some(Nav::load(&state.ctx, &me, "users", "/admin/users").await));
    };
    let notice = NoticeQuery::from_raw(raw.as_deref()).ended_text();
    render(&state, &me, id, notice, None, StatusCode::OK).await
}

#[derive(Deserialize)]
struct KillForm {
    #[serde(default)]
    csrf: String,
    notify: Option<String>,
    reason: Option<String>,
}

async fn kill(state: &AppState, me: &Principal, id: &str, session: Option<&str>, form: KillForm) -> Response {
    let here = format!("/admin/users/{id}/sessions");
    let nav = async || Nav::load(&state.ctx, me, "users", &here).await;
    if !check_form_token(&me.csrf_token, &form.csrf) {
        return expired_form(nav().await);
    }
    let Ok(user) = id.parse::<UserId>() else { return error_page(&AppError::NotFound, Some(nav().await)) };
    let Ok(session) = session.map(str::parse::<SessionId>).transpose() else {
        return error_page(&AppError::NotFound, Some(nav().await));
    };
    let options = KillOptions { notify: form.notify.is_some(), reason: form.reason };
    let result = match app::authz::on_user::<SessionsKill>(&state.ctx, me, user).await {
        Ok(may) => app::sessions::kill(&state.ctx, &may, session, &options).await,
        Err(e) => Err(e),
    };
    match result {
        Ok(n) => Redirect::to(&format!("{here}?notice=ended&n={n}")).into_response(),
        Err(AppError::Invalid { field, message }) => {
            let text = format!("The {field} {message}. No session was ended.");
            render(state, me, user, None, Some(text), StatusCode::BAD_REQUEST).await
        }
        Err(e) => error_page(&e, Some(nav().await)),
    }
}

async fn kill_one(
    State(state): State<AppState>,
    PageUser(me): PageUser,
    Path((id, sid)): Path<(String, String)>,
    Form(form): Form<KillForm>,
) -> Response {
    kill(&state, &me, &id, Some(&sid), form).await
}

async fn kill_all(
    State(state): State<AppState>,
    PageUser(me): PageUser,
    Path(id): Path<String>,
    Form(form): Form<KillForm>,
) -> Response {
    kill(&state, &me, &id, None, form).await
}
