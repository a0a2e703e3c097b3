//! `GET /users/deleted`: the account's soft-deleted users, newest deletion first, with who
//! deleted them and until when they can be restored (`POST /users/{id}/restore`).
//! Account-wide admins with `users.delete` only.

use crate::error::ApiError;
use crate::extract::ApiUser;
use crate::routes::{Routes, get};
use crate::state::AppState;
use app::clock::rfc3339;
use app::deletion::DeletedUser;
use axum::Json;
use axum::extract::State;
use serde_json::{Value, json};

pub fn routes() -> Routes {
    // A static segment: matchit prefers it to `/users/{id}` whatever the order.
    Routes::new().route("/users/deleted", get(list_deleted))
}

fn deleted_json(u: &DeletedUser) -> Value {
    json!({
        "id": u.id,
        "email": u.email,
        "first_name": u.first_name,
        "last_name": u.last_name,
        "deleted_at": rfc3339(u.deleted_at),
        "deleted_by_email": u.deleted_by_email,
        "restorable_until": rfc3339(u.restorable_until),
    })
}

async fn list_deleted(State(state): State<AppState>, ApiUser(me): ApiUser) -> Result<Json<Value>, ApiError> {
    let may = app::authz::account_wide::<app::authz::UsersDelete>(&me)?;
    let users = app::deletion::list_deleted(&state.ctx, &may).await?;
    Ok(Json(json!({"items": users.iter().map(deleted_json).collect::<Vec<_>>()})))
}
