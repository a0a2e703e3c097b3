//! The self-service profile (`/me/profile`): the fields of the session's copy of the User
//! Settings, edits of those with Allow Edits, the picture, and changing one's password.
//! Admins change a user's picture through [`set_picture`] with an [`OnUser`] capability.

use crate::audit;
use crate::authz::{Actor, OnUser, Principal, UsersManage};
use crate::error::What;
use crate::password_reset::{SSO_REFUSAL, hash_new_password};
use crate::profile_values::{self, Editor};
use crate::{AppCtx, AppError, Input, Problems, clock, picture};
use domain::ids::UserId;
use domain::profile::{ProfileField, ProfileSettings};
use serde_json::{Value, json};
use std::collections::BTreeMap;
use store::profile::ProfileUpdate;
use store::sessions::Ending;

pub use store::pictures::Picture;

static DECODERS: tokio::sync::Semaphore = tokio::sync::Semaphore::const_new(2);

/// One visible field with its value.
#[derive(Debug, Clone)]
pub struct FieldView {
    pub field: ProfileField,
    /// The text value (for the picture: whether there is one, as "yes" or nothing).
    pub value: Option<String>,
    /// Whether the viewer may change it.
    pub editable: bool,
}

/// A profile as one viewer sees it.
#[derive(Debug, Clone)]
pub struct ProfileView {
    pub user: UserId,
    pub email: String,
    pub fields: Vec<FieldView>,
    /// When the picture last changed (for cache-busting URLs), if there is one.
    pub picture_at: Option<i64>,
    /// Whether the account uses SSO (then there is no password to change).
    pub sso: bool,
}

/// The visible fields of `user` under `settings`, editable as `editor` may.
pub async fn view(
    ctx: &AppCtx,
    account: domain::ids::AccountId,
    user: UserId,
    settings: &ProfileSettings,
    editor: Editor,
) -> Result<ProfileView, AppError> {
    let u = store::users::find(&ctx.db, account, user).await?.ok_or(AppError::NotFound(What::User))?;
    let picture_at = store::pictures::get(&ctx.db, user).await?.map(|p| p.updated_at);
    let sso = store::password_reset::sso_enabled(&ctx.db, account).await?;
    Ok(view_of(user, &u, picture_at, settings, editor, sso))
}

/// The profile of the row `u` (no reads).
fn view_of(
    user: UserId,
    u: &store::users::UserDetailRow,
    picture_at: Option<i64>,
    settings: &ProfileSettings,
    editor: Editor,
    sso: bool,
) -> ProfileView {
    let doc = profile_values::parse_doc(&u.profile);
    let fields = settings
        .visible()
        .map(|f| FieldView {
            field: f,
            value: match f {
                ProfileField::FirstName => Some(u.first_name.clone()),
                ProfileField::LastName => Some(u.last_name.clone()),
                ProfileField::Picture => picture_at.map(|_| "yes".to_owned()),
                _ => profile_values::value_of(&doc, f),
            },
            editable: editor == Editor::Admin || settings.self_editable(f),
        })
        .collect();
    ProfileView { user, email: u.email.clone(), fields, picture_at, sso }
}

/// A user's profile as admins see it: every field the account's User Settings enable now,
/// from what the capability loaded (no reads). `sso` is left false: the admin's page offers
/// no password change.
pub fn admin_view<P>(may: &OnUser<P>) -> ProfileView {
    let t = may.target();
    view_of(t.id, &t.row, t.picture_at, &t.profile_settings, Editor::Admin, false)
}

/// The signed-in user's own profile, per their session's settings copy.
pub async fn mine(ctx: &AppCtx, p: &Principal) -> Result<ProfileView, AppError> {
    view(ctx, p.account_id, p.user_id, &p.profile_settings, Editor::Own).await
}

