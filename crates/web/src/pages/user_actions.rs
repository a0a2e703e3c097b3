//! The More menu of the User Details page: Suspend, Activate, Resend invitation, Reset
//! password and Delete (with a confirmation page; for a bot owner the guided delete, which
//! transfers every owned bot and deletes in one step). Each POST checks the form token, runs
//! the use case and redirects (303) back to the profile with a `notice`; refusals show
//! the reason with the API's status. Unlock lives in `user_profile.rs`, Kill all sessions in
//! `sessions.rs`.

use crate::csrf::CsrfForm;
use crate::error::{PageError, status_of};
use crate::extract::{AppPath, Page, PageUser};
use crate::pages::Nav;
use crate::pages::confirm::{Confirmation, Question, ask};
use crate::routes::{Routes, get, post};
use crate::state::AppState;
use app::authz::{BotsView, Principal, Target, TransferOwnership, UserAction, UserActions, UsersInvite, UsersManage};
use app::deletion::Outcome;
use app::invitations::InviteOptions;
use app::{AppCtx, AppError};
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use domain::ids::UserId;
use domain::user::UserStatus;
use std::collections::BTreeMap;

pub fn routes() -> Routes {
    Routes::new()
        .route("/admin/users/{id}/suspend", post(|s, u, p: AppPath<UserId>, f| act(s, u, p, f, Action::Suspend)))
        .route("/admin/users/{id}/activate", post(|s, u, p: AppPath<UserId>, f| act(s, u, p, f, Action::Activate)))
        .route(
            "/admin/users/{id}/resend-invitation",
            post(|s, u, p: AppPath<UserId>, f| act(s, u, p, f, Action::ResendInvitation)),
        )
        .route(
            "/admin/users/{id}/reset-password",
            post(|s, u, p: AppPath<UserId>, f| act(s, u, p, f, Action::ResetPassword)),
        )
        .route("/admin/users/{id}/delete", get(confirm_delete).post(delete))
        .route("/admin/users/{id}/transfer-and-delete", post(transfer_and_delete))
}

/// One action of the menu.
#[derive(Clone, Copy)]
enum Action {
    Suspend,
    Activate,
    ResendInvitation,
    ResetPassword,
}

impl Action {
    const fn notice(self) -> &'static str {
        match self {
            Self::Suspend => "suspended",
            Self::Activate => "activated",
            Self::ResendInvitation => "invitation_resent",
            Self::ResetPassword => "reset_sent",
        }
    }
}

/// The confirm step's question for `action` on `target`, or `None` for an action that is
/// one click (activate, resend an invitation).
fn question(action: Action, target: &app::authz::TargetUser) -> Option<Question> {
    let u = &target.row;
    let name = format!("{} {}", u.first_name, u.last_name);
    let profile = format!("/admin/users/{}", target.id);
    let (heading, detail, button, verb) = match action {
        Action::Suspend => (
            format!("Suspend {name}?"),
            format!(
                "{name} ({}) is signed out everywhere at once and cannot sign in until an admin activates them.",
                u.email
            ),
            "Suspend",
            "suspend",
        ),
        Action::ResetPassword => (
            format!("Reset {name}'s password?"),
            format!("A single-use link to choose a new password is emailed to {}.", u.email),
            "Send reset link",
            "reset-password",
        ),
        Action::Activate | Action::ResendInvitation => return None,
    };
    Some(Question {
        heading,
        detail,
        button,
        action: format!("{profile}/{verb}"),
        back: profile,
        fields: Vec::new(),
        items: Vec::new(),
        warning: None,
    })
}

