//! `GET /users` (filtered, sorted, keyset-paged) and `GET /users/{id}`.

use super::shapes::{Named, at, at_opt};
use crate::error::ApiError;
use crate::error::ApiError as Problem;
use crate::extract::{ApiUser, AppPath, AppQuery};
use crate::routes::{Routes, get, post};
use crate::state::AppState;
use app::authz::{UsersManage, UsersView};
use app::users::{ListParams, UserDetails, UserSummary};
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use domain::ids::UserId;
use domain::role::RoleKind;
use domain::user::{BuilderAccess, UserStatus};
use serde::Serialize;
use std::collections::BTreeMap;
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

pub fn routes() -> Routes {
    Routes::new()
        .route("/users", get(list_users))
        .route("/users/{id}", get(get_user).delete(super::user_actions::delete_user))
        .route("/users/{id}/unlock", post(unlock_user))
        .route("/users/{id}/suspend", post(suspend_user))
        .route("/users/{id}/activate", post(activate_user))
}

/// A row of the users list.
#[derive(Serialize, ToSchema)]
pub struct UserSummaryJson {
    id: Uuid,
    email: String,
    first_name: String,
    last_name: String,
    status: UserStatus,
    /// The role's label ("Member", "Master Admin", a custom role's name).
    account_role: String,
    builder_access: BuilderAccess,
    #[schema(format = DateTime)]
    last_login_at: Option<String>,
    #[schema(format = DateTime)]
    invited_at: Option<String>,
    #[schema(format = DateTime)]
    created_at: String,
}

impl From<&UserSummary> for UserSummaryJson {
    fn from(u: &UserSummary) -> Self {
        Self {
            id: u.id,
            email: u.email.clone(),
            first_name: u.first_name.clone(),
            last_name: u.last_name.clone(),
            status: u.status,
            account_role: u.account_role.clone(),
            builder_access: u.builder_access,
            last_login_at: at_opt(u.last_login_at),
            invited_at: at_opt(u.invited_at),
            created_at: at(u.created_at),
        }
    }
}

/// A page of users, with how many match in all and cursors to the pages around it.
#[derive(Serialize, ToSchema)]
pub struct UserPageJson {
    items: Vec<UserSummaryJson>,
    /// Pass as `cursor` to fetch the page after this one; null on the last page.
    next_cursor: Option<String>,
    /// Pass as `cursor` to fetch the page before this one; null on the first page.
    prev_cursor: Option<String>,
    /// How many users match the filters (every page, not this one), counted up to 10,000.
    #[schema(maximum = 10000)]
    total: u32,
    /// True when counting stopped at 10,000: there are more than `total` ("10,000+").
    total_is_lower_bound: bool,
}

impl From<&app::users::UserPage> for UserPageJson {
    fn from(page: &app::users::UserPage) -> Self {
        let total = page.total.unwrap_or(app::users::Total { count: 0, is_lower_bound: true });
        Self {
            items: page.items.iter().map(Into::into).collect(),
            next_cursor: page.next_cursor.clone(),
            prev_cursor: page.prev_cursor.clone(),
            total: total.count,
            total_is_lower_bound: total.is_lower_bound,
        }
    }
}

/// `GET /users` and `GET /users/export` filters: each is text checked by the use case, which
/// names every bad one.
#[derive(IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)] // Only described: `app::users::ListParams` reads the text.
pub struct ListQuery {
    /// Words matched against name and email.
    #[param(max_length = 200)]
    q: Option<String>,
    /// `invited`, `active`, `locked` or `suspended`.
    #[param(inline)]
    status: Option<UserStatus>,
    /// `member`, `master_admin`, `primary_master_admin`, `custom`, or an admin role id.
    role: Option<String>,
    /// A workspace id.
    #[param(format = Uuid)]
    workspace: Option<String>,
    /// A group id.
    #[param(format = Uuid)]
    group: Option<String>,
    #[param(inline)]
    builder_access: Option<BuilderAccess>,
    /// The column to sort by.
    #[param(inline)]
    sort: Option<SortKey>,
    #[param(inline)]
    order: Option<Order>,
    /// Users per page.
    #[param(minimum = 1, maximum = 100, value_type = Option<u32>)]
    limit: Option<String>,
    /// `next_cursor` or `prev_cursor` of another page, fetched with the same `sort` and
    /// `order`: the page after it or before it.
    cursor: Option<String>,
}

super::shapes::described_set!(
    /// The sort keys of the users list.
    SortKey,
    "The column the users list is sorted by.",
    app::users::UserSort::ALL.iter().map(|k| k.as_str())
);

