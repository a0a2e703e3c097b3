//! `GET /me`: who the session belongs to and what they may do.

use crate::extract::ApiUser;
use crate::routes::{Routes, get};
use app::authz::Principal;
use axum::Json;
use domain::ids::{AccountId, SessionId, UserId, WorkspaceId};
use domain::permission::{Permission, Scope};
use serde::Serialize;
use utoipa::ToSchema;

pub fn routes() -> Routes {
    Routes::new().route("/me", get(me))
}

/// The literal `"all"`: every workspace of the account, or every permission.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum All {
    All,
}

/// The workspaces an admin acts on: `"all"` or a list of workspace ids.
#[derive(Serialize, ToSchema)]
#[serde(untagged)]
pub enum ScopeJson {
    All(All),
    Workspaces(Vec<WorkspaceId>),
}

impl From<&Scope> for ScopeJson {
    fn from(s: &Scope) -> Self {
        match s {
            Scope::AllWorkspaces => Self::All(All::All),
            Scope::Workspaces(ws) => Self::Workspaces(ws.iter().copied().collect()),
        }
    }
}

/// The signed-in user (for an API token: its creator) and their rights.
#[derive(Serialize, ToSchema)]
pub struct MeUser {
    id: UserId,
    email: String,
    name: String,
    account_id: AccountId,
    /// The role's label.
    account_role: String,
    permissions: Vec<Permission>,
    scope: ScopeJson,
}

impl From<&Principal> for MeUser {
    fn from(p: &Principal) -> Self {
        Self {
            id: p.user_id,
            email: p.email.clone(),
            name: p.display_name.clone(),
            account_id: p.account_id,
            account_role: p.role.label().to_owned(),
            permissions: p.role.permissions().iter().collect(),
            scope: (&p.role.scope()).into(),
        }
    }
}

/// `GET /me`: the user and the session (for an API token, the token's id).
#[derive(Serialize, ToSchema)]
pub struct MeJson {
    user: MeUser,
    session_id: SessionId,
}

#[utoipa::path(get, path = "/me", tag = "me",
    responses((status = 200, description = "Who is calling and what they may do.", body = MeJson)))]
pub(super) async fn me(ApiUser(p): ApiUser) -> Json<MeJson> {
    Json(MeJson { user: (&p).into(), session_id: p.session_id })
}
