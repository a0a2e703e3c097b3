//! Bots: `GET/POST /bots`, `GET /bots/{bot_id}/owner-candidates?q=`; a user's bots
//! (`GET /users/{id}/bots`, `PUT/DELETE /users/{id}/bots/{bot_id}`), Transfer Ownership
//! (`POST /users/{id}/bots/{bot_id}/transfer`) and the guided delete of an owner
//! (`POST /users/{id}/transfer-and-delete`).

use crate::error::ApiError;
use crate::extract::{ApiUser, AppJson, AppPath, AppQuery};
use crate::routes::{Routes, get, post, put};
use crate::state::AppState;
use app::AppError;
use app::authz::{BotsAssign, BotsView};
use app::bots::{Bot, NewBot, OwnerCandidate};
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use domain::ids::{BotId, UserId};
use serde::Deserialize;
use serde_json::{Value, json};
use std::collections::BTreeMap;

pub fn routes() -> Routes {
    Routes::new()
        .route("/bots", get(list).post(create))
        .route("/bots/{bot_id}/owner-candidates", get(candidates))
        .route("/users/{id}/bots", get(user_bots))
        .route("/users/{id}/bots/{bot_id}", put(set_role).delete(remove_role))
        .route("/users/{id}/bots/{bot_id}/transfer", post(transfer))
        .route("/users/{id}/transfer-and-delete", post(transfer_and_delete))
}

pub fn bot_json(b: &Bot) -> Value {
    json!({
        "id": b.id,
        "name": b.name,
        "workspace": {"id": b.workspace_id, "name": b.workspace_name},
        "owner": b.owner_id.map(|id| json!({"id": id, "name": b.owner_name, "email": b.owner_email})),
        "member_count": b.members,
    })
}

fn candidate_json(c: &OwnerCandidate) -> Value {
    json!({"id": c.id, "email": c.email, "name": format!("{} {}", c.first_name, c.last_name)})
}

fn text(body: &Value, name: &str) -> Result<Option<String>, AppError> {
    match body.get(name) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(_) => Err(AppError::invalid(name, "must be a string")),
    }
}

fn required(body: &Value, name: &str) -> Result<String, AppError> {
    text(body, name)?.ok_or_else(|| AppError::invalid(name, "is required (a string)"))
}

#[derive(Deserialize, Default)]
struct ListQuery {
    workspace_id: Option<String>,
}

async fn list(
    State(state): State<AppState>,
    ApiUser(me): ApiUser,
    AppQuery(q): AppQuery<ListQuery>,
) -> Result<Json<Value>, ApiError> {
    let may = app::authz::in_scope::<BotsView>(&me)?;
    let bots = app::bots::list(&state.ctx, &may, q.workspace_id.as_deref()).await?;
    Ok(Json(json!({"items": bots.iter().map(bot_json).collect::<Vec<_>>()})))
}

async fn create(
    State(state): State<AppState>,
    ApiUser(me): ApiUser,
    AppJson(body): AppJson<Value>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let new = NewBot {
        workspace_id: required(&body, "workspace_id")?,
        name: required(&body, "name")?,
        owner: text(&body, "owner")?,
    };
    let bot = app::bots::create(&state.ctx, &me, &new).await?;
    Ok((StatusCode::CREATED, Json(bot_json(&bot))))
}

#[derive(Deserialize, Default)]
struct CandidateQuery {
    #[serde(default)]
    q: String,
}

async fn candidates(
    State(state): State<AppState>,
    ApiUser(me): ApiUser,
    AppPath(bot): AppPath<BotId>,
    AppQuery(q): AppQuery<CandidateQuery>,
) -> Result<Json<Value>, ApiError> {
    let may = app::authz::in_scope::<BotsView>(&me)?;
    let found = app::bots::owner_candidates(&state.ctx, &may, bot, &q.q).await?;
    Ok(Json(json!({"items": found.iter().map(candidate_json).collect::<Vec<_>>()})))
}

async fn user_bots(
    State(state): State<AppState>,
    ApiUser(me): ApiUser,
    AppPath(id): AppPath<UserId>,
) -> Result<Json<Value>, ApiError> {
    let on = app::authz::on_user::<BotsView>(&state.ctx, &me, id).await?;
    let scope = app::authz::in_scope::<BotsView>(&me)?;
    let bots = app::bots::of_user(&state.ctx, &on, &scope).await?;
    let items: Vec<Value> = bots
        .iter()
        .map(|b| {
            json!({
                "bot_id": b.bot_id,
                "name": b.name,
                "workspace": {"id": b.workspace_id, "name": b.workspace_name},
                "role": b.role,
            })
        })
        .collect();
    Ok(Json(json!({"items": items})))
}

async fn set_role(
    State(state): State<AppState>,
    ApiUser(me): ApiUser,
    AppPath((id, bot)): AppPath<(UserId, BotId)>,
    AppJson(body): AppJson<Value>,
) -> Result<StatusCode, ApiError> {
    let on = app::authz::on_user::<BotsAssign>(&state.ctx, &me, id).await?;
    let scope = app::authz::in_scope::<BotsAssign>(&me)?;
    let role = required(&body, "role")?;
    app::bots::set_role(&state.ctx, &on, &scope, bot, &role).await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn remove_role(
    State(state): State<AppState>,
    ApiUser(me): ApiUser,
    AppPath((id, bot)): AppPath<(UserId, BotId)>,
) -> Result<StatusCode, ApiError> {
    let on = app::authz::on_user::<BotsAssign>(&state.ctx, &me, id).await?;
    let scope = app::authz::in_scope::<BotsAssign>(&me)?;
    app::bots::remove_role(&state.ctx, &on, &scope, bot).await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn transfer(
    State(state): State<AppState>,
    ApiUser(me): ApiUser,
    AppPath((id, bot)): AppPath<(UserId, BotId)>,
    AppJson(body): AppJson<Value>,
) -> Result<StatusCode, ApiError> {
    let may = app::authz::transfer_ownership(&me)?;
    let new_owner = required(&body, "new_owner")?;
    app::bots::transfer(&state.ctx, &may, id, bot, &new_owner).await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn transfer_and_delete(
    State(state): State<AppState>,
    ApiUser(me): ApiUser,
    AppPath(id): AppPath<UserId>,
    AppJson(body): AppJson<Value>,
) -> Result<Json<Value>, ApiError> {
    let transfer = app::authz::transfer_ownership(&me)?;
    let may = app::authz::delete_user(&state.ctx, &me, id).await?;
    let successors: BTreeMap<String, String> = match body.get("successors") {
        None | Some(Value::Null) => BTreeMap::new(),
        Some(v) => serde_json::from_value(v.clone())
            .map_err(|_| AppError::invalid("successors", "must map bot ids to an email or name"))?,
    };
    let for_all = text(&body, "successor")?;
    let bots = app::deletion::transfer_and_delete(&state.ctx, &may, &transfer, &successors, for_all.as_deref()).await?;
    Ok(Json(json!({"deleted": true, "bots_transferred": bots})))
}
