//! The self-service profile: `GET/PATCH /me/profile`, `GET/PUT/DELETE /me/profile/picture`,
//! `POST /me/password`; and an admin's view of pictures: `GET/PUT/DELETE /users/{id}/picture`.
//! Pictures are uploaded as the raw body with their `Content-Type` (image/png, image/jpeg
//! or image/webp, at most 2 MB).

use super::fields::Fields;
use crate::error::ApiError;
use crate::error::ApiError as Problem;
use crate::extract::{AppPath, JsonDoc, OwnSession};
use crate::routes::{Routes, get, post};
use crate::state::AppState;
use app::authz::{UsersManage, UsersView};
use app::my_profile::{Picture, ProfileView};
use axum::Json;
use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use domain::ids::UserId;
use domain::profile::ProfileField;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::BTreeMap;
use utoipa::ToSchema;

pub fn routes() -> Routes {
    Routes::new()
        .route("/me/profile", get(show).patch(update))
        .route("/me/profile/picture", get(my_picture).put(put_my_picture).delete(remove_my_picture))
        .route("/me/password", post(change_password))
        .route("/users/{id}/picture", get(user_picture).put(put_user_picture).delete(remove_user_picture))
        .layer(DefaultBodyLimit::max(app::picture::UPLOAD_LIMIT))
}

/// One field of one's profile; the picture's `value` is its URL (null without one).
#[derive(Serialize, ToSchema)]
pub struct ProfileFieldJson {
    field: ProfileField,
    label: String,
    value: Option<String>,
    editable: bool,
}

/// One's own profile, the fields the User Settings show.
#[derive(Serialize, ToSchema)]
pub struct ProfileJson {
    id: UserId,
    email: String,
    fields: Vec<ProfileFieldJson>,
    /// False under SSO.
    can_change_password: bool,
}

impl From<&ProfileView> for ProfileJson {
    fn from(v: &ProfileView) -> Self {
        let fields = v
            .fields
            .iter()
            .map(|f| ProfileFieldJson {
                field: f.field,
                label: f.field.label().to_owned(),
                value: if f.field == ProfileField::Picture {
                    v.picture_at.map(|_| "/api/v1/me/profile/picture".to_owned())
                } else {
                    f.value.clone()
                },
                editable: f.editable,
            })
            .collect();
        Self { id: v.user, email: v.email.clone(), fields, can_change_password: !v.sso }
    }
}

/// The fields to change, by key: `{"first_name": "Ann", "company": "Acme", "title": null}`;
/// null or "" clears. `email` is read-only.
#[derive(Deserialize, ToSchema)]
#[allow(dead_code)] // Only described: `update` reads the body field by field.
pub struct ProfileEdits {
    #[serde(flatten)]
    fields: BTreeMap<String, Option<String>>,
}

/// A password change.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)] // Only described: the handler reads the fields.
pub struct PasswordChange {
    #[schema(format = Password)]
    current_password: String,
    #[schema(format = Password)]
    new_password: String,
}

#[utoipa::path(get, path = "/me/profile", tag = "me", security(("session" = [])),
    responses((status = 200, description = "One's own profile.", body = ProfileJson)))]
pub(super) async fn show(
    State(state): State<AppState>,
    OwnSession(me): OwnSession,
) -> Result<Json<ProfileJson>, ApiError> {
    Ok(Json((&app::my_profile::mine(&state.ctx, &me).await?).into()))
}

/// Body: `{"first_name": "Ann", "company": "Acme", "title": null}`; null or "" clears.
#[utoipa::path(patch, path = "/me/profile", tag = "me", security(("session" = [])), request_body = ProfileEdits,
    responses((status = 200, description = "Saved.", body = ProfileJson)))]
pub(super) async fn update(
    State(state): State<AppState>,
    OwnSession(me): OwnSession,
    JsonDoc(body): JsonDoc,
) -> Result<Json<ProfileJson>, ApiError> {
    let mut fields = Fields::of(&body);
    let mut edits = BTreeMap::new();
    for (k, v) in body.as_object().into_iter().flatten() {
        match v {
            _ if k == "email" => fields.refuse(k, "is read-only; it cannot be changed here"),
            Value::Null => drop(edits.insert(k.clone(), String::new())),
            Value::String(s) => drop(edits.insert(k.clone(), s.clone())),
            _ => fields.refuse(k, "must be a string or null"),
        }
    }
    Ok(Json((&app::my_profile::update_mine(&state.ctx, &me, fields.input(edits)).await?).into()))
}

fn content_type(headers: &HeaderMap) -> &str {
    headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("")
}

