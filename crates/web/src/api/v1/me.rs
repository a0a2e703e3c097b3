//! `GET /me`: who the session belongs to and what they may do.

use crate::extract::ApiUser;
use crate::routes::{Routes, get};
use app::authz::Principal;
use axum::Json;
use domain::permission::Scope;
use serde_json::{Value, json};

pub fn routes() -> Routes {
    Routes::new().route("/me", get(me))
}

pub fn user_json(p: &Principal) -> Value {
    let scope = match p.role.scope() {
        Scope::AllWorkspaces => json!("all"),
        Scope::Workspaces(ws) => json!(ws),
    };
    json!({
        "id": p.user_id,
        "email": p.email,
        "name": p.display_name,
        "account_id": p.account_id,
        "account_role": p.role.label(),
        "permissions": p.role.permissions().iter().map(domain::permission::Permission::as_str).collect::<Vec<_>>(),
        "scope": scope,
    })
}

async fn me(ApiUser(p): ApiUser) -> Json<Value> {
    Json(json!({ "user": user_json(&p), "session_id": p.session_id }))
}
