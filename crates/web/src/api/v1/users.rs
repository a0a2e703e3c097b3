//! `GET /users` (filtered, sorted, keyset-paged) and `GET /users/{id}`.

use crate::error::ApiError;
use crate::extract::{ApiUser, AppPath, AppQuery};
use crate::routes::{Routes, get, post};
use crate::state::AppState;
use app::authz::{UsersManage, UsersView};
use app::clock::rfc3339;
use app::users::{ListParams, UserDetails, UserSummary};
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use domain::ids::UserId;
use serde_json::{Value, json};

pub fn routes() -> Routes {
    Routes::new()
        .route("/users", get(list_users))
        .route("/users/{id}", get(get_user).delete(super::user_actions::delete_user))
        .route("/users/{id}/unlock", post(unlock_user))
        .route("/users/{id}/suspend", post(suspend_user))
        .route("/users/{id}/activate", post(activate_user))
}

fn time(us: Option<i64>) -> Value {
    us.map_or(Value::Null, |t| Value::String(rfc3339(t)))
}

fn summary_json(u: &UserSummary) -> Value {
    json!({
        "id": u.id,
        "email": u.email,
        "first_name": u.first_name,
        "last_name": u.last_name,
        "status": u.status,
        "account_role": u.account_role,
        "builder_access": u.builder_access,
        "last_login_at": time(u.last_login_at),
        "invited_at": time(u.invited_at),
        "created_at": rfc3339(u.created_at),
    })
}

async fn list_users(
    State(state): State<AppState>,
    ApiUser(me): ApiUser,
    AppQuery(params): AppQuery<ListParams>,
) -> Result<Json<Value>, ApiError> {
    let may = app::authz::list_users(&me)?;
    let page = app::users::list_users(&state.ctx, &may, &params).await?;
    Ok(Json(json!({
        "items": page.items.iter().map(summary_json).collect::<Vec<_>>(),
        "next_cursor": page.next_cursor,
    })))
}

async fn get_user(
    State(state): State<AppState>,
    ApiUser(me): ApiUser,
    AppPath(id): AppPath<UserId>,
) -> Result<impl axum::response::IntoResponse, ApiError> {
    let may = app::authz::on_user::<UsersView>(&state.ctx, &me, id).await?;
    let d = app::users::get_user(&may);
    let lockout = app::lockout::info(&state.ctx, &may).await?;
    let emails = app::mail::outbox::deliveries(&state.ctx, &may).await?;
    let mut body = details_json(&d, &may.target().profile_settings);
    body["lockout"] = lockout_json(&lockout);
    body["emails"] = emails.iter().map(email_json).collect();
    // The version as an entity tag: PATCH sends it back in `If-Match`.
    Ok(([(axum::http::header::ETAG, super::profile::etag(d.user.version))], Json(body)))
}

/// The user's details; `profile` holds the controlled fields `settings` enable (null when empty).
fn details_json(d: &UserDetails, settings: &domain::profile::ProfileSettings) -> Value {
    let u = &d.user;
    let doc = app::profile_values::parse_doc(&u.profile);
    let profile: serde_json::Map<String, Value> = settings
        .visible()
        .filter(|f| !f.is_default())
        .map(|f| (f.key().to_owned(), json!(app::profile_values::value_of(&doc, f))))
        .collect();
    json!({
        "id": u.id,
        "email": u.email,
        "first_name": u.first_name,
        "last_name": u.last_name,
        "profile": profile,
        "status": d.user.status,
        "last_login_at": time(u.last_login_at),
        "invited_at": time(u.invited_at),
        "locked_at": time(u.locked_at),
        "failed_logins": u.failed_logins,
        "account_role": d.account_role,
        "role_kind": d.role_kind,
        "admin_role_id": u.admin_role_id,
        "builder_access": d.user.builder_access,
        "workspaces": d.workspaces.iter().map(|w| json!({"id": w.id, "name": w.name})).collect::<Vec<_>>(),
        "groups": d.groups.iter().map(|g| json!({"id": g.id, "name": g.name, "workspace": g.workspace_name})).collect::<Vec<_>>(),
        "version": u.version,
        "created_at": rfc3339(u.created_at),
    })
}

/// Where one message about the user stands (the newest of its kind): `status` `pending`
/// (queued; `attempts` failed so far, next try at `next_attempt_at`), `sent` or `failed`
/// (given up); `last_error` says why the last attempt failed.
fn email_json(m: &app::mail::outbox::MailState) -> Value {
    json!({
        "kind": m.kind.as_str(),
        "status": m.status.as_str(),
        "attempts": m.attempts,
        "next_attempt_at": time((m.status == app::mail::outbox::MailStatus::Pending).then_some(m.next_attempt_at)),
        "last_error": m.last_error,
        "queued_at": rfc3339(m.created_at),
        "sent_at": time(m.sent_at),
    })
}

fn lockout_json(l: &app::lockout::LockoutInfo) -> Value {
    json!({
        "failed_logins": l.failed_logins,
        "locked_at": time(l.locked_at),
        "unlocks_at": time(l.unlocks_at),
        "recent_failures": l.recent.iter().map(|f| json!({"at": rfc3339(f.at), "ip": f.ip})).collect::<Vec<_>>(),
    })
}

async fn unlock_user(
    State(state): State<AppState>,
    ApiUser(me): ApiUser,
    AppPath(id): AppPath<UserId>,
) -> Result<StatusCode, ApiError> {
    let may = app::authz::on_user::<UsersManage>(&state.ctx, &me, id).await?;
    app::lockout::unlock(&state.ctx, &may).await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn suspend_user(
    State(state): State<AppState>,
    ApiUser(me): ApiUser,
    AppPath(id): AppPath<UserId>,
) -> Result<StatusCode, ApiError> {
    let may = app::authz::on_user::<UsersManage>(&state.ctx, &me, id).await?;
    app::lifecycle::suspend(&state.ctx, &may).await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn activate_user(
    State(state): State<AppState>,
    ApiUser(me): ApiUser,
    AppPath(id): AppPath<UserId>,
) -> Result<StatusCode, ApiError> {
    let may = app::authz::on_user::<UsersManage>(&state.ctx, &me, id).await?;
    app::lifecycle::activate(&state.ctx, &may).await?;
    Ok(StatusCode::NO_CONTENT)
}
