//! The authorization matrix as data: the callers (columns), what each kind of route answers
//! each of them, and the kind of every route of the router. A reviewer reads this file; the
//! test in `mod.rs` only drives it.

use serde_json::json;
use web::Route;

/// The status class of an answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Expect {
    /// Past authorization: anything but 401, 403, 404, a sign-in redirect or a 5xx (an empty
    /// body's 400 or a state's 409 count: the request reached the use case).
    In,
    /// 403: signed in, not allowed.
    Deny,
    /// 404: the target is outside the caller's scope, exactly like a user that does not exist.
    Hide,
    /// 401 (API) or the redirect to the login page.
    SignIn,
}
pub use Expect::{Deny, Hide, In, SignIn};

/// The callers, in the order of the table's columns.
pub const CALLERS: [&str; 8] = [
    "anonymous",
    "member",
    "scoped admin on an in-scope member",
    "scoped admin on an in-scope Master Admin",
    "scoped admin on an out-of-scope user",
    "account-wide custom role lacking the permission",
    "Master Admin",
    "Primary Master Admin",
];

/// What a route does, as far as who may call it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Anyone (sign-in, link pages, probes, static files).
    Public,
    /// The caller's own account (self-service): any signed-in user.
    Own,
    /// An admin section within the caller's scope (users list, groups, bots, roles, invitations).
    Console,
    /// The audit log (the lacking role holds only audit.view, so it may).
    Audit,
    /// Reaches the whole account: needs the permission on all workspaces (User Settings, deleted users).
    AccountWide,
    /// Reads one user.
    ViewUser,
    /// Changes one user: their authority must lie within the caller's.
    ActOnUser,
    /// Hands the primary role over: the Primary Master Admin only (after the scope check).
    HandOver,
    /// Transfers bot ownership: the Primary Master Admin only (decided first).
    Transfer,
    /// The operator's (a bearer token or its own address); not served to sessions, so 404.
    Operator,
    /// Signing out: every caller ends at the login page.
    SignOut,
    /// A bulk action: answered 200 with each user's own outcome (a refusal per user), so every
    /// signed-in caller gets past the request's authorization.
    PerUser,
    /// SCIM (`/scim/v2`): spoken only with an API token holding `scim`, so every session is
    /// refused (403), whatever its rights.
    Scim,
    /// Creating a bot: builders (members included) and admins holding bots.assign; the use
    /// case decides, so every signed-in caller gets past authorization.
    Builders,
}

/// The table: what each kind of route answers each caller (columns as in [`CALLERS`]).
#[rustfmt::skip]
#[allow(clippy::match_same_arms)] // one row per kind keeps the table readable
pub fn expected(kind: Kind) -> [Expect; 8] {
    match kind {
        //                  anon    member  sc→mem  sc→MA   sc→out  lacking MA      PMA
        Kind::Public      => [In,     In,     In,     In,     In,     In,     In,     In],
        Kind::Own         => [SignIn, In,     In,     In,     In,     In,     In,     In],
        Kind::Console     => [SignIn, Deny,   In,     In,     In,     Deny,   In,     In],
        Kind::Audit       => [SignIn, Deny,   In,     In,     In,     In,     In,     In],
        Kind::AccountWide => [SignIn, Deny,   Deny,   Deny,   Deny,   Deny,   In,     In],
        Kind::ViewUser    => [SignIn, Deny,   In,     In,     Hide,   Deny,   In,     In],
        Kind::ActOnUser   => [SignIn, Deny,   In,     Deny,   Hide,   Deny,   In,     In],
        Kind::HandOver    => [SignIn, Deny,   Deny,   Deny,   Hide,   Deny,   Deny,   In],
        Kind::Transfer    => [SignIn, Deny,   Deny,   Deny,   Deny,   Deny,   Deny,   In],
        Kind::Operator    => [Hide,   Hide,   Hide,   Hide,   Hide,   Hide,   Hide,   Hide],
        Kind::SignOut     => [SignIn, SignIn, SignIn, SignIn, SignIn, SignIn, SignIn, SignIn],
        Kind::Builders    => [SignIn, In,     In,     In,     In,     In,     In,     In],
        Kind::PerUser     => [SignIn, In,     In,     In,     In,     In,     In,     In],
        Kind::Scim        => [SignIn, Deny,   Deny,   Deny,   Deny,   Deny,   Deny,   Deny],
    }
}