/// Changes the signed-in user's own fields (`edits`: key → value, empty clears). 403 naming
/// the field for one without Allow Edits or not enabled; 400 for an invalid value. Nothing
/// is stored unless every field is valid.
pub async fn update_mine(
    ctx: &AppCtx,
    p: &Principal,
    edits: Input<BTreeMap<String, String>>,
) -> Result<ProfileView, AppError> {
    let u = store::users::find(&ctx.db, p.account_id, p.user_id).await?.ok_or(AppError::NotFound(What::User))?;
    let doc = profile_values::parse_doc(&u.profile);
    // Every field is judged, and named with those that went unread, before anything is saved.
    let (edits, mut problems) = edits.open();
    let applied = problems.check(profile_values::apply(
        (&u.first_name, &u.last_name),
        &doc,
        &edits,
        &p.profile_settings,
        Editor::Own,
    ))?;
    problems.finish()?;
    let Some(applied) = applied else { return Err(AppError::Internal("a refused field was not reported".into())) };
    if !applied.changes.is_empty() {
        let first_name =
            applied.first_name.map_or_else(|| domain::user::PersonName::parse("first_name", &u.first_name), Ok)?;
        let last_name =
            applied.last_name.map_or_else(|| domain::user::PersonName::parse("last_name", &u.last_name), Ok)?;
        let update = ProfileUpdate {
            user: p.user_id,
            version: u.version,
            first_name,
            last_name,
            email: u.email.clone(),
            builder_access: u.builder_access,
            admin_role_id: u.admin_role_id.map(domain::ids::AdminRoleId),
            grants_role: false,
            groups: None,
            profile: Some(Value::Object(applied.doc).to_string()),
        };
        let event = audit::by(
            &Actor::of(p),
            domain::closed::AuditAction::ProfileUpdated,
            Some(p.user_id),
            Value::Object(applied.changes),
        );
        if store::profile::update(&ctx.db, &update, &event).await? != store::profile::ProfileOutcome::Updated {
            return Err(AppError::Stale("your profile changed meanwhile (another tab?); reload and try again".into()));
        }
    }
    mine(ctx, p).await
}

async fn store_picture(
    ctx: &AppCtx,
    actor: &Actor,
    user: UserId,
    bytes: Vec<u8>,
    content_type: &str,
) -> Result<(), AppError> {
    let content_type = content_type.to_owned();
    // Decoding takes up to ~64 MB and a CPU for a moment: at most two at a time per process,
    // so a burst of uploads queues instead of exhausting memory.
    let _permit = DECODERS.acquire().await.map_err(|e| AppError::Internal(e.to_string()))?;
    let jpeg = tokio::task::spawn_blocking(move || picture::process(&bytes, &content_type))
        .await
        .map_err(|e| AppError::Internal(e.to_string()))??;
    let stored = Picture { content_type: picture::CONTENT_TYPE.into(), data: jpeg, updated_at: clock::now() };
    let event =
        audit::by(actor, domain::closed::AuditAction::PictureChanged, Some(user), json!({"bytes": stored.data.len()}));
    store::pictures::put(&ctx.db, user, &stored, &event).await?;
    Ok(())
}

fn own_picture_allowed(p: &Principal) -> Result<(), AppError> {
    if p.profile_settings.self_editable(ProfileField::Picture) {
        Ok(())
    } else {
        Err(AppError::field_forbidden("picture", "your organization does not allow you to edit this field"))
    }
}

/// Replaces the signed-in user's picture (if Allow Edits is on for it).
pub async fn set_my_picture(ctx: &AppCtx, p: &Principal, bytes: Vec<u8>, content_type: &str) -> Result<(), AppError> {
    own_picture_allowed(p)?;
    store_picture(ctx, &Actor::of(p), p.user_id, bytes, content_type).await
}

