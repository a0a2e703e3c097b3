//! A user's Manage Bots tab (`/admin/users/{id}/bots`): the bots they can access within the
//! admin's scope, with Change / Remove for Developer and Tester roles, Assign (bot + role),
//! and Transfer Ownership on Owner rows for the Primary Master Admin. The Owner role has no
//! change/remove control: it moves only by transfer. Every action still goes through the
//! app's capabilities; the flags below only decide what the page offers.

use crate::csrf::check_form_token;
use crate::extract::PageUser;
use crate::pages::sessions::{NoticeQuery, UserHead};
use crate::pages::{Nav, error_page, expired_form};
use crate::state::AppState;
use app::authz::{BotsAssign, BotsView, Principal};
use app::{AppCtx, AppError};
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use domain::ids::UserId;
use domain::permission::Permission;
use serde::Deserialize;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/admin/users/{id}/bots", get(show))
        .route("/admin/users/{id}/bots/assign", post(assign))
        .route("/admin/users/{id}/bots/{bot_id}/role", post(change))
        .route("/admin/users/{id}/bots/{bot_id}/remove", post(remove))
        .route("/admin/users/{id}/bots/{bot_id}/transfer", post(transfer))
}

/// "Owner" / "Developer" / "Tester" for a stored role.
pub fn role_label(role: &str) -> &'static str {
    match role {
        "owner" => "Owner",
        "developer" => "Developer",
        "tester" => "Tester",
        _ => "Unknown",
    }
}

struct RowView {
    id: String,
    name: String,
    workspace: String,
    role: String,
    label: &'static str,
    is_owner: bool,
}

/// Where an error belongs: beside the assign form or in one bot's row.
#[derive(Default)]
struct Failure {
    /// `"assign"` or a bot id.
    at: String,
    text: String,
    /// What the admin typed (new owner), shown again.
    typed: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "user_bots.html")]
struct UserBotsPage {
    nav: Option<Nav>,
    head: UserHead,
    csrf: String,
    notice: Option<&'static str>,
    failure: Failure,
    may_assign: bool,
    may_transfer: bool,
    rows: Vec<RowView>,
    /// (bot id, "Bot · Workspace") the user may be given a role on.
    assignable: Vec<(String, String)>,
}

async fn load(ctx: &AppCtx, me: &Principal, id: UserId) -> Result<(Vec<RowView>, Vec<(String, String)>), AppError> {
    let on = app::authz::on_user::<BotsView>(ctx, me, id).await?;
    let scope = app::authz::in_scope::<BotsView>(me)?;
    let rows = app::bots::of_user(ctx, &on, &scope)
        .await?
        .into_iter()
        .map(|b| RowView {
            id: b.bot_id.to_string(),
            name: b.name,
            workspace: b.workspace_name,
            label: role_label(&b.role),
            is_owner: b.role == "owner",
            role: b.role,
        })
        .collect();
    let mut assignable = Vec::new();
    if me.role.allows(Permission::BotsAssign) {
        let on = app::authz::on_user::<BotsAssign>(ctx, me, id).await?;
        let scope = app::authz::in_scope::<BotsAssign>(me)?;
        assignable = app::bots::assignable(ctx, &on, &scope)
            .await?
            .into_iter()
            .map(|b| (b.id.to_string(), format!("{} · {}", b.name, b.workspace_name)))
            .collect();
    }
    Ok((rows, assignable))
}

async fn render(
    state: &AppState,
    me: &Principal,
    id: UserId,
    notice: Option<&'static str>,
    failure: Failure,
) -> Response {
    let here = format!("/admin/users/{id}/bots");
    let nav = Nav::load(&state.ctx, me, "users", &here).await;
    let (rows, assignable) = match load(&state.ctx, me, id).await {
        Ok(v) => v,
        Err(e) => return error_page(&e, Some(nav)),
    };
    let page = UserBotsPage {
        nav: Some(nav),
        head: UserHead::load(&state.ctx, me, id, "bots").await,
        csrf: me.csrf_token.clone(),
        notice,
        may_assign: me.role.allows(Permission::BotsAssign),
        may_transfer: app::authz::transfer_ownership(me).is_ok(),
        rows,
        assignable,
        failure,
    };
    page.into_response()
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
    let notice = match NoticeQuery::from_raw(raw.as_deref()).notice.as_deref() {
        Some("changed") => Some("Role changed."),
        Some("removed") => Some("Role removed."),
        Some("assigned") => Some("Bot assigned."),
        Some("transferred") => Some("Ownership transferred."),
        _ => None,
    };
    render(&state, &me, id, notice, Failure::default()).await
}