use Kind::{
    AccountWide, ActOnUser, Audit, Builders, Console, HandOver, Operator, Own, PerUser, Public, Scim, SignOut,
    Transfer, ViewUser,
};

/// Every route of the router with its kind.
#[rustfmt::skip]
pub const ROUTES: &[(&str, &str, Kind)] = &[
    // Operations and public pages.
    ("GET", "/healthz", Public), ("GET", "/readyz", Public), ("GET", "/metrics", Operator),
    ("GET", "/api/docs", Public), ("GET", "/api/docs/", Public), ("GET", "/api/docs/{*file}", Public),
    ("GET", "/api/v1/openapi.json", Public),
    ("GET", "/static/style.css", Public), ("GET", "/static/app.js", Public), ("GET", "/static/suggest.js", Public),
    ("GET", "/login", Public), ("POST", "/login", Public), ("GET", "/setup", Public), ("POST", "/setup", Public),
    ("GET", "/password/forgot", Public), ("POST", "/password/forgot", Public),
    ("GET", "/password/reset", Public), ("POST", "/password/reset", Public),
    ("GET", "/invitations/accept", Public), ("POST", "/invitations/accept", Public),
    ("POST", "/api/v1/auth/login", Public), ("POST", "/api/v1/auth/forgot-password", Public),
    ("POST", "/api/v1/auth/reset-password", Public),
    // Self-service.
    ("GET", "/", Own), ("POST", "/logout", SignOut), ("POST", "/api/v1/auth/logout", Own),
    ("GET", "/me", Own), ("GET", "/me/sessions", Own), ("POST", "/me/sessions/end-others", Own),
    ("POST", "/me/sessions/{sid}/end", Own), ("POST", "/me/sessions/{sid}/report", Own),
    ("POST", "/me/workspace", Own), ("GET", "/me/profile", Own), ("POST", "/me/profile", Own),
    ("POST", "/me/profile/picture", Own), ("POST", "/me/profile/picture/remove", Own), ("POST", "/me/password", Own),
    ("GET", "/api/v1/me", Own), ("GET", "/api/v1/me/sessions", Own), ("DELETE", "/api/v1/me/sessions", Own),
    ("DELETE", "/api/v1/me/sessions/{session_id}", Own), ("POST", "/api/v1/me/sessions/{session_id}/report", Own),
    ("PUT", "/api/v1/me/workspace", Own), ("GET", "/api/v1/me/profile", Own), ("PATCH", "/api/v1/me/profile", Own),
    ("GET", "/api/v1/me/profile/picture", Own), ("PUT", "/api/v1/me/profile/picture", Own),
    ("DELETE", "/api/v1/me/profile/picture", Own), ("POST", "/api/v1/me/password", Own),
    // Admin sections.
    ("GET", "/admin/users", Console), ("POST", "/admin/users/bulk", Console),
    ("GET", "/admin/users/invite", Console), ("POST", "/admin/users/invite", Console),
    ("GET", "/admin/groups", Console), ("POST", "/admin/groups", Console),
    ("POST", "/admin/groups/{id}/rename", Console), ("POST", "/admin/groups/{id}/delete", Console),
    ("POST", "/admin/groups/{id}/members", Console), ("POST", "/admin/groups/{id}/members/remove", Console),
    ("GET", "/admin/bots", Console), ("POST", "/admin/bots", Console),
    ("GET", "/admin/roles", Console), ("POST", "/admin/roles", Console),
    ("POST", "/admin/roles/{id}/rename", Console), ("POST", "/admin/roles/{id}/delete", Console),
    ("GET", "/admin/settings/security", Console), ("POST", "/admin/settings/security", Console),
    ("GET", "/admin/settings/sso", Console), ("POST", "/admin/settings/sso", Console),
    ("POST", "/admin/settings/sso/test", Console),
    ("GET", "/admin/settings/scim", Console), ("POST", "/admin/settings/scim", Console),
    ("GET", "/api/v1/users", Console), ("POST", "/api/v1/users/bulk", PerUser), ("GET", "/api/v1/users/export", Console),
    ("POST", "/api/v1/invitations", Console),
    ("GET", "/api/v1/groups", Console), ("POST", "/api/v1/groups", Console), ("GET", "/api/v1/groups/{id}", Console),
    ("PATCH", "/api/v1/groups/{id}", Console), ("DELETE", "/api/v1/groups/{id}", Console),
    ("GET", "/api/v1/groups/{id}/members", Console),
    ("GET", "/api/v1/bots", Console), ("POST", "/api/v1/bots", Builders),
    ("GET", "/api/v1/bots/{bot_id}/owner-candidates", Console),
    ("GET", "/api/v1/admin-roles", Console), ("POST", "/api/v1/admin-roles", Console),
    ("GET", "/api/v1/admin-roles/{id}", Console), ("PATCH", "/api/v1/admin-roles/{id}", Console),
    ("DELETE", "/api/v1/admin-roles/{id}", Console),
    ("GET", "/api/v1/settings/security", Console), ("PUT", "/api/v1/settings/security", Console),
    ("PATCH", "/api/v1/settings/security", Console),
    ("GET", "/api/v1/settings/sso", Console), ("PUT", "/api/v1/settings/sso", Console),
    ("GET", "/api/v1/settings/scim", Console), ("PUT", "/api/v1/settings/scim", Console),
    ("PATCH", "/api/v1/settings/sso", Console), ("POST", "/api/v1/settings/sso/test", Console),
    ("GET", "/admin/login", Public), ("POST", "/admin/login", Public),
    ("GET", "/sso/start", Public), ("GET", "/sso/callback", Public),
    ("GET", "/admin/settings/api-access", Console), ("POST", "/admin/settings/api-access", Console),
    ("POST", "/admin/settings/api-access/{id}/revoke", Console),
    ("GET", "/api/v1/api-tokens", Console), ("POST", "/api/v1/api-tokens", Console),
    ("DELETE", "/api/v1/api-tokens/{id}", Console),
    ("GET", "/admin/audit", Audit), ("GET", "/api/v1/audit", Audit), ("GET", "/api/v1/audit/export", Audit),
    ("GET", "/api/v1/audit/people", Audit),
    ("GET", "/admin/settings/user-profile", AccountWide), ("POST", "/admin/settings/user-profile", AccountWide),
    ("POST", "/admin/settings/user-profile/preview", AccountWide),
    ("GET", "/api/v1/settings/user-profile", AccountWide), ("PUT", "/api/v1/settings/user-profile", AccountWide),
    ("PATCH", "/api/v1/settings/user-profile", AccountWide),
    ("POST", "/api/v1/settings/user-profile/preview", AccountWide),
    ("GET", "/admin/users/deleted", AccountWide), ("POST", "/admin/users/deleted/{id}/restore", AccountWide),
    ("GET", "/api/v1/users/deleted", AccountWide), ("POST", "/api/v1/users/{id}/restore", AccountWide),
    // One user.
    ("GET", "/admin/users/{id}", ViewUser), ("GET", "/admin/users/{id}/sessions", ViewUser),
    ("GET", "/admin/users/{id}/bots", ViewUser), ("GET", "/admin/users/{id}/delete", ActOnUser),
    ("GET", "/api/v1/users/{id}", ViewUser), ("GET", "/api/v1/users/{id}/sessions", ViewUser),
    ("GET", "/api/v1/users/{id}/bots", ViewUser), ("GET", "/api/v1/users/{id}/picture", ViewUser),
    ("POST", "/admin/users/{id}/unlock", ActOnUser), ("POST", "/admin/users/{id}/edit", ActOnUser),
    ("POST", "/admin/users/{id}/picture", ActOnUser), ("POST", "/admin/users/{id}/picture/remove", ActOnUser),
    ("POST", "/admin/users/{id}/suspend", ActOnUser), ("POST", "/admin/users/{id}/activate", ActOnUser),
    ("POST", "/admin/users/{id}/delete", ActOnUser), ("POST", "/admin/users/{id}/resend-invitation", ActOnUser),
    ("POST", "/admin/users/{id}/reset-password", ActOnUser), ("POST", "/admin/users/{id}/sessions/kill-all", ActOnUser),
    ("POST", "/admin/users/{id}/sessions/{sid}/kill", ActOnUser), ("POST", "/admin/users/{id}/bots/assign", ActOnUser),
    ("POST", "/admin/users/{id}/bots/{bot_id}/role", ActOnUser),
    ("POST", "/admin/users/{id}/bots/{bot_id}/remove", ActOnUser),
    ("POST", "/admin/groups/{id}/members/{user}/remove", ActOnUser),
    ("DELETE", "/api/v1/users/{id}", ActOnUser), ("PATCH", "/api/v1/users/{id}", ActOnUser),
    ("POST", "/api/v1/users/{id}/unlock", ActOnUser), ("POST", "/api/v1/users/{id}/suspend", ActOnUser),
    ("POST", "/api/v1/users/{id}/activate", ActOnUser), ("POST", "/api/v1/users/{id}/reset-password", ActOnUser),
    ("POST", "/api/v1/users/{id}/resend-invitation", ActOnUser),
    ("DELETE", "/api/v1/users/{id}/sessions", ActOnUser), ("DELETE", "/api/v1/users/{id}/sessions/{session_id}", ActOnUser),
    ("PUT", "/api/v1/users/{id}/bots/{bot_id}", ActOnUser), ("DELETE", "/api/v1/users/{id}/bots/{bot_id}", ActOnUser),
    ("PUT", "/api/v1/users/{id}/picture", ActOnUser), ("DELETE", "/api/v1/users/{id}/picture", ActOnUser),
    ("PUT", "/api/v1/groups/{id}/members/{user_id}", ActOnUser),
    ("DELETE", "/api/v1/groups/{id}/members/{user_id}", ActOnUser),
    ("POST", "/api/v1/users/{id}/make-primary", HandOver),
    ("POST", "/admin/users/{id}/bots/{bot_id}/transfer", Transfer), ("POST", "/admin/users/{id}/transfer-and-delete", Transfer),
    ("POST", "/api/v1/users/{id}/bots/{bot_id}/transfer", Transfer), ("POST", "/api/v1/users/{id}/transfer-and-delete", Transfer),
    // SCIM.
    ("GET", "/scim/v2/ServiceProviderConfig", Scim), ("POST", "/scim/v2/.search", Scim), ("GET", "/scim/v2/ResourceTypes", Scim),
    ("GET", "/scim/v2/ResourceTypes/{id}", Scim), ("GET", "/scim/v2/Schemas", Scim), ("GET", "/scim/v2/Schemas/{id}", Scim),
    ("GET", "/scim/v2/Users", Scim), ("POST", "/scim/v2/Users", Scim), ("GET", "/scim/v2/Users/{id}", Scim),
    ("PUT", "/scim/v2/Users/{id}", Scim), ("PATCH", "/scim/v2/Users/{id}", Scim), ("DELETE", "/scim/v2/Users/{id}", Scim),
    ("GET", "/scim/v2/Groups", Scim), ("POST", "/scim/v2/Groups", Scim), ("GET", "/scim/v2/Groups/{id}", Scim),
    ("PUT", "/scim/v2/Groups/{id}", Scim), ("PATCH", "/scim/v2/Groups/{id}", Scim), ("DELETE", "/scim/v2/Groups/{id}", Scim),
];

/// The JSON body an API route gets: `{}` unless the route's extractor needs fields before
/// authorization can even run (then a well-formed request that changes nothing).
pub fn body_of(route: &Route) -> serde_json::Value {
    match route.path.as_str() {
        "/api/v1/users/bulk" => json!({"action": "unlock", "ids": [uuid::Uuid::now_v7().to_string()]}),
        "/api/v1/settings/sso" => json!({"enabled": false}),
        _ => json!({}),
    }
}

pub fn kind_of(route: &Route) -> Option<Kind> {
    ROUTES.iter().find(|(m, p, _)| *m == route.method.as_str() && *p == route.path).map(|(_, _, k)| *k)
}
