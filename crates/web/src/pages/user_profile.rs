//! `/admin/users/{id}`: the Profile tab — details (with the picture and every profile field
//! enabled in User Settings), why a user is locked (with Unlock), the Edit form (optimistic
//! concurrency: a stale version re-renders the current data; a refused value re-renders
//! with the message) and the admin's picture upload (`POST /admin/users/{id}/picture`).

use crate::csrf::{CsrfForm, CsrfUpload};
use crate::error::{PageError, status_of};
use crate::extract::{AppPath, PageOn, PageUser};
use crate::pages::Nav;
use crate::pages::format::when;
use crate::pages::notice::Notice;
use crate::pages::user_head::UserHead;
use crate::routes::{Routes, get, post};
use crate::state::AppState;
use app::AppError;
use app::authz::{OnUser, Principal, Target, UserAction, UserActions, UsersManage, UsersView};
use app::mail::outbox::MailStatus;
use app::my_profile::ProfileView;
use app::profile::Editing;
use app::users::UserDetails;
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{DefaultBodyLimit, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use domain::ids::UserId;
use domain::role::RoleKind;
use domain::user::UserStatus;
use std::collections::BTreeMap;

pub fn routes() -> Routes {
    Routes::new()
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
    /// Delivery of the newest message of each kind about the user: (what, where it stands).
    emails: Vec<(&'static str, String)>,
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

/// A group checkbox of the Edit form; one outside the editor's scope is disabled (its
/// checked state travels in a hidden field, so saving keeps it) with a note why.
struct GroupOpt {
    value: String,
    label: String,
    selected: bool,
    editable: bool,
}

/// The profile edit form: the version it is based on travels in a hidden field.
struct EditForm {
    version: i64,
    /// `None` when authz refuses changing the user's Bot Builder access (one's own); else
    /// exactly the levels authz allows.
    builder: Option<Vec<Opt>>,
    groups: Vec<GroupOpt>,
    /// Whether some group is outside the editor's scope (the note under the groups).
    groups_locked: bool,
    /// `None` when authz refuses changing the user's role; `role_note` says why.
    roles: Option<Vec<Opt>>,
    role_note: String,
    /// Why the last edit refused the admin role chosen, shown beside the field.
    role_error: Option<String>,
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

/// The Edit form, when the viewer may manage this user (authz decides; no capability, no
/// form), with the role and Bot Builder controls only where authz allows changing them.
fn edit_form(
    me: &Principal,
    editing: &Editing,
    view: &OnUser<UsersView>,
    actions: &UserActions,
    profile: Option<&ProfileView>,
    refused: Option<&AppError>,
) -> Option<EditForm> {
    let may = app::authz::on_loaded_user::<UsersManage, _>(me, view).ok()?;
    let d = app::users::get_user(view);
    let choices = app::profile::edit_choices(&may, editing);
    let builder = actions.allows(UserAction::ChangeBuilderAccess).then(|| {
        choices
            .builder_levels
            .iter()
            .map(|a| Opt { value: a.as_str().into(), label: a.label().into(), selected: *a == d.user.builder_access })
            .collect()
    });
    let groups: Vec<GroupOpt> = choices
        .groups
        .iter()
        .map(|g| GroupOpt {
            value: g.group.id.to_string(),
            label: format!("{} · {}", g.group.workspace_name, g.group.name),
            selected: g.member,
            editable: g.editable,
        })
        .collect();
    let groups_locked = groups.iter().any(|g| !g.editable);
    let role_error = match refused {
        Some(AppError::Invalid { field, message }) if field == "admin_role_id" => Some(message.clone()),
        Some(AppError::InvalidFields(all)) => {
            all.iter().find(|(f, _)| f == "admin_role_id").map(|(_, message)| message.clone())
        }
        _ => None,
    };
    let role_note = actions.reason(UserAction::ChangeRole).unwrap_or_default().to_owned();
    let roles = actions.allows(UserAction::ChangeRole).then(|| {
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
    Some(EditForm {
        version: d.user.version,
        builder,
        groups,
        groups_locked,
        roles,
        role_note,
        role_error,
        no_role: d.user.admin_role_id.is_none(),
        profile,
    })
}

/// "sent 2026-11-30 17:02 UTC", "failed, retrying (attempt 2, next at …): why", …
fn delivery(m: &app::mail::outbox::MailState) -> String {
    let why = m.last_error.as_deref().map(|e| format!(": {e}")).unwrap_or_default();
    match m.status {
        MailStatus::Sent => format!("sent {}", m.sent_at.map(when).unwrap_or_default()),
        MailStatus::Failed => format!("failed after {} attempts, given up{why}", m.attempts),
        MailStatus::Pending if m.attempts == 0 => format!("queued {}, not sent yet", when(m.created_at)),
        MailStatus::Pending => {
            format!("failed, retrying (attempt {}, next at {}){why}", m.attempts, when(m.next_attempt_at))
        }
    }
}

fn status_detail(d: &UserDetails) -> String {
    let u = &d.user;
    let last_login =
        || u.last_login_at.map_or_else(|| "never signed in".to_owned(), |t| format!("last login {}", when(t)));
    match d.user.status {
        UserStatus::Active => last_login(),
        UserStatus::Invited => {
            u.invited_at.map_or_else(|| "not active".to_owned(), |t| format!("Not Active: invited {}", when(t)))
        }
        UserStatus::Suspended => format!("suspended; {}", last_login()),
        UserStatus::Locked => u.locked_at.map_or_else(|| "locked".to_owned(), |t| format!("locked since {}", when(t))),
    }
}

async fn show(
    State(state): State<AppState>,
    PageUser(me): PageUser,
    AppPath(id): AppPath<UserId>,
    notice: Notice,
) -> Result<Response, PageError> {
    let notice = notice.pick(&[
        ("unlocked", "User unlocked. They can sign in again."),
        ("saved", "Profile saved."),
        ("suspended", "User suspended. Their sessions have ended and they cannot sign in."),
        ("activated", "User activated. They can sign in again."),
        (
            "reinvited",
            "User activated. They had no password and the account no SSO, so they are invited again: a new invitation email is queued; its delivery shows below.",
        ),
        ("invitation_resent", "A new invitation email is queued; its delivery shows below."),
        ("reset_sent", "A password reset email is queued for the user; its delivery shows below."),
        ("picture", "Picture updated."),
        ("picture_removed", "Picture removed."),
    ]);
    render(&state, &me, id, notice, None).await
}

/// The profile tab; `refused` (a stale edit, or a 400/403 of an edit or upload) shows the
/// current version with its message in the Edit card, under the refusal's status.
async fn render(
    state: &AppState,
    me: &Principal,
    id: UserId,
    notice: Option<&'static str>,
    refused: Option<&AppError>,
) -> Result<Response, PageError> {
    let nav = Nav::load(me, &format!("/admin/users/{id}"));
    let may = app::authz::on_user::<UsersView>(&state.ctx, me, id).await?;
    let d = app::users::get_user(&may);
    let emails = app::mail::outbox::deliveries(&state.ctx, &may).await?;
    let role = match d.role_kind {
        RoleKind::Member => "None".to_owned(),
        _ => d.account_role.clone(),
    };
    let locked = d.user.status == UserStatus::Locked;
    // Why a user is locked, or how often their sign-in failed lately: read only when there
    // is something to show.
    let lockout = if locked || d.user.failed_logins > 0 {
        let lock = app::lockout::info(&state.ctx, &may).await?;
        Some(LockoutView {
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
        })
    } else {
        None
    };
    // Admins see every field the account's User Settings enable now.
    let profile = Some(app::my_profile::admin_view(&may));
    let editing = app::profile::editing(&state.ctx, me).await?;
    let actions = app::authz::actions_on(me, &editing.granter, &Target::from(may.target()), editing.sso_on());
    let edit = edit_form(me, &editing, &may, &actions, profile.as_ref(), refused);
    let mut head = UserHead::new(me, id, format!("{} {}", d.user.first_name, d.user.last_name), "profile");
    head.badge = Some((d.user.status.label(), d.user.status.as_str()));
    let stale = matches!(refused, Some(AppError::Stale(_)));
    let page = UserPage {
        nav: Some(nav),
        head,
        csrf: me.csrf_token.clone(),
        notice,
        first_name: d.user.first_name.clone(),
        last_name: d.user.last_name.clone(),
        email: d.user.email.clone(),
        status: d.user.status.label(),
        status_detail: status_detail(&d),
        emails: emails.iter().map(|m| (m.kind.label(), delivery(m))).collect(),
        locked,
        may_unlock: actions.allows(UserAction::Unlock),
        lockout,
        groups: d.groups.iter().map(|g| format!("{} · {}", g.workspace_name, g.name)).collect(),
        role,
        builder_access: d.user.builder_access.label(),
        workspaces: d.workspaces.iter().map(|w| w.name.clone()).collect(),
        created: when(d.user.created_at),
        edit,
        stale,
        edit_error: refused.filter(|_| !stale).map(crate::pages::refusal_sentence),
        picture_at: profile.as_ref().and_then(|v| v.picture_at),
        profile_fields: profile
            .iter()
            .flat_map(|v| v.fields.iter())
            .filter(|f| !f.field.is_default())
            .map(|f| (f.field.label(), f.value.clone().unwrap_or_else(|| "—".to_owned())))
            .collect(),
        more: crate::pages::user_actions::MoreMenu::of(&actions),
    };
    Ok((refused.map_or(StatusCode::OK, status_of), page).into_response())
}

fn done(user: UserId, notice: &str) -> Response {
    Redirect::to(&format!("/admin/users/{user}?notice={notice}")).into_response()
}

async fn unlock(on: PageOn<UsersManage>, _: CsrfForm) -> Result<Response, PageError> {
    app::lockout::unlock(&on.state.ctx, &on.may).await?;
    Ok(done(on.user(), "unlocked"))
}

/// The profile edit form: names, Bot Builder access, `group_<id>` checkboxes, admin role
/// and the `version` it was based on. A stale version re-renders the current one.
async fn edit(
    on: PageOn<UsersManage>,
    CsrfForm(fields): CsrfForm<BTreeMap<String, String>>,
) -> Result<Response, PageError> {
    let PageOn { state, me, may } = on;
    let user = may.user();
    let field = |k: &str| fields.get(k).cloned();
    let version = field("version")
        .and_then(|v| v.parse::<i64>().ok())
        .ok_or_else(|| AppError::invalid("version", "is missing; reload the page"))?;
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
    match app::profile::update(&state.ctx, &may, &app::authz::granter(&state.ctx, &me).await?, app::Input::whole(form))
        .await
    {
        Ok(_) => Ok(done(user, "saved")),
        Err(
            e @ (AppError::Stale(_)
            | AppError::Invalid { .. }
            | AppError::InvalidFields(_)
            | AppError::Forbidden(_)
            | AppError::FieldForbidden { .. }),
        ) => render(&state, &me, user, None, Some(&e)).await,
        Err(e) => Err(e.into()),
    }
}

/// The admin's picture upload: `csrf` and the file `picture` (PNG, JPEG or WebP, ≤ 2 MB).
async fn upload_picture(on: PageOn<UsersManage>, CsrfUpload(up): CsrfUpload) -> Result<Response, PageError> {
    let PageOn { state, me, may } = on;
    let user = may.user();
    let stored = async {
        let (bytes, content_type) = crate::pages::upload::picture(&up)?;
        app::my_profile::set_picture(&state.ctx, &may, bytes, &content_type).await
    };
    match stored.await {
        Ok(()) => Ok(done(user, "picture")),
        Err(e @ AppError::Invalid { .. }) => render(&state, &me, user, None, Some(&e)).await,
        Err(e) => Err(e.into()),
    }
}

async fn remove_picture(on: PageOn<UsersManage>, _: CsrfForm) -> Result<Response, PageError> {
    app::my_profile::remove_picture(&on.state.ctx, &on.may).await?;
    Ok(done(on.user(), "picture_removed"))
}
