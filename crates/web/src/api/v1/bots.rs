//! Bots: `GET/POST /bots`, `GET /bots/{bot_id}/owner-candidates?q=`; a user's bots
//! (`GET /users/{id}/bots`, `PUT/DELETE /users/{id}/bots/{bot_id}`), Transfer Ownership
//! (`POST /users/{id}/bots/{bot_id}/transfer`) and the guided delete of an owner
//! (`POST /users/{id}/transfer-and-delete`).

use super::fields::Fields;
use super::shapes::Named;
use crate::error::ApiError;
use crate::error::ApiError as Problem;
use crate::extract::{ApiUser, AppPath, AppQuery, JsonDoc};
use crate::routes::{Routes, get, post, put};
use crate::state::AppState;
use app::AppError;
use app::authz::{BotsAssign, BotsView};
use app::bots::{Bot, NewBot, OwnerCandidate};
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use domain::bot::BotRole;
use domain::ids::{BotId, UserId, WorkspaceId};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::BTreeMap;
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

pub fn routes() -> Routes {
    Routes::new()
        .route("/bots", get(list).post(create))
        .route("/bots/{bot_id}/owner-candidates", get(candidates))
        .route("/users/{id}/bots", get(user_bots))
        .route("/users/{id}/bots/{bot_id}", put(set_role).delete(remove_role))
        .route("/users/{id}/bots/{bot_id}/transfer", post(transfer))
        .route("/users/{id}/transfer-and-delete", post(transfer_and_delete))
}

/// A user by id, name and email.
#[derive(Serialize, ToSchema)]
pub struct Person {
    id: Uuid,
    name: Option<String>,
    email: Option<String>,
}

/// A bot; `owner` null when the owner is gone.
#[derive(Serialize, ToSchema)]
pub struct BotJson {
    id: Uuid,
    name: String,
    workspace: Named,
    owner: Option<Person>,
    member_count: i64,
}

impl From<&Bot> for BotJson {
    fn from(b: &Bot) -> Self {
        Self {
            id: b.id,
            name: b.name.clone(),
            workspace: Named::new(b.workspace_id, &b.workspace_name),
            owner: b.owner_id.map(|id| Person { id, name: b.owner_name.clone(), email: b.owner_email.clone() }),
            member_count: b.members,
        }
    }
}

/// Bots.
#[derive(Serialize, ToSchema)]
pub struct Bots {
    items: Vec<BotJson>,
}

/// Who could own the bot.
#[derive(Serialize, ToSchema)]
pub struct Candidates {
    items: Vec<Person>,
}

fn candidate(c: &OwnerCandidate) -> Person {
    Person { id: c.id, email: Some(c.email.clone()), name: Some(format!("{} {}", c.first_name, c.last_name)) }
}

/// A new bot; `owner` (an email or user id) defaults to the creator.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)] // Only described: the handler reads the fields (`Fields`).
pub struct NewBotBody {
    workspace_id: WorkspaceId,
    #[schema(max_length = 100)]
    name: String,
    owner: Option<String>,
}

/// A user's bot and their role on it.
#[derive(Serialize, ToSchema)]
pub struct UserBotJson {
    bot_id: Uuid,
    name: String,
    workspace: Named,
    role: BotRole,
}

/// A user's bots.
#[derive(Serialize, ToSchema)]
pub struct UserBots {
    items: Vec<UserBotJson>,
}

/// The role to give (`developer` or `tester`; the owner moves only by transfer).
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)] // Only described: the handler reads the field (`required`).
pub struct RoleOnBot {
    role: BotRole,
}

/// The new owner: an email or user id.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)] // Only described: the handler reads the field (`required`).
pub struct NewOwner {
    new_owner: String,
}

/// Who takes over the user's bots: `successors` by bot id, else `successor` for all
/// (emails or names).
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)] // Only described: the handler reads the fields.
pub struct Successors {
    successors: Option<BTreeMap<String, String>>,
    successor: Option<String>,
}

/// The user is deleted; their bots went to the successors.
#[derive(Serialize, ToSchema)]
pub struct TransferredAndDeleted {
    deleted: bool,
    bots_transferred: Vec<String>,
}

