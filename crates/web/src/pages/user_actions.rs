//! The More menu of the User Details page: Suspend, Activate, Resend invitation, Reset
//! password and Delete (with a confirmation page; for a bot owner the guided delete, which
//! transfers every owned bot and deletes in one step). Each POST checks the form token, runs
//! the use case and redirects (303) back to the profile with a `notice`; refusals show
//! the reason with the API's status. Unlock lives in `users.rs`, Kill all sessions in
//! `sessions.rs`.

use crate::csrf::check_form_token;
use crate::extract::{PageUser, parse_query};
use crate::pages::{Nav, error_page, expired_form};
use crate::state::AppState;
use app::authz::{BotsView, Principal, UsersInvite, UsersManage, UsersView};
use app::deletion::Outcome;
use app::invitations::InviteOptions;
use app::{AppCtx, AppError};
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use domain::ids::UserId;
use domain::permission::{Permission, Scope};
use domain::user::UserStatus;
use serde::Deserialize;
use std::collections::BTreeMap;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/admin/users/{id}/suspend", post(suspend))
        .route("/admin/users/{id}/activate", post(activate))
        .route("/admin/users/{id}/resend-invitation", post(resend_invitation))
        .route("/admin/users/{id}/reset-password", post(reset_password))
        .route("/admin/users/{id}/delete", get(confirm_delete).post(delete))
        .route("/admin/users/{id}/transfer-and-delete", post(transfer_and_delete))
}

