//! User Settings: `GET/PUT/PATCH /settings/user-profile` (a settings document: see
//! [`super::document`]) and `POST /settings/user-profile/preview` (what a PUT of the same
//! body would change, for how many users).

use super::document::{self, Change};
use crate::error::ApiError;
use crate::extract::{ApiUser, AppJson};
use crate::routes::{Routes, get, post};
use crate::state::AppState;
use app::AppError;
use app::authz::{Principal, SettingsManage};
use app::user_settings::Preview;
use axum::Json;
use axum::extract::State;
use domain::profile::{ProfileField, ProfileSettings};
use serde_json::{Value, json};

pub fn routes() -> Routes {
    Routes::new()
        .route("/settings/user-profile", get(read).put(update).patch(patch))
        .route("/settings/user-profile/preview", post(preview))
}

/// Every field in form order, with its label, kind and rule.
pub fn settings_json(s: &ProfileSettings) -> Value {
    let fields: Vec<Value> = ProfileField::ALL
        .iter()
        .map(|f| {
            let r = s.rule(*f);
            json!({
                "field": f.key(),
                "label": f.label(),
                "kind": if f.is_default() { "default" } else { "controlled" },
                "enabled": r.enabled,
                "allow_edits": r.allow_edits,
            })
        })
        .collect();
    json!({"fields": fields, "effective": "at each user's next login"})
}

fn keys(fields: &[ProfileField]) -> Vec<&'static str> {
    fields.iter().map(|f| f.key()).collect()
}

pub fn preview_json(p: &Preview) -> Value {
    json!({
        "appear": keys(&p.change.appear),
        "disappear": keys(&p.change.disappear),
        "become_editable": keys(&p.change.become_editable),
        "become_read_only": keys(&p.change.become_read_only),
        "users_affected": p.users_affected,
        "users_with_hidden_values": p.users_with_hidden_values,
    })
}

/// The document in its object form, `{"fields": {"company": {"enabled": true,
/// "allow_edits": false}, …}}`: what PUT and PATCH bodies are checked against.
fn as_document(s: &ProfileSettings) -> Value {
    json!({"fields": s})
}

/// A body in the object form: the list GET shows (`{"fields": [{"field": "company", …}]}`)
/// becomes the object form, and each rule keeps only `enabled` and `allow_edits` (GET's
/// `label`, `kind` and `effective` are read-only), so a GET, edited, can be sent back.
fn normalize(mut body: Value) -> Result<Value, AppError> {
    if let Some(doc) = body.as_object_mut() {
        doc.remove("effective"); // GET's note, read-only
    }
    let Some(fields) = body.get_mut("fields") else { return Ok(body) };
    let rules = match fields.take() {
        Value::Array(list) => {
            let mut map = serde_json::Map::new();
            for mut item in list {
                let key = item
                    .get("field")
                    .and_then(Value::as_str)
                    .map(str::to_owned)
                    .ok_or_else(|| AppError::invalid("fields", "each item needs a \"field\" (like \"company\")"))?;
                if let Some(rule) = item.as_object_mut() {
                    rule.remove("field");
                }
                map.insert(key, item);
            }
            map
        }
        Value::Object(map) => map,
        _ => return Err(AppError::invalid("fields", "must be an object of rules by field, or a list")),
    };
    let cleaned = rules
        .into_iter()
        .map(|(key, mut rule)| {
            if let Some(r) = rule.as_object_mut() {
                r.retain(|k, _| k == "enabled" || k == "allow_edits");
            }
            (key, rule)
        })
        .collect();
    *fields = Value::Object(cleaned);
    Ok(body)
}

/// The settings a PUT (whole document) or PATCH (merge patch) body asks for, given the
/// current ones. Every missing field is named (`fields.company.allow_edits`).
fn parse(current: &ProfileSettings, body: Value, how: Change) -> Result<ProfileSettings, ApiError> {
    let doc = document::changed(&as_document(current), normalize(body)?, how)?;
    let Value::Object(mut doc) = doc else { return Err(ApiError::invalid("body", "must be a JSON object")) };
    let fields = doc.remove("fields").unwrap_or_default();
    if let Some(unknown) = doc.keys().next() {
        return Err(ApiError::invalid(unknown, "is not a User Settings field (only \"fields\")"));
    }
    serde_json::from_value::<ProfileSettings>(fields).map_err(|e| {
        let text = e.to_string();
        ApiError::invalid("fields", text.strip_prefix("fields: ").unwrap_or(&text))
    })
}

async fn read(State(state): State<AppState>, ApiUser(me): ApiUser) -> Result<Json<Value>, ApiError> {
    let may = app::authz::account_wide::<SettingsManage>(&me)?;
    Ok(Json(settings_json(&app::user_settings::read(&state.ctx, &may).await?)))
}

async fn update(
    State(state): State<AppState>,
    ApiUser(me): ApiUser,
    AppJson(body): AppJson<Value>,
) -> Result<Json<Value>, ApiError> {
    save(&state, &me, body, Change::Replace).await
}

async fn patch(
    State(state): State<AppState>,
    ApiUser(me): ApiUser,
    AppJson(patch): AppJson<Value>,
) -> Result<Json<Value>, ApiError> {
    save(&state, &me, patch, Change::Merge).await
}

async fn save(state: &AppState, me: &Principal, body: Value, how: Change) -> Result<Json<Value>, ApiError> {
    let may = app::authz::account_wide::<SettingsManage>(me)?;
    let new = parse(&app::user_settings::read(&state.ctx, &may).await?, body, how)?;
    Ok(Json(settings_json(&app::user_settings::update(&state.ctx, &may, &new).await?)))
}

async fn preview(
    State(state): State<AppState>,
    ApiUser(me): ApiUser,
    AppJson(body): AppJson<Value>,
) -> Result<Json<Value>, ApiError> {
    let may = app::authz::account_wide::<SettingsManage>(&me)?;
    let new = parse(&app::user_settings::read(&state.ctx, &may).await?, body, Change::Replace)?;
    Ok(Json(preview_json(&app::user_settings::preview(&state.ctx, &may, &new).await?)))
}
