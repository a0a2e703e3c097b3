//! `/admin/users/{id}`: the Profile tab — details (with the picture and every profile field
//! enabled in User Settings), why a user is locked (with Unlock), the Edit form (optimistic
//! concurrency: a stale version re-renders the current data; a refused value re-renders
//! with the message) and the admin's picture upload (`POST /admin/users/{id}/picture`).

use crate::csrf::check_form_token;
use crate::extract::PageUser;
use crate::pages::sessions::{NoticeQuery, UserHead};
use crate::pages::users::when;
use crate::pages::{Nav, error_page, expired_form};
use crate::state::AppState;
use app::AppError;
use app::my_profile::ProfileView;
use app::users::UserDetails;
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{DefaultBodyLimit, Multipart, Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use domain::ids::UserId;
use domain::permission::Permission;
use domain::role::RoleKind;
use domain::user::{BuilderAccess, UserStatus};
use serde::Deserialize;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/admin/users/{id}", get(show))
        .route("/admin/users/{id}/unlock", post(unlock))
        .route("/admin/users/{id}/edit", post(edit))
        // Room for a picture a little over 2 MB, so such files get the app's clear message.
        .route(
            "/admin/users/{id}/picture",
            post(upload_picture).layer(DefaultBodyLimit::max(app::picture::UPLOAD_LIMIT)),
        )
        .route("/admin/users/{id}/picture/remove", post(remove_picture))
}

/// Why a user is locked (or how often their sign-in failed lately).
struct LockoutView {
    failed_logins: i32,
    recent: Vec<(String, String)>,
    unlocks: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "user.html")]