#[derive(Deserialize)]
struct CsrfForm {
    #[serde(default)]
    csrf: String,
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

async fn run(state: &AppState, me: &Principal, user: UserId, action: Action) -> Result<(), AppError> {
    let ctx = &state.ctx;
    match action {
        Action::Suspend => {
            app::lifecycle::suspend(ctx, &app::authz::on_user::<UsersManage>(ctx, me, user).await?).await
        }
        Action::Activate => {
            app::lifecycle::activate(ctx, &app::authz::on_user::<UsersManage>(ctx, me, user).await?).await
        }
        Action::ResendInvitation => {
            let may = app::authz::on_user::<UsersInvite>(ctx, me, user).await?;
            app::invitations::resend(
                ctx,
                &may,
                &InviteOptions::new(&state.public_url, state.ctx.auth.invitation_lifetime),
            )
            .await
        }
        Action::ResetPassword => {
            let may = app::authz::on_user::<UsersManage>(ctx, me, user).await?;
            app::password_reset::reset_by_admin(ctx, &may, &state.public_url).await
        }
    }
}

async fn act(state: &AppState, me: &Principal, id: &str, form: &CsrfForm, action: Action) -> Response {
    let nav = async || Nav::load(&state.ctx, me, "users", &format!("/admin/users/{id}")).await;
    if !check_form_token(&me.csrf_token, &form.csrf) {
        return expired_form(nav().await);
    }
    let Ok(user) = id.parse::<UserId>() else { return error_page(&AppError::NotFound, Some(nav().await)) };
    match run(state, me, user, action).await {
        Ok(()) => Redirect::to(&format!("/admin/users/{user}?notice={}", action.notice())).into_response(),
        Err(e) => error_page(&e, Some(nav().await)),
    }
}

async fn suspend(
    State(state): State<AppState>,
    PageUser(me): PageUser,
    Path(id): Path<String>,
    Form(form): Form<CsrfForm>,
) -> Response {
    act(&state, &me, &id, &form, Action::Suspend).await
}

async fn activate(
    State(state): State<AppState>,
    PageUser(me): PageUser,
    Path(id): Path<String>,
    Form(form): Form<CsrfForm>,
) -> Response {
    act(&state, &me, &id, &form, Action::Activate).await
}

async fn resend_invitation(
    State(state): State<AppState>,
    PageUser(me): PageUser,
    Path(id): Path<String>,
    Form(form): Form<CsrfForm>,
) -> Response {
    act(&state, &me, &id, &form, Action::ResendInvitation).await
}

async fn reset_password(
    State(state): State<AppState>,
    PageUser(me): PageUser,
    Path(id): Path<String>,
    Form(form): Form<CsrfForm>,
) -> Response {
    act(&state, &me, &id, &form, Action::ResetPassword).await
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

async fn user_name(ctx: &AppCtx, me: &Principal, user: UserId) -> Result<(String, String), AppError> {
    let may = app::authz::on_user::<UsersView>(ctx, me, user).await?;
    let d = app::users::get_user(ctx, &may).await?;
    Ok((format!("{} {}", d.user.first_name, d.user.last_name), d.user.email))
}

/// The bots `user` owns as far as the viewer sees bots (`bots.view`, their scope); empty
/// without that permission, in which case the delete itself names the bots when it refuses.
async fn owned_bots(ctx: &AppCtx, me: &Principal, user: UserId) -> Result<Vec<OwnedBot>, AppError> {
    if !me.role.allows(Permission::BotsView) {
        return Ok(Vec::new());
    }
    let on = app::authz::on_user::<BotsView>(ctx, me, user).await?;
    let scope = app::authz::in_scope::<BotsView>(me)?;
    Ok(app::bots::of_user(ctx, &on, &scope)
        .await?
        .into_iter()
        .filter(|b| b.role == "owner")
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
) -> Response {
    let nav = Nav::load(&state.ctx, me, "users", &format!("/admin/users/{user}")).await;
    // The same checks as the delete itself, so the page never offers what would be refused.
    if let Err(e) = app::authz::delete_user(&state.ctx, me, user).await {
        return error_page(&e, Some(nav));
    }
    let loaded = async {
        let (name, email) = user_name(&state.ctx, me, user).await?;
        // A workspace-scoped admin only removes the user from workspaces: bots do not matter.
        let mut bots =
            if me.role.scope() == Scope::AllWorkspaces { owned_bots(&state.ctx, me, user).await? } else { Vec::new() };
        for b in &mut bots {
            b.successor = typed.get(&format!("successor_{}", b.id)).cloned().unwrap_or_default();
        }
        Ok::<_, AppError>((name, email, bots))
    };
    match loaded.await {
        Ok((name, email, bots)) => {
            let status = error.map_or(StatusCode::OK, crate::error::status_of);
            let page = DeletePage {
                nav: Some(nav),
                id: user.to_string(),
                name,
                email,
                csrf: me.csrf_token.clone(),
                bots,
                may_transfer: app::authz::transfer_ownership(me).is_ok(),
                successor_all: typed.get("successor_all").cloned().unwrap_or_default(),
                error: error.map(crate::pages::refusal_sentence),
            };
            (status, page).into_response()
        }
        Err(e) => error_page(&e, Some(nav)),
    }
}

/// "Delete <name>?" with the confirming form, or the guided delete for a bot owner; works
/// without JavaScript.
async fn confirm_delete(State(state): State<AppState>, PageUser(me): PageUser, Path(id): Path<String>) -> Response {
    let Ok(user) = id.parse::<UserId>() else {
        let nav = Nav::load(&state.ctx, &me, "users", "/admin/users").await;
        return error_page(&AppError::NotFound, Some(nav));
    };
    delete_page(&state, &me, user, &BTreeMap::new(), None).await
}

async fn delete(
    State(state): State<AppState>,
    PageUser(me): PageUser,
    Path(id): Path<String>,
    Form(form): Form<CsrfForm>,
) -> Response {
    let nav = async || Nav::load(&state.ctx, &me, "users", &format!("/admin/users/{id}")).await;
    if !check_form_token(&me.csrf_token, &form.csrf) {
        return expired_form(nav().await);
    }
    let Ok(user) = id.parse::<UserId>() else { return error_page(&AppError::NotFound, Some(nav().await)) };
    let result = match app::authz::delete_user(&state.ctx, &me, user).await {
        Ok(may) => app::deletion::delete(&state.ctx, &may).await,
        Err(e) => Err(e),
    };
    match result {
        Ok(Outcome::Deleted) => Redirect::to("/admin/users?notice=deleted").into_response(),
        Ok(Outcome::RemovedFrom(_)) => Redirect::to("/admin/users?notice=removed").into_response(),
        Err(e) => error_page(&e, Some(nav().await)),
    }
}

/// The guided delete of a bot owner: `successor_{bot id}` per bot, else `successor_all`,
/// and the `confirm` box; transfers and deletes in one step (the app's one transaction).
async fn transfer_and_delete(
    State(state): State<AppState>,
    PageUser(me): PageUser,
    Path(id): Path<String>,
    body: String,
) -> Response {
    // Field names carry bot ids, so the form is read as a map.
    let fields: BTreeMap<String, String> = parse_query(&body).unwrap_or_default();
    let nav = async || Nav::load(&state.ctx, &me, "users", &format!("/admin/users/{id}")).await;
    if !check_form_token(&me.csrf_token, fields.get("csrf").map_or("", String::as_str)) {
        return expired_form(nav().await);
    }
    let Ok(user) = id.parse::<UserId>() else { return error_page(&AppError::NotFound, Some(nav().await)) };
    let successors: BTreeMap<String, String> = fields
        .iter()
        .filter_map(|(k, v)| Some((k.strip_prefix("successor_")?.to_owned(), v.trim().to_owned())))
        .filter(|(k, v)| k != "all" && !v.is_empty())
        .collect();
    let for_all = fields.get("successor_all").map(|s| s.trim()).filter(|s| !s.is_empty());
    let result = async {
        let transfer = app::authz::transfer_ownership(&me)?;
        let may = app::authz::delete_user(&state.ctx, &me, user).await?;
        if !fields.contains_key("confirm") {
            return Err(AppError::invalid("confirm", "tick the box to confirm the transfer and the delete"));
        }
        app::deletion::transfer_and_delete(&state.ctx, &may, &transfer, &successors, for_all).await
    };
    match result.await {
        Ok(_) => Redirect::to("/admin/users?notice=deleted").into_response(),
        Err(e @ (AppError::Invalid { .. } | AppError::Conflict(_))) => {
            delete_page(&state, &me, user, &fields, Some(&e)).await
        }
        Err(e) => error_page(&e, Some(nav().await)),
    }
}

/// Which buttons the More menu shows: what the viewer may do on the user's current status.
#[allow(clippy::struct_excessive_bools)] // one flag per button, read by the template
pub struct MoreMenu {
    pub suspend: bool,
    pub activate: bool,
    pub resend_invitation: bool,
    pub reset_password: bool,
    pub kill_sessions: bool,
    pub delete: bool,
    /// Transfer Ownership happens on the Manage Bots tab; the menu points there.
    pub transfer: bool,
}

impl MoreMenu {
    pub fn of(me: &Principal, status: UserStatus) -> Self {
        let manage = me.role.allows(Permission::UsersManage);
        Self {
            suspend: manage && matches!(status, UserStatus::Active | UserStatus::Locked),
            activate: manage && status == UserStatus::Suspended,
            resend_invitation: me.role.allows(Permission::UsersInvite) && status == UserStatus::Invited,
            reset_password: manage && status != UserStatus::Invited,
            kill_sessions: me.role.allows(Permission::SessionsKill),
            delete: me.role.allows(Permission::UsersDelete),
            transfer: me.role.may_transfer_ownership(),
        }
    }

    pub const fn any(&self) -> bool {
        self.suspend
            || self.activate
            || self.resend_invitation
            || self.reset_password
            || self.kill_sessions
            || self.delete
            || self.transfer
    }
}