/// Runs `action` on the user and goes back to their profile with its notice; an action with
/// a confirm step answers the confirm page until it is confirmed.
async fn act(
    State(state): State<AppState>,
    PageUser(me): PageUser,
    AppPath(user): AppPath<UserId>,
    CsrfForm(confirmation): CsrfForm<Confirmation>,
    action: Action,
) -> Result<Response, PageError> {
    let ctx = &state.ctx;
    let mut notice = action.notice();
    match action {
        Action::Suspend => {
            let may = app::authz::on_user::<UsersManage>(ctx, &me, user).await?;
            if let Some(q) = question(action, may.target()).filter(|_| !confirmation.given()) {
                return Ok(ask(Nav::load(&me, &format!("/admin/users/{user}")), q));
            }
            app::lifecycle::suspend(ctx, &may).await?;
        }
        Action::Activate => {
            let may = app::authz::on_user::<UsersManage>(ctx, &me, user).await?;
            let options = InviteOptions::new(&state.public_url, ctx.auth.invitation_lifetime);
            if app::lifecycle::activate(ctx, &may, &options).await? == UserStatus::Invited {
                notice = "reinvited";
            }
        }
        Action::ResendInvitation => {
            let may = app::authz::on_user::<UsersInvite>(ctx, &me, user).await?;
            let options = InviteOptions::new(&state.public_url, ctx.auth.invitation_lifetime);
            app::invitations::resend(ctx, &may, &options).await?;
        }
        Action::ResetPassword => {
            let may = app::authz::on_user::<UsersManage>(ctx, &me, user).await?;
            if let Some(q) = question(action, may.target()).filter(|_| !confirmation.given()) {
                return Ok(ask(Nav::load(&me, &format!("/admin/users/{user}")), q));
            }
            app::password_reset::reset_by_admin(ctx, &may, &state.public_url).await?;
        }
    }
    Ok(Redirect::to(&format!("/admin/users/{user}?notice={notice}")).into_response())
}

/// One bot the user owns, with the successor typed for it.
struct OwnedBot {
    id: String,
    name: String,
    workspace: String,
    successor: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "user_delete.html")]
struct DeletePage {
    nav: Option<Nav>,
    id: String,
    name: String,
    email: String,
    csrf: String,
    /// The bots the user owns: non-empty turns the page into the guided delete.
    bots: Vec<OwnedBot>,
    may_transfer: bool,
    successor_all: String,
    error: Option<String>,
}

/// The bots `user` owns as far as the viewer sees bots (`bots.view`, their scope); empty
/// without that permission, in which case the delete itself names the bots when it refuses.
async fn owned_bots(ctx: &AppCtx, me: &Principal, user: UserId) -> Result<Vec<OwnedBot>, AppError> {
    if !app::authz::user_tabs(me).bots {
        return Ok(Vec::new());
    }
    let on = app::authz::on_user::<BotsView>(ctx, me, user).await?;
    let scope = app::authz::in_scope::<BotsView>(me)?;
    Ok(app::bots::of_user(ctx, &on, &scope)
        .await?
        .into_iter()
        .filter(|b| b.role == domain::bot::BotRole::Owner)
        .map(|b| OwnedBot {
            id: b.bot_id.to_string(),
            name: b.name,
            workspace: b.workspace_name,
            successor: String::new(),
        })
        .collect())
}

/// The confirmation page; `typed` (the guided delete's fields) and `error` after a refusal.
async fn delete_page(
    state: &AppState,
    me: &Principal,
    user: UserId,
    typed: &BTreeMap<String, String>,
    error: Option<&AppError>,
) -> Result<Response, PageError> {
    let nav = Nav::load(me, &format!("/admin/users/{user}"));
    // The same checks as the delete itself, so the page never offers what would be refused.
    let may = app::authz::delete_user(&state.ctx, me, user).await?;
    let target = may.target();
    let (name, email) = (target.name(), target.row.email.clone());
    // Removing the user from workspaces leaves their bots as they are.
    let mut bots =
        if may.removes_from_workspaces_only() { Vec::new() } else { owned_bots(&state.ctx, me, user).await? };
    for b in &mut bots {
        b.successor = typed.get(&format!("successor_{}", b.id)).cloned().unwrap_or_default();
    }
    let page = DeletePage {
        nav: Some(nav),
        id: user.to_string(),
        name,
        email,
        csrf: me.csrf_token.clone(),
        bots,
        may_transfer: app::authz::may_act(me, UserAction::TransferOwnership, &Target::from(target)).is_ok(),
        successor_all: typed.get("successor_all").cloned().unwrap_or_default(),
        error: error.map(crate::pages::refusal_sentence),
    };
    Ok((error.map_or(StatusCode::OK, status_of), page).into_response())
}