/// A sort direction.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
#[allow(dead_code)] // Only described: the use case parses the text.
pub enum Order {
    Asc,
    Desc,
}

#[utoipa::path(get, path = "/users", tag = "users", params(ListQuery),
    responses((status = 200, description = "A page of the users in the caller's scope, with their number (up to 10,000).", body = UserPageJson)))]
pub(super) async fn list_users(
    State(state): State<AppState>,
    ApiUser(me): ApiUser,
    AppQuery(params): AppQuery<ListParams>,
) -> Result<Json<UserPageJson>, ApiError> {
    let may = app::authz::list_users(&me)?;
    let page = app::users::list_users(&state.ctx, &may, &params).await?;
    Ok(Json((&page).into()))
}

#[utoipa::path(get, path = "/users/{id}", tag = "users", params(("id" = Uuid, Path, description = "A user id.")),
    responses((status = 200, description = "The user, with `ETag` (send it back in `If-Match` to `PATCH`).",
        headers(("ETag" = String, description = "The user's version, like \"v3\".")), body = UserDetailsJson)))]
pub(super) async fn get_user(
    State(state): State<AppState>,
    ApiUser(me): ApiUser,
    AppPath(id): AppPath<UserId>,
) -> Result<impl axum::response::IntoResponse, ApiError> {
    let may = app::authz::on_user::<UsersView>(&state.ctx, &me, id).await?;
    let d = app::users::get_user(&may);
    let lockout = app::lockout::info(&state.ctx, &may).await?;
    let emails = app::mail::outbox::deliveries(&state.ctx, &may).await?;
    let body = UserDetailsJson::new(&d, &may.target().profile_settings, &lockout, &emails);
    // The version as an entity tag: PATCH sends it back in `If-Match`.
    Ok(([(axum::http::header::ETAG, super::profile::etag(d.user.version))], Json(body)))
}

/// A group the user is in.
#[derive(Serialize, ToSchema)]
pub struct GroupOfUser {
    id: Uuid,
    name: String,
    /// The group's workspace's name.
    workspace: String,
}

/// One user in full: `profile` holds the controlled fields the User Settings enable, by key.
#[derive(Serialize, ToSchema)]
pub struct UserDetailsJson {
    id: Uuid,
    email: String,
    first_name: String,
    last_name: String,
    profile: BTreeMap<String, Option<String>>,
    status: UserStatus,
    #[schema(format = DateTime)]
    last_login_at: Option<String>,
    #[schema(format = DateTime)]
    invited_at: Option<String>,
    #[schema(format = DateTime)]
    locked_at: Option<String>,
    failed_logins: i32,
    account_role: String,
    role_kind: RoleKind,
    admin_role_id: Option<Uuid>,
    builder_access: BuilderAccess,
    workspaces: Vec<Named>,
    groups: Vec<GroupOfUser>,
    /// Changes with every edit (the `ETag`).
    version: i64,
    #[schema(format = DateTime)]
    created_at: String,
    lockout: LockoutJson,
    /// The newest message of each kind about the user.
    emails: Vec<EmailJson>,
}

impl UserDetailsJson {
    fn new(
        d: &UserDetails,
        settings: &domain::profile::ProfileSettings,
        lockout: &app::lockout::LockoutInfo,
        emails: &[app::mail::outbox::MailState],
    ) -> Self {
        let u = &d.user;
        let doc = app::profile_values::parse_doc(&u.profile);
        let profile = settings
            .visible()
            .filter(|f| !f.is_default())
            .map(|f| (f.key().to_owned(), app::profile_values::value_of(&doc, f)))
            .collect();
        Self {
            id: u.id,
            email: u.email.clone(),
            first_name: u.first_name.clone(),
            last_name: u.last_name.clone(),
            profile,
            status: u.status,
            last_login_at: at_opt(u.last_login_at),
            invited_at: at_opt(u.invited_at),
            locked_at: at_opt(u.locked_at),
            failed_logins: u.failed_logins,
            account_role: d.account_role.clone(),
            role_kind: d.role_kind,
            admin_role_id: u.admin_role_id,
            builder_access: u.builder_access,
            workspaces: d.workspaces.iter().map(|w| Named::new(w.id, &w.name)).collect(),
            groups: d
                .groups
                .iter()
                .map(|g| GroupOfUser { id: g.id, name: g.name.clone(), workspace: g.workspace_name.clone() })
                .collect(),
            version: u.version,
            created_at: at(u.created_at),
            lockout: lockout.into(),
            emails: emails.iter().map(Into::into).collect(),
        }
    }
}

/// Where a message's delivery stands.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum DeliveryStatus {
    /// Queued; `attempts` failed so far, the next try at `next_attempt_at`.
    Pending,
    Sent,
    /// Given up.
    Failed,
}