#[derive(Deserialize)]
struct BotForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    bot_id: String,
    #[serde(default)]
    role: String,
    #[serde(default)]
    new_owner: String,
}

/// Checks the token and the ids, runs `act`, then redirects with `notice` or shows the
/// refusal: validation and conflicts beside the form (`at`), 403/404 as an error page.
async fn act<F>(state: &AppState, me: &Principal, id: &str, form: &BotForm, at: &str, notice: &str, act: F) -> Response
where
    F: AsyncFnOnce(UserId) -> Result<(), AppError>,
{
    let here = format!("/admin/users/{id}/bots");
    let nav = async || Nav::load(&state.ctx, me, "users", &here).await;
    if !check_form_token(&me.csrf_token, &form.csrf) {
        return expired_form(nav().await);
    }
    let Ok(user) = id.parse::<UserId>() else { return error_page(&AppError::NotFound, Some(nav().await)) };
    match act(user).await {
        Ok(()) => Redirect::to(&format!("{here}?notice={notice}")).into_response(),
        Err(e @ (AppError::Invalid { .. } | AppError::Conflict(_))) => {
            let status = crate::error::status_of(&e);
            let failure =
                Failure { at: at.to_owned(), text: crate::pages::refusal_sentence(&e), typed: form.new_owner.clone() };
            let mut res = render(state, me, user, None, failure).await;
            if res.status() == StatusCode::OK {
                *res.status_mut() = status;
            }
            res
        }
        Err(e) => error_page(&e, Some(nav().await)),
    }
}

async fn assign(
    State(state): State<AppState>,
    PageUser(me): PageUser,
    Path(id): Path<String>,
    Form(form): Form<BotForm>,
) -> Response {
    act(&state, &me, &id, &form, "assign", "assigned", async |user| {
        if form.bot_id.trim().is_empty() {
            return Err(AppError::invalid("bot_id", "is required: choose a bot"));
        }
        let on = app::authz::on_user::<BotsAssign>(&state.ctx, &me, user).await?;
        let scope = app::authz::in_scope::<BotsAssign>(&me)?;
        app::bots::set_role(&state.ctx, &on, &scope, &form.bot_id, &form.role).await
    })
    .await
}

async fn change(
    State(state): State<AppState>,
    PageUser(me): PageUser,
    Path((id, bot)): Path<(String, String)>,
    Form(form): Form<BotForm>,
) -> Response {
    act(&state, &me, &id, &form, &bot, "changed", async |user| {
        let on = app::authz::on_user::<BotsAssign>(&state.ctx, &me, user).await?;
        let scope = app::authz::in_scope::<BotsAssign>(&me)?;
        app::bots::set_role(&state.ctx, &on, &scope, &bot, &form.role).await
    })
    .await
}

async fn remove(
    State(state): State<AppState>,
    PageUser(me): PageUser,
    Path((id, bot)): Path<(String, String)>,
    Form(form): Form<BotForm>,
) -> Response {
    act(&state, &me, &id, &form, &bot, "removed", async |user| {
        let on = app::authz::on_user::<BotsAssign>(&state.ctx, &me, user).await?;
        let scope = app::authz::in_scope::<BotsAssign>(&me)?;
        app::bots::remove_role(&state.ctx, &on, &scope, &bot).await
    })
    .await
}

async fn transfer(
    State(state): State<AppState>,
    PageUser(me): PageUser,
    Path((id, bot)): Path<(String, String)>,
    Form(form): Form<BotForm>,
) -> Response {
    act(&state, &me, &id, &form, &bot, "transferred", async |user| {
        let may = app::authz::transfer_ownership(&me)?;
        // The viewer must also see the user (scope), like every other action on this tab.
        app::authz::on_user::<BotsView>(&state.ctx, &me, user).await?;
        app::bots::transfer(&state.ctx, &may, user, &bot, &form.new_owner).await
    })
    .await
}