/// The one string field `name` a body must carry (its use case has no other field to name).
fn required(body: &Value, name: &str) -> Result<String, AppError> {
    let mut fields = Fields::of(body);
    fields.only(&[name], "is not a field of this request");
    let value = fields.required(name);
    fields.input(value).complete()
}

/// `?workspace_id=`: only that workspace's bots.
#[derive(Deserialize, Default, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    #[param(value_type = Option<Uuid>)]
    workspace_id: Option<String>,
}

#[utoipa::path(get, path = "/bots", tag = "bots", params(ListQuery),
    responses((status = 200, description = "The bots in the caller's scope.", body = Bots)))]
pub(super) async fn list(
    State(state): State<AppState>,
    ApiUser(me): ApiUser,
    AppQuery(q): AppQuery<ListQuery>,
) -> Result<Json<Bots>, ApiError> {
    let may = app::authz::in_scope::<BotsView>(&me)?;
    let bots = app::bots::list(&state.ctx, &may, q.workspace_id.as_deref()).await?;
    Ok(Json(Bots { items: bots.iter().map(Into::into).collect() }))
}

#[utoipa::path(post, path = "/bots", tag = "bots", request_body = NewBotBody,
    responses((status = 201, description = "Created.", body = BotJson),
        (status = 409, description = "The workspace has a bot of that name.", body = Problem, content_type = "application/problem+json")))]
pub(super) async fn create(
    State(state): State<AppState>,
    ApiUser(me): ApiUser,
    JsonDoc(body): JsonDoc,
) -> Result<(StatusCode, Json<BotJson>), ApiError> {
    let mut fields = Fields::of(&body);
    fields.only(&["workspace_id", "name", "owner"], "is not a field of a bot");
    let new = NewBot {
        workspace_id: fields.required("workspace_id"),
        name: fields.required("name"),
        owner: fields.text("owner"),
    };
    let bot = app::bots::create(&state.ctx, &me, fields.input(new)).await?;
    Ok((StatusCode::CREATED, Json((&bot).into())))
}

/// `?q=`: words of the name or email.
#[derive(Deserialize, Default, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CandidateQuery {
    #[serde(default)]
    #[param(max_length = 200)]
    q: String,
}

#[utoipa::path(get, path = "/bots/{bot_id}/owner-candidates", tag = "bots", params(("bot_id" = Uuid, Path, description = "A bot id."), CandidateQuery),
    responses((status = 200, description = "Active members of the bot's workspace matching `q`.", body = Candidates)))]
pub(super) async fn candidates(
    State(state): State<AppState>,
    ApiUser(me): ApiUser,
    AppPath(bot): AppPath<BotId>,
    AppQuery(q): AppQuery<CandidateQuery>,
) -> Result<Json<Candidates>, ApiError> {
    let may = app::authz::in_scope::<BotsView>(&me)?;
    let found = app::bots::owner_candidates(&state.ctx, &may, bot, &q.q).await?;
    Ok(Json(Candidates { items: found.iter().map(candidate).collect() }))
}

#[utoipa::path(get, path = "/users/{id}/bots", tag = "bots", params(("id" = Uuid, Path, description = "A user id.")),
    responses((status = 200, description = "The user's bots in the caller's scope.", body = UserBots)))]
pub(super) async fn user_bots(
    State(state): State<AppState>,
    ApiUser(me): ApiUser,
    AppPath(id): AppPath<UserId>,
) -> Result<Json<UserBots>, ApiError> {
    let on = app::authz::on_user::<BotsView>(&state.ctx, &me, id).await?;
    let scope = app::authz::in_scope::<BotsView>(&me)?;
    let bots = app::bots::of_user(&state.ctx, &on, &scope).await?;
    let items = bots
        .into_iter()
        .map(|b| UserBotJson {
            bot_id: b.bot_id,
            workspace: Named::new(b.workspace_id, &b.workspace_name),
            name: b.name,
            role: b.role,
        })
        .collect();
    Ok(Json(UserBots { items }))
}

#[utoipa::path(put, path = "/users/{id}/bots/{bot_id}", tag = "bots", params(("id" = Uuid, Path, description = "A user id."), ("bot_id" = Uuid, Path, description = "A bot id.")), request_body = RoleOnBot,
    responses((status = 204, description = "The user has that role on the bot."),
        (status = 409, description = "Not possible (the owner's role moves only by transfer).", body = Problem, content_type = "application/problem+json")))]
