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
use domain::ids::UserId;
use serde::Serialize;
use utoipa::ToSchema;

pub fn routes() -> Routes {
    // A static segment: matchit prefers it to `/users/{id}` whatever the order.
    Routes::new().route("/users/deleted", get(list_deleted))
}

/// A soft-deleted user; `deleted_by_email` is null when that admin is gone for good.
#[derive(Serialize, ToSchema)]
pub struct DeletedUserJson {
    id: UserId,
    email: String,
    first_name: String,
    last_name: String,
    #[schema(format = DateTime)]
    deleted_at: String,
    deleted_by_email: Option<String>,
    #[schema(format = DateTime)]
    restorable_until: String,
}

impl From<&DeletedUser> for DeletedUserJson {
    fn from(u: &DeletedUser) -> Self {
        Self {
            id: u.id,
            email: u.email.clone(),
            first_name: u.first_name.clone(),
            last_name: u.last_name.clone(),
            deleted_at: rfc3339(u.deleted_at),
            deleted_by_email: u.deleted_by_email.clone(),
            restorable_until: rfc3339(u.restorable_until),
        }
    }
}

/// The deleted users, newest deletion first.
#[derive(Serialize, ToSchema)]
pub struct DeletedUsers {
    items: Vec<DeletedUserJson>,
}

#[utoipa::path(get, path = "/users/deleted", tag = "users",
    responses((status = 200, description = "The account's soft-deleted users.", body = DeletedUsers)))]
pub(super) async fn list_deleted(
    State(state): State<AppState>,
    ApiUser(me): ApiUser,
) -> Result<Json<DeletedUsers>, ApiError> {
    let may = app::authz::account_wide::<app::authz::UsersDelete>(&me)?;
    let users = app::deletion::list_deleted(&state.ctx, &may).await?;
    Ok(Json(DeletedUsers { items: users.iter().map(Into::into).collect() }))
}
