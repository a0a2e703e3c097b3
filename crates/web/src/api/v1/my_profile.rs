//! The self-service profile: `GET/PATCH /me/profile`, `GET/PUT/DELETE /me/profile/picture`,
//! `POST /me/password`; and an admin's view of pictures: `GET/PUT/DELETE /users/{id}/picture`.
//! Pictures are uploaded as the raw body with their `Content-Type` (image/png, image/jpeg
//! or image/webp, at most 2 MB).

use crate::error::ApiError;
use crate::extract::{AppJson, AppPath, OwnSession};
use crate::routes::{Routes, get, post};
use crate::state::AppState;
use app::AppError;
use app::authz::{UsersManage, UsersView};
use app::my_profile::{Picture, ProfileView};
use axum::Json;
use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use domain::ids::UserId;
use domain::profile::ProfileField;
use serde_json::{Value, json};
use std::collections::BTreeMap;

pub fn routes() -> Routes {
    Routes::new()
        .route("/me/profile", get(show).patch(update))
        .route("/me/profile/picture", get(my_picture).put(put_my_picture).delete(remove_my_picture))
        .route("/me/password", post(change_password))
        .route("/users/{id}/picture", get(user_picture).put(put_user_picture).delete(remove_user_picture))
        .layer(DefaultBodyLimit::max(app::picture::UPLOAD_LIMIT))
}

pub fn profile_json(v: &ProfileView) -> Value {
    let fields: Vec<Value> = v
        .fields
        .iter()
        .map(|f| {
            let value = if f.field == ProfileField::Picture {
                json!(v.picture_at.map(|_| "/api/v1/me/profile/picture"))
            } else {
                json!(f.value)
            };
            json!({"field": f.field.key(), "label": f.field.label(), "value": value, "editable": f.editable})
        })
        .collect();
    json!({"id": v.user, "email": v.email, "fields": fields, "can_change_password": !v.sso})
}

async fn show(State(state): State<AppState>, OwnSession(me): OwnSession) -> Result<Json<Value>, ApiError> {
    Ok(Json(profile_json(&app::my_profile::mine(&state.ctx, &me).await?)))
}

/// Body: `{"first_name": "Ann", "company": "Acme", "title": null}`; null or "" clears.
async fn update(
    State(state): State<AppState>,
    OwnSession(me): OwnSession,
    AppJson(body): AppJson<Value>,
) -> Result<Json<Value>, ApiError> {
    let Value::Object(map) = body else { return Err(AppError::invalid("body", "must be a JSON object").into()) };
    if map.contains_key("email") {
        return Err(AppError::invalid("email", "is read-only; it cannot be changed here").into());
    }
    let mut edits = BTreeMap::new();
    for (k, v) in map {
        let text = match v {
            Value::Null => String::new(),
            Value::String(s) => s,
            _ => return Err(AppError::invalid(k, "must be a string or null").into()),
        };
        edits.insert(k, text);
    }
    Ok(Json(profile_json(&app::my_profile::update_mine(&state.ctx, &me, &edits).await?)))
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

async fn my_picture(State(state): State<AppState>, OwnSession(me): OwnSession) -> Result<Response, ApiError> {
    Ok(picture_response(app::my_profile::picture_of(&state.ctx, me.user_id).await?))
}

async fn put_my_picture(
    State(state): State<AppState>,
    OwnSession(me): OwnSession,
    headers: HeaderMap,
    body: Bytes,
) -> Result<StatusCode, ApiError> {
    app::my_profile::set_my_picture(&state.ctx, &me, body.to_vec(), content_type(&headers)).await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn remove_my_picture(State(state): State<AppState>, OwnSession(me): OwnSession) -> Result<StatusCode, ApiError> {
    app::my_profile::remove_my_picture(&state.ctx, &me).await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn change_password(
    State(state): State<AppState>,
    OwnSession(me): OwnSession,
    AppJson(body): AppJson<Value>,
) -> Result<StatusCode, ApiError> {
    let field = |name: &str| {
        body.get(name).and_then(Value::as_str).map(str::to_owned).ok_or_else(|| AppError::invalid(name, "is required"))
    };
    app::my_profile::change_password(&state.ctx, &me, &field("current_password")?, &field("new_password")?).await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn user_picture(
    State(state): State<AppState>,
    OwnSession(me): OwnSession,
    AppPath(id): AppPath<UserId>,
) -> Result<Response, ApiError> {
    let may = app::authz::on_user::<UsersView>(&state.ctx, &me, id).await?;
    Ok(picture_response(app::my_profile::picture_of(&state.ctx, may.user()).await?))
}

async fn put_user_picture(
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

async fn remove_user_picture(
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