struct UserPage {
    nav: Option<Nav>,
    head: UserHead,
    csrf: String,
    notice: Option<&'static str>,
    first_name: String,
    last_name: String,
    email: String,
    status: &'static str,
    status_detail: String,
    locked: bool,
    may_unlock: bool,
    lockout: Option<LockoutView>,
    groups: Vec<String>,
    role: String,
    builder_access: &'static str,
    workspaces: Vec<String>,
    created: String,
    edit: Option<EditForm>,
    stale: bool,
    /// Why the last edit or upload was refused (the field named), shown in the Edit card.
    edit_error: Option<String>,
    /// `?v=` of the picture URL (when it last changed), if the user has a picture.
    picture_at: Option<i64>,
    /// The enabled controlled fields: label and value ("—" when empty).
    profile_fields: Vec<(&'static str, String)>,
    more: crate::pages::user_actions::MoreMenu,
}

/// One option of a select or checkbox list: value, label, selected.
struct Opt {
    value: String,
    label: String,
    selected: bool,
}

/// The profile edit form: the version it is based on travels in a hidden field.
struct EditForm {
    version: i64,
    builder: Vec<Opt>,
    groups: Vec<Opt>,
    /// `None` for the Primary Master Admin, whose role changes only by hand-over.
    roles: Option<Vec<Opt>>,
    no_role: bool,
    /// One input per enabled controlled field, named `profile_<key>`.
    profile: Vec<ProfileInput>,
}

/// An input of the Edit form for a controlled profile field.
struct ProfileInput {
    key: &'static str,
    label: &'static str,
    value: String,
}

/// The Edit form, when the viewer may manage this user (authz decides; no capability, no form).
async fn edit_form(
    state: &AppState,
    me: &app::authz::Principal,
    d: &UserDetails,
    profile: Option<&ProfileView>,
) -> Option<EditForm> {
    let may = app::authz::on_user::<app::authz::UsersManage>(&state.ctx, me, UserId(d.user.id)).await.ok()?;
    let choices = app::profile::edit_choices(&state.ctx, &may).await.ok()?;
    let builder = BuilderAccess::ALL
        .iter()
        .map(|a| Opt { value: a.as_str().into(), label: a.label().into(), selected: *a == d.builder_access })
        .collect();
    let groups = choices
        .groups
        .iter()
        .map(|(g, member)| Opt {
            value: g.id.to_string(),
            label: format!("{} · {}", g.workspace_name, g.name),
            selected: *member,
        })
        .collect();
    let roles = (d.role_kind != RoleKind::PrimaryMasterAdmin).then(|| {
        choices
            .roles
            .iter()
            .map(|r| Opt {
                value: r.id.to_string(),
                label: r.name.clone(),
                selected: d.user.admin_role_id == Some(r.id),
            })
            .collect()
    });
    let profile = profile
        .map(|v| {
            v.fields
                .iter()
                .filter(|f| !f.field.is_default())
                .map(|f| ProfileInput {
                    key: f.field.key(),
                    label: f.field.label(),
                    value: f.value.clone().unwrap_or_default(),
                })
                .collect()
        })
        .unwrap_or_default();
    Some(EditForm { version: d.user.version, builder, groups, roles, no_role: d.user.admin_role_id.is_none(), profile })
}

fn status_detail(d: &UserDetails) -> String {
    let u = &d.user;
    let last_login =
        || u.last_login_at.map_or_else(|| "never signed in".to_owned(), |t| format!("last login {}", when(t)));
    match d.status {
        UserStatus::Active => last_login(),
        UserStatus::Invited => {
            u.invited_at.map_or_else(|| "not active".to_owned(), |t| format!("Not Active: invitation sent {}", when(t)))
        }
        UserStatus::Suspended => format!("suspended; {}", last_login()),
        UserStatus::Locked => u.locked_at.map_or_else(|| "locked".to_owned(), |t| format!("locked since {}", when(t))),
    }
}

async fn show(
    State(state): State<AppState>,
    PageUser(me): PageUser,
    Path(id): Path<String>,
    RawQuery(raw): RawQuery,
) -> Response {
    let notice = match NoticeQuery::from_raw(raw.as_deref()).notice.as_deref() {
        Some("unlocked") => Some("User unlocked. They can sign in again."),
        Some("saved") => Some("Profile saved."),
        Some("suspended") => Some("User suspended. Their sessions have ended and they cannot sign in."),
        Some("activated") => Some("User activated. They can sign in again."),
        Some("invitation_resent") => Some("Invitation sent again."),
        Some("reset_sent") => Some("A password reset link was emailed to the user."),
        Some("picture") => Some("Picture updated."),
        Some("picture_removed") => Some("Picture removed."),
        _ => None,
    };
    render(&state, &me, &id, notice, false, None).await
}

/// The profile tab; `stale` re-renders the current version after a refused stale edit,
/// `refused` (a 400/403 of an edit or upload) shows its message in the Edit card.
async fn render(
    state: &AppState,
    me: &app::authz::Principal,
    id: &str,
    notice: Option<&'static str>,
    stale: bool,
    refused: Option<&AppError>,
) -> Response {
    let nav = Nav::load(&state.ctx, me, "users", &format!("/admin/users/{id}")).await;
    let Ok(id) = id.parse::<UserId>() else { return error_page(&AppError::NotFound, Some(nav)) };
    let details = match app::authz::on_user::<app::authz::UsersView>(&state.ctx, me, id).await {
        Ok(may) => match app::users::get_user(&state.ctx, &may).await {
            Ok(d) => app::lockout::info(&state.ctx, &may).await.map(|l| (d, l)),
            Err(e) => Err(e),
        },
        Err(e) => Err(e),
    };
    let (d, lock) = match details {
        Ok(d) => d,
        Err(e) => return error_page(&e, Some(nav)),
    };
    let role = match d.role_kind {
        RoleKind::Member => "None".to_owned(),
        _ => d.account_role.clone(),
    };
    let locked = d.status == UserStatus::Locked;
    let lockout = (locked || lock.failed_logins > 0).then(|| LockoutView {
        failed_logins: lock.failed_logins,
        recent: lock
            .recent
            .iter()
            .map(|f| (when(f.at), if f.ip.is_empty() { "unknown".into() } else { f.ip.clone() }))
            .collect(),
        unlocks: lock.unlocks_at.map_or_else(
            || "Only an admin can unlock this user.".to_owned(),
            |t| format!("Unlocks by itself at {}.", when(t)),
        ),
    });
    // Admins see every field the account's User Settings enable now.
    let profile = match app::my_profile::admin_view(&state.ctx, me.account_id, id).await {
        Ok(v) => Some(v),
        Err(e) => {
            tracing::warn!(error = %e, "the profile fields could not load");
            None
        }
    };
    let edit = edit_form(state, me, &d, profile.as_ref()).await;
    let mut head = UserHead::new(me, id, format!("{} {}", d.user.first_name, d.user.last_name), "profile");
    head.badge = Some((d.status.label(), d.status.as_str()));
    let page = UserPage {
        nav: Some(nav),
        head,
        csrf: me.csrf_token.clone(),
        notice,
        first_name: d.user.first_name.clone(),
        last_name: d.user.last_name.clone(),
        email: d.user.email.clone(),
        status: d.status.label(),
        status_detail: status_detail(&d),
        locked,
        may_unlock: me.role.allows(Permission::UsersManage),
        lockout,
        groups: d.groups.iter().map(|g| format!("{} · {}", g.workspace_name, g.name)).collect(),
        role,
        builder_access: d.builder_access.label(),
        workspaces: d.workspaces.iter().map(|w| w.name.clone()).collect(),
        created: when(d.user.created_at),
        edit,
        stale,
        edit_error: refused.map(crate::pages::refusal_sentence),
        picture_at: profile.as_ref().and_then(|v| v.picture_at),
        profile_fields: profile
            .iter()
            .flat_map(|v| v.fields.iter())
            .filter(|f| !f.field.is_default())
            .map(|f| (f.field.label(), f.value.clone().unwrap_or_else(|| "—".to_owned())))
            .collect(),
        more: crate::pages::user_actions::MoreMenu::of(me, d.status),
    };
    match (stale, refused) {
        (true, _) => (StatusCode::PRECONDITION_FAILED, page).into_response(),
        (false, Some(e)) => (crate::error::status_of(e), page).into_response(),
        (false, None) => page.into_response(),
    }
}

#[derive(Deserialize)]
struct CsrfForm {
    #[serde(default)]
    csrf: String,
}

async fn unlock(
    State(state): State<AppState>,
    PageUser(me): PageUser,
    Path(id): Path<String>,
    Form(form): Form<CsrfForm>,
) -> Response {
    let nav = async || Nav::load(&state.ctx, &me, "users", &format!("/admin/users/{id}")).await;
    if !check_form_token(&me.csrf_token, &form.csrf) {
        return expired_form(nav().await);
    }
    let Ok(user) = id.parse::<UserId>() else { return error_page(&AppError::NotFound, Some(nav().await)) };
    let result = match app::authz::on_user::<app::authz::UsersManage>(&state.ctx, &me, user).await {
        Ok(may) => app::lockout::unlock(&state.ctx, &may).await,
        Err(e) => Err(e),
    };
    match result {
        Ok(()) => Redirect::to(&format!("/admin/users/{user}?notice=unlocked")).into_response(),
        Err(e) => error_page(&e, Some(nav().await)),
    }
}

/// The profile edit form: names, Bot Builder access, `group_<id>` checkboxes, admin role
/// and the `version` it was based on. A stale version re-renders the current one.
async fn edit(State(state): State<AppState>, PageUser(me): PageUser, Path(id): Path<String>, body: String) -> Response {
    let nav = async || Nav::load(&state.ctx, &me, "users", &format!("/admin/users/{id}")).await;
    let Ok(fields) = crate::extract::parse_query::<std::collections::BTreeMap<String, String>>(&body) else {
        return error_page(&AppError::invalid("body", "is not a form"), Some(nav().await));
    };
    let field = |k: &str| fields.get(k).cloned();
    if !check_form_token(&me.csrf_token, &field("csrf").unwrap_or_default()) {
        return expired_form(nav().await);
    }
    let Ok(user) = id.parse::<UserId>() else { return error_page(&AppError::NotFound, Some(nav().await)) };
    let Some(version) = field("version").and_then(|v| v.parse::<i64>().ok()) else {
        return error_page(&AppError::invalid("version", "is missing; reload the page"), Some(nav().await));
    };
    let groups = fields.keys().filter_map(|k| k.strip_prefix("group_")).map(str::to_owned).collect();
    let form = app::profile::ProfileEdit {
        version,
        first_name: field("first_name"),
        last_name: field("last_name"),
        builder_access: field("builder_access"),
        groups: Some(groups),
        admin_role_id: field("admin_role_id").map(|r| Some(r).filter(|r| !r.is_empty())),
        fields: domain::profile::ProfileField::controlled()
            .filter_map(|f| field(&format!("profile_{}", f.key())).map(|v| (f.key().to_owned(), v)))
            .collect(),
    };
    let result = match app::authz::on_user::<app::authz::UsersManage>(&state.ctx, &me, user).await {
        Ok(may) => app::profile::update(&state.ctx, &may, &app::authz::granter(&me), &form).await,
        Err(e) => Err(e),
    };
    match result {
        Ok(_) => Redirect::to(&format!("/admin/users/{user}?notice=saved")).into_response(),
        Err(AppError::Stale(_)) => render(&state, &me, &id, None, true, None).await,
        Err(e @ (AppError::Invalid { .. } | AppError::Forbidden(_))) => {
            render(&state, &me, &id, None, false, Some(&e)).await
        }
        Err(e) => error_page(&e, Some(nav().await)),
    }
}

/// The admin's picture upload: `csrf` and the file `picture` (PNG, JPEG or WebP, ≤ 2 MB).
async fn upload_picture(
    State(state): State<AppState>,
    PageUser(me): PageUser,
    Path(id): Path<String>,
    m: Multipart,
) -> Response {
    let nav = async || Nav::load(&state.ctx, &me, "users", &format!("/admin/users/{id}")).await;
    let Ok(user) = id.parse::<UserId>() else { return error_page(&AppError::NotFound, Some(nav().await)) };
    let result = match crate::pages::my_profile::read_upload(m).await {
        // The CSRF token may be unread here; nothing is stored either way.
        Err(e) => Err(e),
        Ok(up) if !check_form_token(&me.csrf_token, &up.csrf) => return expired_form(nav().await),
        Ok(up) => match app::authz::on_user::<app::authz::UsersManage>(&state.ctx, &me, user).await {
            Ok(may) => app::my_profile::set_picture(&state.ctx, &may, up.bytes, &up.content_type).await,
            Err(e) => Err(e),
        },
    };
    match result {
        Ok(()) => Redirect::to(&format!("/admin/users/{user}?notice=picture")).into_response(),
        Err(e @ AppError::Invalid { .. }) => render(&state, &me, &id, None, false, Some(&e)).await,
        Err(e) => error_page(&e, Some(nav().await)),
    }
}

async fn remove_picture(
    State(state): State<AppState>,
    PageUser(me): PageUser,
    Path(id): Path<String>,
    Form(form): Form<CsrfForm>,
) -> Response {
    let nav = async || Nav::load(&state.ctx, &me, "users", &format!("/admin/users/{id}")).await;
    if !check_form_token(&me.csrf_token, &form.csrf) {
        return expired_form(nav().await);
    }
    let Ok(user) = id.parse::<UserId>() else { return error_page(&AppError::NotFound, Some(nav().await)) };
    let result = match app::authz::on_user::<app::authz::UsersManage>(&state.ctx, &me, user).await {
        Ok(may) => app::my_profile::remove_picture(&state.ctx, &may).await,
        Err(e) => Err(e),
    };
    match result {
        Ok(_) => Redirect::to(&format!("/admin/users/{user}?notice=picture_removed")).into_response(),
        Err(e) => error_page(&e, Some(nav().await)),
    }
}