/// Where one message about the user stands (the newest of its kind); `last_error` says why
/// the last attempt failed.
#[derive(Serialize, ToSchema)]
pub struct EmailJson {
    /// What the message is (`invitation`, `password_reset`, …).
    kind: String,
    status: DeliveryStatus,
    attempts: i32,
    #[schema(format = DateTime)]
    next_attempt_at: Option<String>,
    last_error: Option<String>,
    #[schema(format = DateTime)]
    queued_at: String,
    #[schema(format = DateTime)]
    sent_at: Option<String>,
}

use app::mail::outbox::MailStatus;

impl From<&app::mail::outbox::MailState> for EmailJson {
    fn from(m: &app::mail::outbox::MailState) -> Self {
        let status = match m.status {
            MailStatus::Pending => DeliveryStatus::Pending,
            MailStatus::Sent => DeliveryStatus::Sent,
            MailStatus::Failed => DeliveryStatus::Failed,
        };
        Self {
            kind: m.kind.as_str().to_owned(),
            status,
            attempts: m.attempts,
            next_attempt_at: at_opt((m.status == MailStatus::Pending).then_some(m.next_attempt_at)),
            last_error: m.last_error.clone(),
            queued_at: at(m.created_at),
            sent_at: at_opt(m.sent_at),
        }
    }
}

/// A failed sign-in.
#[derive(Serialize, ToSchema)]
pub struct FailureJson {
    #[schema(format = DateTime)]
    at: String,
    ip: String,
}

/// The user's failed sign-ins and lock; `unlocks_at` null while locked: only an admin unlocks.
#[derive(Serialize, ToSchema)]
pub struct LockoutJson {
    failed_logins: i32,
    #[schema(format = DateTime)]
    locked_at: Option<String>,
    #[schema(format = DateTime)]
    unlocks_at: Option<String>,
    recent_failures: Vec<FailureJson>,
}

impl From<&app::lockout::LockoutInfo> for LockoutJson {
    fn from(l: &app::lockout::LockoutInfo) -> Self {
        Self {
            failed_logins: l.failed_logins,
            locked_at: at_opt(l.locked_at),
            unlocks_at: at_opt(l.unlocks_at),
            recent_failures: l.recent.iter().map(|f| FailureJson { at: at(f.at), ip: f.ip.clone() }).collect(),
        }
    }
}

#[utoipa::path(post, path = "/users/{id}/unlock", tag = "users", params(("id" = Uuid, Path, description = "A user id.")),
    responses((status = 204, description = "Unlocks a locked user."), (status = 409, description = "Not possible in the user's status.", body = Problem, content_type = "application/problem+json")))]
pub(super) async fn unlock_user(
    State(state): State<AppState>,
    ApiUser(me): ApiUser,
    AppPath(id): AppPath<UserId>,
) -> Result<StatusCode, ApiError> {
    let may = app::authz::on_user::<UsersManage>(&state.ctx, &me, id).await?;
    app::lockout::unlock(&state.ctx, &may).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(post, path = "/users/{id}/suspend", tag = "users", params(("id" = Uuid, Path, description = "A user id.")),
    responses((status = 204, description = "Suspends the user (their sessions end)."), (status = 409, description = "Not possible in the user's status.", body = Problem, content_type = "application/problem+json")))]
pub(super) async fn suspend_user(
    State(state): State<AppState>,
    ApiUser(me): ApiUser,
    AppPath(id): AppPath<UserId>,
) -> Result<StatusCode, ApiError> {
    let may = app::authz::on_user::<UsersManage>(&state.ctx, &me, id).await?;
    app::lifecycle::suspend(&state.ctx, &may).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(post, path = "/users/{id}/activate", tag = "users", params(("id" = Uuid, Path, description = "A user id.")),
    responses((status = 204, description = "Activates a suspended user: Active, or Invited with a fresh invitation email when they have no password and the account no SSO."), (status = 409, description = "Not possible in the user's status.", body = Problem, content_type = "application/problem+json")))]
pub(super) async fn activate_user(
    State(state): State<AppState>,
    ApiUser(me): ApiUser,
    AppPath(id): AppPath<UserId>,
) -> Result<StatusCode, ApiError> {
    let may = app::authz::on_user::<UsersManage>(&state.ctx, &me, id).await?;
    let options = app::invitations::InviteOptions::new(&state.public_url, state.ctx.auth.invitation_lifetime);
    app::lifecycle::activate(&state.ctx, &may, &options).await?;
    Ok(StatusCode::NO_CONTENT)
}