/// "Delete <name>?" with the confirming form, or the guided delete for a bot owner; works
/// without JavaScript.
async fn confirm_delete(
    State(state): State<AppState>,
    PageUser(me): PageUser,
    AppPath(user): AppPath<UserId>,
) -> Result<Response, PageError> {
    delete_page(&state, &me, user, &BTreeMap::new(), None).await
}

async fn delete(
    State(state): State<AppState>,
    PageUser(me): PageUser,
    AppPath(user): AppPath<UserId>,
    _: CsrfForm,
) -> Result<Redirect, PageError> {
    let may = app::authz::delete_user(&state.ctx, &me, user).await?;
    Ok(match app::deletion::delete(&state.ctx, &may).await? {
        Outcome::Deleted => Redirect::to("/admin/users?notice=deleted"),
        Outcome::RemovedFrom(_) => Redirect::to("/admin/users?notice=removed"),
    })
}

/// The guided delete's form: `successor_{bot id}` per bot, else `successor_all`, and the
/// `confirm` box. Field names carry bot ids, so it is read as a map.
async fn transfer_and_delete(
    Page { state, me, may: transfer }: Page<TransferOwnership>,
    AppPath(user): AppPath<UserId>,
    CsrfForm(fields): CsrfForm<BTreeMap<String, String>>,
) -> Result<Response, PageError> {
    let successors: BTreeMap<String, String> = fields
        .iter()
        .filter_map(|(k, v)| Some((k.strip_prefix("successor_")?.to_owned(), v.trim().to_owned())))
        .filter(|(k, v)| k != "all" && !v.is_empty())
        .collect();
    let for_all = fields.get("successor_all").map(|s| s.trim()).filter(|s| !s.is_empty());
    let may = app::authz::delete_user(&state.ctx, &me, user).await?;
    let result = if fields.contains_key("confirm") {
        app::deletion::transfer_and_delete(&state.ctx, &may, &transfer, &successors, for_all).await
    } else {
        Err(AppError::invalid("confirm", "tick the box to confirm the transfer and the delete"))
    };
    match result {
        Ok(_) => Ok(Redirect::to("/admin/users?notice=deleted").into_response()),
        Err(e @ (AppError::Invalid { .. } | AppError::Conflict(_))) => {
            delete_page(&state, &me, user, &fields, Some(&e)).await
        }
        Err(e) => Err(e.into()),
    }
}

/// Which buttons the More menu shows: the actions authz allows on the user.
#[allow(clippy::struct_excessive_bools)] // one flag per button, read by the template
pub struct MoreMenu {
    pub suspend: bool,
    pub activate: bool,
    pub resend_invitation: bool,
    pub reset_password: bool,
    /// Why Reset password, which the admin could otherwise take, is off for this account
    /// (under SSO): shown disabled with this reason.
    pub reset_password_disabled: Option<String>,
    pub kill_sessions: bool,
    pub delete: bool,
    /// Transfer Ownership happens on the Manage Bots tab; the menu points there.
    pub transfer: bool,
}

impl MoreMenu {
    /// The menu for `actions`: what authz allows, and what it refuses only by how the
    /// account works shown disabled with the reason.
    pub fn of(actions: &UserActions) -> Self {
        Self {
            suspend: actions.allows(UserAction::Suspend),
            activate: actions.allows(UserAction::Activate),
            resend_invitation: actions.allows(UserAction::ResendInvitation),
            reset_password: actions.allows(UserAction::ResetPassword),
            reset_password_disabled: actions.disabled(UserAction::ResetPassword).map(str::to_owned),
            kill_sessions: actions.allows(UserAction::KillSessions),
            delete: actions.allows(UserAction::Delete),
            transfer: actions.allows(UserAction::TransferOwnership),
        }
    }

    pub const fn any(&self) -> bool {
        self.suspend
            || self.activate
            || self.resend_invitation
            || self.reset_password
            || self.reset_password_disabled.is_some()
            || self.kill_sessions
            || self.delete
            || self.transfer
    }
}
