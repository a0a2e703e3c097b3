//! User Settings: `GET/PUT/PATCH /settings/user-profile` (a settings document: see
//! [`super::document`]) and `POST /settings/user-profile/preview` (what a PUT of the same
//! body would change, for how many users).

use super::document::{self, Change};
use crate::error::ApiError;
use crate::extract::{ApiUser, JsonDoc};
use crate::routes::{Routes, get, post};
use crate::state::AppState;
use app::AppError;
use app::authz::{Principal, SettingsManage};
use app::user_settings::Preview;
use axum::Json;
use axum::extract::State;
use domain::profile::{ProfileField, ProfileSettings};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use std::collections::BTreeMap;
use utoipa::ToSchema;

pub fn routes() -> Routes {
    Routes::new()
        .route("/settings/user-profile", get(read).put(update).patch(patch))
        .route("/settings/user-profile/preview", post(preview))
}

/// Whether a field is one of the defaults (always there) or a controlled one.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum FieldKind {
    Default,
    Controlled,
}

/// One field's rule, with its label and kind (read-only).
#[derive(Serialize, ToSchema)]
pub struct FieldRuleJson {
    field: ProfileField,
    label: String,
    kind: FieldKind,
    enabled: bool,
    allow_edits: bool,
}

/// Every field in form order; `effective` says when changes apply.
#[derive(Serialize, ToSchema)]
pub struct UserSettingsJson {
    fields: Vec<FieldRuleJson>,
    effective: String,
}

impl From<&ProfileSettings> for UserSettingsJson {
    fn from(s: &ProfileSettings) -> Self {
        let fields = ProfileField::ALL
            .iter()
            .map(|f| {
                let r = s.rule(*f);
                FieldRuleJson {
                    field: *f,
                    label: f.label().to_owned(),
                    kind: if f.is_default() { FieldKind::Default } else { FieldKind::Controlled },
                    enabled: r.enabled,
                    allow_edits: r.allow_edits,
                }
            })
            .collect();
        Self { fields, effective: "at each user's next login".into() }
    }
}

/// A rule as a body gives it.
#[derive(Deserialize, ToSchema)]
#[allow(dead_code)] // Only described: `parse` reads the body as JSON.
pub struct Rule {
    enabled: bool,
    allow_edits: bool,
}

/// A rule in the list form (GET's items; `label` and `kind` are ignored).
#[derive(Deserialize, ToSchema)]
#[allow(dead_code)] // Only described: `parse` reads the body as JSON.
pub struct ListedRule {
    field: ProfileField,
    enabled: bool,
    allow_edits: bool,
}

/// The rules: by field key (`{"company": {…}}`) or as GET lists them.
#[derive(Deserialize, ToSchema)]
#[serde(untagged)]
#[allow(dead_code)] // Only described: `parse` reads the body as JSON.
pub enum Rules {
    ByField(BTreeMap<String, Rule>),
    Listed(Vec<ListedRule>),
}

/// The User Settings document: PUT every field's rule, PATCH (a merge patch) some.
#[derive(Deserialize, ToSchema)]
#[allow(dead_code)] // Only described: `parse` reads the body as JSON.
pub struct UserSettingsBody {
    fields: Rules,
}

/// What a PUT of the same body would change, and for how many users.
#[derive(Serialize, ToSchema)]
pub struct PreviewJson {
    appear: Vec<ProfileField>,
    disappear: Vec<ProfileField>,
    become_editable: Vec<ProfileField>,
    become_read_only: Vec<ProfileField>,
    users_affected: i64,
    /// Users holding a value in a field that disappears (kept, but hidden).
    users_with_hidden_values: i64,
}

impl From<Preview> for PreviewJson {
    fn from(p: Preview) -> Self {
        Self {
            appear: p.change.appear,
            disappear: p.change.disappear,
            become_editable: p.change.become_editable,
            become_read_only: p.change.become_read_only,
            users_affected: p.users_affected,
            users_with_hidden_values: p.users_with_hidden_values,
        }
    }
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
/// current ones. Every missing field is named (`fields.company.allow_edits`); then every
/// field of a wrong type or unknown and every rule the use case refuses, all at once
/// ([`app::user_settings::judge`]).
fn parse(current: &ProfileSettings, body: Value, how: Change) -> Result<ProfileSettings, ApiError> {
    let doc = document::changed(&as_document(current), normalize(body)?, how, &[])?;
    Ok(app::user_settings::judge(document::typed(doc)?)?)
}

#[utoipa::path(get, path = "/settings/user-profile", tag = "settings",
    responses((status = 200, description = "The User Settings.", body = UserSettingsJson)))]
pub(super) async fn read(
    State(state): State<AppState>,
    ApiUser(me): ApiUser,
) -> Result<Json<UserSettingsJson>, ApiError> {
    let may = app::authz::account_wide::<SettingsManage>(&me)?;
    Ok(Json((&app::user_settings::read(&state.ctx, &may).await?).into()))
}

#[utoipa::path(put, path = "/settings/user-profile", tag = "settings", request_body = UserSettingsBody,
    responses((status = 200, description = "Saved (the whole document).", body = UserSettingsJson)))]
pub(super) async fn update(
    State(state): State<AppState>,
    ApiUser(me): ApiUser,
    JsonDoc(body): JsonDoc,
) -> Result<Json<UserSettingsJson>, ApiError> {
    save(&state, &me, body, Change::Replace).await
}

#[utoipa::path(patch, path = "/settings/user-profile", tag = "settings",
    request_body(description = "A merge patch (RFC 7396) of the document's object form.",
        content((UserSettingsBody = "application/merge-patch+json"), (UserSettingsBody = "application/json"))),
    responses((status = 200, description = "Saved.", body = UserSettingsJson)))]
pub(super) async fn patch(
    State(state): State<AppState>,
    ApiUser(me): ApiUser,
    JsonDoc(patch): JsonDoc,
) -> Result<Json<UserSettingsJson>, ApiError> {
    save(&state, &me, patch, Change::Merge).await
}

async fn save(state: &AppState, me: &Principal, body: Value, how: Change) -> Result<Json<UserSettingsJson>, ApiError> {
    let may = app::authz::account_wide::<SettingsManage>(me)?;
    let new = parse(&app::user_settings::read(&state.ctx, &may).await?, body, how)?;
    Ok(Json((&app::user_settings::update(&state.ctx, &may, &new).await?).into()))
}

#[utoipa::path(post, path = "/settings/user-profile/preview", tag = "settings", request_body = UserSettingsBody,
    responses((status = 200, description = "What a PUT of this body would change (nothing is saved).", body = PreviewJson)))]
pub(super) async fn preview(
    State(state): State<AppState>,
    ApiUser(me): ApiUser,
    JsonDoc(body): JsonDoc,
) -> Result<Json<PreviewJson>, ApiError> {
    let may = app::authz::account_wide::<SettingsManage>(&me)?;
    let new = parse(&app::user_settings::read(&state.ctx, &may).await?, body, Change::Replace)?;
    Ok(Json(app::user_settings::preview(&state.ctx, &may, &new).await?.into()))
}
