//! `/api/v1`: one module per resource, each with its own router.

mod admin_roles;
mod audit;
mod auth;
mod bots;
mod deleted_users;
mod groups;
mod invitations;
mod me;
mod my_profile;
mod password;
pub(crate) use password::FORGOT_ANSWER;
pub(crate) mod profile;
mod sessions;
mod settings;
mod user_actions;
mod user_settings;
pub(crate) mod users;

use crate::error::ApiError;
use crate::state::AppState;
use axum::Router;

pub fn router() -> Router<AppState> {
    Router::new()
        .merge(auth::router())
        .merge(invitations::router())
        .merge(me::router())
        .merge(users::router())
        .merge(profile::router())
        .merge(groups::router())
        .merge(admin_roles::router())
        .merge(user_actions::router())
        .merge(deleted_users::router())
        .merge(password::router())
        .merge(sessions::router())
        .merge(settings::router())
        .merge(user_settings::router())
        .merge(bots::router())
        .merge(my_profile::router())
        .merge(audit::router())
        .fallback(|| async { ApiError::not_found() })
}
