//! User Settings: `GET/PUT /settings/user-profile` and `POST /settings/user-profile/preview`
//! (what a PUT of the same body would change, for how many users).

use crate::error::ApiError;
use crate::extract::{ApiUser, AppJson};
use crate::routes::{Routes, get, post};
use crate::state::AppState;
use app::AppError;
use app::authz::SettingsManage;
use app::user_settings::Preview;
use axum::Json;
use axum::extract::State;
use domain::profile::{ProfileField, ProfileSettings};
use serde_json::{Value, json};

pub fn routes() -> Routes {
    Routes::new()
        .route("/settings/user-profile", get(read).put(update))
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

/// The body: `{"fields": {"company": {"enabled": true, "allow_edits": false}, …}}`, or the
/// list GET returns (so a GET, edited, can be PUT back). Fields left out take their defaults.
fn parse(body: &Value) -> Result<ProfileSettings, AppError> {
    let fields = match body.get("fields") {
        None => return Err(AppError::invalid("fields", "is required")),
        Some(Value::Array(list)) => {
            let mut map = serde_json::Map::new();
            for item in list {
                let key = item
                    .get("field")
                    .and_then(Value::as_str)
                    .ok_or_else(|| AppError::invalid("fields", "each item needs a \"field\" (like \"company\")"))?;
                map.insert(key.to_owned(), item.clone());
            }
            Value::Object(map)
        }
        Some(other) => other.clone(),
    };
    let cleaned: Value = match fields {
        Value::Object(map) => Value::Object(
            map.into_iter()
                .map(|(k, v)| {
                    let rule = json!({"enabled": v.get("enabled"), "allow_edits": v.get("allow_edits")});
                    (k, rule)
                })
                .collect(),
        ),
        _ => return Err(AppError::invalid("fields", "must be an object of rules by field, or a list")),
    };
    serde_json::from_value::<ProfileSettings>(cleaned).map_err(|e| {
        let text = e.to_string();
        AppError::invalid("fields", text.strip_prefix("fields: ").unwrap_or(&text))
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
    let may = app::authz::account_wide::<SettingsManage>(&me)?;
    let new = parse(&body)?;
    Ok(Json(settings_json(&app::user_settings::update(&state.ctx, &may, &new).await?)))
}

async fn preview(
    State(state): State<AppState>,
    ApiUser(me): ApiUser,
    AppJson(body): AppJson<Value>,
) -> Result<Json<Value>, ApiError> {
    let may = app::authz::account_wide::<SettingsManage>(&me)?;
    let new = parse(&body)?;
    Ok(Json(preview_json(&app::user_settings::preview(&state.ctx, &may, &new).await?)))
}
