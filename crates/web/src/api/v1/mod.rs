//! `/api/v1`: one module per resource, each with its own router.

mod admin_roles;
pub(crate) mod api_tokens;
mod audit;
mod auth;
mod bots;
mod deleted_users;
mod document;
mod fields;
mod groups;
mod invitations;
mod me;
mod my_profile;
pub(crate) mod openapi;
mod password;
mod query_params;
pub(crate) use password::FORGOT_ANSWER;
pub(crate) mod profile;
mod scim_settings;
mod sessions;
mod settings;
mod shapes;
mod sso;
mod user_actions;
mod user_settings;
pub(crate) mod users;

use crate::error::ApiError;
use crate::routes::Routes;

pub fn routes() -> Routes {
    Routes::new()
        .merge(auth::routes())
        .merge(invitations::routes())
        .merge(me::routes())
        .merge(users::routes())
        .merge(profile::routes())
        .merge(groups::routes())
        .merge(admin_roles::routes())
        .merge(user_actions::routes())
        .merge(deleted_users::routes())
        .merge(password::routes())
        .merge(sessions::routes())
        .merge(settings::routes())
        .merge(scim_settings::routes())
        .merge(sso::routes())
        .merge(user_settings::routes())
        .merge(bots::routes())
        .merge(my_profile::routes())
        .merge(audit::routes())
        .merge(api_tokens::routes())
        .merge(openapi::routes())
        .layer(axum::middleware::from_fn(query_params::refuse_undeclared))
        .fallback(|| async { ApiError::not_found() })
}