/// Removes the signed-in user's picture (if Allow Edits is on for it).
pub async fn remove_my_picture(ctx: &AppCtx, p: &Principal) -> Result<(), AppError> {
    own_picture_allowed(p)?;
    let event = audit::by(&Actor::of(p), domain::closed::AuditAction::PictureRemoved, Some(p.user_id), json!({}));
    store::pictures::remove(&ctx.db, p.user_id, &event).await?;
    Ok(())
}

/// An admin replaces a user's picture.
pub async fn set_picture(
    ctx: &AppCtx,
    may: &OnUser<UsersManage>,
    bytes: Vec<u8>,
    content_type: &str,
) -> Result<(), AppError> {
    store_picture(ctx, &may.actor, may.user, bytes, content_type).await
}

/// An admin removes a user's picture; false when there was none.
pub async fn remove_picture(ctx: &AppCtx, may: &OnUser<UsersManage>) -> Result<bool, AppError> {
    let event = audit::by(&may.actor, domain::closed::AuditAction::PictureRemoved, Some(may.user), json!({}));
    Ok(store::pictures::remove(&ctx.db, may.user, &event).await?)
}

/// A user's picture (JPEG bytes and when it changed), for anyone who may see the user.
pub async fn picture_of(ctx: &AppCtx, user: UserId) -> Result<Option<Picture>, AppError> {
    Ok(store::pictures::get(&ctx.db, user).await?)
}

/// Changes the signed-in user's password: the current one must be right (400 naming
/// `current_password` otherwise; counted toward the lockout like a failed sign-in), the new one must meet the policy and not repeat one of
/// the last N. Refused under SSO (409). Ends the user's other sessions; this one stays.
pub async fn change_password(ctx: &AppCtx, p: &Principal, current: &str, new: &str) -> Result<(), AppError> {
    // A person's credentials are theirs: refused to an API token here too, not only by the route.
    crate::authz::self_service(p)?;
    if store::password_reset::sso_enabled(&ctx.db, p.account_id).await? {
        return Err(AppError::Conflict(SSO_REFUSAL.into()));
    }
    let security = crate::settings::security(ctx, p.account_id).await?;
    let hash = store::password_reset::password_hash(&ctx.db, p.user_id).await?;
    let u = store::users::find(&ctx.db, p.account_id, p.user_id).await?.ok_or(AppError::NotFound(What::User))?;
    let about = [u.email.as_str(), &u.first_name, &u.last_name];
    let (true, Some(hash)) = (ctx.hasher.verify(current, hash.as_deref()).await, hash) else {
        // A stolen session must not become a way to guess the password: wrong guesses here
        // count toward the lockout exactly like failed sign-ins.
        let who = (p.account_id, p.user_id);
        let wrong = domain::user::SignInRefusal::WrongCurrentPassword;
        crate::auth::record_failure(ctx, who, &security, &p.ip, wrong, clock::now()).await?;
        // The policy is public, so the new password is judged too: one answer names both
        // fields (its history is checked only once the current password is known right).
        let mut problems = Problems::new();
        problems.refuse("current_password", "is not your current password");
        if let Err(domain::DomainError::Invalid { message, .. }) = security.password_policy().check_for(new, &about) {
            problems.refuse("new_password", message);
        }
        return problems.finish().and(Err(AppError::invalid("current_password", "is not your current password")));
    };
    let new_hash = hash_new_password(ctx, &security, "new_password", new, &about, p.user_id, Some(&hash)).await?;
    let ending = Ending {
        by_user: Some(p.user_id),
        for_workspace: None,
        cause: domain::closed::EndCause::PasswordChanged,
        reason: Some("the password was changed".into()),
        at: clock::now(),
    };
    let event = audit::by(&Actor::of(p), domain::closed::AuditAction::PasswordChanged, Some(p.user_id), json!({}));
    if store::password_reset::change(&ctx.db, p.user_id, &hash, &new_hash, p.session_id, &ending, &event).await? {
        Ok(())
    } else {
        Err(AppError::Conflict("your password changed meanwhile; sign in again".into()))
    }
}