pub(super) async fn set_role(
    State(state): State<AppState>,
    ApiUser(me): ApiUser,
    AppPath((id, bot)): AppPath<(UserId, BotId)>,
    JsonDoc(body): JsonDoc,
) -> Result<StatusCode, ApiError> {
    let on = app::authz::on_user::<BotsAssign>(&state.ctx, &me, id).await?;
    let scope = app::authz::in_scope::<BotsAssign>(&me)?;
    let role = required(&body, "role")?;
    app::bots::set_role(&state.ctx, &on, &scope, bot, &role).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(delete, path = "/users/{id}/bots/{bot_id}", tag = "bots", params(("id" = Uuid, Path, description = "A user id."), ("bot_id" = Uuid, Path, description = "A bot id.")),
    responses((status = 204, description = "The user has no role on the bot."),
        (status = 409, description = "The owner cannot be removed: transfer first.", body = Problem, content_type = "application/problem+json")))]
pub(super) async fn remove_role(
    State(state): State<AppState>,
    ApiUser(me): ApiUser,
    AppPath((id, bot)): AppPath<(UserId, BotId)>,
) -> Result<StatusCode, ApiError> {
    let on = app::authz::on_user::<BotsAssign>(&state.ctx, &me, id).await?;
    let scope = app::authz::in_scope::<BotsAssign>(&me)?;
    app::bots::remove_role(&state.ctx, &on, &scope, bot).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(post, path = "/users/{id}/bots/{bot_id}/transfer", tag = "bots", security(("session" = [])), params(("id" = Uuid, Path, description = "A user id."), ("bot_id" = Uuid, Path, description = "A bot id.")), request_body = NewOwner,
    responses((status = 204, description = "The bot has its new owner."),
        (status = 403, description = "Not the Primary Master Admin in person (an API token acts as a Master Admin).", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The user does not own the bot, or the new owner cannot.", body = Problem, content_type = "application/problem+json")))]
pub(super) async fn transfer(
    State(state): State<AppState>,
    ApiUser(me): ApiUser,
    AppPath((id, bot)): AppPath<(UserId, BotId)>,
    JsonDoc(body): JsonDoc,
) -> Result<StatusCode, ApiError> {
    let may = app::authz::transfer_ownership(&me)?;
    let new_owner = required(&body, "new_owner")?;
    app::bots::transfer(&state.ctx, &may, id, bot, &new_owner).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(post, path = "/users/{id}/transfer-and-delete", tag = "bots", security(("session" = [])), params(("id" = Uuid, Path, description = "A user id.")), request_body = Successors,
    responses((status = 200, description = "The bots moved and the user is deleted, together.", body = TransferredAndDeleted),
        (status = 403, description = "Not the Primary Master Admin in person (an API token acts as a Master Admin).", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "A bot has no successor, or a successor cannot own it.", body = Problem, content_type = "application/problem+json")))]
pub(super) async fn transfer_and_delete(
    State(state): State<AppState>,
    ApiUser(me): ApiUser,
    AppPath(id): AppPath<UserId>,
    JsonDoc(body): JsonDoc,
) -> Result<Json<TransferredAndDeleted>, ApiError> {
    let transfer = app::authz::transfer_ownership(&me)?;
    let may = app::authz::delete_user(&state.ctx, &me, id).await?;
    let mut fields = Fields::of(&body);
    let successors: BTreeMap<String, String> = match fields.get("successors") {
        None | Some(Value::Null) => BTreeMap::new(),
        Some(v) => serde_json::from_value(v.clone()).unwrap_or_else(|_| {
            fields.refuse("successors", "must map bot ids to an email or name");
            BTreeMap::new()
        }),
    };
    fields.only(&["successors", "successor"], "is not a field of this request");
    let for_all = fields.text("successor");
    // The use case judges the successors only bot by bot, as it moves them: nothing else to name.
    let (successors, for_all) = fields.input((successors, for_all)).complete()?;
    let bots = app::deletion::transfer_and_delete(&state.ctx, &may, &transfer, &successors, for_all.as_deref()).await?;
    Ok(Json(TransferredAndDeleted { deleted: true, bots_transferred: bots }))
}
