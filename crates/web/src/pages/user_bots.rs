//! A user's Manage Bots tab (`/admin/users/{id}/bots`): the bots they can access within the
//! admin's scope, with Change / Remove for Developer and Tester roles, Assign (bot + role),
//! and Transfer Ownership on Owner rows for the Primary Master Admin. The Owner role has no
//! change/remove control: it moves only by transfer. Every action still goes through the
//! app's capabilities; the flags below only decide what the page offers.

use crate::csrf::CsrfForm;
use crate::error::{PageError, status_of};
use crate::extract::{AppPath, Page, PageOn};
use crate::pages::Nav;
use crate::pages::confirm::{Confirmation, Question, ask};
use crate::pages::notice::Notice;
use crate::pages::user_head::UserHead;
use crate::routes::{Routes, get, post};
use crate::state::AppState;
use app::authz::{BotsAssign, BotsView, OnUser, Principal, Target, TransferOwnership, UserAction};
use app::{AppCtx, AppError};
use askama::Template;
use askama_web::WebTemplate;
use axum::response::{IntoResponse, Redirect, Response};
use domain::bot::BotRole;
use domain::ids::{BotId, UserId};
use serde::Deserialize;

pub fn routes() -> Routes {
    Routes::new()
        .route("/admin/users/{id}/bots", get(show))
        .route("/admin/users/{id}/bots/assign", post(assign))
        .route("/admin/users/{id}/bots/{bot_id}/role", post(change))
        .route("/admin/users/{id}/bots/{bot_id}/remove", post(remove))
        .route("/admin/users/{id}/bots/{bot_id}/transfer", post(transfer))
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

async fn load(
    ctx: &AppCtx,
    me: &Principal,
    on: &OnUser<BotsView>,
) -> Result<(Vec<RowView>, Vec<(String, String)>), AppError> {
    let scope = app::authz::in_scope::<BotsView>(me)?;
    let held = app::bots::of_user(ctx, on, &scope).await?;
    let theirs: Vec<uuid::Uuid> = held.iter().map(|b| b.bot_id).collect();
    let rows = held
        .into_iter()
        .map(|b| RowView {
            id: b.bot_id.to_string(),
            name: b.name,
            workspace: b.workspace_name,
            label: b.role.label(),
            is_owner: b.role == BotRole::Owner,
            role: b.role.as_str().to_owned(),
        })
        .collect();
    let mut assignable = Vec::new();
    // The assign form only where authz allows assigning bots to this user (their authority
    // within the viewer's); the tab itself needs no more than bots.view.
    if may(me, on, UserAction::AssignBots)
        && let Ok(on) = app::authz::on_loaded_user::<BotsAssign, _>(me, on)
    {
        let scope = app::authz::in_scope::<BotsAssign>(me)?;
        assignable = app::bots::assignable(ctx, &on, &scope, &theirs)
            .await?
            .into_iter()
            .map(|b| (b.id.to_string(), format!("{} · {}", b.name, b.workspace_name)))
            .collect();
    }
    Ok((rows, assignable))
}

/// Whether authz lets `me` take `action` on the tab's user (the buttons shown).
fn may(me: &Principal, on: &OnUser<BotsView>, action: UserAction) -> bool {
    app::authz::may_act(me, action, &Target::from(on.target())).is_ok()
}

async fn render(
    state: &AppState,
    me: &Principal,
    on: &OnUser<BotsView>,
    notice: Option<&'static str>,
    failure: Option<(&AppError, Failure)>,
) -> Result<Response, PageError> {
    let id = on.user();
    let nav = Nav::load(me, &format!("/admin/users/{id}/bots"));
    let (rows, assignable) = load(&state.ctx, me, on).await?;
    let status = failure.as_ref().map_or(axum::http::StatusCode::OK, |(e, _)| status_of(e));
    let page = UserBotsPage {
        nav: Some(nav),
        head: UserHead::of(me, on.target(), "bots"),
        csrf: me.csrf_token.clone(),
        notice,
        may_assign: may(me, on, UserAction::AssignBots),
        may_transfer: may(me, on, UserAction::TransferOwnership),
        rows,
        assignable,
        failure: failure.map(|(_, f)| f).unwrap_or_default(),
    };
    Ok((status, page).into_response())
}

async fn show(PageOn { state, me, may }: PageOn<BotsView>, notice: Notice) -> Result<Response, PageError> {
    let notice = notice.pick(&[
        ("changed", "Role changed."),
        ("removed", "Role removed."),
        ("assigned", "Bot assigned."),
        ("transferred", "Ownership transferred."),
    ]);
    render(&state, &me, &may, notice, None).await
}

#[derive(Deserialize)]
struct BotForm {
    #[serde(default)]
    bot_id: String,
    #[serde(default)]
    role: String,
    #[serde(default)]
    new_owner: String,
    #[serde(flatten)]
    confirmation: Confirmation,
}

/// The user's role on `bot`, as the tab lists it (404 for a bot outside the viewer's scope
/// or one the user has no role on).
async fn bot_of(
    state: &AppState,
    me: &Principal,
    on: &OnUser<BotsView>,
    bot: BotId,
) -> Result<app::bots::UserBot, AppError> {
    let scope = app::authz::in_scope::<BotsView>(me)?;
    let rows = app::bots::of_user(&state.ctx, on, &scope).await?;
    rows.into_iter().find(|b| b.bot_id == bot.0).ok_or(AppError::NotFound(app::What::Bot))
}

/// The confirm page of a change to `user`'s role on `bot` (their name and the bot's, as the
/// tab shows them): `heading` and `detail` get them as `{user}` and `{bot}`.
async fn ask_about(
    state: &AppState,
    me: &Principal,
    on: &OnUser<BotsView>,
    bot: BotId,
    (heading, detail, button, verb): (&str, &str, &'static str, &str),
    fields: Vec<(String, String)>,
) -> Result<Response, PageError> {
    let user = on.user();
    let bot_name = bot_of(state, me, on, bot).await?.name;
    let row = &on.target().row;
    let fill =
        |s: &str| s.replace("{user}", &format!("{} {}", row.first_name, row.last_name)).replace("{bot}", &bot_name);
    let tab = format!("/admin/users/{user}/bots");
    let q = Question {
        heading: fill(heading),
        detail: fill(detail),
        button,
        action: format!("{tab}/{bot}/{verb}"),
        back: tab.clone(),
        fields,
        items: Vec::new(),
        warning: None,
    };
    Ok(ask(Nav::load(me, &tab), q))
}

/// After an action on the tab: back to it with `notice`, or the tab again with the refusal
/// where it belongs (validation and conflicts beside the form at `at`; the rest as the
/// error page).
async fn answer(
    state: &AppState,
    me: &Principal,
    user: UserId,
    (at, notice): (&str, &str),
    typed: &BotForm,
    result: Result<(), AppError>,
) -> Result<Response, PageError> {
    match result {
        Ok(()) => Ok(Redirect::to(&format!("/admin/users/{user}/bots?notice={notice}")).into_response()),
        Err(e @ (AppError::Invalid { .. } | AppError::Conflict(_))) => {
            let failure =
                Failure { at: at.to_owned(), text: crate::pages::refusal_sentence(&e), typed: typed.new_owner.clone() };
            let on = app::authz::on_user::<BotsView>(&state.ctx, me, user).await?;
            render(state, me, &on, None, Some((&e, failure))).await
        }
        Err(e) => Err(e.into()),
    }
}

async fn assign(page: PageOn<BotsAssign>, CsrfForm(form): CsrfForm<BotForm>) -> Result<Response, PageError> {
    let PageOn { state, me, may: on } = page;
    let user = on.user();
    let scope = app::authz::in_scope::<BotsAssign>(&me)?;
    let result = async {
        let bot = match form.bot_id.trim() {
            "" => return Err(AppError::invalid("bot_id", "is required: choose a bot")),
            // The choices are the page's own; anything else is no bot this admin can see.
            chosen => chosen.parse::<BotId>().map_err(|_| AppError::NotFound(app::What::Bot))?,
        };
        app::bots::set_role(&state.ctx, &on, &scope, bot, &form.role).await
    }
    .await;
    answer(&state, &me, user, ("assign", "assigned"), &form, result).await
}

async fn change(
    page: PageOn<BotsAssign>,
    AppPath((_, bot)): AppPath<(UserId, BotId)>,
    CsrfForm(form): CsrfForm<BotForm>,
) -> Result<Response, PageError> {
    let result =
        app::bots::set_role(&page.state.ctx, &page.may, &app::authz::in_scope(&page.me)?, bot, &form.role).await;
    answer(&page.state, &page.me, page.user(), (&bot.to_string(), "changed"), &form, result).await
}

async fn remove(
    page: PageOn<BotsAssign>,
    AppPath((_, bot)): AppPath<(UserId, BotId)>,
    CsrfForm(form): CsrfForm<BotForm>,
) -> Result<Response, PageError> {
    let on = app::authz::on_user::<BotsView>(&page.state.ctx, &page.me, page.user()).await?;
    // The Owner's row has no Remove: such a request is answered by the refusal, unasked.
    if !form.confirmation.given() && bot_of(&page.state, &page.me, &on, bot).await?.role != BotRole::Owner {
        let words = (
            "Remove {user}'s role on {bot}?",
            "{user} can no longer open {bot}; a role can be assigned again later.",
            "Remove role",
            "remove",
        );
        return ask_about(&page.state, &page.me, &on, bot, words, Vec::new()).await;
    }
    let result = app::bots::remove_role(&page.state.ctx, &page.may, &app::authz::in_scope(&page.me)?, bot).await;
    answer(&page.state, &page.me, page.user(), (&bot.to_string(), "removed"), &form, result).await
}

async fn transfer(
    Page { state, me, may }: Page<TransferOwnership>,
    AppPath((user, bot)): AppPath<(UserId, BotId)>,
    CsrfForm(form): CsrfForm<BotForm>,
) -> Result<Response, PageError> {
    // The viewer must also see the user (scope), like every other action on this tab.
    let on = app::authz::on_user::<BotsView>(&state.ctx, &me, user).await?;
    if !form.confirmation.given() && !form.new_owner.trim().is_empty() {
        let heading = format!("Make {} the Owner of {{bot}}?", form.new_owner.trim());
        let words = (
            heading.as_str(),
            "{user} stays on {bot} as a Developer; the new Owner alone can transfer it on.",
            "Transfer ownership",
            "transfer",
        );
        return ask_about(&state, &me, &on, bot, words, vec![("new_owner".to_owned(), form.new_owner.clone())]).await;
    }
    let result = app::bots::transfer(&state.ctx, &may, user, bot, &form.new_owner).await;
    answer(&state, &me, user, (&bot.to_string(), "transferred"), &form, result).await
}
