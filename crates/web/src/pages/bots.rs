//! `/admin/bots`: the bots of the admin's scope ordered by workspace (name, owner, member
//! count), an optional workspace filter, and Create bot (workspace + name + owner email,
//! empty owner = the admin) for holders of `bots.assign`.

use crate::csrf::CsrfForm;
use crate::error::{PageError, status_of};
use crate::extract::{LenientQuery, Page, PageUser};
use crate::pages::Nav;
use crate::pages::notice::Notice;
use crate::routes::{Routes, get};
use crate::state::AppState;
use app::authz::{BotsAssign, BotsView, InScope, Principal};
use app::bots::NewBot;
use app::{AppCtx, AppError};
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

pub fn routes() -> Routes {
    Routes::new().route("/admin/bots", get(show).post(create))
}

struct BotView {
    id: String,
    name: String,
    workspace: String,
    owner_name: String,
    owner_email: String,
    members: i64,
}

/// What the create form had, shown again after a refusal.
#[derive(Deserialize, Default)]
struct CreateForm {
    #[serde(default)]
    workspace_id: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    owner: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "bots.html")]
struct BotsPage {
    nav: Option<Nav>,
    csrf: String,
    notice: Option<&'static str>,
    error: Option<String>,
    may_create: bool,
    bots: Vec<BotView>,
    /// (id, name) of the workspaces in the viewer's scope that the page knows of.
    workspaces: Vec<(String, String)>,
    filter: String,
    typed: CreateForm,
}

/// (id, name) of the workspaces in the viewer's scope, by name, for the filter and the form.
async fn scope_workspaces(ctx: &AppCtx, me: &Principal) -> Vec<(String, String)> {
    let Ok(may) = app::authz::in_scope::<BotsView>(me) else { return Vec::new() };
    app::bots::workspaces(ctx, &may).await.unwrap_or_default().into_iter().map(|w| (w.id.to_string(), w.name)).collect()
}

async fn render(
    state: &AppState,
    me: &Principal,
    filter: String,
    notice: Option<&'static str>,
    failure: Option<(AppError, CreateForm)>,
) -> Result<Response, PageError> {
    let nav = Nav::load(me, "/admin/bots");
    let may = app::authz::in_scope::<BotsView>(me)?;
    let mut shown = app::bots::list(&state.ctx, &may, Some(&filter)).await?;
    shown.sort_by(|a, b| (&a.workspace_name, &a.name).cmp(&(&b.workspace_name, &b.name)));
    let workspaces = scope_workspaces(&state.ctx, me).await;
    let status = failure.as_ref().map_or(axum::http::StatusCode::OK, |(e, _)| status_of(e));
    let (error, typed) = match failure {
        Some((e, typed)) => (Some(crate::pages::refusal_sentence(&e)), typed),
        None => (None, CreateForm::default()),
    };
    let page = BotsPage {
        nav: Some(nav),
        csrf: me.csrf_token.clone(),
        notice,
        error,
        may_create: app::authz::user_tabs(me).assign_bots,
        bots: shown
            .into_iter()
            .map(|b| BotView {
                id: b.id.to_string(),
                name: b.name,
                workspace: b.workspace_name,
                owner_name: b.owner_name.unwrap_or_else(|| "—".to_owned()),
                owner_email: b.owner_email.unwrap_or_default(),
                members: b.members,
            })
            .collect(),
        workspaces,
        filter,
        typed,
    };
    Ok((status, page).into_response())
}

#[derive(Deserialize, Default)]
struct ListQuery {
    workspace_id: Option<String>,
}

async fn show(
    Page { state, me, .. }: Page<InScope<BotsView>>,
    LenientQuery(q): LenientQuery<ListQuery>,
    notice: Notice,
) -> Result<Response, PageError> {
    let notice = notice.pick(&[("created", "Bot created.")]);
    render(&state, &me, q.workspace_id.unwrap_or_default(), notice, None).await
}

async fn create(
    State(state): State<AppState>,
    PageUser(me): PageUser,
    CsrfForm(form): CsrfForm<CreateForm>,
) -> Result<Response, PageError> {
    // The form is for admins with bots.assign; members creating their own bots use the API.
    app::authz::in_scope::<BotsAssign>(&me)?;
    let new = NewBot {
        workspace_id: form.workspace_id.clone(),
        name: form.name.clone(),
        owner: Some(form.owner.clone()).filter(|o| !o.trim().is_empty()),
    };
    match app::bots::create(&state.ctx, &me, app::Input::whole(new)).await {
        Ok(_) => Ok(Redirect::to("/admin/bots?notice=created").into_response()),
        Err(
            e
            @ (AppError::Invalid { .. } | AppError::InvalidFields(_) | AppError::Conflict(_) | AppError::Forbidden(_)),
        ) => render(&state, &me, String::new(), None, Some((e, form))).await,
        Err(e) => Err(e.into()),
    }
}