fn picture_response(p: Option<Picture>) -> Response {
    match p {
        None => ApiError::not_found().into_response(),
        Some(p) => {
            ([(header::CONTENT_TYPE, p.content_type), (header::CACHE_CONTROL, "private, max-age=60".into())], p.data)
                .into_response()
        }
    }
}

#[utoipa::path(get, path = "/me/profile/picture", tag = "me", security(("session" = [])),
    responses((status = 200, description = "One's picture.", content((String = "image/png"), (String = "image/jpeg"), (String = "image/webp")))))]
pub(super) async fn my_picture(
    State(state): State<AppState>,
    OwnSession(me): OwnSession,
) -> Result<Response, ApiError> {
    Ok(picture_response(app::my_profile::picture_of(&state.ctx, me.user_id).await?))
}

#[utoipa::path(put, path = "/me/profile/picture", tag = "me", security(("session" = [])),
    request_body(description = "A PNG, JPEG or WebP image of at most 2 MB (re-encoded as JPEG).", content((String = "image/png"), (String = "image/jpeg"), (String = "image/webp"))),
    responses((status = 204, description = "Saved.")))]
pub(super) async fn put_my_picture(
    State(state): State<AppState>,
    OwnSession(me): OwnSession,
    headers: HeaderMap,
    body: Bytes,
) -> Result<StatusCode, ApiError> {
    app::my_profile::set_my_picture(&state.ctx, &me, body.to_vec(), content_type(&headers)).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(delete, path = "/me/profile/picture", tag = "me", security(("session" = [])),
    responses((status = 204, description = "Removed.")))]
pub(super) async fn remove_my_picture(
    State(state): State<AppState>,
    OwnSession(me): OwnSession,
) -> Result<StatusCode, ApiError> {
    app::my_profile::remove_my_picture(&state.ctx, &me).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(post, path = "/me/password", tag = "me", security(("session" = [])), request_body = PasswordChange,
    responses((status = 204, description = "Changed; one's other sessions ended."),
        (status = 409, description = "Not under SSO.", body = Problem, content_type = "application/problem+json")))]
pub(super) async fn change_password(
    State(state): State<AppState>,
    OwnSession(me): OwnSession,
    JsonDoc(body): JsonDoc,
) -> Result<StatusCode, ApiError> {
    let mut fields = Fields::of(&body);
    fields.only(&["current_password", "new_password"], "is not a field of this request");
    let (current, new) = (fields.required("current_password"), fields.required("new_password"));
    // The use case judges the passwords one after the other (the current one first).
    let (current, new) = fields.input((current, new)).complete()?;
    app::my_profile::change_password(&state.ctx, &me, &current, &new).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(get, path = "/users/{id}/picture", tag = "users", security(("session" = [])), params(("id" = Uuid, Path, description = "A user id.")),
    responses((status = 200, description = "The user's picture.", content((String = "image/png"), (String = "image/jpeg"), (String = "image/webp")))))]
pub(super) async fn user_picture(
    State(state): State<AppState>,
    OwnSession(me): OwnSession,
    AppPath(id): AppPath<UserId>,
) -> Result<Response, ApiError> {
    let may = app::authz::on_user::<UsersView>(&state.ctx, &me, id).await?;
    Ok(picture_response(app::my_profile::picture_of(&state.ctx, may.user()).await?))
}

#[utoipa::path(put, path = "/users/{id}/picture", tag = "users", security(("session" = [])), params(("id" = Uuid, Path, description = "A user id.")),
    request_body(description = "A PNG, JPEG or WebP image of at most 2 MB (re-encoded as JPEG).", content((String = "image/png"), (String = "image/jpeg"), (String = "image/webp"))),
    responses((status = 204, description = "Saved.")))]
pub(super) async fn put_user_picture(
    State(state): State<AppState>,
    OwnSession(me): OwnSession,
    AppPath(id): AppPath<UserId>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<StatusCode, ApiError> {
    let may = app::authz::on_user::<UsersManage>(&state.ctx, &me, id).await?;
    app::my_profile::set_picture(&state.ctx, &may, body.to_vec(), content_type(&headers)).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(delete, path = "/users/{id}/picture", tag = "users", security(("session" = [])), params(("id" = Uuid, Path, description = "A user id.")),
    responses((status = 204, description = "Removed.")))]
pub(super) async fn remove_user_picture(
    State(state): State<AppState>,
    OwnSession(me): OwnSession,
    AppPath(id): AppPath<UserId>,
) -> Result<StatusCode, ApiError> {
    let may = app::authz::on_user::<UsersManage>(&state.ctx, &me, id).await?;
    if app::my_profile::remove_picture(&state.ctx, &may).await? {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(ApiError::not_found())
    }
}
